"""Đúng/Sai statistics per statement, against a hand-worked example (pure), and on the analysis page.

Six students; item T is a Đúng/Sai question (key a Đ, b S, c Đ, d S; 1 point, THPT 2025 table), item X a 1-point
single choice. Judgements (– = blank), points of T, X, total:

    student   a  b  c  d    T     X   total
       1      Đ  S  Đ  S   1      1   2
       2      Đ  S  Đ  Đ   0,5    1   1,5
       3      Đ  S  S  Đ   0,25   1   1,25
       4      Đ  Đ  S  S   0,25   0   0,25
       5      S  Đ  Đ  –   0,1    0   0,1
       6      S  Đ  S  Đ   0      0   0

27 % of 6 = 1,62 → 2: upper = students 1, 2; lower = 5, 6.
  a: right 1,2,3,4 → p = 4/6 = 0,666667; upper 2/2, lower 0/2 → D = 1
  b: right 1,2,3   → p = 3/6 = 0,5;      upper 2/2, lower 0/2 → D = 1
  c: right 1,2,5   → p = 3/6 = 0,5;      upper 2/2, lower 1/2 → D = 0,5
  d: right 1,4     → p = 2/6 = 0,333333; upper 1/2, lower 0/2 → D = 0,5; one blank (student 5)
Answered Đ / S / blank: a 4/2/0, b 3/3/0, c 3/3/0, d 3/2/1. None flagged (D ≥ 0,2; 0,2 ≤ p ≤ 0,9).
"""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from lms.exams.analysis import analyse

KEY = {"a": "Đ", "b": "S", "c": "Đ", "d": "S"}
ROWS = [
    ("ĐSĐS", "1", 1),
    ("ĐSĐĐ", "0.5", 1),
    ("ĐSSĐ", "0.25", 1),
    ("ĐĐSS", "0.25", 0),
    ("SĐĐ-", "0.1", 0),
    ("SĐSĐ", "0", 0),
]


def test_per_statement_facility_and_discrimination_by_hand():
    scores = [{"T": D(t), "X": D(x)} for _j, t, x in ROWS]
    judgements = [{"T": {label: m for label, m in zip("abcd", j, strict=True) if m != "-"}} for j, _t, _x in ROWS]
    stats = analyse([("T", D(1)), ("X", D(1))], scores, judgements=judgements, statement_keys={"T": KEY})
    assert stats.group_size == 2
    t, x = stats.items
    assert x.statements == []
    got = {s["label"]: s for s in t.statements}
    assert [s["label"] for s in t.statements] == ["a", "b", "c", "d"]
    assert got["a"]["facility"] == pytest.approx(4 / 6) and got["a"]["discrimination"] == pytest.approx(1)
    assert got["b"]["facility"] == pytest.approx(0.5) and got["b"]["discrimination"] == pytest.approx(1)
    assert got["c"]["facility"] == pytest.approx(0.5) and got["c"]["discrimination"] == pytest.approx(0.5)
    assert got["d"]["facility"] == pytest.approx(2 / 6) and got["d"]["discrimination"] == pytest.approx(0.5)
    assert [(s["true"], s["false"], s["blank"]) for s in t.statements] == [(4, 2, 0), (3, 3, 0), (3, 3, 0), (3, 2, 1)]
    assert all(s["flags"] == [] for s in t.statements)
    assert t.facility == pytest.approx((1 + 0.5 + 0.25 + 0.25 + 0.1) / 6)  # the item's own figures are unchanged


def test_a_statement_everyone_gets_right_is_flagged():
    scores = [{"T": D(1)}, {"T": D("0.5")}, {"T": D("0.5")}, {"T": D(0)}]
    judged = [{"T": {"a": "Đ", "b": m}} for m in ("S", "Đ", "Đ", "Đ")]
    stats = analyse([("T", D(1))], scores, judgements=judged, statement_keys={"T": {"a": "Đ", "b": "S"}})
    a, b = stats.items[0].statements
    assert a["facility"] == 1 and a["discrimination"] == 0 and a["flags"] == ["discrimination", "facility"]
    assert b["facility"] == pytest.approx(0.25) and b["discrimination"] == 1 and b["flags"] == []
    # the statement alone sends the question back to the bank (the question's own D is 1: not flagged)
    assert stats.items[0].flags == []
    assert [(r["path"], r["flags"]) for r in stats.items[0].review_reasons] == [
        ([("statement", 0, "a")], ["discrimination", "facility"])
    ]


def test_the_analysis_page_lists_the_statements(db, client):
    from lms.exams import services
    from lms.exams.models import Attempt
    from tests.exams.support import make_bank, schedule, toan_test

    setup = make_bank()
    sitting = schedule(setup, toan_test(setup, variants=2))
    for student in (setup.people.student, setup.cls.student2):
        attempt = Attempt.objects.select_related("variant").get(sitting=sitting, student=student)
        services.start_attempt(attempt=attempt, student=student)
        tf = [s for s in attempt.variant.slots() if s["content"]["type"] == "true_false_4"]
        judged = dict(zip("abcd", tf[0]["key"], strict=True)) if student == setup.people.student else {"a": "S"}
        services.save_changes(
            attempt_id=attempt.pk, student=student, changes=[{"seq": 1, "slot": tf[0]["slot"], "response": judged}]
        )
        services.submit_attempt(attempt=attempt)
    client.force_login(setup.people.teacher)
    page = client.get(reverse("exams:analysis", args=[sitting.pk])).content.decode()
    table = page.split('data-testid="statements"')[1].split("</table>")[0]
    assert table.count("<tr") == 1 + 4 * 4  # header + four statements of each of the four Đúng/Sai questions
    assert "a)" in table and "Đ" in table
