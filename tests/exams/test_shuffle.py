"""Exam codes (R29): questions shuffled within parts, single-choice options shuffled, Đúng/Sai statements kept in
order, keys that follow the shuffle, reproducible from the seed. Pure: no database."""

from decimal import Decimal

from lms.assessments.api import score
from lms.assessments.ir import Question
from lms.exams.shuffle import Slot, build_variant, original_label
from tests.exams.support import numeric, single, tf4


def _parts():
    p1 = [Slot(100 + i, "0.25", "I", single(i).to_content()) for i in range(1, 13)]
    p2 = [Slot(200 + i, "1.0", "II", tf4(i).to_content()) for i in range(1, 5)]
    p3 = [Slot(300 + i, "0.5", "III", numeric(i).to_content()) for i in range(1, 7)]
    return [("I", p1), ("II", p2), ("III", p3)]


def _original(version: int) -> dict:
    for _code, slots in _parts():
        for s in slots:
            if s.version == version:
                return s.content
    raise KeyError(version)


def test_same_seed_same_variant_and_codes_differ():
    a = build_variant(_parts(), seed="s1", number=1)
    b = build_variant(_parts(), seed="s1", number=1)
    c = build_variant(_parts(), seed="s1", number=2)
    assert a.layout() == b.layout() and a.key == b.key
    assert a.code == "102" and c.code == "103"
    assert [s["version"] for p in a.parts for s in p["slots"]] != [s["version"] for p in c.parts for s in p["slots"]]


def test_questions_stay_in_their_part_and_parts_keep_their_order():
    v = build_variant(_parts(), seed="x", number=0)
    assert [p["code"] for p in v.parts] == ["I", "II", "III"]
    assert sorted(s["version"] for s in v.parts[0]["slots"]) == list(range(101, 113))
    assert sorted(s["version"] for s in v.parts[1]["slots"]) == list(range(201, 205))
    assert sorted(s["version"] for s in v.parts[2]["slots"]) == list(range(301, 307))
    assert [s["slot"] for p in v.parts for s in p["slots"]] == list(range(1, 23))  # numbered in delivery order
    assert [s["version"] for s in v.parts[0]["slots"]] != list(range(101, 113))  # actually shuffled


def test_key_follows_the_option_shuffle():
    v = build_variant(_parts(), seed="key", number=3)
    moved = 0
    for slot in v.parts[0]["slots"]:
        original = _original(slot["version"])
        shown = slot["content"]["choices"]
        # relabelled A–D in the new order, same texts as the original options in the recorded order
        assert [c["label"] for c in shown] == ["A", "B", "C", "D"]
        texts = {c["label"]: c["text"] for c in original["choices"]}
        assert [c["text"] for c in shown] == [texts[label] for label in slot["choice_order"]]
        # the key is where the right option went, and scoring the shown content with it gives full marks
        right_text = next(c["text"] for c in original["choices"] if c["correct"])
        assert shown[" ABCD".index(slot["key"]) - 1]["text"] == right_text
        assert v.key[str(slot["slot"])] == slot["key"]
        assert original_label(slot, slot["key"]) == "A"  # every original key in the fixture is A
        q = Question.from_content(slot["content"])
        q.points = Decimal("0.25")
        assert score(q, slot["key"]).points == Decimal("0.25")
        assert score(q, "ABCD".replace(slot["key"], "")[0]).points == 0
        moved += slot["key"] != "A"
    assert moved >= 6  # the key is not always A any more


def test_true_false_statements_keep_their_order_and_key():
    v = build_variant(_parts(), seed="tf", number=5)
    for slot in v.parts[1]["slots"]:
        assert [s["label"] for s in slot["content"]["statements"]] == ["a", "b", "c", "d"]
        assert slot["content"]["statements"] == _original(slot["version"])["statements"]
        assert slot["key"] == "ĐSĐS" and slot["choice_order"] == []


def test_numeric_key_and_unshuffled_variant():
    v = build_variant(_parts(), seed="n", number=0, shuffle=False)
    assert [s["version"] for p in v.parts for s in p["slots"]] == [*range(101, 113), *range(201, 205), *range(301, 307)]
    assert v.parts[0]["slots"][0]["key"] == "A"
    assert v.parts[2]["slots"][0]["key"] == "1,5"


def test_question_that_must_not_be_shuffled_keeps_its_options():
    content = single(1).to_content()
    content["shuffle"] = False  # e.g. "D. Cả ba đáp án trên"
    v = build_variant(
        [("I", [Slot(1, "0.25", "I", content), Slot(2, "0.25", "I", single(2).to_content())])], seed="z", number=1
    )
    fixed = next(s for s in v.parts[0]["slots"] if s["version"] == 1)
    assert fixed["content"]["choices"] == content["choices"] and fixed["key"] == "A"
