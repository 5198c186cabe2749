"""Reads for the curriculum."""

from __future__ import annotations

from django.db.models import QuerySet

from curriculum.models import Outcome, Subject


def get_subjects() -> QuerySet[Subject]:
    return Subject.objects.all()


def get_subject(code: str) -> Subject:
    return Subject.objects.get(code=code)


def get_outcomes(*, subject: Subject | None = None, grade: int | None = None) -> QuerySet[Outcome]:
    outcomes = Outcome.objects.filter(retired=False).select_related("subject")
    if subject is not None:
        outcomes = outcomes.filter(subject=subject)
    if grade is not None:
        outcomes = outcomes.filter(grade=grade)
    return outcomes
