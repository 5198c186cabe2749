"""Writes for blueprints (ma trận / bản đặc tả) and for authoring tests on pages: rows and cells, generating a test
from the bank to a blueprint, removing items and draws, the review trail (sent → returned / approved).

Every write runs inside ``transaction.atomic()``; a refused write raises ``ValidationError`` (which row, which cell,
why) and changes nothing."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from curriculum.api import Outcome
from lms.assessments import api as bank_api
from lms.exams import blueprint_selectors, services
from lms.exams.models import (
    Blueprint,
    BlueprintCell,
    BlueprintRow,
    BlueprintTest,
    ReviewAction,
    Test,
    TestDraw,
    TestItem,
    TestReview,
    TestStatus,
)
from lms.exams.rules import BLUEPRINT_FRAMEWORKS, DELIVERABLE_TYPES, blueprint_framework
from lms.schools import api as schools_api

ZERO = Decimal(0)
PART_CODES = ("I", "II", "III", "IV", "V", "VI")


# ------------------------------------------------------------------------------------------------- permissions
def can_author(user, school, subject) -> bool:
    """A teacher of a subject group of ``school`` that holds ``subject`` (or a superuser) writes its tests and
    blueprints."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if subject is None:
        return False
    return schools_api.get_groups_of(user).filter(school=school, subjects=subject).exists()


def authoring_subjects(user) -> list[tuple[object, object]]:
    """(school, subject) pairs the user may write tests and blueprints for, through their subject groups."""
    if not user.is_authenticated:
        return []
    pairs = []
    for group in schools_api.get_groups_of(user).prefetch_related("subjects"):
        for subject in group.subjects.all():
            pairs.append((group.school, subject))
    return pairs


def can_view(user, obj) -> bool:
    """Blueprints and tests: the author, the group's teachers, the reviewers (tổ trưởng, principal)."""
    if not user.is_authenticated:
        return False
    if user.pk == obj.created_by_id or user.is_superuser:
        return True
    return can_author(user, obj.school, obj.subject) or services.can_approve(user, obj)


# -------------------------------------------------------------------------------------------------- blueprints
@transaction.atomic
def create_blueprint(*, school, subject, grade: int, title: str, created_by, framework="CV7991_2024", **extra):
    if framework not in BLUEPRINT_FRAMEWORKS:
        raise ValidationError(_("Unknown blueprint framework %(key)s.") % {"key": framework})
    if not can_author(created_by, school, subject):
        raise PermissionDenied(_("Only a teacher of the subject group writes its blueprints."))
    blueprint = Blueprint(
        school=school, subject=subject, grade=grade, title=title, framework=framework, created_by=created_by, **extra
    )
    blueprint.full_clean()
    blueprint.save()
    return blueprint


@transaction.atomic
def update_blueprint(*, blueprint: Blueprint, user, **fields) -> Blueprint:
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    _blueprint_editable(blueprint, user)
    if "framework" in fields and fields["framework"] not in BLUEPRINT_FRAMEWORKS:
        raise ValidationError(_("Unknown blueprint framework %(key)s.") % {"key": fields["framework"]})
    for name, value in fields.items():
        setattr(blueprint, name, value)
    blueprint.full_clean()
    blueprint.save()
    return blueprint


def _blueprint_editable(blueprint: Blueprint, user) -> None:
    if not can_author(user, blueprint.school, blueprint.subject):
        raise PermissionDenied(_("Only a teacher of the subject group edits its blueprints."))
    if blueprint.status != TestStatus.DRAFT:
        raise ValidationError(_("The blueprint has been approved: it can no longer be changed."))


@dataclass
class RowInput:
    """One row as typed on the page: outcome codes separated by spaces, commas or new lines; cells
    ``{(format, level): (count, points_each)}`` (empty cells left out)."""

    chapter: str
    content_unit: str
    outcome_codes: list[str]
    cells: dict[tuple[str, str], tuple[int, Decimal]]


def parse_codes(text: str) -> list[str]:
    return [c for c in text.replace(",", " ").replace(";", " ").split() if c]


@transaction.atomic
def save_rows(*, blueprint: Blueprint, user, rows: list[RowInput]) -> list[BlueprintRow]:
    """Replace the blueprint's rows and cells. Every outcome code must be a YCCĐ of the blueprint's subject and
    grade; every cell a column of its framework; nothing is saved when one row is wrong."""
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    _blueprint_editable(blueprint, user)
    rules = blueprint_framework(blueprint.framework)
    columns = {(f.key, lv.key) for f, lv in rules.columns}
    wanted = {code for row in rows for code in row.outcome_codes}
    known = {
        o.code: o
        for o in Outcome.objects.filter(
            code__in=wanted, subject=blueprint.subject, grade=blueprint.grade, retired=False
        )
    }
    problems = []
    for number, row in enumerate(rows, 1):
        if not row.chapter.strip():
            problems.append(_("Row %(n)s: write the chapter or topic.") % {"n": number})
        missing = [c for c in row.outcome_codes if c not in known]
        if missing:
            problems.append(
                _("Row %(n)s: %(codes)s is not a YCCĐ of %(subject)s, grade %(grade)s.")
                % {
                    "n": number,
                    "codes": ", ".join(missing),
                    "subject": blueprint.subject.name,
                    "grade": blueprint.grade,
                }
            )
        if not row.outcome_codes:
            problems.append(_("Row %(n)s: name at least one YCCĐ outcome code.") % {"n": number})
        for (fmt_key, level), (count, points) in row.cells.items():
            if (fmt_key, level) not in columns:
                problems.append(
                    _("Row %(n)s: %(format)s / %(level)s is not a column of %(framework)s.")
                    % {"n": number, "format": fmt_key, "level": level, "framework": rules.key}
                )
            elif count < 0 or points < 0:
                problems.append(_("Row %(n)s: counts and points cannot be negative.") % {"n": number})
            elif Decimal(points).as_tuple().exponent < -3:
                problems.append(
                    _("Row %(n)s, %(format)s – %(level)s: give the points with at most three decimals.")
                    % {"n": number, "format": rules.format(fmt_key).label, "level": rules.level(level).label}
                )
            elif count and not points:
                problems.append(
                    _("Row %(n)s, %(format)s – %(level)s: give the points per item.")
                    % {"n": number, "format": rules.format(fmt_key).label, "level": rules.level(level).label}
                )
    if problems:
        raise ValidationError(problems)
    blueprint.rows.all().delete()
    made = []
    for position, row in enumerate(rows):
        saved = BlueprintRow.objects.create(
            blueprint=blueprint, position=position, chapter=row.chapter.strip(), content_unit=row.content_unit.strip()
        )
        saved.outcomes.set([known[c] for c in dict.fromkeys(row.outcome_codes)])
        BlueprintCell.objects.bulk_create(
            BlueprintCell(row=saved, format=f, level=lv, count=n, points_each=p)
            for (f, lv), (n, p) in row.cells.items()
            if n
        )
        made.append(saved)
    return made


def to_decimal(value, where: str) -> Decimal:
    try:
        return Decimal(str(value).strip().replace(",", ".") or "0")
    except InvalidOperation:
        raise ValidationError(_("%(where)s: %(value)s is not a number.") % {"where": where, "value": value}) from None


@transaction.atomic
def approve_blueprint(*, blueprint: Blueprint, user) -> Blueprint:
    """The tổ trưởng of the subject (or the principal) approves a blueprint, never its author; it must add up."""
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    if not services.can_approve(user, blueprint):
        raise PermissionDenied(_("Only the head of the subject group or the principal approves a blueprint."))
    errors = [d.message for d in blueprint_selectors.check(blueprint) if d.severity == "error"]
    if errors:
        raise ValidationError(errors)
    blueprint.status, blueprint.approved_by, blueprint.approved_at = TestStatus.APPROVED, user, timezone.now()
    blueprint.save(update_fields=["status", "approved_by", "approved_at"])
    return blueprint


# ------------------------------------------------------------------------------------------ generating a test
@dataclass(frozen=True)
class Shortfall:
    row: str
    format: str
    level: str
    needed: int  # questions
    available: int

    def message(self) -> str:
        return _(
            "Row “%(row)s”, %(format)s – %(level)s: %(needed)s questions needed, only %(available)s ready questions "
            "in the bank match (subject, grade, YCCĐ of the row, level, format)."
        ) % {
            "row": self.row,
            "format": self.format,
            "level": self.level,
            "needed": self.needed,
            "available": self.available,
        }


def cell_candidates(*, blueprint: Blueprint, row: BlueprintRow, fmt, level, banks, exclude: set[int]) -> list:
    """The latest ready version of every question matching the cell: subject, grade, one of the row's YCCĐ, a bank
    level of the cell's level, a question type of its format; ordered by question id."""
    codes = [o.pk for o in row.outcomes.all()]
    versions = (
        bank_api.get_ready_versions()
        .filter(
            question__bank__in=banks,
            question__subject=blueprint.subject,
            question__grade=blueprint.grade,
            question__type__in=[t for t in fmt.question_types if t in DELIVERABLE_TYPES],
            question__level__in=level.bank_levels,
            question__outcomes__in=codes,
        )
        .distinct()
        .order_by("question_id", "number")
    )
    latest: dict[int, object] = {}
    for version in versions:
        if version.question_id not in exclude:
            latest[version.question_id] = version
    return [latest[q] for q in sorted(latest)]


@transaction.atomic
def generate_test(*, blueprint: Blueprint, created_by, seed: str = "", title: str = "") -> tuple[Test, list[Shortfall]]:
    """A draft test with one part per item format used (I multiple choice, II Đúng/Sai, III short answer, IV essay),
    each cell filled with questions drawn (seeded, reproducible: the same seed and bank give the same test) from the
    ready questions of the banks the author can see. A cell the bank cannot fill is filled as far as it goes and
    reported as a ``Shortfall``; the test is still made so the author can complete it by hand."""
    if not can_author(created_by, blueprint.school, blueprint.subject):
        raise PermissionDenied(_("Only a teacher of the subject group makes tests from its blueprints."))
    errors = [d.message for d in blueprint_selectors.check(blueprint) if d.severity == "error"]
    if errors:
        raise ValidationError(errors)
    rules = blueprint_framework(blueprint.framework)
    seed = seed or secrets.token_hex(8)
    rows = list(blueprint.rows.prefetch_related("outcomes", "cells"))
    test = services.create_test(
        school=blueprint.school,
        subject=blueprint.subject,
        grade=blueprint.grade,
        title=title or blueprint.title,
        created_by=created_by,
        kind=blueprint.kind,
        minutes=blueprint.minutes,
        template="",
    )
    used_formats = [f for f in rules.formats if any(c.format == f.key and c.count for r in rows for c in r.cells.all())]
    parts = {}
    for position, fmt in enumerate(used_formats):
        parts[fmt.key] = services.add_part(
            test=test,
            code=PART_CODES[position],
            title=fmt.label,
            question_type=fmt.question_types[0] if len(fmt.question_types) == 1 else "",
        )
    banks = bank_api.visible_banks(created_by)
    used: set[int] = set()
    shortfalls: list[Shortfall] = []
    for row in rows:
        cells = {(c.format, c.level): c for c in row.cells.all()}
        for fmt, level in rules.columns:
            cell = cells.get((fmt.key, level.key))
            if not cell or not cell.count:
                continue
            needed = cell.count // fmt.units_per_question
            points = cell.points_each * fmt.units_per_question
            candidates = cell_candidates(blueprint=blueprint, row=row, fmt=fmt, level=level, banks=banks, exclude=used)
            rng = random.Random(f"{seed}:{row.position}:{fmt.key}:{level.key}")  # noqa: S311 -- reproducible
            chosen = rng.sample(candidates, min(needed, len(candidates)))
            if len(chosen) < needed:
                shortfalls.append(Shortfall(str(row), fmt.label, level.label, needed, len(candidates)))
            for version in sorted(chosen, key=lambda v: v.question_id):
                used.add(version.question_id)
                services.add_item(part=parts[fmt.key], version=version, points=points)
    BlueprintTest.objects.create(
        blueprint=blueprint,
        test=test,
        seed=seed,
        shortfalls=[s.__dict__ for s in shortfalls],
    )
    return test, shortfalls


# ---------------------------------------------------------------------------------------------- test authoring
def review_state(test: Test) -> str:
    """ "" (never sent), ``submitted``, ``returned`` or ``approved``: the last step of the review trail."""
    if test.status == TestStatus.APPROVED:
        return ReviewAction.APPROVED
    if test.status == TestStatus.IN_REVIEW:
        return ReviewAction.SUBMITTED
    last = test.reviews.order_by("-at", "-pk").first()
    return last.action if last else ""


def _test_editable(test: Test, user) -> None:
    if user.pk != test.created_by_id and not user.is_superuser:
        raise PermissionDenied(_("Only the author changes a test."))
    services._editable(test)


def check_editable(test: Test, user) -> None:
    _test_editable(test, user)


@transaction.atomic
def remove_item(*, item: TestItem, user) -> None:
    test = Test.objects.select_for_update().get(pk=item.part.test_id)
    _test_editable(test, user)
    part = item.part
    item.delete()
    for position, other in enumerate(part.items.order_by("position", "pk")):
        if other.position != position:
            TestItem.objects.filter(pk=other.pk).update(position=position)


@transaction.atomic
def remove_draw(*, draw: TestDraw, user) -> None:
    test = Test.objects.select_for_update().get(pk=draw.part.test_id)
    _test_editable(test, user)
    draw.delete()


@transaction.atomic
def set_item_points(*, item: TestItem, user, points: Decimal) -> TestItem:
    test = Test.objects.select_for_update().get(pk=item.part.test_id)
    _test_editable(test, user)
    if points <= 0:
        raise ValidationError(_("Question #%(id)s: the points must be positive.") % {"id": item.version.question_id})
    item.points = points
    item.save(update_fields=["points"])
    return item


def submit_test_for_review(*, test: Test, user, comment: str = "") -> TestReview:
    """The author sends the test to the tổ chuyên môn (``services.submit_for_review``); refused while ``check_test``
    (or, for a test made from a blueprint, the blueprint check, R32) finds problems."""
    link = BlueprintTest.objects.filter(test=test).select_related("blueprint").first()
    problems = []
    if link:
        problems = [d.message for d in blueprint_selectors.validate_test_against_blueprint(test, link.blueprint)]
    return services.submit_for_review(test=test, user=user, comment=comment, problems=problems)


def return_test(*, test: Test, user, comment: str) -> TestReview:
    return services.return_test(test=test, user=user, comment=comment)


def approve_reviewed_test(
    *, test: Test, user, variants: int = 4, seed: str = "", accept_deviations: bool = False, deviation_reason: str = ""
) -> Test:
    """The reviewer approves a test that was sent for review: ``services.approve_test``, the one approval path (it
    checks the test against its blueprint again and refuses while it deviates, unless the deviations are accepted with
    a reason)."""
    return services.approve_test(
        test=test,
        user=user,
        variants=variants,
        seed=seed,
        accept_deviations=accept_deviations,
        deviation_reason=deviation_reason,
    )
