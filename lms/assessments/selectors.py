"""Reads for the question bank."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from content.api import SharingScope
from lms.assessments.models import (
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
