"""Reads for blueprints: the list a teacher sees, a blueprint with its rows and cells, the matrix (ma trận) and
specification (bản đặc tả) tables the pages and the Excel files are drawn from, and the check of a test against a
blueprint (R32). The arithmetic is in ``blueprints.py`` (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from lms.exams import blueprints
from lms.exams.blueprints import BlueprintSpec, Deviation, ItemFact, RowSpec
from lms.exams.models import Blueprint, Test, TestItem
from lms.exams.rules import blueprint_framework
from lms.schools import api as schools_api

ZERO = Decimal(0)


def get_blueprint(pk: int) -> Blueprint:
    return (
        Blueprint.objects.select_related("school", "subject", "created_by", "approved_by")
        .prefetch_related("rows__outcomes", "rows__cells")
        .get(pk=pk)
    )


def get_blueprints(user) -> list[Blueprint]:
    """Blueprints of the subjects of the user's subject groups, and those the user wrote."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Blueprint.objects.select_related("subject", "created_by"))
    q = Q(created_by=user)
    for group in schools_api.get_groups_of(user).prefetch_related("subjects"):
        q |= Q(school=group.school, subject__in=list(group.subjects.all()))
    return list(Blueprint.objects.filter(q).select_related("subject", "created_by").distinct())


def spec_of(blueprint: Blueprint) -> BlueprintSpec:
    rows = []
    for row in blueprint.rows.all():
        rows.append(
            RowSpec(
                label=str(row),
                outcome_codes=frozenset(o.code for o in row.outcomes.all()),
                cells={(c.format, c.level): (c.count, c.points_each) for c in row.cells.all()},
            )
        )
    targets = {k: Decimal(str(v)) for k, v in (blueprint.level_targets or {}).items()} or None
    return BlueprintSpec(
        framework=blueprint.framework,
        total_points=blueprint.total_points,
        rows=tuple(rows),
        level_targets=targets,
    )


def check(blueprint: Blueprint) -> list[Deviation]:
    return blueprints.check_blueprint(spec_of(blueprint))


def item_facts(test: Test) -> list[ItemFact]:
    """Every question of ``test`` as the blueprint sees it: pinned items with their question's type, level and YCCĐ;
    each question a random draw will bring, with the draw's filters (level, YCCĐ, the part's type)."""
    facts = []
    items = TestItem.objects.filter(part__test=test).select_related("part", "version__question")
    items = items.prefetch_related("version__question__outcomes").order_by("part__position", "position", "pk")
    by_part: dict[int, list] = {}
    for item in items:
        by_part.setdefault(item.part_id, []).append(item)
    for part in test.parts.prefetch_related("draws__outcome"):
        for n, item in enumerate(by_part.get(part.pk, []), 1):
            question = item.version.question
            facts.append(
                ItemFact(
                    label=_("Part %(part)s, question %(n)s (#%(id)s)") % {"part": part.code, "n": n, "id": question.pk},
                    question_type=question.type,
                    level=question.level,
                    outcome_codes=frozenset(o.code for o in question.outcomes.all()),
                    points=item.points,
                )
            )
        for d, draw in enumerate(part.draws.all(), 1):
            for k in range(draw.count):
                facts.append(
                    ItemFact(
                        label=_("Part %(part)s, random draw %(d)s, question %(k)s")
                        % {"part": part.code, "d": d, "k": k + 1},
                        question_type=draw.question_type or part.question_type,
                        level=draw.level,
                        outcome_codes=frozenset([draw.outcome.code]) if draw.outcome_id else frozenset(),
                        points=draw.points,
                    )
                )
    return facts


def validate_test_against_blueprint(test: Test, blueprint: Blueprint) -> list[Deviation]:
    """R32: counts and points per cell, total 10, every item with a level and a YCCĐ in a row."""
    return blueprints.validate_test(spec_of(blueprint), item_facts(test))


# ---------------------------------------------------------------------------------------------------- tables
@dataclass
class MatrixRow:
    number: int
    chapter: str
    content_unit: str
    cells: list[int | None]  # one per (format, level) column
    level_counts: list[int]
    points: Decimal
    share: Decimal
    outcomes: list = field(default_factory=list)
    yccd: list[tuple[str, list[str]]] = field(default_factory=list)  # (level label, outcome texts) for the spec


@dataclass
class Matrix:
    blueprint: Blueprint
    rules: object
    columns: list  # (format, level)
    rows: list[MatrixRow]
    column_counts: list[int]
    format_points: list[Decimal]
    format_shares: list[Decimal]
    level_counts: list[int]
    level_points: list[Decimal]
    level_shares: list[Decimal]
    total_count: int
    total_points: Decimal
    deviations: list[Deviation]

    @property
    def formats(self):
        return self.rules.formats

    @property
    def levels(self):
        return self.rules.levels


def matrix(blueprint: Blueprint, *, with_spec: bool = False) -> Matrix:
    """The CV 7991 matrix (and, ``with_spec``, the YCCĐ text per level for the specification): one row per blueprint
    row, the 4 × 3 cells of counts (Đúng/Sai in statements), counts per level, the row's share of the points; footers
    Tổng số câu / Tổng số điểm / Tỉ lệ %."""
    rules = blueprint_framework(blueprint.framework)
    spec = spec_of(blueprint)
    t = blueprints.totals(spec)
    columns = rules.columns
    rows = []
    for index, row in enumerate(blueprint.rows.all()):
        outcomes = list(row.outcomes.all())
        out = MatrixRow(
            number=index + 1,
            chapter=row.chapter,
            content_unit=row.content_unit,
            cells=[t.cell_count.get((index, f.key, lv.key)) or None for f, lv in columns],
            level_counts=[t.row_level_count[(index, lv.key)] for lv in rules.levels],
            points=t.row_points[index],
            share=t.row_share(index),
            outcomes=outcomes,
        )
        if with_spec:
            grouped: dict[str, list[str]] = {lv.key: [] for lv in rules.levels}
            other = []
            for outcome in outcomes:
                key = rules.level_of_bank_level(outcome.level) if outcome.level else None
                (grouped[key] if key else other).append(f"{outcome.code}: {outcome.text}")
            out.yccd = [(lv.label, grouped[lv.key]) for lv in rules.levels if grouped[lv.key]]
            if other:
                out.yccd.append((_("Outcomes"), other))
        rows.append(out)
    return Matrix(
        blueprint=blueprint,
        rules=rules,
        columns=columns,
        rows=rows,
        column_counts=[t.column_count[(f.key, lv.key)] for f, lv in columns],
        format_points=[t.format_points[f.key] for f in rules.formats],
        format_shares=[t.format_share(f.key) for f in rules.formats],
        level_counts=[t.level_count[lv.key] for lv in rules.levels],
        level_points=[t.level_points[lv.key] for lv in rules.levels],
        level_shares=[t.level_share(lv.key) for lv in rules.levels],
        total_count=t.total_count,
        total_points=t.total,
        deviations=blueprints.check_blueprint(spec),
    )
