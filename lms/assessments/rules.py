"""Scoring and exam-format rules, versioned by the legal instrument they come from (R26–R28).

Nothing else in the app hard-codes these numbers: scoring and test templates look a rule set up by its key. A later
regulation gets a new key; questions and tests keep pointing at the key they were made under.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

D = Decimal


@dataclass(frozen=True)
class AnswerSheetRule:
    """What a Part III answer box on the printed answer sheet can hold."""

    max_chars: int
    allowed: str  # every character a candidate may write
    decimal_separator: str = ","


@dataclass(frozen=True)
class PartTemplate:
    code: str  # "I", "II", "III"
    question_type: str  # ir.QType value
    count: int
    points_each: Decimal


@dataclass(frozen=True)
class ExamTemplate:
    subjects: tuple[str, ...]  # curriculum subject codes
    minutes: int
    parts: tuple[PartTemplate, ...]

    @property
    def total(self) -> Decimal:
        return sum((p.points_each * p.count for p in self.parts), D(0))


@dataclass(frozen=True)
class RuleSet:
    key: str
    title: str
    # Đúng/Sai (TF4): number of statements answered right → fraction of the item's points.
    tf4_table: dict[int, Decimal]
    answer_sheet: AnswerSheetRule
    templates: dict[str, ExamTemplate] = field(default_factory=dict)


def _parts(mcq: int, mcq_pts: str, tf: int, short: int = 0, short_pts: str = "0") -> tuple[PartTemplate, ...]:
    parts = [PartTemplate("I", "single_choice", mcq, D(mcq_pts)), PartTemplate("II", "true_false_4", tf, D("1.0"))]
    if short:
        parts.append(PartTemplate("III", "numeric", short, D(short_pts)))
    return tuple(parts)


THPT2025 = RuleSet(
    key="THPT2025",
    title="Kì thi tốt nghiệp THPT từ năm 2025 (định dạng đề thi mới)",
    tf4_table={0: D("0"), 1: D("0.1"), 2: D("0.25"), 3: D("0.5"), 4: D("1.0")},
    answer_sheet=AnswerSheetRule(max_chars=4, allowed="0123456789-,"),
    templates={
        "toan": ExamTemplate(("toan",), 90, _parts(12, "0.25", 4, 6, "0.5")),
        "khtn": ExamTemplate(("vat-li", "hoa-hoc", "sinh-hoc", "dia-li"), 50, _parts(18, "0.25", 4, 6, "0.25")),
        "xh": ExamTemplate(("lich-su", "gdktpl"), 50, _parts(24, "0.25", 4)),
        "tin-cn": ExamTemplate(("tin-hoc", "cong-nghe"), 50, _parts(24, "0.25", 4)),
    },
)

RULE_SETS: dict[str, RuleSet] = {THPT2025.key: THPT2025}
DEFAULT_RULE_SET = THPT2025.key


def get_rule_set(key: str = DEFAULT_RULE_SET) -> RuleSet:
    try:
        return RULE_SETS[key]
    except KeyError:
        raise LookupError(f"Unknown scoring rule set {key!r}; known: {', '.join(sorted(RULE_SETS))}") from None
