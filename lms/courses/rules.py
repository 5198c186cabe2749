"""Domain rules of this app, keyed by the legal instrument they come from (R49), never scattered as literals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# TT 22/2021/TT-BGDĐT Art. 5 (R16): subjects assessed by comment only (Đạt / Chưa đạt); the others by score.
ASSESSMENT = {
    "TT22_2021": {
        "comment_subjects": frozenset(
            {"giao-duc-the-chat", "am-nhac", "mi-thuat", "gd-dia-phuong", "hoat-dong-trai-nghiem"}
        ),
        # R17: 0–10, at most one decimal, shown with a decimal comma; computed values round half-up.
        "score_min": Decimal("0"),
        "score_max": Decimal("10"),
        "score_step": Decimal("0.1"),
    },
}
CURRENT_ASSESSMENT_RULES = "TT22_2021"


def default_assessment_method(subject_code: str, rules: str = CURRENT_ASSESSMENT_RULES) -> str:
    from lms.courses.models import AssessmentMethod

    if subject_code in ASSESSMENT[rules]["comment_subjects"]:
        return AssessmentMethod.COMMENT
    return AssessmentMethod.SCORE


class ScoreError(ValueError):
    pass


def parse_score(value, rules: str = CURRENT_ASSESSMENT_RULES) -> Decimal:
    """A score typed by a teacher ("8,5" or "8.5") as a Decimal, or ``ScoreError`` saying why not."""
    from django.utils.translation import gettext as _

    config = ASSESSMENT[rules]
    text = str(value).strip().replace(",", ".")
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ScoreError(
            _("“%(value)s” is not a score: write a number from 0 to 10, e.g. 8,5.") % {"value": value}
        ) from None
    if not score.is_finite() or not (config["score_min"] <= score <= config["score_max"]):
        raise ScoreError(_("A score is from 0 to 10 (given: %(value)s).") % {"value": value})
    if score != score.quantize(config["score_step"]):
        raise ScoreError(_("A score has at most one decimal (given: %(value)s).") % {"value": value})
    return score.quantize(config["score_step"], rounding=ROUND_HALF_UP)


def format_score(score: Decimal | None) -> str:
    """8.5 → "8,5" (R17: decimal comma in the interface and in exports)."""
    if score is None:
        return ""
    return f"{score.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}".replace(".", ",")


# TT 09/2021 (R3): a plan item may replace in-person teaching only while a declared force-majeure period covers its
# class on every day from release to due date.
TT09 = {"TT09_2021": {"replacing_needs_force_majeure": True}}

# Heartbeats from a student's open item page: at most this many seconds are counted per beat, so a tab left open
# overnight does not count as study time.
HEARTBEAT_MAX_SECONDS = 60
# The lms.privacy consent purpose (rules.PDPL_91_2025) that time on task depends on: learning analytics.
LEARNING_ANALYTICS = "learning_analytics"

# Live sessions: students may join from this many minutes before the start until the end; joining more than
# LATE_AFTER_MINUTES after the start records "late". School practice, not law: change here.
SESSIONS = {"SCHOOL_DEFAULT": {"join_early_minutes": 15, "late_after_minutes": 10}}

# Meeting links: the hosts each hosted tool uses. Jitsi and BigBlueButton are usually self-hosted (any https host).
MEETING_HOSTS = {"meet": ("meet.google.com",), "zoom": ("zoom.us",), "jitsi": (), "bbb": ()}
