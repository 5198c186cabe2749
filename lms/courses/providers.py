"""Plan-item providers: how an app above ``lms.courses`` (tests and practice sets in ``lms.exams``) puts its own things
in a course's plan without ``lms.courses`` importing it.

A provider is registered for a kind (``ItemKind.TEST``, ``ItemKind.PRACTICE``) from the higher app's
``AppConfig.ready()``::

    from lms.courses import api as courses_api
    courses_api.register_plan_item_provider(courses_api.ItemKind.TEST, SittingProvider())

It says what a teacher may pick for a course (``choices``), checks a picked reference (``check``), what a student
opens (``target``), the per-student status, score (0–10) and time spent of the whole class in one go (``results``:
a fixed number of queries per provider, never one per student or item), and how many students worked on an item
(``students_with_work``: an item with work is archived rather than deleted).

The plan editor, the item page, the dashboard and its exports, the student's home, the parents' view and the
class records read these through :func:`get_provider` / :func:`get_results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("work status", "In progress")
    DONE = "done", pgettext_lazy("work status", "Done")


@dataclass(frozen=True)
class ProviderChoice:
    """Something a teacher may plan: ``reference`` goes into ``PlanItem.reference`` (at most 64 characters)."""

    reference: str
    title: str
    detail: str = ""

    @property
    def label(self) -> str:
        return f"{self.title} ({self.detail})" if self.detail else self.title


@dataclass(frozen=True)
class ProviderTarget:
    """What a student opens from the plan item."""

    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class ProviderResult:
    """One student's work on one plan item. ``score`` is on 0–10 (Decimal, one decimal, half-up); ``released``
    says whether the student and their parents may see the score yet (the teacher always sees it)."""

    status: str = WorkStatus.NOT_STARTED
    score: Decimal | None = None
    seconds: int = 0
    released: bool = True

    @property
    def started(self) -> bool:
        return self.status in (WorkStatus.IN_PROGRESS, WorkStatus.DONE)

    @property
    def done(self) -> bool:
        return self.status == WorkStatus.DONE


class PlanItemProvider:
    """Base class of a provider; every method must be overridden."""

    #: Label of the editor's list of choices ("Approved test sitting", "Published practice set").
    choice_label = ""

    def choices(self, course) -> list[ProviderChoice]:
        raise NotImplementedError

    def check(self, course, reference: str, *, actor) -> ProviderChoice:
        """The choice ``reference`` names if ``actor`` may plan it in ``course``; ``ValidationError`` (on the
        ``reference`` field, saying why) otherwise."""
        raise NotImplementedError

    def target(self, plan_item, user) -> ProviderTarget | None:
        """What ``user`` opens from the item; ``None`` when the thing is gone."""
        raise NotImplementedError

    def results(self, plan_items, student_ids) -> dict[tuple[int, int], ProviderResult]:
        """``{(plan item pk, student id): result}`` for the provider's items among ``plan_items`` (only the
        students with some work need a row), in a fixed number of queries."""
        raise NotImplementedError

    def students_with_work(self, plan_item, student_ids) -> int:
        return sum(1 for result in self.results([plan_item], list(student_ids)).values() if result.started)


_providers: dict[str, PlanItemProvider] = {}


def register(kind: str, provider: PlanItemProvider) -> None:
    from lms.courses.models import ItemKind

    if kind not in ItemKind.values or kind in (ItemKind.LESSON, ItemKind.ASSIGNMENT, ItemKind.LIBRARY):
        raise ValueError(f"No provider can be registered for the plan-item kind {kind!r}.")
    _providers[str(kind)] = provider


def unregister(kind: str) -> None:
    _providers.pop(str(kind), None)


def get_provider(kind: str) -> PlanItemProvider | None:
    return _providers.get(str(kind))


def provided_kinds() -> list[str]:
    return sorted(_providers)


def get_results(plan_items, student_ids) -> dict[tuple[int, int], ProviderResult]:
    """Every provider's results for ``plan_items`` × ``student_ids``: one call (a fixed number of queries) per
    provider that has items among them, none for the others."""
    by_kind: dict[str, list] = {}
    for item in plan_items:
        if item.kind in _providers and item.reference:
            by_kind.setdefault(item.kind, []).append(item)
    results: dict[tuple[int, int], ProviderResult] = {}
    if not student_ids:
        return results
    for kind, items in by_kind.items():
        results.update(_providers[kind].results(items, list(student_ids)))
    return results
