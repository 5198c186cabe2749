"""Reads for the question bank."""

from __future__ import annotations

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, When

from content.api import SharingScope
from lms.assessments.models import (
    PendingQuestionFile,
    Question,
    QuestionBank,
    QuestionFile,
    QuestionUsage,
    QuestionVersion,
    ReviewDecision,
    VersionStatus,
)
from lms.schools.api import get_groups_of, get_schools_for_user


def visible_banks(user) -> QuerySet[QuestionBank]:
    """Banks of the user's subject groups, banks shared with every school, and banks shared within the same
    education authority (organisation) as a school of the user — the scopes lessons use."""
    if not user.is_authenticated:
        return QuestionBank.objects.filter(sharing=SharingScope.PUBLIC)
    if user.is_superuser:
        return QuestionBank.objects.all()
    schools = list(get_schools_for_user(user))
    authorities = {s.organisation_id for s in schools if getattr(s, "organisation_id", None)}
    return (
        QuestionBank.objects.filter(
            Q(subject_group__in=get_groups_of(user))
            | Q(subject_group__school__in=schools)
            | Q(sharing=SharingScope.PUBLIC)
            | Q(sharing=SharingScope.DISTRICT, subject_group__school__organisation__in=authorities)
        )
        .select_related("subject_group__school")
        .distinct()
    )


def can_edit_bank(user, bank: QuestionBank) -> bool:
    return user.is_superuser or get_groups_of(user).filter(pk=bank.subject_group_id).exists()


def get_questions(*, bank: QuestionBank, type: str = "", level: str = "", status: str = "") -> QuerySet[Question]:
    questions = bank.questions.select_related("category", "subject").prefetch_related("versions")
    if type:
        questions = questions.filter(type=type)
    if level:
        questions = questions.filter(level=level)
    if status:
        questions = questions.filter(versions__status=status).distinct()
    return questions


def get_ready_versions(*, bank: QuestionBank | None = None) -> QuerySet[QuestionVersion]:
    versions = QuestionVersion.objects.filter(status=VersionStatus.READY).select_related("question")
    return versions.filter(question__bank=bank) if bank else versions


def get_review_queue(user) -> list[QuestionVersion]:
    """Versions waiting for ``user``'s review (tổ trưởng inbox), oldest first."""
    from lms.assessments.services import reviewer_for

    waiting = QuestionVersion.objects.filter(status=VersionStatus.IN_REVIEW).select_related(
        "question__bank__subject_group__school", "created_by"
    )
    return [v for v in waiting.order_by("pk") if (reviewer_for(v)[0] or None) == user]


def get_review_history(version: QuestionVersion) -> list[ReviewDecision]:
    return list(ReviewDecision.objects.filter(version__question=version.question).select_related("actor", "version"))


def where_used(question: Question) -> list[QuestionUsage]:
    return list(QuestionUsage.objects.filter(version__question=question).select_related("version"))


def media_for(question: Question) -> dict[str, bytes]:
    out = {}
    for f in QuestionFile.objects.filter(question=question):
        with f.file.open("rb") as handle:
            out[f.name] = handle.read()
    return out


def media_urls(question: Question) -> dict[str, str]:
    return {f.name: f.file.url for f in QuestionFile.objects.filter(question=question)}


def pending_uploads(*, user, token: str) -> QuerySet[PendingQuestionFile]:
    """The pictures uploaded from one authoring form (its ``upload_token``) and not yet attached to a question."""
    if not token:
        return PendingQuestionFile.objects.none()
    return PendingQuestionFile.objects.filter(uploaded_by=user, token=token)


# ------------------------------------------------------------------------------------------------------ search
def get_questions_for_index(ids) -> QuerySet[Question]:
    """Questions with what the search index needs (bank, subject group, school, subject, YCCĐ, versions): four
    queries for any number of ids."""
    return (
        Question.objects.filter(pk__in=ids)
        .select_related("bank__subject_group__school", "subject")
        .prefetch_related("outcomes", "versions")
    )


def get_staff_groups_for_banks(banks) -> dict[int, list[int]]:
    """For each bank, the subject groups whose members may find its ready questions: every group of the schools its
    sharing scope reaches (its school; the schools of its education authority for ``district``; every school for
    ``public``) — staff only, never students or parents. One query for any number of banks."""
    from lms.schools.api import SubjectGroup

    banks = list(banks)
    if not banks:
        return {}
    rows = SubjectGroup.objects.order_by("pk")
    if not any(b.sharing == SharingScope.PUBLIC for b in banks):
        schools = {b.subject_group.school_id for b in banks}
        authorities = {
            b.subject_group.school.organisation_id
            for b in banks
            if b.sharing == SharingScope.DISTRICT and b.subject_group.school.organisation_id
        }
        rows = rows.filter(Q(school__in=schools) | Q(school__organisation__in=authorities))
    groups = list(rows.values_list("pk", "school_id", "school__organisation_id"))
    out = {}
    for bank in banks:
        school = bank.subject_group.school
        if bank.sharing == SharingScope.PUBLIC:
            out[bank.pk] = [pk for pk, _s, _o in groups]
        elif bank.sharing == SharingScope.DISTRICT and school.organisation_id:
            out[bank.pk] = [pk for pk, s, o in groups if s == school.pk or o == school.organisation_id]
        else:
            out[bank.pk] = [pk for pk, s, _o in groups if s == school.pk]
    return out


def get_question_ids(*, bank: QuestionBank | None = None) -> QuerySet:
    """Ids of every question (of ``bank``), in order."""
    questions = Question.objects.filter(bank=bank) if bank is not None else Question.objects.all()
    return questions.order_by("pk").values_list("pk", flat=True)


def get_question_ids_shared_with_school(school) -> QuerySet:
    """Ids of the questions whose bank's sharing scope reaches ``school`` (a new subject group there may find
    their ready versions)."""
    scope = Q(bank__sharing=SharingScope.PUBLIC) | Q(bank__subject_group__school=school)
    if school.organisation_id:
        scope |= Q(
            bank__sharing=SharingScope.DISTRICT, bank__subject_group__school__organisation=school.organisation_id
        )
    return Question.objects.filter(scope).order_by("pk").values_list("pk", flat=True)


def get_questions_visible_to(user) -> QuerySet[Question]:
    """Questions the REST API lists for ``user`` — staff only, as in the site search (a question's text holds its key):
    every question of the banks of the user's subject groups and the user's own questions; the questions with a ready
    version of the other banks the user may see (``visible_banks``). Students, parents and people in no subject group
    see none."""
    if not user.is_authenticated:
        return Question.objects.none()
    questions = Question.objects.select_related("bank__subject_group__school", "subject").prefetch_related("versions")
    if user.is_superuser:
        return questions
    groups = get_groups_of(user)
    if not groups.exists():
        return Question.objects.none()
    own = Q(bank__subject_group__in=groups) | Q(author=user)
    shared = Q(bank__in=visible_banks(user).values("pk"), versions__status=VersionStatus.READY)
    return questions.filter(own | shared).distinct()


def shown_version(user, question: Question, editable_groups: set[int] | None = None) -> QuestionVersion | None:
    """The version ``user`` sees: the latest one for the bank's subject group and the author, else the latest ready
    one (from prefetched versions). ``editable_groups``: the ids of the user's subject groups, when known."""
    versions = sorted(question.versions.all(), key=lambda v: v.number)
    if editable_groups is None:
        editable_groups = set(get_groups_of(user).values_list("pk", flat=True))
    if user.is_superuser or question.author_id == user.pk or question.bank.subject_group_id in editable_groups:
        return versions[-1] if versions else None
    ready = [v for v in versions if v.status == VersionStatus.READY]
    return ready[-1] if ready else None


def get_question_page(
    user, *, filters: dict | None = None, status: str = "", limit: int = 50, offset: int = 0
) -> tuple[int, list[tuple[Question, QuestionVersion]]]:
    """One page of the questions ``user`` may see (the REST list) with the version each is shown at, permission,
    filters and paging all in SQL: the count, the page and its versions are three queries whatever the number of
    questions. The shown version is the latest one for the bank's subject group and the author, else the latest
    ready one (as ``shown_version``); ``status`` filters on it; ``filters`` are lookups on ``Question``."""
    if not user.is_authenticated:
        return 0, []
    editable = list(get_groups_of(user).values_list("pk", flat=True))
    if not (user.is_superuser or editable):
        return 0, []
    versions = QuestionVersion.objects.filter(question=OuterRef("pk")).order_by("-number")
    latest = Subquery(versions.values("pk")[:1])
    latest_ready = Subquery(versions.filter(status=VersionStatus.READY).values("pk")[:1])
    if user.is_superuser:
        questions = Question.objects.annotate(shown_id=latest)
    else:
        own = Q(bank__subject_group_id__in=editable) | Q(author=user)
        questions = Question.objects.filter(own | Q(bank__in=visible_banks(user).values("pk"))).annotate(
            shown_id=Case(When(own, then=latest), default=latest_ready)
        )
    questions = questions.filter(shown_id__isnull=False, **(filters or {}))
    if status:
        questions = questions.filter(shown_id__in=QuestionVersion.objects.filter(status=status).values("pk"))
    count = questions.count()
    page = list(questions.select_related("subject").order_by("pk")[offset : offset + limit])
    shown = QuestionVersion.objects.in_bulk([q.shown_id for q in page])
    return count, [(q, shown[q.shown_id]) for q in page]
