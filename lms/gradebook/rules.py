"""Gradebook rules, keyed by the legal instrument they come from (R25), never scattered as literals.

``PROFILES["TT22_2021"]`` is lower and upper secondary (grades 6–12, TT 22/2021/TT-BGDĐT); ``PROFILES["TT27_2020"]``
is primary (grades 1–5, TT 27/2020/TT-BGDĐT). A future circular is a new key: existing gradebooks keep theirs.
Everything here is pure (no database) so it is tested against the worked examples of R20 and R21.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

ONE_DECIMAL = Decimal("0.1")


class Level:
    """Academic level and conduct under TT 22/2021 Art. 9 and 8, best first."""

    TOT = "tot"
    KHA = "kha"
    DAT = "dat"
    CHUA_DAT = "chua_dat"
    ORDER = (TOT, KHA, DAT, CHUA_DAT)
    CHOICES = [
        (TOT, pgettext_lazy("level", "Tốt")),
        (KHA, pgettext_lazy("level", "Khá")),
        (DAT, pgettext_lazy("level", "Đạt")),
        (CHUA_DAT, pgettext_lazy("level", "Chưa đạt")),
    ]


class Rating:
    """Ratings of comment subjects (TT 22) and of primary subjects, qualities and competences (TT 27)."""

    DAT = "D"
    CHUA_DAT = "CD"
    HTT = "HTT"
    HT = "HT"
    CHT = "CHT"
    TOT = "T"
    CAN_CO_GANG = "CCG"
    LABELS = {
        DAT: pgettext_lazy("rating", "Đạt"),
        CHUA_DAT: pgettext_lazy("rating", "Chưa đạt"),
        HTT: gettext_lazy("Hoàn thành tốt"),
        HT: gettext_lazy("Hoàn thành"),
        CHT: gettext_lazy("Chưa hoàn thành"),
        TOT: pgettext_lazy("rating", "Tốt"),
        CAN_CO_GANG: gettext_lazy("Cần cố gắng"),
    }


class YearLevel:
    """The year-end summary of a primary pupil (TT 27/2020 Art. 9), best first."""

    HTXS = "HTXS"
    HTT = "HTT"
    HT = "HT"
    CHT = "CHT"
    ORDER = (HTXS, HTT, HT, CHT)
    CHOICES = [
        (HTXS, gettext_lazy("Hoàn thành xuất sắc")),
        (HTT, gettext_lazy("Hoàn thành tốt")),
        (HT, gettext_lazy("Hoàn thành")),
        (CHT, gettext_lazy("Chưa hoàn thành")),
    ]


# Qualities (phẩm chất) and competences (năng lực) of the 2018 programme, rated Tốt / Đạt / Cần cố gắng (TT 27).
QUALITY_LABELS = {
    "yeu_nuoc": gettext_lazy("Patriotism (yêu nước)"),
    "nhan_ai": gettext_lazy("Kindness (nhân ái)"),
    "cham_chi": gettext_lazy("Diligence (chăm chỉ)"),
    "trung_thuc": gettext_lazy("Honesty (trung thực)"),
    "trach_nhiem": gettext_lazy("Responsibility (trách nhiệm)"),
    "tu_chu_tu_hoc": gettext_lazy("Self-reliance and self-study"),
    "giao_tiep_hop_tac": gettext_lazy("Communication and cooperation"),
    "giai_quyet_van_de": gettext_lazy("Problem solving and creativity"),
    "ngon_ngu": gettext_lazy("Language"),
    "tinh_toan": gettext_lazy("Numeracy"),
    "khoa_hoc": gettext_lazy("Science"),
    "cong_nghe": gettext_lazy("Technology"),
    "tin_hoc": gettext_lazy("Informatics"),
    "tham_mi": gettext_lazy("Aesthetics"),
    "the_chat": gettext_lazy("Physical"),
}


class Award:
    XUAT_SAC = "xuat_sac"
    GIOI = "gioi"
    LABELS = {XUAT_SAC: gettext_lazy("Học sinh Xuất sắc"), GIOI: gettext_lazy("Học sinh Giỏi")}


PROFILES: dict[str, dict] = {
    # TT 22/2021/TT-BGDĐT (grades 6–12).
    "TT22_2021": {
        "grades": range(6, 13),
        # Art. 5 (R17): 0–10, at most one decimal; computed values round half-up to one decimal.
        "score_min": Decimal("0"),
        "score_max": Decimal("10"),
        "score_step": ONE_DECIMAL,
        # Art. 6(2)(b) (R18): required regular assessments per semester from periods per year.
        # (upper bound of periods per year inclusive, required count); None = no upper bound.
        "required_tx": ((35, 2), (70, 3), (None, 4)),
        # Comment subjects: 2 regular assessments per semester [U].
        "required_tx_comment": 2,
        # Art. 9(1)(b) (R20): weights of the semester and year averages.
        "weights": {"tx": 1, "gk": 2, "ck": 3},
        "year_weights": {1: 1, 2: 2},
        # Art. 9(1)(a) [U]: a comment subject is Đạt for the semester when its end-of-term assessment is Đạt and
        # at least this share of all its assessments is Đạt.
        "comment_pass_share": Decimal(2) / Decimal(3),
        # Art. 9(2) (R21): thresholds of the academic levels.
        "levels": {
            Level.TOT: {"all_at_least": Decimal("6.5"), "count_at_least": (6, Decimal("8.0")), "comment_fails": 0},
            Level.KHA: {"all_at_least": Decimal("5.0"), "count_at_least": (6, Decimal("6.5")), "comment_fails": 0},
            Level.DAT: {"none_below": Decimal("3.5"), "count_at_least": (6, Decimal("5.0")), "comment_fails": 1},
        },
        # Art. 9(3): one subject lowering the level by two or more steps → raised to the adjacent level.
        "adjustment_steps": 2,
        # Art. 15(1)(a) (R22): awards at the end of the year.
        "awards": {
            Award.XUAT_SAC: {"conduct": Level.TOT, "level": Level.TOT, "count_at_least": (6, Decimal("9.0"))},
            Award.GIOI: {"conduct": Level.TOT, "level": Level.TOT},
        },
    },
    # TT 27/2020/TT-BGDĐT (grades 1–5), R24.
    "TT27_2020": {
        "grades": range(1, 6),
        # Periodic checkpoints per semester: mid-term I and end of term I; mid-term II and end of year.
        "checkpoints": {1: ("GK1", "CK1"), 2: ("GK2", "CN")},
        "subject_ratings": (Rating.HTT, Rating.HT, Rating.CHT),
        "quality_ratings": (Rating.TOT, Rating.DAT, Rating.CAN_CO_GANG),
        "qualities": ("yeu_nuoc", "nhan_ai", "cham_chi", "trung_thuc", "trach_nhiem"),
        # Art. 6 and 7(2): general competences, then specific competences, rated like the qualities.
        "competences": (
            "tu_chu_tu_hoc",
            "giao_tiep_hop_tac",
            "giai_quyet_van_de",
            "ngon_ngu",
            "tinh_toan",
            "khoa_hoc",
            "cong_nghe",
            "tin_hoc",
            "tham_mi",
            "the_chat",
        ),
        # Art. 7(2): the homeroom teacher rates qualities and competences at the same four checkpoints.
        "quality_checkpoints": ("GK1", "CK1", "GK2", "CN"),
        # Art. 9(2)(a): the year-end summary from the end-of-year (CN) subject ratings, qualities and competences,
        # and periodic-test scores, best first; a pupil meeting none is Chưa hoàn thành. Thresholds checked on
        # 2026-12-01 against two published quotations of Art. 9(2)(a) (lawnet.vn: HTXS 9, HTT 7, HT 5) [S].
        "year_summary": (
            (YearLevel.HTXS, {"subjects": (Rating.HTT,), "qualities": (Rating.TOT,), "test_at_least": 9}),
            (YearLevel.HTT, {"subjects": (Rating.HTT,), "qualities": (Rating.TOT,), "test_at_least": 7}),
            (
                YearLevel.HT,
                {"subjects": (Rating.HTT, Rating.HT), "qualities": (Rating.TOT, Rating.DAT), "test_at_least": 5},
            ),
        ),
        # Art. 7(1): periodic tests on a 10-point scale, integers only ("không cho điểm thập phân"); 0 is allowed
        # (TT 27 dropped TT 22/2016's "không cho điểm 0", as reported when it was issued) [S].
        "test_min": 0,
        "test_max": 10,
        # Art. 7(1)(c): subjects with a periodic test at the end of term I and end of year. Tiếng Việt, Toán,
        # Ngoại ngữ 1, Lịch sử và Địa lí, Tin học và Công nghệ are in the published quotation checked on 2026-12-01
        # [S]; Khoa học is kept from the Vietnamese wording but was missing from the (English) quotation [U].
        "tested_subjects": frozenset(
            {"tieng-viet", "toan", "ngoai-ngu-1", "tieng-anh", "lich-su-va-dia-li", "khoa-hoc", "tin-hoc-va-cong-nghe"}
        ),
        # Art. 7(1)(c): grades 4–5 also have mid-term tests in Tiếng Việt and Toán [S, same quotation].
        "midterm_tested": {"grades": frozenset({4, 5}), "subjects": frozenset({"tieng-viet", "toan"})},
    },
}
SECONDARY_PROFILE = "TT22_2021"
PRIMARY_PROFILE = "TT27_2020"


def profile_for_grade(grade: int) -> str:
    for key in (PRIMARY_PROFILE, SECONDARY_PROFILE):
        if grade in PROFILES[key]["grades"]:
            return key
    raise ValueError(f"no gradebook profile for grade {grade}")


class ScoreError(ValueError):
    pass


def parse_score(value, profile: str = SECONDARY_PROFILE) -> Decimal:
    """A score typed by a teacher ("8,5"; "8.5" is accepted too) as a Decimal, or ``ScoreError`` saying why not."""
    text = str(value).strip().replace(",", ".")
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ScoreError(
            _("“%(value)s” is not a score: write a number from 0 to 10, e.g. 8,5.") % {"value": value}
        ) from None
    if profile == PRIMARY_PROFILE:
        config = PROFILES[PRIMARY_PROFILE]
        if not score.is_finite() or score != score.to_integral_value():
            raise ScoreError(
                _("A periodic test score of a primary class is a whole number (given: %(value)s).") % {"value": value}
            )
        if not (config["test_min"] <= score <= config["test_max"]):
            raise ScoreError(_("A score is from 0 to 10 (given: %(value)s).") % {"value": value})
        return score.quantize(Decimal(1))
    config = PROFILES[profile]
    if not score.is_finite() or not (config["score_min"] <= score <= config["score_max"]):
        raise ScoreError(_("A score is from 0 to 10 (given: %(value)s).") % {"value": value})
    if score != score.quantize(config["score_step"]):
        raise ScoreError(_("A score has at most one decimal (given: %(value)s).") % {"value": value})
    return score.quantize(config["score_step"])


def format_score(score: Decimal | None, *, whole: bool = False) -> str:
    """8.5 → "8,5"; whole primary test scores stay whole ("9", also when read back from the database as 9.0)."""
    if score is None:
        return ""
    if whole:
        return str(score.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if score.as_tuple().exponent == 0:
        return str(score)
    return f"{score.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)}".replace(".", ",")


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def required_tx(periods_per_year: int, *, comment: bool = False, profile: str = SECONDARY_PROFILE) -> int:
    """R18: ≤35 periods → 2, 36–70 → 3, >70 → 4 regular assessments per semester."""
    config = PROFILES[profile]
    if comment:
        return config["required_tx_comment"]
    for upper, count in config["required_tx"]:
        if upper is None or periods_per_year <= upper:
            return count
    raise AssertionError("unreachable")


def semester_average(tx: Sequence[Decimal], gk: Decimal | None, ck: Decimal | None, profile: str = SECONDARY_PROFILE):
    """R20: ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (n + 5), half-up to one decimal. ``None`` while a component is
    missing (R19: missing components block the average)."""
    if gk is None or ck is None or not tx:
        return None
    w = PROFILES[profile]["weights"]
    total = w["tx"] * sum(tx, Decimal(0)) + w["gk"] * gk + w["ck"] * ck
    return round_half_up(total / (w["tx"] * len(tx) + w["gk"] + w["ck"]))


def year_average(hk1: Decimal | None, hk2: Decimal | None, profile: str = SECONDARY_PROFILE):
    """R20: ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, half-up to one decimal."""
    if hk1 is None or hk2 is None:
        return None
    w = PROFILES[profile]["year_weights"]
    return round_half_up((w[1] * hk1 + w[2] * hk2) / (w[1] + w[2]))


def comment_subject_result(ratings: Sequence[str], ck: str | None, profile: str = SECONDARY_PROFILE):
    """Đạt / Chưa đạt for a comment subject's semester [U: Art. 9(1)(a)]; ``None`` while the end-of-term is missing."""
    if ck is None or not ratings:
        return None
    share = Decimal(sum(1 for r in ratings if r == Rating.DAT)) / Decimal(len(ratings))
    if ck == Rating.DAT and share >= PROFILES[profile]["comment_pass_share"]:
        return Rating.DAT
    return Rating.CHUA_DAT


def _threshold_level(scores: Sequence[Decimal], comments: Sequence[str], profile: str) -> str:
    levels = PROFILES[profile]["levels"]
    fails = sum(1 for c in comments if c != Rating.DAT)
    for level in (Level.TOT, Level.KHA, Level.DAT):
        rule = levels[level]
        if fails > rule["comment_fails"]:
            continue
        if "all_at_least" in rule and any(s < rule["all_at_least"] for s in scores):
            continue
        if "none_below" in rule and any(s < rule["none_below"] for s in scores):
            continue
        count, minimum = rule["count_at_least"]
        if sum(1 for s in scores if s >= minimum) < count:
            continue
        return level
    return Level.CHUA_DAT


def academic_level(scores: Sequence[Decimal], comments: Sequence[str] = (), profile: str = SECONDARY_PROFILE):
    """R21: the level by threshold and, where one single subject drags it down two or more steps, the adjacent level
    above (Art. 9(3)). Returns ``(suggested, by_threshold, adjusted)``; the homeroom teacher confirms the suggestion."""
    by_threshold = _threshold_level(scores, comments, profile)
    rank = Level.ORDER.index(by_threshold)
    best_without_one = rank
    for i in range(len(scores)):
        other = _threshold_level([*scores[:i], *scores[i + 1 :]], comments, profile)
        best_without_one = min(best_without_one, Level.ORDER.index(other))
    for i in range(len(comments)):
        other = _threshold_level(scores, [*comments[:i], *comments[i + 1 :]], profile)
        best_without_one = min(best_without_one, Level.ORDER.index(other))
    if rank - best_without_one >= PROFILES[profile]["adjustment_steps"]:
        return Level.ORDER[rank - 1], by_threshold, True
    return by_threshold, by_threshold, False


def suggested_award(level: str | None, conduct: str | None, year_scores: Sequence[Decimal], profile=SECONDARY_PROFILE):
    """R22 (Art. 15(1)(a)): "Học sinh Xuất sắc" or "Học sinh Giỏi", or ``None``."""
    for award, rule in PROFILES[profile]["awards"].items():
        if level != rule["level"] or conduct != rule["conduct"]:
            continue
        if "count_at_least" in rule:
            count, minimum = rule["count_at_least"]
            if sum(1 for s in year_scores if s >= minimum) < count:
                continue
        return award
    return None


def primary_checkpoints(semester: int) -> tuple[str, ...]:
    return PROFILES[PRIMARY_PROFILE]["checkpoints"][semester]


def primary_tests(subject_code: str, grade: int, semester: int) -> tuple[str, ...]:
    """The checkpoints of one semester at which a primary subject has an integer periodic test (R24)."""
    config = PROFILES[PRIMARY_PROFILE]
    gk, ck = config["checkpoints"][semester]
    tests = []
    mid = config["midterm_tested"]
    if grade in mid["grades"] and subject_code in mid["subjects"]:
        tests.append(gk)
    if subject_code in config["tested_subjects"]:
        tests.append(ck)
    return tuple(tests)


def primary_quality_items() -> tuple[str, ...]:
    """The qualities then the competences the homeroom teacher rates at each checkpoint (TT 27 Art. 7(2))."""
    config = PROFILES[PRIMARY_PROFILE]
    return (*config["qualities"], *config["competences"])


def primary_year_level(
    subject_ratings: Sequence[str], quality_ratings: Sequence[str], test_scores: Sequence[Decimal | int]
) -> str:
    """TT 27 Art. 9(2)(a): HTXS / HTT / HT / CHT from the end-of-year ratings of every subject and educational activity,
    of every quality and competence, and the end-of-year periodic-test scores. The caller passes complete data (a
    missing rating is not "passed"); the homeroom teacher confirms the suggestion."""
    for level, rule in PROFILES[PRIMARY_PROFILE]["year_summary"]:
        if any(r not in rule["subjects"] for r in subject_ratings):
            continue
        if any(r not in rule["qualities"] for r in quality_ratings):
            continue
        if any(Decimal(s) < rule["test_at_least"] for s in test_scores):
            continue
        return level
    return YearLevel.CHT
