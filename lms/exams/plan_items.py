"""Tests and practice sets as course plan items: the providers ``lms.exams`` registers with ``lms.courses`` (see
``lms.courses.providers``) in ``ExamsConfig.ready()``.

- ``TEST``: a sitting of an approved test for the course; the plan item's reference is the sitting's id. Status from
  the student's attempt (ready → not started, in progress, submitted → done); the score (0–10, one decimal, half-up)
  from the graded attempt, *released* to the student and the parents only when the sitting's review option shows
  marks (right after submitting, or once the window has closed); an attempt with essays still to mark has no score.
- ``PRACTICE``: a published practice set (``practice.py``); status and score from the student's best attempt.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.courses import api as courses_api
from lms.exams.models import Attempt, AttemptStatus, ReviewOption, Sitting, TestStatus
from lms.exams.rules import score_rules_for

ONE_DECIMAL = Decimal("0.1")


def on_ten(points, max_points, *, whole: bool = False) -> Decimal | None:
    """0–10, half up: one decimal, or a whole number for a TT 27 test (``rules.SCORE_RULES``)."""
    if points is None or not max_points:
        return None
    step = Decimal(1) if whole else ONE_DECIMAL
    return (Decimal(points) * 10 / Decimal(max_points)).quantize(step, rounding=ROUND_HALF_UP)


def marks_released(review: str, closes_at, now=None) -> bool:
    """Whether a sitting's review option shows the marks to students (the same rule as the result page)."""
    now = now or timezone.now()
    return review in (ReviewOption.AFTER_SUBMIT, ReviewOption.MARKS_AFTER_SUBMIT) or (
        review == ReviewOption.AFTER_CLOSE and now >= closes_at
    )


def _references(plan_items) -> dict[int, list[int]]:
    """``{referenced id: [plan item pk, …]}`` for the items whose reference is a whole number."""
    out: dict[int, list[int]] = {}
    for item in plan_items:
        if str(item.reference).isdigit():
            out.setdefault(int(item.reference), []).append(item.pk)
    return out


class SittingProvider(courses_api.PlanItemProvider):
    choice_label = gettext_lazy("Sitting of an approved test")

    def _sittings(self, course):
        return Sitting.objects.filter(course=course, test__status=TestStatus.APPROVED).select_related("test")

    def _choice(self, sitting: Sitting) -> courses_api.ProviderChoice:
        opens = timezone.localtime(sitting.opens_at).strftime("%d/%m/%Y %H:%M")
        return courses_api.ProviderChoice(str(sitting.pk), str(sitting), opens)

    def choices(self, course) -> list:
        return [self._choice(s) for s in self._sittings(course).order_by("opens_at", "pk")[:200]]

    def check(self, course, reference: str, *, actor):
        sitting = self._sittings(course).filter(pk=int(reference)).first() if reference.isdigit() else None
        if sitting is None:
            raise ValidationError(
                {"reference": _("There is no sitting of an approved test for this course with that number.")}
            )
        return self._choice(sitting)

    def target(self, plan_item, user):
        if not plan_item.reference.isdigit():
            return None
        sitting = Sitting.objects.filter(pk=int(plan_item.reference)).select_related("test").first()
        if sitting is None:
            return None
        opens = timezone.localtime(sitting.opens_at).strftime("%d/%m/%Y %H:%M")
        closes = timezone.localtime(sitting.closes_at).strftime("%d/%m/%Y %H:%M")
        detail = _("Open from %(opens)s to %(closes)s.") % {"opens": opens, "closes": closes}
        if courses_api.is_enrolled(user, plan_item.course.school_class):
            return courses_api.ProviderTarget(str(sitting), reverse("exams:lobby", args=[sitting.pk]), detail)
        if courses_api.can_view_results(user, plan_item.course):
            return courses_api.ProviderTarget(str(sitting), reverse("exams:report", args=[sitting.pk]), detail)
        return courses_api.ProviderTarget(str(sitting), "", detail)  # parents: the result shows on their page

    def results(self, plan_items, student_ids) -> dict:
        references = _references(plan_items)
        if not references:
            return {}
        now = timezone.now()
        rows = Attempt.objects.filter(sitting_id__in=references, student_id__in=student_ids).values_list(
            "sitting_id",
            "student_id",
            "status",
            "points",
            "max_points",
            "needs_marking",
            "started_at",
            "submitted_at",
            "last_seen_at",
            "sitting__review",
            "sitting__closes_at",
            "sitting__test__grade",
            "sitting__course__school_class__grade",
            "sitting__test__blueprint_link__blueprint__framework",
        )
        results = {}
        for row in rows:
            sitting_id, student_id, status, points, maximum, to_mark, started, submitted, seen, review, closes = row[
                :11
            ]
            whole = score_rules_for(grades=row[11:13], framework=row[13] or "").whole_numbers
            if status == AttemptStatus.READY:
                continue
            done = status == AttemptStatus.SUBMITTED
            end = submitted if done else (seen or started)
            seconds = int((end - started).total_seconds()) if started and end and end > started else 0
            result = courses_api.ProviderResult(
                status=courses_api.WorkStatus.DONE if done else courses_api.WorkStatus.IN_PROGRESS,
                score=on_ten(points, maximum, whole=whole) if done and not to_mark else None,
                seconds=seconds,
                released=marks_released(review, closes, now),
            )
            for plan_pk in references[sitting_id]:
                results[(plan_pk, student_id)] = result
        return results


def register() -> None:
    from lms.exams.practice import PracticeProvider

    courses_api.register_plan_item_provider(courses_api.ItemKind.TEST, SittingProvider())
    courses_api.register_plan_item_provider(courses_api.ItemKind.PRACTICE, PracticeProvider())
