"""Versioned configuration of computer-based tests.

- Test templates come from the question bank's rule sets (``lms.assessments`` ``RULE_SETS``, R28), keyed by the
  instrument (``THPT2025``) and the template (``toan``, ``khtn``, ``xh``, ``tin-cn``); a test built from a template
  records both keys, so a later format gets new keys and old tests keep theirs.
- Delivery (``DELIVERY``) and item-analysis thresholds (``ITEM_ANALYSIS``) are keyed the same way: a sitting or a
  report names the key it was made under.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
