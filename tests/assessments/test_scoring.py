"""Pure Decimal scoring per question type (R26, R27), without a database."""

import itertools
from decimal import Decimal as D

import pytest

from lms.assessments.ir import Choice, NumericAnswer, Pair, QType, Question, RubricCriterion, Statement, TextAnswer
from lms.assessments.rules import THPT2025, get_rule_set
from lms.assessments.scoring import check_answer_sheet, parse_number, score

KEY = (True, False, True, False)  # Đ S Đ S
# R27 as written in the regulation, not read from the configuration under test.
R27 = {0: D("0"), 1: D("0.1"), 2: D("0.25"), 3: D("0.5"), 4: D("1.0")}


def tf4(points="1"):
    return Question(
        type=QType.TF4,
        stem="Cho hàm số $y=x^2$.",
        points=D(points),
        statements=[Statement(label, f"Mệnh đề {label}", truth) for label, truth in zip("abcd", KEY, strict=True)],
    )


@pytest.mark.parametrize("pattern", list(itertools.product([True, False], repeat=4)))
def test_tf4_all_16_answer_patterns(pattern):
    right = sum(1 for given, truth in zip(pattern, KEY, strict=True) if given == truth)
    result = score(tf4(), dict(zip("abcd", pattern, strict=True)))
    assert result.points == R27[right]
    assert result.max_points == D(1)


def test_tf4_pattern_count_is_16_and_covers_every_count():
    counts = [sum(g == t for g, t in zip(p, KEY, strict=True)) for p in itertools.product([True, False], repeat=4)]
    assert len(counts) == 16
    assert sorted(set(counts)) == [0, 1, 2, 3, 4]


def test_tf4_accepts_answer_strings_and_unanswered_statements():
    assert score(tf4(), "ĐSĐS").points == D("1.0")
    assert score(tf4(), "SĐSĐ").points == D("0")
    assert score(tf4(), ["Đ", None, None, None]).points == D("0.1")  # unanswered counts as not right
    assert score(tf4(), None).points == D("0")


def test_tf4_scales_with_item_points_and_rounds_half_up():
    assert score(tf4("2"), "ĐSSS").points == D("1.00")
    assert score(tf4("0.5"), "ĐSSĐ").points == D("0.13")  # 0.5 × 0.25 = 0.125 → 0.13 half-up


def test_tf4_table_is_keyed_by_instrument():
    assert get_rule_set("THPT2025").tf4_table == R27
    with pytest.raises(LookupError):
        get_rule_set("THPT2018")


def test_r28_templates_total_exactly_ten():
    for template in THPT2025.templates.values():
        assert template.total == D(10)
    assert THPT2025.templates["toan"].minutes == 90


def single():
    return Question(
        type=QType.SINGLE,
        stem="2+2?",
        points=D("0.25"),
        choices=[Choice("A", "3", False), Choice("B", "4", True), Choice("C", "5", False)],
    )


def test_single_choice():
    assert score(single(), "B").points == D("0.25")
    assert score(single(), "b").points == D("0.25")
    assert score(single(), "A").points == D("0")
    assert score(single(), None).detail == "no answer"


def test_single_choice_with_partial_weight():
    q = single()
    q.choices[2].fraction = D("0.5")
    assert score(q, "C").points == D("0.13")


def test_multiple_response_partial_credit_and_clamp():
    q = Question(
        type=QType.MULTIPLE,
        stem="Chọn số chẵn",
        points=D(2),
        choices=[Choice("A", "2", True), Choice("B", "3", False), Choice("C", "4", True), Choice("D", "5", False)],
    )
    assert score(q, ["A", "C"]).points == D("2.00")
    assert score(q, ["A"]).points == D("1.00")
    assert score(q, ["A", "B"]).points == D("0.00")
    assert score(q, ["B", "D"]).points == D("0.00")  # clamped, never negative


def test_true_false():
    q = Question(type=QType.TRUE_FALSE, stem="1 là số nguyên tố", choices=[Choice("", "", False)])
    assert score(q, False).points == D(1)
    assert score(q, True).points == D(0)


def test_short_answer_case_and_diacritics():
    q = Question(type=QType.SHORT, stem="Thủ đô?", answers=[TextAnswer("Hà Nội"), TextAnswer("HN", D("0.5"))])
    assert score(q, "hà  nội ").points == D(1)
    assert score(q, "Ha Noi").points == D(0)
    q.ignore_diacritics = True
    assert score(q, "ha noi").points == D(1)
    assert score(q, "hn").points == D("0.50")
    q.case_sensitive = True
    assert score(q, "hn").points == D(0)


def test_short_answer_wildcard():
    q = Question(type=QType.SHORT, stem="?", answers=[TextAnswer("qu*c")])
    assert score(q, "quốc").points == D(1)


def test_numeric_tolerance_and_decimal_comma():
    q = Question(type=QType.NUMERIC, stem="π?", numeric=[NumericAnswer(D("3.14"), D("0.01"))])
    assert score(q, "3,15").points == D(1)
    assert score(q, "3.13").points == D(1)
    assert score(q, "3,16").points == D(0)
    assert score(q, "abc").points == D(0)


def test_numeric_part_iii_answer_sheet_rule():
    q = Question(
        type=QType.NUMERIC, stem="x?", points=D("0.5"), answer_sheet="THPT2025", numeric=[NumericAnswer(D("-1.5"))]
    )
    assert score(q, "-1,5").points == D("0.50")
    result = score(q, "-1.5")  # "." is not on the answer sheet
    assert result.points == D(0)
    assert "answer sheet" in result.detail
    assert score(q, "-1,50").points == D(0)  # five characters
    rule = THPT2025.answer_sheet
    assert check_answer_sheet("75", rule) is None
    assert check_answer_sheet("-1,5", rule) is None
    assert check_answer_sheet("12345", rule) == "more than 4 characters"
    assert "x" in check_answer_sheet("1x", rule)
    assert parse_number("−1,5") == D("-1.5")


def test_matching_and_ordering():
    q = Question(type=QType.MATCHING, stem="Nối", pairs=[Pair("a", "1"), Pair("b", "2"), Pair("", "3")], points=D(1))
    assert score(q, {"a": "1", "b": "3"}).points == D("0.50")
    o = Question(type=QType.ORDERING, stem="Xếp", items=["x", "y", "z", "w"])
    assert score(o, ["x", "y", "w", "z"]).points == D("0.50")


def test_cloze_sums_its_parts_scaled_to_points():
    parts = [
        Question(type=QType.SHORT, stem="", answers=[TextAnswer("Paris")], points=D(1)),
        Question(type=QType.NUMERIC, stem="", numeric=[NumericAnswer(D(2))], points=D(3)),
    ]
    q = Question(type=QType.CLOZE, stem="{#1} {#2}", parts=parts, points=D(2))
    assert score(q, ["paris", "2"]).points == D("2.00")
    assert score(q, ["paris", "3"]).points == D("0.50")


def test_essay_needs_marking_then_rubric():
    q = Question(
        type=QType.ESSAY,
        stem="Viết",
        points=D(3),
        rubric=[RubricCriterion("Ý", D(2)), RubricCriterion("Diễn đạt", D(1))],
    )
    assert score(q, None).needs_marking
    assert score(q, {0: "1.5", 1: "1"}).points == D("2.50")
    with pytest.raises(ValueError):
        score(q, {0: "3"})


def test_group_sums_sub_questions():
    q = Question(type=QType.GROUP, stem="Đọc đoạn văn", parts=[single(), tf4()])
    result = score(q, ["B", "ĐSĐĐ"])
    assert result.points == D("0.25") + D("0.5")
    assert result.max_points == D("1.25")
