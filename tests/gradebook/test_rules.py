"""R17, R18, R20, R21, R22, R24: the rules of lms.gradebook.rules against the worked examples and exact fractions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.gradebook import rules
from lms.gradebook.rules import Level

D = Decimal


def test_r20_semester_average_worked_example():
    # tx = [8, 9], gk = 7, ck = 8 → (17 + 14 + 24)/7 = 55/7 = 7,857… → 7,9
    average = rules.semester_average([D(8), D(9)], D(7), D(8))
    assert average == D("7.9")
    assert rules.format_score(average) == "7,9"


def test_r20_year_average_worked_example():
    # HK1 = 6,8, HK2 = 7,4 → 21,6/3 = 7,2
    assert rules.year_average(D("6.8"), D("7.4")) == D("7.2")


def test_r17_half_up_not_bankers_rounding():
    assert rules.round_half_up(D("8.25")) == D("8.3")
    assert rules.format_score(D("8.25")) == "8,3"


def test_r19_missing_components_block_the_average():
    assert rules.semester_average([D(8), D(9)], None, D(8)) is None
    assert rules.semester_average([D(8)], D(7), None) is None
    assert rules.year_average(D(7), None) is None


@pytest.mark.parametrize(("periods", "required"), [(35, 2), (36, 3), (70, 3), (71, 4), (105, 4), (1, 2)])
def test_r18_required_regular_assessments(periods, required):
    assert rules.required_tx(periods) == required


def test_r21_single_subject_one_step_no_adjustment():
    scores = [D(x) for x in ("8", "8", "8", "8", "8", "8", "6.4", "7", "7")]
    suggested, by_threshold, adjusted = rules.academic_level(scores)
    assert by_threshold == Level.KHA
    assert suggested == Level.KHA and not adjusted


def test_r21_single_subject_three_steps_raised_to_adjacent_level():
    scores = [D(x) for x in ("8", "8", "8", "8", "8", "8", "8", "3.0")]
    suggested, by_threshold, adjusted = rules.academic_level(scores)
    assert by_threshold == Level.CHUA_DAT
    assert suggested == Level.DAT and adjusted


def test_r21_thresholds_and_comment_subjects():
    assert rules.academic_level([D(9)] * 8, [rules.Rating.DAT] * 3)[0] == Level.TOT
    # One comment subject Chưa đạt: at most Đạt by threshold; without it Tốt (two steps) → Khá.
    suggested, by_threshold, adjusted = rules.academic_level([D(9)] * 8, [rules.Rating.CHUA_DAT])
    assert (by_threshold, suggested, adjusted) == (Level.DAT, Level.KHA, True)
    # Two weak subjects: no single subject is the cause, so no adjustment.
    suggested, by_threshold, adjusted = rules.academic_level([D(8)] * 6 + [D(3), D(3)])
    assert (suggested, adjusted) == (Level.CHUA_DAT, False)


def test_r22_awards():
    nine = [D("9.0")] * 6 + [D("8.0")] * 3
    assert rules.suggested_award(Level.TOT, Level.TOT, nine) == rules.Award.XUAT_SAC
    assert rules.suggested_award(Level.TOT, Level.TOT, [D(8)] * 9) == rules.Award.GIOI
    assert rules.suggested_award(Level.TOT, Level.KHA, nine) is None
    assert rules.suggested_award(None, Level.TOT, nine) is None


def test_r17_parse_scores_with_a_decimal_comma():
    assert rules.parse_score("8,5") == D("8.5")
    assert rules.parse_score(" 10 ") == D("10.0")
    for bad in ("8,55", "11", "-1", "abc", "NaN"):
        with pytest.raises(rules.ScoreError):
            rules.parse_score(bad)


def test_r24_primary_tests_are_integers():
    assert rules.parse_score("9", rules.PRIMARY_PROFILE) == D(9)
    assert rules.parse_score("0", rules.PRIMARY_PROFILE) == D(0)
    with pytest.raises(rules.ScoreError, match=r"whole|nguyên"):
        rules.parse_score("8,5", rules.PRIMARY_PROFILE)
    assert rules.primary_checkpoints(1) == ("GK1", "CK1")
    assert rules.primary_tests("toan", 5, 1) == ("GK1", "CK1")
    assert rules.primary_tests("toan", 3, 2) == ("CN",)
    assert rules.primary_tests("dao-duc", 3, 2) == ()
    # read back from the database a whole score has a decimal place (9.0): it is still shown whole
    assert rules.format_score(D("9.0"), whole=True) == "9"
    assert rules.format_score(D("9.0")) == "9,0"


def test_r25_profiles_are_versioned_by_instrument():
    assert set(rules.PROFILES) == {"TT22_2021", "TT27_2020"}
    assert rules.profile_for_grade(3) == "TT27_2020"
    assert rules.profile_for_grade(10) == "TT22_2021"


def _half_up(fraction: Fraction) -> Decimal:
    # Exact: the fraction scaled by ten, rounded half up on integers, with no decimal context involved.
    tenths = fraction * 10
    floor = tenths.numerator // tenths.denominator
    if tenths - floor >= Fraction(1, 2):
        floor += 1
    return (D(floor) / 10).quantize(D("0.1"), rounding=ROUND_HALF_UP)


scores = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 10)


@given(tx=st.lists(scores, min_size=1, max_size=8), gk=scores, ck=scores)
def test_semester_average_equals_exact_fraction(tx, gk, ck):
    exact = (sum(Fraction(x) for x in tx) + 2 * Fraction(gk) + 3 * Fraction(ck)) / (len(tx) + 5)
    assert rules.semester_average(tx, gk, ck) == _half_up(exact)


@given(hk1=scores, hk2=scores)
def test_year_average_equals_exact_fraction(hk1, hk2):
    assert rules.year_average(hk1, hk2) == _half_up((Fraction(hk1) + 2 * Fraction(hk2)) / 3)
