"""Matching, ordering, cloze (gap fill) and câu chùm (group) on the computer: built into a test, rendered on the
attempt page (selects, Up/Down buttons, gap inputs), answers validated by the save endpoint, scored by the bank's
scoring with the test's points, and shown on the result page."""

import json
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms.assessments.api import QType, QuestionContent
from lms.assessments.importers.cloze import parse_cloze
from lms.assessments.ir import Choice, NumericAnswer, Pair
from lms.exams import delivery, services
from lms.exams.models import Attempt, AttemptStatus
from tests.courses.support import make_class
from tests.exams.support import approve, ready, schedule
from tests.support.people import PASSWORD


def matching() -> QuestionContent:
    return QuestionContent(
        type=QType.MATCHING,
        stem="Nối mỗi hàm số với đạo hàm của nó.",
        pairs=[Pair("\\(x^2\\)", "\\(2x\\)"), Pair("\\(x^3\\)", "\\(3x^2\\)"), Pair("", "\\(0\\)")],
    )


def ordering() -> QuestionContent:
    return QuestionContent(type=QType.ORDERING, stem="Sắp xếp tăng dần.", items=["1", "2", "3", "4"])


def cloze() -> QuestionContent:
    stem, parts = parse_cloze("Thủ đô của Pháp là {1:MULTICHOICE:=Paris~Lyon}; 2 + 0,5 = {1:NUMERICAL:=2.5}.")
    return QuestionContent(type=QType.CLOZE, stem=stem, parts=parts)


def group() -> QuestionContent:
    parts = [
        QuestionContent(
            type=QType.SINGLE, stem="Câu a?", choices=[Choice("A", "đúng", True), Choice("B", "sai", False)]
        ),
        QuestionContent(type=QType.NUMERIC, stem="Câu b?", numeric=[NumericAnswer(D(3))]),
    ]
    return QuestionContent(type=QType.GROUP, stem="<p>Đọc đoạn văn sau.</p>", parts=parts)


def build_exam(*, start: bool = True):
    """A class, a bank with one ready question of each composite type (2 points each in the test), an approved test
    with one exam code, an open sitting (access code K1); the student's attempt (started when ``start``)."""
    from lms.assessments import api as bank_api

    cls = make_class()
    people = cls.people
    bank = bank_api.create_bank(subject_group=people.group, name="Ngân hàng Toán 10")
    versions = [ready(bank, people, q()) for q in (matching, ordering, cloze, group)]
    test = services.create_test(school=people.school, title="Kiểm tra các dạng", created_by=people.teacher)
    part = services.add_part(test=test, code="I")
    for version in versions:
        services.add_item(part=part, version=version, points=D(2))
    services.generate_variants(test=test, count=1, seed="dang")
    test = approve(test, people)
    sitting = schedule(SimpleNamespace(cls=cls, people=people), test, access_code="K1", review="after_submit")
    attempt = Attempt.objects.select_related("variant", "sitting").get(sitting=sitting, student=people.student)
    if start:
        attempt = services.start_attempt(attempt=attempt, student=people.student, access_code="K1")
    slots = {s["content"]["type"]: s for s in attempt.variant.slots()}
    return attempt, slots, people


@pytest.fixture
def exam(db):
    return build_exam()


RIGHT = {
    "matching": {"\\(x^2\\)": "\\(2x\\)", "\\(x^3\\)": "\\(3x^2\\)"},
    "ordering": ["1", "2", "3", "4"],
    "cloze": ["A", "2,5"],
    "group": ["A", "3"],
}


def _save(attempt, people, changes):
    return services.save_changes(attempt_id=attempt.pk, student=people.student, changes=changes)


def test_every_composite_type_is_answered_validated_and_scored(exam):
    attempt, slots, people = exam
    changes = [{"seq": i, "slot": slots[t]["slot"], "response": RIGHT[t]} for i, t in enumerate(RIGHT, start=1)]
    assert _save(attempt, people, changes)["answered"] == 4
    attempt = services.submit_attempt(attempt=attempt)
    assert (attempt.points, attempt.max_points) == (D(8), D(8))


def test_partial_credit_and_group_scaled_to_the_slot_points(exam):
    attempt, slots, people = exam
    half = {
        "matching": {"\\(x^2\\)": "\\(2x\\)", "\\(x^3\\)": "\\(0\\)"},  # 1 of 2 pairs
        "ordering": ["1", "2", "4", "3"],  # 2 of 4 in place
        "cloze": ["B", "2.5"],  # the numeric gap only
        "group": [None, "3"],  # sub-question b only (1 of the parts' 2 points)
    }
    changes = [{"seq": i, "slot": slots[t]["slot"], "response": half[t]} for i, t in enumerate(half, start=1)]
    _save(attempt, people, changes)
    attempt = services.submit_attempt(attempt=attempt)
    points = {a.slot: a.points for a in attempt.answers.all()}
    assert [points[slots[t]["slot"]] for t in half] == [D(1), D(1), D(1), D(1)]
    assert attempt.max_points == D(8)


@pytest.mark.parametrize(
    ("qtype", "response", "message"),
    [
        ("matching", {"\\(x^9\\)": "\\(2x\\)"}, "match each item"),
        ("matching", {"\\(x^2\\)": "<script>"}, "match each item"),
        ("matching", ["\\(2x\\)"], "match each item"),
        ("ordering", ["1", "2", "3"], "every item of the list"),
        ("ordering", ["1", "1", "2", "3"], "every item of the list"),
        ("cloze", ["C", None], "gap 1: C is not one of its options"),
        ("cloze", ["A", None, "x"], "does not fit"),
        ("cloze", "Paris", "does not fit"),
        ("group", ["A", ["3"]], "sub-question 2: the answer must be text"),
    ],
)
def test_invalid_answers_are_refused_naming_the_question(exam, qtype, response, message):
    attempt, slots, people = exam
    with pytest.raises(ValidationError, match=message):
        _save(attempt, people, [{"seq": 1, "slot": slots[qtype]["slot"], "response": response}])
    assert not attempt.answers.exists()


def test_empty_parts_are_no_answer(exam):
    attempt, slots, people = exam
    _save(attempt, people, [{"seq": 1, "slot": slots["cloze"]["slot"], "response": [None, ""]}])
    assert attempt.answers.get().response is None


def test_attempt_page_renders_keyboard_controls_and_the_result_page_reads_them(exam, client):
    attempt, slots, people = exam
    client.login(username=people.student.username, password=PASSWORD)
    page = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    m, o, c, g = (slots[t]["slot"] for t in ("matching", "ordering", "cloze", "group"))
    assert page.count(f'name="q{m}m') == 2 and 'data-left="\\(x^2\\)"' in page  # one select per left item
    assert page.count('data-move="-1"') == 4 and page.count('data-move="1"') == 4
    assert f'<select name="q{c}g0"' in page and f'name="q{c}g1" value=""' in page and "{#1}" not in page
    assert f'name="q{g}p0"' in page and f'name="q{g}p1"' in page and "Đọc đoạn văn sau." in page
    # the ordering starts shuffled, never in the right order
    shown = delivery.ordering_start(slots["ordering"]["content"], f"{attempt.variant_id}:{o}")
    assert shown != RIGHT["ordering"] and sorted(shown) == RIGHT["ordering"]

    body = {
        "changes": [
            {"seq": 1, "slot": m, "response": RIGHT["matching"]},
            {"seq": 2, "slot": c, "response": ["A", "2,5"]},
        ]
    }
    saved = client.post(reverse("exams:save", args=[attempt.pk]), json.dumps(body), content_type="application/json")
    assert saved.status_code == 200, saved.content
    bad = {"changes": [{"seq": 3, "slot": o, "response": ["9"]}]}
    refused = client.post(reverse("exams:save", args=[attempt.pk]), json.dumps(bad), content_type="application/json")
    assert refused.status_code == 400
    # a reload shows what was saved
    again = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert '<option value="\\(2x\\)" selected>' in again and '<option value="A" selected>' in again

    services.submit_attempt(attempt=attempt)
    result = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert "\\(x^2\\) → \\(2x\\); \\(x^3\\) → \\(3x^2\\)" in result  # the answer and (same) the key
    assert "(1) A (2) 2,5" in result
    assert "1. 1 2. 2 3. 3 4. 4" in result  # the ordering key
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.SUBMITTED
