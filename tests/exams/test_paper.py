"""The printed model of a question (``lms.exams.paper``, pure): lines, answer-sheet cells and keys per type, with
hand-checked expectations; the print-only orders are seeded and the keys follow them."""

import random
from decimal import Decimal as D

import pytest

from lms.assessments.api import QType, QuestionContent
from lms.assessments.importers.cloze import parse_cloze
from lms.assessments.ir import Choice, NumericAnswer, Pair, Statement, TextAnswer
from lms.exams.paper import paper, printed


def _printed(q: QuestionContent, number: str = "1", seed: int = 1):
    return printed(q.to_content(), number, random.Random(seed))


def _letters(lines, texts):
    """The printed letter of each text, in ``texts`` order."""
    shown = {line.text: line.prefix.rstrip(". ") for line in lines}
    return [shown[t] for t in texts]


def test_single_choice_and_tf4_keep_the_variants_labels():
    q = _printed(
        QuestionContent(
            type=QType.SINGLE, stem="S", choices=[Choice("A", "x", False), Choice("B", "y", True)], answer_sheet=""
        )
    )
    assert [(line.prefix, line.text, line.right) for line in q.lines] == [("A. ", "x", False), ("B. ", "y", True)]
    assert [c.text for c in q.sheet] == ["A", "B"] and q.key == "B"
    statements = [Statement(label, "s", truth) for label, truth in zip("abcd", (True, False, False, True), strict=True)]
    q = _printed(QuestionContent(type=QType.TF4, stem="S", statements=statements))
    assert q.key == "ĐSSĐ" and [line.prefix for line in q.lines] == ["a) ", "b) ", "c) ", "d) "]
    assert q.sheet[0].text == "a) Đúng □ Sai □"


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (QuestionContent(type=QType.NUMERIC, stem="", numeric=[NumericAnswer(D("2.50"))]), "2,5"),
        (QuestionContent(type=QType.NUMERIC, stem="", numeric=[NumericAnswer(D("-1.5"), D("0.1"))]), "-1,5 ± 0,1"),
        (QuestionContent(type=QType.NUMERIC, stem="", numeric=[NumericAnswer(D("1E+1"))]), "10"),
        (
            QuestionContent(type=QType.SHORT, stem="", answers=[TextAnswer("Huế", D("0.5")), TextAnswer("Hà Nội")]),
            "Hà Nội",
        ),
        (
            QuestionContent(
                type=QType.TRUE_FALSE, stem="", choices=[Choice("Đ", "Đúng", False), Choice("S", "Sai", True)]
            ),
            "Sai",
        ),
        (QuestionContent(type=QType.ESSAY, stem=""), "TL"),
    ],
)
def test_answer_keys(content, key):
    assert _printed(content).key == key


def test_a_thpt_short_answer_gets_four_boxes_another_a_line():
    thpt = QuestionContent(type=QType.NUMERIC, stem="", numeric=[NumericAnswer(D(1))], answer_sheet="THPT2025")
    assert [c.width for c in _printed(thpt).sheet] == [9.0] * 4
    assert len(_printed(QuestionContent(type=QType.SHORT, stem="", answers=[TextAnswer("a")])).sheet) == 1


def test_matching_numbers_the_left_letters_every_right_once_and_keys_by_the_print():
    pairs = [Pair("x", "1"), Pair("y", "2"), Pair("z", "1"), Pair("", "3")]  # z shares x's right; 3 is a distractor
    q = _printed(QuestionContent(type=QType.MATCHING, stem="", pairs=pairs))
    assert [(line.prefix, line.text) for line in q.lines[:3]] == [("1. ", "x"), ("2. ", "y"), ("3. ", "z")]
    rights = q.lines[3:]
    assert sorted(line.text for line in rights) == ["1", "2", "3"]
    assert [line.prefix for line in rights] == ["a. ", "b. ", "c. "]
    one, two = _letters(rights, ["1", "2"])
    assert q.key == f"1-{one}, 2-{two}, 3-{one}"
    assert [c.text for c in q.sheet] == ["1-…", "2-…", "3-…"]


def test_ordering_is_never_printed_in_the_right_order_and_its_key_restores_it():
    items = ["một", "hai", "ba"]
    for seed in range(30):
        q = _printed(QuestionContent(type=QType.ORDERING, stem="", items=items), seed=seed)
        assert [line.text for line in q.lines] != items and sorted(line.text for line in q.lines) == sorted(items)
        assert q.key == ", ".join(_letters(q.lines, items))
        assert [c.text for c in q.sheet] == ["Thứ tự:", "", "", ""]


def test_cloze_gaps_options_and_keys():
    stem, parts = parse_cloze("Chọn {1:MULTIRESPONSE:=2~4~=3}, {1:NUMERICAL:=2.5:0.1} và {1:MULTICHOICE:=x~y}.")
    q = _printed(QuestionContent(type=QType.CLOZE, stem=stem, parts=parts))
    assert q.stem == "Chọn ___(1)___, ___(2)___ và ___(3)___."
    assert [line.prefix for line in q.lines] == ["(1) ", "(3) "]  # the numeric gap has no options
    options = [dict(o.split(". ", 1) for o in line.text.split("\u2003\u2003")) for line in q.lines]
    assert sorted(options[0].values()) == ["2", "3", "4"] and sorted(options[1]) == ["A", "B"]
    right = "".join(sorted(k for k, v in options[0].items() if v in ("2", "3")))
    y = next(k for k, v in options[1].items() if v == "x")
    assert q.key == f"(1) {right}; (2) 2,5 ± 0,1; (3) {y}"
    assert [c.text for c in q.sheet] == ["(1)", "(2)", "(3)"]


@pytest.mark.parametrize(
    ("count", "intro"),
    [
        (1, "Đọc thông tin sau và trả lời câu 4.1."),
        (2, "Đọc thông tin sau và trả lời câu 4.1 và câu 4.2."),
        (3, "Đọc thông tin sau và trả lời các câu từ 4.1 đến 4.3."),
    ],
)
def test_a_cau_chum_names_its_sub_questions(count, intro):
    parts = [QuestionContent(type=QType.SHORT, stem=f"p{i}", answers=[TextAnswer(str(i))]) for i in range(count)]
    q = _printed(QuestionContent(type=QType.GROUP, stem="Đoạn văn", parts=parts), number="4")
    assert q.intro == intro and [p.number for p in q.parts] == [f"4.{i}" for i in range(1, count + 1)]
    assert [row.key for row in q.rows()] == [str(i) for i in range(count)] and q.sheet == []


def test_a_cau_chum_with_a_nested_cloze_and_a_description_has_a_row_per_answerable_part():
    stem, gaps = parse_cloze("a = {1:SHORTANSWER:=b}")
    parts = [
        QuestionContent(type=QType.DESCRIPTION, stem="Chú ý"),
        QuestionContent(type=QType.CLOZE, stem=stem, parts=gaps),
    ]
    q = _printed(QuestionContent(type=QType.GROUP, stem="", parts=parts), number="2")
    assert [p.number for p in q.parts] == ["", "2.1"]  # the text-only part has no number
    assert q.intro == "Đọc thông tin sau và trả lời câu 2.1."
    assert [(row.number, row.key) for row in q.rows()] == [("2.1", "(1) b")]
    assert q.key == "2.1: (1) b"


def test_paper_is_reproducible_per_code_and_titles_single_type_parts():
    ordering = QuestionContent(type=QType.ORDERING, stem="", items=list("abcdefgh")).to_content()
    layout = {"parts": [{"code": "I", "slots": [{"slot": 1, "content": ordering}]}]}
    first, again, other = paper(layout, "s:0"), paper(layout, "s:0"), paper(layout, "s:1")
    assert first == again and first[0].title == "Câu sắp xếp thứ tự"
    assert first[0].questions[0].key != other[0].questions[0].key  # 8 items: two codes order them differently
