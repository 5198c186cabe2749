"""Blueprint arithmetic and validation (R30–R32), pure: no database, plain values in, plain values out.

- ``BlueprintSpec`` / ``RowSpec``: a blueprint's rows (chapter, content unit, YCCĐ codes) and their cells
  ``{(format, level): (count, points_each)}``; for Đúng/Sai the count is in statements (4 per question) and the
  points are per statement, as in the CV 7991 appendix.
- ``totals(spec)``: counts and points per cell, per format, per level and per row, the level shares in percent.
- ``check_blueprint(spec)``: total ≠ the framework's total, Đúng/Sai counts that are not whole questions, a
  non-integer total under TT 27, a cell of an unknown column; level shares against the targets (warnings).
- ``validate_test(spec, items)``: every item of a test (``ItemFact``) is placed in a row by its YCCĐ and in a cell
  by its format and level; the deviations say which row and cell, expected and actual counts and points, which items
  miss a level or a YCCĐ, and whether the total is not 10.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from lms.exams.rules import BlueprintFramework, blueprint_framework

ZERO = Decimal(0)
HUNDRED = Decimal(100)

ERROR = "error"
WARNING = "warning"


def fmt(value) -> str:
    """Points with a decimal comma and no trailing zeros (2,25; 10)."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") or "0"


def percent(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return ZERO
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def round_score(framework: BlueprintFramework, raw: Decimal) -> Decimal:
    """The reported score: whole numbers, half up, under TT 27; two decimals otherwise."""
    step = Decimal(1) if framework.integer_scores else Decimal("0.01")
    return Decimal(raw).quantize(step, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RowSpec:
    label: str
    outcome_codes: frozenset[str]
    cells: dict[tuple[str, str], tuple[int, Decimal]]  # (format, level) → (count, points each)


@dataclass(frozen=True)
class BlueprintSpec:
    framework: str
    total_points: Decimal
    rows: tuple[RowSpec, ...]
    level_targets: dict[str, Decimal] | None = None  # None: the framework's defaults

    @property
    def rules(self) -> BlueprintFramework:
        return blueprint_framework(self.framework)

    @property
    def targets(self) -> dict[str, Decimal] | None:
        return self.level_targets or self.rules.level_targets


@dataclass(frozen=True)
class ItemFact:
    """One question of a test as the blueprint sees it."""

    label: str  # "Part I, question 3 (#12)"
    question_type: str
    level: str  # the bank's level code ("" when the question has none)
    outcome_codes: frozenset[str]
    points: Decimal


@dataclass(frozen=True)
class Deviation:
    severity: str  # ERROR or WARNING
    message: str
    row: str = ""
    format: str = ""
    level: str = ""
    expected_count: int | None = None
    actual_count: int | None = None
    expected_points: Decimal | None = None
    actual_points: Decimal | None = None


@dataclass
class Totals:
    cell_count: dict[tuple[int, str, str], int] = field(default_factory=dict)
    cell_points: dict[tuple[int, str, str], Decimal] = field(default_factory=dict)
    row_points: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    row_level_count: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    column_count: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    column_points: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    format_count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    format_points: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    level_count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    level_points: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    total_count: int = 0
    total: Decimal = ZERO

    def level_share(self, level: str) -> Decimal:
        return percent(self.level_points[level], self.total)

    def format_share(self, fmt_key: str) -> Decimal:
        return percent(self.format_points[fmt_key], self.total)

    def row_share(self, index: int) -> Decimal:
        return percent(self.row_points[index], self.total)


def totals(spec: BlueprintSpec) -> Totals:
    out = Totals()
    for index, row in enumerate(spec.rows):
        out.row_points[index] += ZERO
        for (fmt_key, level), (count, points_each) in row.cells.items():
            points = Decimal(points_each) * count
            out.cell_count[(index, fmt_key, level)] = count
            out.cell_points[(index, fmt_key, level)] = points
            out.row_points[index] += points
            out.row_level_count[(index, level)] += count
            out.column_count[(fmt_key, level)] += count
            out.column_points[(fmt_key, level)] += points
            out.format_count[fmt_key] += count
            out.format_points[fmt_key] += points
            out.level_count[level] += count
            out.level_points[level] += points
            out.total_count += count
            out.total += points
    return out


def check_blueprint(spec: BlueprintSpec) -> list[Deviation]:
    rules = spec.rules
    formats = {f.key: f for f in rules.formats}
    levels = {lv.key for lv in rules.levels}
    out: list[Deviation] = []
    if not spec.rows:
        out.append(Deviation(ERROR, _("The blueprint has no rows.")))
    for row in spec.rows:
        if not row.outcome_codes:
            out.append(Deviation(ERROR, _("Row “%(row)s” names no YCCĐ outcome.") % {"row": row.label}, row=row.label))
        for (fmt_key, level), (count, points_each) in sorted(row.cells.items()):
            if fmt_key not in formats or level not in levels:
                out.append(
                    Deviation(
                        ERROR,
                        _("Row “%(row)s”: %(format)s / %(level)s is not a column of %(framework)s.")
                        % {"row": row.label, "format": fmt_key, "level": level, "framework": rules.key},
                        row=row.label,
                        format=fmt_key,
                        level=level,
                    )
                )
                continue
            units = formats[fmt_key].units_per_question
            if count % units:
                out.append(
                    Deviation(
                        ERROR,
                        _(
                            "Row “%(row)s”, %(format)s – %(level)s: %(count)s statements is not a whole number of "
                            "questions (%(units)s statements each)."
                        )
                        % {
                            "row": row.label,
                            "format": formats[fmt_key].label,
                            "level": rules.level(level).label,
                            "count": count,
                            "units": units,
                        },
                        row=row.label,
                        format=fmt_key,
                        level=level,
                        expected_count=count,
                    )
                )
            if count and Decimal(points_each) <= 0:
                out.append(
                    Deviation(
                        ERROR,
                        _("Row “%(row)s”, %(format)s – %(level)s: the points per item must be positive.")
                        % {"row": row.label, "format": formats[fmt_key].label, "level": rules.level(level).label},
                        row=row.label,
                        format=fmt_key,
                        level=level,
                    )
                )
    t = totals(spec)
    if t.total != Decimal(spec.total_points):
        out.append(
            Deviation(
                ERROR,
                _("The blueprint totals %(total)s points, not %(expected)s.")
                % {"total": fmt(t.total), "expected": fmt(spec.total_points)},
                expected_points=Decimal(spec.total_points),
                actual_points=t.total,
            )
        )
    if rules.integer_scores and t.total != t.total.to_integral_value():
        out.append(
            Deviation(
                ERROR,
                _("%(framework)s scores are whole numbers: the total %(total)s is not.")
                % {"framework": rules.title, "total": fmt(t.total)},
            )
        )
    targets = spec.targets
    if targets and t.total:
        for level in rules.levels:
            target = Decimal(targets.get(level.key, 0))
            share = t.level_share(level.key)
            if share != target:
                out.append(
                    Deviation(
                        WARNING,
                        _("%(level)s: %(share)s %% of the points, the target is %(target)s %%.")
                        % {"level": level.label, "share": fmt(share), "target": fmt(target)},
                        level=level.key,
                        expected_points=Decimal(spec.total_points) * target / HUNDRED,
                        actual_points=t.level_points[level.key],
                    )
                )
    return out


def place(
    spec: BlueprintSpec, item: ItemFact, filled: dict[tuple[int, str, str], int] | None = None
) -> tuple[int | None, str | None, str | None]:
    """(row index, format, level) of an item; None where it has no place. Of the rows naming one of its YCCĐ, the
    first whose cell for the item's format and level still has room (``filled``: units placed so far), else the
    first with that cell, else the first."""
    rules = spec.rules
    fmt_key, level = rules.format_of_type(item.question_type), rules.level_of_bank_level(item.level)
    matching = [i for i, row in enumerate(spec.rows) if row.outcome_codes & item.outcome_codes]
    filled = filled or {}

    def room(i: int) -> bool:
        want = spec.rows[i].cells.get((fmt_key, level), (0, ZERO))[0]
        return want > filled.get((i, fmt_key, level), 0)

    with_cell = [i for i in matching if (fmt_key, level) in spec.rows[i].cells]
    row_index = next((i for i in with_cell if room(i)), None)
    if row_index is None:
        row_index = (with_cell or matching or [None])[0]
    return row_index, fmt_key, level


def validate_test(spec: BlueprintSpec, items: list[ItemFact]) -> list[Deviation]:
    """R32: what differs between the items of a test and the blueprint, cell by cell."""
    rules = spec.rules
    out: list[Deviation] = []
    actual_count: dict[tuple[int, str, str], int] = defaultdict(int)
    actual_points: dict[tuple[int, str, str], Decimal] = defaultdict(lambda: ZERO)
    total = ZERO
    for item in items:
        total += item.points
        row_index, fmt_key, level = place(spec, item, actual_count)
        if not item.level:
            out.append(Deviation(ERROR, _("%(item)s has no cognitive level.") % {"item": item.label}))
        elif level is None:
            out.append(
                Deviation(
                    ERROR,
                    _("%(item)s: its level %(level)s is not one of %(framework)s.")
                    % {"item": item.label, "level": item.level, "framework": rules.title},
                )
            )
        if not item.outcome_codes:
            out.append(Deviation(ERROR, _("%(item)s has no YCCĐ outcome.") % {"item": item.label}))
        elif row_index is None:
            out.append(
                Deviation(
                    ERROR,
                    _("%(item)s: none of its YCCĐ (%(codes)s) is in a row of the blueprint.")
                    % {"item": item.label, "codes": ", ".join(sorted(item.outcome_codes))},
                )
            )
        if fmt_key is None:
            out.append(
                Deviation(
                    ERROR,
                    _("%(item)s: questions of type %(type)s fit no column of the blueprint.")
                    % {"item": item.label, "type": item.question_type or "–"},
                )
            )
        if row_index is None or fmt_key is None or level is None:
            continue
        key = (row_index, fmt_key, level)
        actual_count[key] += rules.format(fmt_key).units_per_question
        actual_points[key] += item.points
    expected = totals(spec)
    for key in sorted(set(expected.cell_count) | set(actual_count), key=lambda k: (k[0], k[1], k[2])):
        want_n, have_n = expected.cell_count.get(key, 0), actual_count.get(key, 0)
        want_p, have_p = expected.cell_points.get(key, ZERO), actual_points.get(key, ZERO)
        if want_n == have_n and want_p == have_p:
            continue
        row_index, fmt_key, level = key
        row = spec.rows[row_index]
        try:
            fmt_label, level_label = rules.format(fmt_key).label, rules.level(level).label
        except LookupError:
            fmt_label, level_label = fmt_key, level
        out.append(
            Deviation(
                ERROR,
                _(
                    "Row “%(row)s”, %(format)s – %(level)s: the blueprint asks for %(want_n)s items "
                    "(%(want_p)s points), the test has %(have_n)s (%(have_p)s points)."
                )
                % {
                    "row": row.label,
                    "format": fmt_label,
                    "level": level_label,
                    "want_n": want_n,
                    "want_p": fmt(want_p),
                    "have_n": have_n,
                    "have_p": fmt(have_p),
                },
                row=row.label,
                format=fmt_key,
                level=level,
                expected_count=want_n,
                actual_count=have_n,
                expected_points=want_p,
                actual_points=have_p,
            )
        )
    if total != Decimal(spec.total_points):
        out.append(
            Deviation(
                ERROR,
                _("The test totals %(total)s points, not %(expected)s.")
                % {"total": fmt(total), "expected": fmt(spec.total_points)},
                expected_points=Decimal(spec.total_points),
                actual_points=total,
            )
        )
    return out
