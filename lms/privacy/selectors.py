"""Reads for personal data. Visibility of publications is decided in the database, from the consents on record."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lms.privacy import rules
from lms.privacy.clock import age_on
from lms.privacy.models import (
    BehaviourEvent,
    Consent,
    ConsentRole,
    DataSubjectRequest,
    Incident,
    ProcessingEvent,
    Publication,
    RefusedAccess,
    RequestStatus,
)
from lms.schools.api import Role, get_guardians, get_schools_for_user, has_role


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def required_consenters(student, *, on: date | None = None) -> dict[str, bool]:
    """Whose consent a consent-based purpose needs for this student today. An unknown age asks for both."""
    config = rules.current()
    age = age_on(student.date_of_birth, on or timezone.localdate())
    return {
        ConsentRole.STUDENT: age is None or age >= config["own_consent_age"],
        ConsentRole.REPRESENTATIVE: age is None or age < config["representative_consent_below_age"],
    }


def active_consents(student) -> QuerySet[Consent]:
    return Consent.objects.filter(student=student, withdrawn_at__isnull=True).select_related("given_by")


def consent_history(student) -> QuerySet[Consent]:
    return Consent.objects.filter(student=student).select_related("given_by", "withdrawn_by")


def current_representative():
    """For a ``Consent`` queryset: its giver is, today, a legal representative linked to the student. A parent's
    consent stops counting once the guardianship is removed in ``lms.schools`` (or loses legal representation)."""
    return Exists(get_guardians(OuterRef("student")).filter(parent=OuterRef("given_by"), is_legal_representative=True))


def counted_consents(student) -> QuerySet[Consent]:
    """Active consents that count: the student's own, and those of a currently linked legal representative."""
    return active_consents(student).filter(
        Q(given_as=ConsentRole.STUDENT, given_by=student)
        | Q(current_representative(), given_as=ConsentRole.REPRESENTATIVE)
    )


def consent_holds(student, purpose: str) -> bool:
    """True when every consent the purpose needs for this student is on record and not withdrawn."""
    spec = rules.purposes()[purpose]
    if spec["legal_basis"] != rules.LegalBasis.CONSENT:
        return True
    needed = required_consenters(student)
    given = set(counted_consents(student).filter(purpose=purpose).values_list("given_as", flat=True))
    return all(role in given for role, required in needed.items() if required)


def consent_holds_q(purpose: str, student: str = "") -> Q:
    """``consent_holds`` for many students in the query that reads them: a ``Q`` on a queryset whose ``student`` path
    (``""`` for users themselves, ``"student"`` for an enrolment) is the student, true when the purpose's consents
    hold today. Annotate with it (``ExpressionWrapper(q, BooleanField())``) so a page of students costs no extra
    query."""
    prefix = f"{student}__" if student else ""
    if rules.purposes()[purpose]["legal_basis"] != rules.LegalBasis.CONSENT:
        return Q(**{f"{prefix}pk__isnull": False})
    config = rules.current()
    today = timezone.localdate()
    own_from = _years_before(today, config["own_consent_age"])
    representative_until = _years_before(today, config["representative_consent_below_age"])
    student_ref = OuterRef(student or "pk")
    own = Consent.objects.filter(
        student=student_ref,
        given_by=student_ref,
        purpose=purpose,
        withdrawn_at__isnull=True,
        given_as=ConsentRole.STUDENT,
    )
    representative = Consent.objects.filter(
        student=student_ref, purpose=purpose, withdrawn_at__isnull=True, given_as=ConsentRole.REPRESENTATIVE
    ).filter(current_representative())
    # The same ages as required_consenters(): under 7 only the representative; 18 and over only the student.
    # An unknown date of birth needs both (and must give False, not SQL NULL, so the annotation is a plain bool).
    known = {f"{prefix}date_of_birth__isnull": False}
    student_ok = Q(Exists(own)) | Q(**known, **{f"{prefix}date_of_birth__gt": own_from})
    representative_ok = Q(Exists(representative)) | Q(**known, **{f"{prefix}date_of_birth__lte": representative_until})
    return student_ok & representative_ok


def missing_consents(student, purpose: str) -> list[str]:
    needed = required_consenters(student)
    given = set(counted_consents(student).filter(purpose=purpose).values_list("given_as", flat=True))
    return [role for role, required in needed.items() if required and role not in given]


def _consent_exists(given_as: str):
    consents = Consent.objects.filter(
        student=OuterRef("student"), purpose=Publication.PURPOSE, withdrawn_at__isnull=True, given_as=given_as
    )
    if given_as == ConsentRole.STUDENT:
        consents = consents.filter(given_by=OuterRef("student"))
    else:
        consents = consents.filter(current_representative())
    return Exists(consents)


def consented_publications(on: date | None = None) -> QuerySet[Publication]:
    """Publications whose student's and representative's consents hold now (one query, whatever the number)."""
    config = rules.current()
    today = on or timezone.localdate()
    # Age ≥ 7 ⇔ born on or before this day; under 18 ⇔ born after that one. Unknown birth dates need both.
    own_from = _years_before(today, config["own_consent_age"])
    representative_until = _years_before(today, config["representative_consent_below_age"])
    student_ok = _consent_exists(ConsentRole.STUDENT) | Q(student__date_of_birth__gt=own_from)
    representative_ok = _consent_exists(ConsentRole.REPRESENTATIVE) | Q(
        student__date_of_birth__lte=representative_until
    )
    return Publication.objects.filter(removed_at__isnull=True).filter(student_ok, representative_ok)


def visible_publications(school, viewer) -> QuerySet[Publication]:
    """The school's showcase for this viewer: public items for everyone, school items for its members too."""
    from lms.privacy import access

    publications = consented_publications().filter(school=school)
    if not access.is_member(viewer, school):
        publications = publications.filter(audience="public")
    return publications.select_related("student").order_by("-published_at", "-pk")


def is_visible(publication: Publication) -> bool:
    return consented_publications().filter(pk=publication.pk).exists()


def publications_of(student) -> QuerySet[Publication]:
    return Publication.objects.filter(student=student).select_related("published_by")


def student_school(student):
    """The school where the person is a student (the first, by name, if several)."""
    for school in get_schools_for_user(student):
        if has_role(student, Role.STUDENT, school):
            return school
    return None


def get_requests(school, *, open_only: bool = False) -> QuerySet[DataSubjectRequest]:
    requests = DataSubjectRequest.objects.filter(school=school).select_related("subject", "requested_by")
    if open_only:
        requests = requests.exclude(status__in=[RequestStatus.COMPLETED, RequestStatus.REFUSED])
    return requests


def requests_about(student) -> QuerySet[DataSubjectRequest]:
    return DataSubjectRequest.objects.filter(subject=student).prefetch_related("events")


def get_refusals(school, *, limit: int = 200) -> list[RefusedAccess]:
    return list(RefusedAccess.objects.filter(school=school).select_related("actor", "subject")[:limit])


def get_behaviour_events(school, *, limit: int = 200) -> list[BehaviourEvent]:
    return list(BehaviourEvent.objects.filter(school=school).select_related("user")[:limit])


def behaviour_of(user) -> QuerySet[BehaviourEvent]:
    return BehaviourEvent.objects.filter(user=user)


def get_incidents(school) -> QuerySet[Incident]:
    return Incident.objects.filter(school=school).select_related("reported_by")


def processing_events_about(student) -> QuerySet[ProcessingEvent]:
    return ProcessingEvent.objects.filter(student=student).select_related("actor")


def is_restricted(user) -> bool:
    """An active restriction of, or objection to, processing holds for this person (any school)."""
    from lms.privacy.models import ProcessingRestriction

    return ProcessingRestriction.objects.filter(subject=user, lifted_at__isnull=True).exists()


def active_restrictions(school):
    from lms.privacy.models import ProcessingRestriction

    return ProcessingRestriction.objects.filter(school=school, lifted_at__isnull=True).select_related(
        "subject", "created_by", "request"
    )


def requests_filed_by(user):
    """The requests a person filed (for themselves or for their child), with what each produced."""
    return (
        DataSubjectRequest.objects.filter(requested_by=user)
        .select_related("subject", "school", "delivery")
        .order_by("-received_at")
    )
