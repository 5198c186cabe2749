"""Writes for personal data. Keyword-only, each inside ``transaction.atomic()``; every change leaves an audit row."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.privacy import access, crypto, rules, selectors
from lms.privacy.clock import acknowledge_due, incident_due
from lms.privacy.models import (
    REQUEST_TRANSITIONS,
    BehaviourEvent,
    Channel,
    Consent,
    ConsentRole,
    DataSubjectRequest,
    Incident,
    IncidentStatus,
    PersonalIdentifier,
    ProcessingEvent,
    ProcessingRestriction,
    Publication,
    RefusedAccess,
    RequestDelivery,
    RequestEvent,
    RequestKind,
    RequestStatus,
)
from lms.privacy.registry import erasers, export_providers
from lms.privacy.signals import consent_withdrawn
from lms.schools.api import Role, get_people, get_schools_for_user

logger = logging.getLogger("lms.security")


def _event(action: str, *, actor=None, student=None, school=None, **data) -> ProcessingEvent:
    return ProcessingEvent.objects.create(action=action, actor=actor, student=student, school=school, data=data)


def log_processing(action: str, *, student=None, school=None, actor=None, **data) -> ProcessingEvent:
    """For other apps: record in the processing log something they did to a person's data because of this app (a
    consent withdrawn, a deletion carried out), e.g. ``learning_analytics_cleared``. ``data`` must be JSON."""
    return _event(action, actor=actor, student=student, school=school, **data)


# --------------------------------------------------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------------------------------------------------
def _consent_role(actor, student) -> str:
    if actor.pk == student.pk:
        if not selectors.required_consenters(student)[ConsentRole.STUDENT]:
            raise PermissionDenied(
                _("Students under %(age)s do not give consent themselves: their parent decides.")
                % {"age": rules.current()["own_consent_age"]}
            )
        return ConsentRole.STUDENT
    if access.is_representative_of(actor, student):
        return ConsentRole.REPRESENTATIVE
    raise PermissionDenied(_("Only the student or their legal representative can give or withdraw this consent."))


def _consent_purpose(purpose: str) -> dict:
    spec = rules.purposes().get(purpose)
    if spec is None:
        raise ValidationError(_("Unknown processing purpose “%(purpose)s”.") % {"purpose": purpose})
    if spec["legal_basis"] != rules.LegalBasis.CONSENT:
        raise ValidationError(
            _("“%(purpose)s” does not rest on consent, so there is nothing to give or withdraw.")
            % {"purpose": spec["label"]}
        )
    return spec


@transaction.atomic
def give_consent(*, actor, student, purpose: str, channel: str = Channel.WEB, notice_version: str = "") -> Consent:
    """Record the actor's consent (as the student or as their legal representative). Idempotent."""
    spec = _consent_purpose(purpose)
    given_as = _consent_role(actor, student)
    current_notice = rules.current()["notice_version"]
    if notice_version and notice_version != current_notice:
        raise ValidationError(
            _("The notice you read (version %(read)s) is no longer current: read version %(current)s first.")
            % {"read": notice_version, "current": current_notice}
        )
    existing = selectors.active_consents(student).filter(purpose=purpose, given_by=actor).first()
    if existing is not None:
        return existing
    school = selectors.student_school(student)
    if school is None:
        raise ValidationError(_("%(name)s is not a student at any school.") % {"name": student})
    consent = Consent.objects.create(
        student=student,
        school=school,
        purpose=purpose,
        legal_basis=spec["legal_basis"],
        given_by=actor,
        given_as=given_as,
        notice_version=current_notice,
        channel=Channel(channel),
    )
    _event("consent_given", actor=actor, student=student, school=school, purpose=purpose, given_as=given_as)
    return consent


@transaction.atomic
def record_paper_consent(
    *, actor, school, student, parent, purpose: str, reference: str, notice_version: str = ""
) -> Consent:
    """The school administrator enters a consent a linked legal representative signed on paper. The consent is the
    parent's (``given_by``), given as representative on channel "paper"; who entered it and the paper's reference
    are kept. The parent withdraws it like any other consent."""
    if not access.can_manage(actor, school):
        raise PermissionDenied(_("Only the school administrator records a consent given on paper."))
    spec = _consent_purpose(purpose)
    if not get_people(school, Role.STUDENT).filter(pk=student.pk).exists():
        raise ValidationError({"student": _("%(name)s is not a student at this school.") % {"name": student}})
    if not access.is_representative_of(parent, student):
        raise ValidationError(
            {
                "parent": _("%(parent)s is not a legal representative linked to %(student)s.")
                % {"parent": parent, "student": student}
            }
        )
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Give the reference of the signed paper (number or file name).")})
    current_notice = rules.current()["notice_version"]
    if notice_version and notice_version != current_notice:
        raise ValidationError(
            {
                "notice_version": _(
                    "The paper was signed on notice version %(read)s, not the current %(current)s: "
                    "ask the parent to sign the current notice."
                )
                % {"read": notice_version, "current": current_notice}
            }
        )
    if selectors.active_consents(student).filter(purpose=purpose, given_by=parent).exists():
        raise ValidationError(_("%(parent)s's consent for this purpose is already on record.") % {"parent": parent})
    consent = Consent.objects.create(
        student=student,
        school=school,
        purpose=purpose,
        legal_basis=spec["legal_basis"],
        given_by=parent,
        given_as=ConsentRole.REPRESENTATIVE,
        notice_version=current_notice,
        channel=Channel.PAPER,
        recorded_by=actor,
        paper_reference=reference,
    )
    _event(
        "consent_given",
        actor=actor,
        student=student,
        school=school,
        purpose=purpose,
        given_as=ConsentRole.REPRESENTATIVE,
        given_by=parent.pk,
        channel=Channel.PAPER,
        paper_reference=reference,
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor, student, purpose: str) -> list[Publication]:
    """Withdraw the actor's consent. Publications that depended on it are hidden at once (they stop qualifying) and
    the withdrawal and the hidden items are logged. Returns the publications hidden."""
    _consent_purpose(purpose)
    _consent_role(actor, student)
    consent = (
        Consent.objects.select_for_update()
        .filter(student=student, purpose=purpose, given_by=actor, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None:
        raise ValidationError(_("There is no consent of yours for this purpose to withdraw."))
    visible_before = set(selectors.consented_publications().filter(student=student).values_list("pk", flat=True))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    visible_after = set(selectors.consented_publications().filter(student=student).values_list("pk", flat=True))
    hidden = list(Publication.objects.filter(pk__in=visible_before - visible_after).order_by("pk"))
    _event(
        "consent_withdrawn",
        actor=actor,
        student=student,
        school=consent.school,
        purpose=purpose,
        given_as=consent.given_as,
        consent=consent.pk,
    )
    if hidden:
        _event(
            "publications_hidden",
            actor=actor,
            student=student,
            school=consent.school,
            reason="consent_withdrawn",
            publications=[{"id": p.pk, "title": p.title} for p in hidden],
        )
    transaction.on_commit(
        lambda: consent_withdrawn.send(sender=Consent, student=student, purpose=purpose, consent=consent)
    )
    return hidden


# --------------------------------------------------------------------------------------------------------------------
# Publications
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def publish(*, actor, school, student, kind: str, title: str, audience: str, file=None, link: str = "") -> Publication:
    """Publish a student's work or photo outside the class. Refused unless the consents hold already: nobody's
    photo is uploaded on the chance that consent comes later."""
    if not access.can_publish(actor, school):
        raise PermissionDenied(_("Only the school's teachers and leadership publish students' work."))
    if not get_people(school, Role.STUDENT).filter(pk=student.pk).exists():
        raise ValidationError({"student": _("%(name)s is not a student of this school.") % {"name": student}})
    missing = selectors.missing_consents(student, Publication.PURPOSE)
    if missing:
        who = {
            ConsentRole.STUDENT: _("the student"),
            ConsentRole.REPRESENTATIVE: _("a parent or legal representative"),
        }
        raise ValidationError(
            {
                "student": _("%(name)s's work cannot be published: consent from %(who)s is missing.")
                % {"name": student, "who": _(" and ").join(str(who[m]) for m in missing)}
            }
        )
    if selectors.is_restricted(student):
        raise ValidationError(
            {
                "student": _(
                    "%(name)s has restricted or objected to the processing of their data: "
                    "nothing new of theirs is published."
                )
                % {"name": student}
            }
        )
    if not file and not link:
        raise ValidationError({"file": _("Upload a file or give a link.")})
    publication = Publication(
        school=school,
        student=student,
        kind=kind,
        title=title.strip(),
        link=link,
        audience=audience,
        published_by=actor,
    )
    if file:
        publication.file.save(file.name, file, save=False)
    publication.full_clean()
    publication.save()
    _event("published", actor=actor, student=student, school=school, publication=publication.pk, title=title)
    return publication


@transaction.atomic
def remove_publication(*, actor, publication: Publication) -> Publication:
    if not (access.can_manage(actor, publication.school) or actor.pk == publication.published_by_id):
        raise PermissionDenied(_("Only the teacher who published it or the school administrator can remove it."))
    publication.removed_at = timezone.now()
    publication.save(update_fields=["removed_at"])
    _event(
        "publication_removed",
        actor=actor,
        student=publication.student,
        school=publication.school,
        publication=publication.pk,
    )
    return publication


# --------------------------------------------------------------------------------------------------------------------
# Data-subject requests
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def create_request(
    *, actor, school, subject, kind: str, details: str = "", channel: str = Channel.WEB, received_at=None
) -> DataSubjectRequest:
    """File a request. The subject, their legal representative, or the school administrator (recording a request
    received on paper) may."""
    if not get_people(school).filter(pk=subject.pk).exists():
        raise ValidationError({"subject": _("%(name)s has no role at this school.") % {"name": subject}})
    if not (actor.pk == subject.pk or access.is_representative_of(actor, subject) or access.can_manage(actor, school)):
        raise PermissionDenied(
            _("Only the person, their legal representative or the school administrator can file it.")
        )
    received_at = received_at or timezone.now()
    request = DataSubjectRequest(
        school=school,
        subject=subject,
        requested_by=actor,
        kind=kind,
        details=details.strip(),
        channel=channel,
        received_at=received_at,
        acknowledge_due=acknowledge_due(received_at),
    )
    request.full_clean()
    request.save()
    RequestEvent.objects.create(request=request, actor=actor, to_status=request.status, note=request.details)
    return request


@transaction.atomic
def change_request_status(*, actor, request: DataSubjectRequest, to_status: str, note: str = "") -> DataSubjectRequest:
    if not access.can_manage(actor, request.school):
        raise PermissionDenied(_("Only the school administrator handles data-subject requests."))
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    current = RequestStatus(request.status)
    target = RequestStatus(to_status)
    if target not in REQUEST_TRANSITIONS[current]:
        raise ValidationError(
            _("A request that is “%(current)s” cannot become “%(target)s”.")
            % {"current": current.label, "target": target.label}
        )
    if target in (RequestStatus.ACKNOWLEDGED, RequestStatus.REFUSED) and not note.strip():
        raise ValidationError(
            {"note": _("Write what you tell the person: the procedure and time needed, or the reasons for refusing.")}
        )
    now = timezone.now()
    if request.acknowledged_at is None and target != RequestStatus.RECEIVED:
        request.acknowledged_at = now  # refusing or completing also answers the person
    if target in (RequestStatus.COMPLETED, RequestStatus.REFUSED):
        request.closed_at = now
    request.status = target
    request.save(update_fields=["status", "acknowledged_at", "closed_at"])
    RequestEvent.objects.create(request=request, actor=actor, from_status=current, to_status=target, note=note.strip())
    return request


CARRIED_OUT = {RequestKind.ACCESS, RequestKind.EXPORT, RequestKind.RESTRICT, RequestKind.OBJECT, RequestKind.DELETE}
CARRY_OUT_STATUSES = {RequestStatus.ACKNOWLEDGED, RequestStatus.IN_PROGRESS}


def can_carry_out(request: DataSubjectRequest) -> bool:
    """The request is of a kind done automatically and has been acknowledged but not closed."""
    return request.kind in CARRIED_OUT and request.status in CARRY_OUT_STATUSES


def carry_out_request(*, actor, request: DataSubjectRequest, note: str = "") -> DataSubjectRequest:
    """Do what an acknowledged request asks, then complete it with a note of what was done:

    - access / export: the ZIP of everything held about the student (behaviour logs included: it is their data),
      kept for the person who asked to download for ``request_delivery_days``;
    - restrict / object: an active ``ProcessingRestriction`` (no behaviour logging, no new publication);
    - delete: every registered eraser runs (behaviour logs, publications…); what the school must keep by law is
      kept and named in the note.

    A correction is made by staff where the data lives, so it is completed by hand."""
    if not access.can_manage(actor, request.school):
        raise PermissionDenied(_("Only the school administrator handles data-subject requests."))
    if request.kind not in CARRIED_OUT:
        raise ValidationError(
            _("A correction is made by the staff in the page that holds the data; then mark the request completed.")
        )
    if request.status not in CARRY_OUT_STATUSES:
        raise ValidationError(
            _("Acknowledge the request first (with the procedure and the time needed); a closed request is not redone.")
        )
    school, subject = request.school, request.subject
    done: list[str] = []
    if request.kind in (RequestKind.ACCESS, RequestKind.EXPORT):
        data = export_student(actor=actor, school=school, student=subject, include_behaviour=True)
        days = rules.current()["request_delivery_days"]
        with transaction.atomic():
            delivery = RequestDelivery(
                request=request, size=len(data), expires_at=timezone.now() + timezone.timedelta(days=days)
            )
            delivery.file.save(f"{delivery.token}.zip", ContentFile(data), save=False)
            delivery.save()
        done.append(
            _(
                "The file of everything held about %(name)s (%(size)s kB) can be downloaded by %(who)s "
                "for %(days)s days."
            )
            % {"name": subject, "size": max(1, len(data) // 1024), "who": request.requested_by, "days": days}
        )
    elif request.kind in (RequestKind.RESTRICT, RequestKind.OBJECT):
        with transaction.atomic():
            ProcessingRestriction.objects.create(
                school=school,
                subject=subject,
                request=request,
                kind=request.kind,
                reason=request.details,
                created_by=actor,
            )
            _event("restricted", actor=actor, student=subject, school=school, request=request.pk, kind=request.kind)
        done.append(_("Behaviour and usage are no longer logged and nothing new is published until it is lifted."))
    else:
        with transaction.atomic():
            registered = sorted(erasers().items())
            counts = {name: eraser(subject, school) for name, (_label, eraser) in registered}
            _event("erased", actor=actor, student=subject, school=school, request=request.pk, counts=counts)
        labels = {name: label for name, (label, _eraser) in registered}
        done.append(_("Erased: %(what)s.") % {"what": "; ".join(f"{labels[n]} ({c})" for n, c in counts.items())})
        done.append(
            _("Kept by law: %(what)s.") % {"what": "; ".join(str(t) for t in rules.current()["retained_on_deletion"])}
        )
    summary = " ".join(str(d) for d in done)
    return change_request_status(
        actor=actor,
        request=request,
        to_status=RequestStatus.COMPLETED,
        note=f"{summary} {note.strip()}".strip(),
    )


@transaction.atomic
def lift_restriction(*, actor, restriction: ProcessingRestriction, reason: str) -> ProcessingRestriction:
    if not access.can_manage(actor, restriction.school):
        raise PermissionDenied(_("Only the school administrator lifts a restriction."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the restriction is lifted (e.g. the person asked).")})
    restriction = ProcessingRestriction.objects.select_for_update().get(pk=restriction.pk)
    if restriction.lifted_at is None:
        restriction.lifted_at, restriction.lifted_by = timezone.now(), actor
        restriction.save(update_fields=["lifted_at", "lifted_by"])
        _event(
            "restriction_lifted",
            actor=actor,
            student=restriction.subject,
            school=restriction.school,
            restriction=restriction.pk,
            reason=reason.strip(),
        )
    return restriction


def may_download_delivery(user, delivery: RequestDelivery) -> bool:
    request = delivery.request
    return (
        user.pk in (request.requested_by_id, request.subject_id)
        or access.is_representative_of(user, request.subject)
        or access.can_manage(user, request.school)
    )


@transaction.atomic
def open_delivery(*, user, delivery: RequestDelivery):
    """The delivery's file for download (counted and logged), or a refusal that says why."""
    if not may_download_delivery(user, delivery):
        raise PermissionDenied(_("Only the person who asked, the data subject or their parent may download it."))
    if not delivery.available:
        raise ValidationError(_("This file is no longer available: ask the school for a new export."))
    RequestDelivery.objects.filter(pk=delivery.pk).update(downloads=F("downloads") + 1)
    _event("delivery_downloaded", actor=user, student=delivery.request.subject, school=delivery.request.school)
    return delivery.file.open("rb")


def purge_deliveries(*, now=None) -> int:
    """Delete the files of expired request deliveries (the row stays, marked deleted)."""
    now = now or timezone.now()
    done = 0
    for delivery in RequestDelivery.objects.filter(expires_at__lte=now, purged_at__isnull=True):
        if delivery.file:
            delivery.file.delete(save=False)
        delivery.purged_at = now
        delivery.save(update_fields=["file", "purged_at"])
        done += 1
    return done


# --------------------------------------------------------------------------------------------------------------------
# Export of everything held about one student
# --------------------------------------------------------------------------------------------------------------------
def export_student(*, actor, school, student, include_behaviour: bool = False) -> bytes:
    """A ZIP of JSON files, one per provider (``manifest.json`` lists them). Behaviour logs only when asked (R42)."""
    if not access.can_manage(actor, school):
        raise PermissionDenied(_("Only the school administrator exports a student's data."))
    if not get_people(school, Role.STUDENT).filter(pk=student.pk).exists():
        raise ValidationError(_("%(name)s is not a student of this school.") % {"name": student})
    providers = export_providers()
    if not include_behaviour:
        providers.pop("behaviour", None)
    buffer = io.BytesIO()
    files = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(providers):
            data = providers[name](student, school)
            archive.writestr(f"{name}.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            files.append(f"{name}.json")
        manifest = {
            "student": str(student.uuid),
            "school": school.code,
            "generated_at": timezone.now(),
            "generated_by": actor.get_username(),
            "rules": rules.CURRENT,
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    with transaction.atomic():
        _event("exported", actor=actor, student=student, school=school, files=files)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# Sensitive logs
# --------------------------------------------------------------------------------------------------------------------
def record_behaviour(
    *, user, kind: str, school=None, target: str = "", seconds: int | None = None
) -> BehaviourEvent | None:
    """Log a behaviour or usage event, unless the person has restricted or objected to processing (then nothing is
    kept and ``None`` is returned)."""
    if selectors.is_restricted(user):
        return None
    return BehaviourEvent.objects.create(user=user, school=school, kind=kind, target=target[:200], seconds=seconds)


def purge_behaviour(*, now=None) -> int:
    """Delete behaviour events older than the retention period (R42). Returns how many went."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=rules.current()["behaviour_log_retention_days"])
    with transaction.atomic():
        deleted, _by_model = BehaviourEvent.objects.filter(at__lt=cutoff).delete()
        if deleted:
            _event("behaviour_purged", deleted=deleted, before=cutoff.isoformat())
    return deleted


def _client_ip(request) -> str | None:
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    return address


def record_refused_access(actor, subject, resource: str, request=None, *, school=None) -> RefusedAccess:
    """Log a refused read of marks or personal records (R45). Call it where the refusal happens, then refuse."""
    if school is None and subject is not None:
        school = selectors.student_school(subject)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    refusal = RefusedAccess.objects.create(
        actor=actor,
        subject=subject,
        school=school,
        resource=str(resource)[:200],
        path=(request.get_full_path()[:500] if request is not None else ""),
        ip=_client_ip(request),
    )
    logger.warning(
        "refused access to %s",
        resource,
        extra={"user_id": getattr(actor, "pk", None), "subject_id": getattr(subject, "pk", None)},
    )
    return refusal


def log_sensitive_read(*, actor, school, what: str) -> None:
    """Reading the behaviour logs is itself logged (R42)."""
    _event("sensitive_log_read", actor=actor, school=school, what=what)


# --------------------------------------------------------------------------------------------------------------------
# Incidents
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def record_incident(
    *, actor, school, title: str, detected_at, scope: str, categories: str, records_affected=None, actions: str = ""
) -> Incident:
    if not access.can_manage(actor, school):
        raise PermissionDenied(_("Only the school administrator records incidents."))
    if detected_at > timezone.now():
        raise ValidationError({"detected_at": _("The detection time cannot be in the future.")})
    incident = Incident(
        school=school,
        title=title,
        detected_at=detected_at,
        scope=scope,
        categories=categories,
        records_affected=records_affected,
        actions=actions,
        notify_due=incident_due(detected_at),
        reported_by=actor,
    )
    incident.full_clean()
    incident.save()
    _event("incident_recorded", actor=actor, school=school, incident=incident.pk)
    return incident


@transaction.atomic
def mark_incident_notified(*, actor, incident: Incident, notified_at=None) -> Incident:
    if not access.can_manage(actor, incident.school):
        raise PermissionDenied(_("Only the school administrator records incidents."))
    incident.notified_at = notified_at or timezone.now()
    incident.status = IncidentStatus.NOTIFIED
    incident.save(update_fields=["notified_at", "status"])
    _event("incident_notified", actor=actor, school=incident.school, incident=incident.pk)
    return incident


# --------------------------------------------------------------------------------------------------------------------
# Personal ID (số định danh cá nhân), encrypted
# --------------------------------------------------------------------------------------------------------------------
PERSONAL_ID = re.compile(r"^[0-9]{12}$")


def _admin_of(actor, user) -> bool:
    """The actor administers a school where the person holds a role."""
    return actor.is_superuser or any(access.can_manage(actor, school) for school in get_schools_for_user(user))


@transaction.atomic
def set_personal_id(*, actor, user, value: str) -> PersonalIdentifier:
    value = (value or "").strip().replace(" ", "")
    if not _admin_of(actor, user):
        raise PermissionDenied(_("Only the school administrator records a personal ID."))
    if value and not value.isdigit():
        raise ValidationError({"value": _("A personal ID has only digits (0–9); letters and signs are not allowed.")})
    if not PERSONAL_ID.match(value):
        raise ValidationError(
            {"value": _("A personal ID has exactly 12 digits (given: %(n)s characters).") % {"n": len(value)}}
        )
    row = PersonalIdentifier.objects.filter(user=user).first() or PersonalIdentifier(user=user)
    row.value = value
    row.digest = crypto.digest(value)
    row.last_digits = value[-4:]
    row.updated_by = actor
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError({"value": _("Another person already has this personal ID.")}) from None
    _event("personal_id_set", actor=actor, student=user)
    return row


def reveal_personal_id(*, actor, user, request=None) -> str | None:
    """The full personal ID, for the school administrator only; anyone else is refused and logged (R35)."""
    if not _admin_of(actor, user):
        record_refused_access(actor, user, "personal ID", request)
        raise PermissionDenied(_("The personal ID is shown only to the school administrator."))
    row = PersonalIdentifier.objects.filter(user=user).first()
    if row is None:
        return None
    with transaction.atomic():
        _event("personal_id_read", actor=actor, student=user)
    return row.value


def masked_personal_id(user) -> str:
    row = PersonalIdentifier.objects.filter(user=user).only("last_digits").first()
    return f"••••••••{row.last_digits}" if row else ""


@transaction.atomic
def rotate_personal_ids() -> int:
    """Re-encrypt every personal ID with the newest key, and recompute its digest."""
    count = 0
    # ``update(value=...)`` goes through the field, which encrypts with the newest key.
    for row in PersonalIdentifier.objects.select_for_update():
        value = row.value
        PersonalIdentifier.objects.filter(pk=row.pk).update(value=value, digest=crypto.digest(value))
        count += 1
    return count
