"""Item analysis of matching, ordering, cloze and câu chùm (group) questions: their parts (pairs, positions, gaps,
sub-questions) against hand-worked examples (pure), then the analysis page, its query budget and the flags sent back
to the bank.

Example A — six students, three items: M matching (2 points; pairs x → "1", y → "2", right-hand distractor "3"),
O ordering (3 points; items p, q, r), S single choice (1 point).

    student  M: x  y       M   O (order)  O   S   total   rest of M  rest of O  rest of S
       1       1  2        2   p q r      3   1     6        4          3          5
       2       1  3        1   p q r      3   1     5        4          2          4
       3       1  2        2   p r q      1   1     4        2          3          3
       4       1  1        1   q p r      1   0     2        1          1          2
       5       2  –        0   q p r      1   0     1        1          0          1
       6       –  –        0   q r p      0   0     0        0          0          0

Totals: mean 18/6 = 3; deviations 3, 2, 1, −1, −2, −3 → Σd² = 28, variance 28/6 = 4,666667, SD 2,160247.
27 % of 6 = 1,62 → 2: upper = students 1, 2; lower = 5, 6.
Facility (mean / max): M 6/12 = 0,5; O 9/18 = 0,5; S 3/6 = 0,5.
D = mean fraction upper − lower: M (1 + 0,5)/2 − 0 = 0,75; O 1 − (1/3 + 0)/2 = 5/6 = 0,833333; S 1 − 0 = 1.
Item variances (points): M Σd² = 1+0+1+0+1+1 = 4 → 4/6; O Σd² = 2,25·3 + 0,25·3 = 7,5 → 7,5/6; S 1,5/6.
Cronbach's alpha = 3/2 · (1 − (4 + 7,5 + 1,5)/6 ÷ 28/6) = 1,5 · (1 − 13/28) = 45/56 = 0,803571 (not KR-20: M and O
are partial credit by rule); SEM = √(28/6 · 11/56) = √(11/12) = 0,957427.
Item–rest r (corrected item–total), deviations from the means:
  M: dM = 1, 0, 1, 0, −1, −1; rest 4, 4, 2, 1, 1, 0 (mean 2) → d = 2, 2, 0, −1, −1, −2;
     Σ dM·d = 2+0+0+0+1+2 = 5, Σ dM² = 4, Σ d² = 14 → r = 5/√56 = 0,668153
  O: dO = 1,5, 1,5, −0,5, −0,5, −0,5, −1,5; rest 3, 2, 3, 1, 0, 0 (mean 1,5) → d = 1,5, 0,5, 1,5, −0,5, −1,5, −1,5;
     Σ = 2,25+0,75−0,75+0,25+0,75+2,25 = 5,5; Σ dO² = 7,5; Σ d² = 9,5 → r = 5,5/√71,25 = 0,651584
  S: dS = ±0,5; rest 5, 4, 3, 2, 1, 0 (mean 2,5) → Σ = 0,5·(2,5+1,5+0,5+0,5+1,5+2,5) = 4,5; Σ dS² = 1,5; Σ d² = 17,5
     → r = 4,5/√26,25 = 0,878310; point-biserial with the total: (M₁ − M₀)/SD · √(pq) = (5 − 1)/2,160247 · 0,5
     = 0,925820.
Pairs of M (1 point each; right = 1, else 0):
  x: right 1, 2, 3, 4 → p = 4/6 = 0,666667; D = 1 − 0 = 1; rest = total − x = 5, 4, 3, 1, 1, 0;
     dx = ⅓, ⅓, ⅓, ⅓, −⅔, −⅔, d = 7/3, 4/3, 1/3, −5/3, −5/3, −8/3 → Σ = 11/3, Σ dx² = 4/3, Σ d² = 58/3
     → r = 11/√232 = 0,722185.
     Chosen: "1" 4 (upper 2, lower 0), "2" 1 (lower 1), "3" 0, blank 1 (lower 1).
  y: right 1, 3 → p = 2/6 = 0,333333; D = 0,5 − 0 = 0,5; rest 5, 5, 3, 2, 1, 0 (mean 8/3); dy = ⅔, −⅓, ⅔, −⅓, −⅓,
     −⅓, d = 7/3, 7/3, 1/3, −2/3, −5/3, −8/3 → Σ = 8/3, Σ dy² = 4/3, Σ d² = 64/3 → r = (8/3)/(16/3) = 0,5.
     Chosen: "1" 1 (neither group), "2" 2 (upper 1), "3" 1 (upper 1), blank 2 (lower 2).
Positions of O (1 point each): p first: students 1, 2, 3 → p = 0,5, D = 1 − 0 = 1; q second: 1, 2 → p = 0,333333,
D = 1; r third: 1, 2, 4, 5 → p = 0,666667, D = 1 − 0,5 = 0,5. Wrong orders: q p r ×2, p r q ×1, q r p ×1.
Nothing is flagged (every D ≥ 0,2 and every p within 0,2–0,9).

Example B — six students: C cloze (2 points; gap 1 a dropdown A Paris* / B Lyon / C Nice, gap 2 a short answer
"Hà Nội", 1 point each) and G câu chùm (2 points; sub-question 1 single choice A* / B, sub-question 2 numeric 3):

    student  gap 1  gap 2      C    G: 1   2     G   total
       1      A     Hà Nội     2       A   3     2     4
       2      A     ha noi     1       A   3     2     3
       3      B     Hà Nội     1       A   4     1     2
       4      A     Huế        1       B   3     1     2
       5      C     Huế        0       A   –     1     1
       6      –     Sài Gòn    0       –   5     0     0

Upper = students 1, 2; lower = 5, 6 (ranks 3 and 4 tie in the middle, which changes no group).
  gap 1: right 1, 2, 4 → p = 0,5, D = 1 − 0 = 1; A* 3 (upper 2, lower 0), B 1, C 1 (lower 1), blank 1 (lower 1).
  gap 2: right 1, 3 (diacritics count) → p = 0,333333, D = 0,5 − 0 = 0,5; wrong entries Huế ×2, Sài Gòn ×1,
         ha noi ×1 (ties in text order).
  C: fractions 1, 0,5, 0,5, 0,5, 0, 0 → p = 2,5/6 = 0,416667; D = 0,75 − 0 = 0,75.
  G sub 1: right 1, 2, 3, 5 → p = 0,666667, D = 1 − 0,5 = 0,5; A* 4 (upper 2, lower 1), B 1, blank 1 (lower 1).
  G sub 2: right 1, 2, 4 → p = 0,5, D = 1 − 0 = 1; wrong entries 4 ×1, 5 ×1; one blank.
  G (the group total): fractions 1, 1, 0,5, 0,5, 0,5, 0 → p = 3,5/6 = 0,583333; D = 1 − 0,25 = 0,75.
"""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.assessments.api import QType, QuestionContent
from lms.assessments.ir import Choice, NumericAnswer, Pair, TextAnswer
from lms.exams.analysis import analyse

MATCHING = QuestionContent(
    type=QType.MATCHING, stem="Nối.", pairs=[Pair("x", "1"), Pair("y", "2"), Pair("", "3")]
).to_content()
ORDERING = QuestionContent(type=QType.ORDERING, stem="Sắp xếp.", items=["p", "q", "r"]).to_content()
A_ROWS = [  # (matching response, order, S points)
    ({"x": "1", "y": "2"}, "pqr", 1),
    ({"x": "1", "y": "3"}, "pqr", 1),
    ({"x": "1", "y": "2"}, "prq", 1),
    ({"x": "1", "y": "1"}, "qpr", 0),
    ({"x": "2"}, "qpr", 0),
    (None, "qrp", 0),
]
A_POINTS = [(2, 3), (1, 3), (2, 1), (1, 1), (0, 1), (0, 0)]  # (M, O) as the bank's scoring gives them


def _example_a():
    scores = [{"M": D(m), "O": D(o), "S": D(s)} for (m, o), (_r, _o, s) in zip(A_POINTS, A_ROWS, strict=True)]
    responses = [{"M": r, "O": list(order)} for r, order, _s in A_ROWS]
    return analyse(
        [("M", D(2)), ("O", D(3)), ("S", D(1))],
        scores,
        contents={"M": MATCHING, "O": ORDERING},
        responses=responses,
    )


def test_matching_and_ordering_by_hand():
    stats = _example_a()
    m, o, s = stats.items
    assert stats.group_size == 2
    assert stats.kr20 is False and not m.dichotomous and not o.dichotomous and s.dichotomous
    assert stats.alpha == pytest.approx(45 / 56, abs=1e-6)
    assert stats.sd == pytest.approx(2.160247, abs=1e-6)
    assert stats.sem == pytest.approx(0.957427, abs=1e-6)
    assert [i.facility for i in stats.items] == pytest.approx([0.5, 0.5, 0.5])
    assert [i.discrimination for i in stats.items] == pytest.approx([0.75, 5 / 6, 1.0])
    assert [i.item_rest for i in stats.items] == pytest.approx([0.668153, 0.651584, 0.878310], abs=1e-6)
    assert s.point_biserial == pytest.approx(0.925820, abs=1e-6)

    x, y = m.parts
    assert (x.kind, x.label, y.label) == ("pair", "x", "y")
    assert x.facility == pytest.approx(4 / 6) and x.discrimination == pytest.approx(1)
    assert y.facility == pytest.approx(2 / 6) and y.discrimination == pytest.approx(0.5)
    assert x.item_rest == pytest.approx(0.722185, abs=1e-6) and y.item_rest == pytest.approx(0.5)
    table = {(d["option"], d["key"]): (d["all"], d["upper"], d["lower"]) for d in x.distractors}
    assert table == {("1", True): (4, 2, 0), ("2", False): (1, 0, 1), ("3", False): (0, 0, 0), (None, False): (1, 0, 1)}
    table = {(d["option"], d["key"]): (d["all"], d["upper"], d["lower"]) for d in y.distractors}
    assert table == {("1", False): (1, 0, 0), ("2", True): (2, 1, 0), ("3", False): (1, 1, 0), (None, False): (2, 0, 2)}

    assert [p.label for p in o.parts] == ["p", "q", "r"] and {p.kind for p in o.parts} == {"position"}
    assert [p.facility for p in o.parts] == pytest.approx([0.5, 2 / 6, 4 / 6])
    assert [p.discrimination for p in o.parts] == pytest.approx([1, 1, 0.5])
    assert o.wrong_orders == [
        {"order": ["q", "p", "r"], "count": 2},
        {"order": ["p", "r", "q"], "count": 1},
        {"order": ["q", "r", "p"], "count": 1},
    ]
    assert all(i.review_reasons == [] for i in stats.items)


def test_alpha_uses_item_scores_and_kr20_only_for_dichotomous_tests():
    """Two students, a matching item and a single choice both scored 0 or full: the figures are KR-20's, but the
    matching is partial credit by rule, so the test is reported as Cronbach's alpha; alone, two 0/1 single choices
    are KR-20. Totals 3 and 0 (variance 2,25), item variances 1 and 0,25 → alpha = 2 · (1 − 1,25/2,25) = 0,888889."""
    content = {"M": MATCHING}
    scores = [{"M": D(2), "S": D(1)}, {"M": D(0), "S": D(0)}]
    responses = [{"M": {"x": "1", "y": "2"}}, {"M": None}]
    mixed = analyse([("M", D(2)), ("S", D(1))], scores, contents=content, responses=responses)
    assert mixed.alpha == pytest.approx(8 / 9) and mixed.kr20 is False
    plain = analyse([("M", D(2)), ("S", D(1))], scores)
    assert plain.alpha == pytest.approx(8 / 9) and plain.kr20 is True


def _cloze_and_group():
    cloze = QuestionContent(
        type=QType.CLOZE,
        stem="Thủ đô của Pháp là {#1}; thủ đô của Việt Nam là {#2}.",
        parts=[
            QuestionContent(
                type=QType.SINGLE,
                stem="",
                choices=[Choice("A", "Paris", True), Choice("B", "Lyon", False), Choice("C", "Nice", False)],
            ),
            QuestionContent(type=QType.SHORT, stem="", answers=[TextAnswer("Hà Nội")]),
        ],
    ).to_content()
    group = QuestionContent(
        type=QType.GROUP,
        stem="Đọc đoạn văn.",
        parts=[
            QuestionContent(
                type=QType.SINGLE, stem="Câu a?", choices=[Choice("A", "đ", True), Choice("B", "s", False)]
            ),
            QuestionContent(type=QType.NUMERIC, stem="Câu b?", numeric=[NumericAnswer(D(3))]),
        ],
    ).to_content()
    return cloze, group


B_ROWS = [  # (cloze response, C points, group response, G points)
    (["A", "Hà Nội"], 2, ["A", "3"], 2),
    (["A", "ha noi"], 1, ["A", "3"], 2),
    (["B", "Hà Nội"], 1, ["A", "4"], 1),
    (["A", "Huế"], 1, ["B", "3"], 1),
    (["C", "Huế"], 0, ["A", None], 1),
    ([None, "Sài Gòn"], 0, [None, "5"], 0),
]


def test_cloze_gaps_and_group_sub_questions_by_hand():
    cloze, group = _cloze_and_group()
    stats = analyse(
        [("C", D(2)), ("G", D(2))],
        [{"C": D(c), "G": D(g)} for _r, c, _g, g in B_ROWS],
        contents={"C": cloze, "G": group},
        responses=[{"C": c, "G": g} for c, _p, g, _q in B_ROWS],
    )
    c, g = stats.items
    assert c.facility == pytest.approx(2.5 / 6) and c.discrimination == pytest.approx(0.75)
    gap1, gap2 = c.parts
    assert (gap1.kind, gap1.number, gap2.number) == ("gap", 1, 2)
    assert gap1.facility == pytest.approx(0.5) and gap1.discrimination == pytest.approx(1)
    table = {(d["option"], d["key"]): (d["all"], d["upper"], d["lower"]) for d in gap1.distractors}
    assert table == {
        ("A", True): (3, 2, 0),
        ("B", False): (1, 0, 0),
        ("C", False): (1, 0, 1),
        (None, False): (1, 0, 1),
    }
    assert gap2.facility == pytest.approx(2 / 6) and gap2.discrimination == pytest.approx(0.5)
    assert gap2.wrong_entries == [
        {"entry": "Huế", "count": 2},
        {"entry": "Sài Gòn", "count": 1},
        {"entry": "ha noi", "count": 1},
    ]
    assert gap2.distractors == [] and gap1.wrong_entries == []

    assert g.facility == pytest.approx(3.5 / 6) and g.discrimination == pytest.approx(0.75)
    sub1, sub2 = g.parts
    assert (sub1.kind, sub1.label, sub2.label) == ("sub", "Câu a?", "Câu b?")
    assert sub1.facility == pytest.approx(4 / 6) and sub1.discrimination == pytest.approx(0.5)
    table = {(d["option"], d["key"]): (d["all"], d["upper"], d["lower"]) for d in sub1.distractors}
    assert table == {("A", True): (4, 2, 1), ("B", False): (1, 0, 0), (None, False): (1, 0, 1)}
    assert sub2.facility == pytest.approx(0.5) and sub2.discrimination == pytest.approx(1)
    assert sub2.wrong_entries == [{"entry": "4", "count": 1}, {"entry": "5", "count": 1}] and sub2.blank == 1


def test_a_group_of_composites_recurses_and_flags_the_part_that_triggered():
    """A câu chùm holding a matching and a Đúng/Sai: four students all get pair x right (p = 1: flagged), pair y
    right for the upper two only; statement a judged right by everyone (flagged), b by the upper two."""
    tf4 = {
        "type": "true_false_4",
        "stem": "Đúng/Sai?",
        "points": "1",
        "statements": [{"label": "a", "text": "…", "true": True}, {"label": "b", "text": "…", "true": False}],
    }
    group = {"type": "group", "stem": "Đọc.", "points": "2", "parts": [MATCHING, tf4]}
    rows = [
        ([{"x": "1", "y": "2"}, {"a": "Đ", "b": "S"}], "2"),
        ([{"x": "1", "y": "2"}, {"a": "Đ", "b": "S"}], "2"),
        ([{"x": "1", "y": "3"}, {"a": "Đ", "b": "Đ"}], "0.75"),
        ([{"x": "1"}, {"a": "Đ"}], "0.75"),
    ]
    stats = analyse(
        [("G", D(2))], [{"G": D(p)} for _r, p in rows], contents={"G": group}, responses=[{"G": r} for r, _p in rows]
    )
    (g,) = stats.items
    matching, judged = g.parts
    assert [p.label for p in matching.parts] == ["x", "y"]
    assert matching.parts[0].facility == 1 and matching.parts[0].flags == ["discrimination", "facility"]
    assert matching.parts[1].facility == 0.5 and matching.parts[1].discrimination == 1
    assert [(s["label"], s["facility"]) for s in judged.statements] == [("a", 1.0), ("b", 0.5)]
    where = [(r["path"], r["flags"]) for r in g.review_reasons]
    assert ([("sub", 1, "Nối."), ("pair", 1, "x")], ["discrimination", "facility"]) in where
    assert ([("sub", 2, "Đúng/Sai?"), ("statement", 0, "a")], ["discrimination", "facility"]) in where
    assert all(r["path"][-1][2] not in ("y", "b") for r in g.review_reasons)


# ------------------------------------------------------------------------------------------------- the page
RIGHT = {
    "matching": {"\\(x^2\\)": "\\(2x\\)", "\\(x^3\\)": "\\(3x^2\\)"},
    "ordering": ["1", "2", "3", "4"],
    "cloze": ["A", "2,5"],
    "group": ["A", "3"],
}
WRONG = {
    "matching": {"\\(x^2\\)": "\\(0\\)", "\\(x^3\\)": "\\(3x^2\\)"},
    "ordering": ["2", "1", "3", "4"],
    "cloze": ["B", "7"],
    "group": ["B", "3"],
}


def _composite_sitting(extra_students: int = 0):
    """The four composite questions of ``test_composite_types`` (2 points each) in a test scheduled for a class
    with two students plus ``extra_students``."""
    from types import SimpleNamespace

    from lms.assessments import api as bank_api
    from lms.courses import services as course_services
    from lms.exams import services
    from lms.schools import api as schools_api
    from lms.schools.api import Role
    from tests.courses.support import make_class
    from tests.exams.support import approve, ready, schedule
    from tests.exams.test_composite_types import cloze, group, matching, ordering
    from tests.support.factories import UserFactory

    cls = make_class()
    people = cls.people
    students = [people.student, cls.student2]
    for n in range(extra_students):
        student = UserFactory(username=f"hocsinh_them{n}", first_name=f"Em {n}", last_name="Lê")
        schools_api.assign_role(user=student, school=people.school, role=Role.STUDENT)
        course_services.enroll_student(school_class=cls.klass, student=student, number=3 + n)
        students.append(student)
    bank = bank_api.create_bank(subject_group=people.group, name="Ngân hàng Toán 10")
    versions = [ready(bank, people, q()) for q in (matching, ordering, cloze, group)]
    test = services.create_test(school=people.school, title="Kiểm tra các dạng", created_by=people.teacher)
    part = services.add_part(test=test, code="I")
    for version in versions:
        services.add_item(part=part, version=version, points=D(2))
    services.generate_variants(test=test, count=1, seed="dang")
    test = approve(test, people)
    sitting = schedule(SimpleNamespace(cls=cls, people=people), test)
    return sitting, students, people


def _sit(sitting, student, answers):
    from lms.exams import services
    from lms.exams.models import Attempt

    attempt = Attempt.objects.select_related("variant").get(sitting=sitting, student=student)
    services.start_attempt(attempt=attempt, student=student)
    slots = {s["content"]["type"]: s for s in attempt.variant.slots()}
    changes = [{"seq": i, "slot": slots[t]["slot"], "response": r} for i, (t, r) in enumerate(answers.items(), 1)]
    services.save_changes(attempt_id=attempt.pk, student=student, changes=changes)
    services.submit_attempt(attempt=attempt)


def _table(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</table>")[0]


def _reliability(page: str) -> str:
    return page.split('data-testid="reliability"')[1].split("</p>")[0]


def test_the_page_shows_the_parts_tables(db, client):
    sitting, students, people = _composite_sitting()
    _sit(sitting, students[0], RIGHT)
    _sit(sitting, students[1], WRONG)
    client.force_login(people.teacher)
    response = client.get(reverse("exams:analysis", args=[sitting.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cronbach's alpha" in _reliability(page)  # partial-credit questions: never KR-20
    parts = _table(page, "parts")
    assert "Từng phần của câu ghép đôi, sắp xếp thứ tự, điền khuyết và câu chùm" in page  # Vietnamese first
    # matching: pair x² right for the upper student only → p 0,50, D 1,00; its table lists every right text
    assert "\\(x^2\\)" in parts and "\\(2x\\)*: 1/1/0" in parts and "\\(0\\): 1/0/1" in parts
    # ordering: positions 1 and 2 right once (p 0,50), positions 3 and 4 right twice (p 1,00); the wrong order
    assert "2 → 1 → 3 → 4 ×1" in parts
    # cloze: the dropdown gap's table and the short-answer gap's wrong entry
    assert "A (Paris)*: 1/1/0" in parts and "B (Lyon): 1/0/1" in parts and "7 ×1" in parts
    # câu chùm: each sub-question on its own with its own table
    assert "Câu a?" in parts and "A (đúng)*: 1/1/0" in parts and "B (sai): 1/0/1" in parts


def test_the_page_makes_the_same_queries_for_more_students(db, client):
    sitting, students, people = _composite_sitting(extra_students=3)
    for i, student in enumerate(students[:2]):
        _sit(sitting, student, RIGHT if i == 0 else WRONG)
    client.force_login(people.teacher)
    url = reverse("exams:analysis", args=[sitting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for i, student in enumerate(students[2:]):
        _sit(sitting, student, RIGHT if i % 2 else WRONG)
    with CaptureQueriesContext(connection) as five:
        page = client.get(url)
    assert page.status_code == 200 and ": 5 ·" in _reliability(page.content.decode())  # five students now
    assert len(five) == len(two), [q["sql"] for q in five.captured_queries]
    assert len(two) <= 12  # 10 today: session, user, sitting, rights, attempts, answers, first variant…


def test_flagging_posts_the_figures_of_the_part_that_triggered(db, client):
    from django.utils import translation

    from lms.assessments.models import QuestionComment
    from lms.exams import services

    sitting, students, people = _composite_sitting()
    _sit(sitting, students[0], RIGHT)
    # both match x² right (p = 1, D = 0: flagged); x³ only the upper one → the question itself: p 0,75, D 0,5
    _sit(sitting, students[1], dict(WRONG, matching={"\\(x^2\\)": "\\(2x\\)", "\\(x^3\\)": "\\(0\\)"}))
    with translation.override("en"):
        flagged = services.flag_items_for_review(sitting=sitting, user=people.teacher)
    matching_comments = [
        c.text for c in QuestionComment.objects.filter(version__content__type="matching").order_by("pk")
    ]
    assert len(matching_comments) == 1
    text = matching_comments[0]
    assert "facility 0,75, discrimination 0,50" in text  # the question's own figures, not flagged
    assert "Flagged:" not in text.split("pair")[0]  # …so the first flag is the pair's
    assert "\\(x^2\\): facility 1,00, discrimination 0,00" in text  # the pair that triggered it
    assert "\\(x^3\\)" not in text
    # the page's button does the same (Vietnamese figures this time)
    client.force_login(people.teacher)
    assert client.post(reverse("exams:analysis", args=[sitting.pk])).status_code == 302
    again = QuestionComment.objects.filter(version__content__type="matching").order_by("-pk").first().text
    assert "cặp \\(x^2\\): độ khó 1,00, độ phân biệt 0,00" in again
    assert QuestionComment.objects.count() == 2 * flagged
