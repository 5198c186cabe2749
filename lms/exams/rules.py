"""Versioned configuration of computer-based tests.

- Test templates come from the question bank's rule sets (``lms.assessments`` ``RULE_SETS``, R28), keyed by the
  instrument (``THPT2025``) and the template (``toan``, ``khtn``, ``xh``, ``tin-cn``); a test built from a template
  records both keys, so a later format gets new keys and old tests keep theirs.
- Delivery (``DELIVERY``) and item-analysis thresholds (``ITEM_ANALYSIS``) are keyed the same way: a sitting or a
  report names the key it was made under.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lms.assessments.api import get_rule_set

D = Decimal


@dataclass(frozen=True)
class DeliveryRules:
    key: str
    # Answers that reach the server this long after the deadline are still taken (they were in flight); after it
    # the attempt is submitted by the server and later saves are refused.
    save_grace_seconds: int
    max_response_chars: int  # one answer's JSON; longer is refused with a clear message
    max_changes_per_request: int
    heartbeat_seconds: int  # the browser re-sends (or pings) this often; the invigilator page calls a student
    offline_after_seconds: int  # "not seen" after this long without a request
    # R12 / TT 09/2021 Art. 6(2): a periodic (giữa kì / cuối kì) test runs at school — from the school's networks
    # (``School.exam_networks``) — unless the principal records a force-majeure decision naming the student.
    periodic_on_site: bool = True
    periodic_rule: str = "R12 (TT 09/2021/TT-BGDĐT Điều 6 khoản 2)"
    # One active device per attempt: saves from any other browser are refused until it takes the attempt over.
    one_device: bool = True
    # The waiting room checks in this long before the start at most: the attempt is opened then (network, access
    # code, device, deadline, the START event), its time running from the start, so that at the start itself a
    # whole room only fetches its papers, without a write each. The browsers check in at random moments between 5 s
    # before this and 5 s before the start, so the writes are spread; short enough that the browser's connection and
    # the server's session check (``fastsave.SESSION_CHECK_SECONDS``) are still fresh at the start. A student checked
    # in who then leaves has the time running as the others.
    check_in_seconds: int = 30
    # A sitting may be moved to a later time (``sitting_moves.reschedule_sitting``) until this long before its start
    # — before any student can check in, with a margin for the clocks of several servers — and no sooner than
    # ``move_notice_seconds`` from now, so that the students waiting see the new time before the old one comes.
    last_move_seconds: int = 60
    move_notice_seconds: int = 120

    def __post_init__(self) -> None:
        # the gateway answers a checked-in browser's start from memory (``fastsave._CHECKED_IN``): a start that could
        # move after check-in opened would leave those attempts with the old start
        if self.last_move_seconds <= self.check_in_seconds:
            raise ValueError(f"{self.key}: last_move_seconds must be more than check_in_seconds")


@dataclass(frozen=True)
class ItemAnalysisRules:
    key: str
    group_fraction: Decimal  # upper / lower groups (Kelley's 27 %)
    min_discrimination: Decimal
    min_facility: Decimal
    max_facility: Decimal


DELIVERY: dict[str, DeliveryRules] = {
    "CBT2026": DeliveryRules(
        key="CBT2026",
        save_grace_seconds=10,
        max_response_chars=4000,
        max_changes_per_request=200,
        heartbeat_seconds=15,
        offline_after_seconds=45,
    )
}
DEFAULT_DELIVERY = "CBT2026"

ITEM_ANALYSIS: dict[str, ItemAnalysisRules] = {
    "CTT_KELLEY27": ItemAnalysisRules(
        key="CTT_KELLEY27",
        group_fraction=D("0.27"),
        min_discrimination=D("0.2"),
        min_facility=D("0.2"),
        max_facility=D("0.9"),
    )
}
DEFAULT_ITEM_ANALYSIS = "CTT_KELLEY27"

# Question types a student can answer on a computer (the others are refused when a test is built).
DELIVERABLE_TYPES = frozenset(
    {
        "single_choice",
        "multiple_response",
        "true_false",
        "true_false_4",
        "short_answer",
        "numeric",
        "essay",
        "matching",
        "ordering",
        "cloze",
        "group",
    }
)


def delivery_rules(key: str = DEFAULT_DELIVERY) -> DeliveryRules:
    try:
        return DELIVERY[key]
    except KeyError:
        raise LookupError(f"Unknown delivery rules {key!r}; known: {', '.join(sorted(DELIVERY))}") from None


def item_analysis_rules(key: str = DEFAULT_ITEM_ANALYSIS) -> ItemAnalysisRules:
    try:
        return ITEM_ANALYSIS[key]
    except KeyError:
        raise LookupError(f"Unknown item-analysis rules {key!r}; known: {', '.join(sorted(ITEM_ANALYSIS))}") from None


def exam_template(rule_set: str, template: str):
    """The ``ExamTemplate`` (parts, counts, points, minutes) of ``rule_set`` / ``template``."""
    rules = get_rule_set(rule_set)
    try:
        return rules.templates[template]
    except KeyError:
        raise LookupError(
            f"Rule set {rule_set} has no template {template!r}; known: {', '.join(sorted(rules.templates))}"
        ) from None


def template_for_subject(rule_set: str, subject_code: str) -> str:
    """The template key of ``rule_set`` that covers the curriculum subject ``subject_code``."""
    for key, template in get_rule_set(rule_set).templates.items():
        if subject_code in template.subjects:
            return key
    raise LookupError(f"Rule set {rule_set} has no template for subject {subject_code!r}")


# ---------------------------------------------------------------------------------------------------- blueprints
# Blueprint frameworks (ma trận / bản đặc tả, R30–R31), keyed by the instrument. A blueprint records the key it was
# made under, so a later letter gets a new key and old blueprints keep their columns, levels and targets.


@dataclass(frozen=True)
class BlueprintLevel:
    key: str
    label: str  # as printed in the matrix header (Vietnamese terms of the instrument)
    bank_levels: tuple[str, ...]  # question levels of the bank (lms.assessments Level) that count at this level


@dataclass(frozen=True)
class BlueprintFormat:
    key: str
    label: str
    question_types: tuple[str, ...]  # bank question types that fill a cell of this column
    units_per_question: int = 1  # Đúng/Sai: the matrix counts statements (ý), 4 per question


@dataclass(frozen=True)
class BlueprintFramework:
    key: str
    title: str
    levels: tuple[BlueprintLevel, ...]
    formats: tuple[BlueprintFormat, ...]
    total_points: Decimal
    # Default share of the points per level, in percent (None: no default, the author sets targets if wanted).
    level_targets: dict[str, Decimal] | None
    # Reference points per format (CV 7991: 3,0 – 2,0 – 2,0 – 3,0); None when the instrument gives none.
    format_targets: dict[str, Decimal] | None
    integer_scores: bool = False  # TT 27 Art. 7: the test score is a whole number (rounded half up)

    def level(self, key: str) -> BlueprintLevel:
        for level in self.levels:
            if level.key == key:
                return level
        raise LookupError(f"Framework {self.key} has no level {key!r}")

    def format(self, key: str) -> BlueprintFormat:
        for fmt in self.formats:
            if fmt.key == key:
                return fmt
        raise LookupError(f"Framework {self.key} has no item format {key!r}")

    def level_of_bank_level(self, bank_level: str) -> str | None:
        for level in self.levels:
            if bank_level in level.bank_levels:
                return level.key
        return None

    def format_of_type(self, question_type: str) -> str | None:
        for fmt in self.formats:
            if question_type in fmt.question_types:
                return fmt.key
        return None

    @property
    def columns(self) -> list[tuple[BlueprintFormat, BlueprintLevel]]:
        return [(f, lv) for f in self.formats for lv in self.levels]


# The four item formats of CV 7991 (TNKQ nhiều lựa chọn, TNKQ Đúng – Sai, TNKQ trả lời ngắn, Tự luận).
_FORMATS = (
    BlueprintFormat("mcq", "TNKQ nhiều lựa chọn", ("single_choice",)),
    BlueprintFormat("tf", "TNKQ Đúng – Sai", ("true_false_4",), units_per_question=4),
    BlueprintFormat("short", "TNKQ trả lời ngắn", ("short_answer", "numeric")),
    BlueprintFormat("essay", "Tự luận", ("essay",)),
)

BLUEPRINT_FRAMEWORKS: dict[str, BlueprintFramework] = {
    # CV 7991/BGDĐT-GDTrH (17/12/2024), Phụ lục: 3 levels, 40/30/30 by level, 3,0/2,0/2,0/3,0 by format.
    "CV7991_2024": BlueprintFramework(
        key="CV7991_2024",
        title="CV 7991/BGDĐT-GDTrH (2024) – Biết / Hiểu / Vận dụng",
        levels=(
            BlueprintLevel("biet", "Biết", ("biet", "nb")),
            BlueprintLevel("hieu", "Hiểu", ("hieu", "th")),
            BlueprintLevel("van_dung", "Vận dụng", ("van_dung", "vd", "vdc")),
        ),
        formats=_FORMATS,
        total_points=D(10),
        level_targets={"biet": D(40), "hieu": D(30), "van_dung": D(30)},
        format_targets={"mcq": D(3), "tf": D(2), "short": D(2), "essay": D(3)},
    ),
    # The older four levels (CV 8773/2010 practice): NB / TH / VD / VDC; 40/30/20/10 is common practice, not a rule.
    "LEGACY_4LEVEL": BlueprintFramework(
        key="LEGACY_4LEVEL",
        title="4 mức (NB / TH / VD / VDC)",
        levels=(
            BlueprintLevel("nb", "Nhận biết", ("nb", "biet")),
            BlueprintLevel("th", "Thông hiểu", ("th", "hieu")),
            BlueprintLevel("vd", "Vận dụng", ("vd", "van_dung")),
            BlueprintLevel("vdc", "Vận dụng cao", ("vdc",)),
        ),
        formats=_FORMATS,
        total_points=D(10),
        level_targets={"nb": D(40), "th": D(30), "vd": D(20), "vdc": D(10)},
        format_targets=None,
    ),
    # TT 27/2020 Art. 7 (primary): Mức 1 / 2 / 3, a 10-point scale with whole-number scores. The bank's three levels
    # stand for the three Mức (recall / connect / apply to new problems).
    "TT27_2020": BlueprintFramework(
        key="TT27_2020",
        title="TT 27/2020 – Mức 1 / Mức 2 / Mức 3",
        levels=(
            BlueprintLevel("m1", "Mức 1", ("biet", "nb")),
            BlueprintLevel("m2", "Mức 2", ("hieu", "th")),
            BlueprintLevel("m3", "Mức 3", ("van_dung", "vd", "vdc")),
        ),
        formats=_FORMATS,
        total_points=D(10),
        level_targets=None,
        format_targets=None,
        integer_scores=True,
    ),
}
DEFAULT_BLUEPRINT_FRAMEWORK = "CV7991_2024"


def blueprint_framework(key: str = DEFAULT_BLUEPRINT_FRAMEWORK) -> BlueprintFramework:
    try:
        return BLUEPRINT_FRAMEWORKS[key]
    except KeyError:
        raise LookupError(
            f"Unknown blueprint framework {key!r}; known: {', '.join(sorted(BLUEPRINT_FRAMEWORKS))}"
        ) from None


# -------------------------------------------------------------------------------------------- reported scores
@dataclass(frozen=True)
class ScoreRules:
    """How a sitting's score on the 10-point scale is reported, keyed by the legal instrument."""

    key: str
    instrument: str
    whole_numbers: bool  # the score is a whole number, rounded half up
    grades: tuple[int, ...]  # the grades the instrument governs

    @property
    def step(self) -> Decimal:
        return D(1) if self.whole_numbers else D("0.01")

    def score_10(self, points, max_points) -> Decimal | None:
        """``points`` out of ``max_points`` on 0–10, half up to the rule's step; None when not graded."""
        if points is None or not max_points:
            return None
        return (D(points) * 10 / D(max_points)).quantize(self.step, rounding=ROUND_HALF_UP)


SCORE_RULES: dict[str, ScoreRules] = {
    # TT 27/2020/TT-BGDĐT Điều 7 khoản 2: a primary periodic test is marked on a 10-point scale with no decimals.
    "TT27_2020": ScoreRules(
        key="TT27_2020",
        instrument="TT 27/2020/TT-BGDĐT Điều 7",
        whole_numbers=True,
        grades=(1, 2, 3, 4, 5),
    ),
    # Lower and upper secondary (TT 22/2021/TT-BGDĐT): the CBT reports two decimals; the gradebook rounds once.
    "TT22_2021": ScoreRules(
        key="TT22_2021", instrument="TT 22/2021/TT-BGDĐT", whole_numbers=False, grades=tuple(range(6, 13))
    ),
}
DEFAULT_SCORE_RULES = "TT22_2021"


def score_rules_for(*, grades=(), framework: str = "") -> ScoreRules:
    """TT 27 for a sitting of a primary class, a test of grades 1–5 or one made from a TT 27 blueprint (``grades``:
    the test's and the class's, None where unknown); otherwise the default rules."""
    primary = SCORE_RULES["TT27_2020"]
    if framework == primary.key or any(g in primary.grades for g in grades if g is not None):
        return primary
    return SCORE_RULES[DEFAULT_SCORE_RULES]
