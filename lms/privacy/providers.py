"""The export providers this app registers itself: the ``lms.schools`` data (profile, guardians) and its own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lms.privacy import selectors
from lms.privacy.models import PersonalIdentifier
from lms.privacy.registry import register_eraser, register_export_provider
from lms.schools.api import get_guardians, get_school_roles_of


def profile(student, school) -> dict:
    return {
        "uuid": student.uuid,
        "username": student.get_username(),
        "last_name": student.last_name,
        "first_name": student.first_name,
        "full_name": student.get_full_name(),
        "ma_dinh_danh": student.ma_dinh_danh,
        "lifelong_record_code": student.lifelong_record_code,
        "date_of_birth": student.date_of_birth,
        "gender": student.gender,
        "email": student.email,
        "phone": student.phone,
        "date_joined": student.date_joined,
        "last_login": student.last_login,
        "roles": [
            {"school": school.code, "role": a.role, "position": a.position, "since": a.created_at}
            for a in get_school_roles_of(student, school)
        ],
        # R35: the personal ID is never written out in full, not even in the subject's own export.
        "personal_id": _masked_personal_id(student),
    }


def _masked_personal_id(student) -> str | None:
    row = PersonalIdentifier.objects.filter(user=student).only("last_digits").first()
    return f"********{row.last_digits}" if row else None


def guardians(student, school) -> list[dict]:
    return [
        {
            "full_name": link.parent.get_full_name(),
            "username": link.parent.get_username(),
            "email": link.parent.email,
            "phone": link.parent.phone,
            "relationship": link.relationship,
            "is_legal_representative": link.is_legal_representative,
            "linked_at": link.created_at,
        }
        for link in get_guardians(student)
    ]


def consents(student, school) -> list[dict]:
    return [
        {
            "purpose": c.purpose,
            "legal_basis": c.legal_basis,
            "given_by": c.given_by.get_username(),
            "given_as": c.given_as,
            "notice_version": c.notice_version,
            "channel": c.channel,
            "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at,
            "withdrawn_by": c.withdrawn_by.get_username() if c.withdrawn_by else None,
        }
        for c in selectors.consent_history(student)
    ]


def requests(student, school) -> list[dict]:
    return [
        {
            "kind": r.kind,
            "status": r.status,
            "details": r.details,
            "channel": r.channel,
            "received_at": r.received_at,
            "acknowledge_due": r.acknowledge_due,
            "acknowledged_at": r.acknowledged_at,
            "closed_at": r.closed_at,
            "events": [{"from": e.from_status, "to": e.to_status, "note": e.note, "at": e.at} for e in r.events.all()],
        }
        for r in selectors.requests_about(student)
    ]


def publications(student, school) -> list[dict]:
    visible = set(selectors.consented_publications().filter(student=student).values_list("pk", flat=True))
    return [
        {
            "uuid": p.uuid,
            "kind": p.kind,
            "title": p.title,
            "file": p.file.name or None,
            "link": p.link or None,
            "audience": p.audience,
            "published_at": p.published_at,
            "removed_at": p.removed_at,
            "visible": p.pk in visible,
        }
        for p in selectors.publications_of(student)
    ]


def processing_log(student, school) -> list[dict]:
    return [
        {"action": e.action, "at": e.at, "by": e.actor.get_username() if e.actor else None, "details": e.data}
        for e in selectors.processing_events_about(student)
    ]


def behaviour(student, school) -> list[dict]:
    """Sensitive (R42): left out of exports unless the request asks for it."""
    return [
        {"kind": e.kind, "target": e.target, "seconds": e.seconds, "at": e.at}
        for e in selectors.behaviour_of(student).order_by("at")
    ]


def erase_behaviour(subject, school) -> int:
    deleted, _by_model = selectors.behaviour_of(subject).delete()
    return deleted


def erase_publications(subject, school) -> int:
    """Publications of the student at this school: files deleted, rows removed."""
    count = 0
    for publication in selectors.publications_of(subject).filter(school=school):
        if publication.file:
            publication.file.delete(save=False)
        publication.delete()
        count += 1
    return count


def register_all() -> None:
    for name, provider in [
        ("profile", profile),
        ("guardians", guardians),
        ("consents", consents),
        ("requests", requests),
        ("publications", publications),
        ("processing_log", processing_log),
        ("behaviour", behaviour),
    ]:
        register_export_provider(name, provider)
    register_eraser("behaviour", _("behaviour and usage logs"), erase_behaviour)
    register_eraser("publications", _("published work and photos"), erase_publications)
