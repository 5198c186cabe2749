"""A practice attempt, one question at a time: the question page ("Câu 2/3") with its palette and Previous / Next
links, checking a question for immediate feedback, "try this question again" within the attempt (tries counted, the
first try kept beside the last), the summary with the final and the first-try score, a new attempt; someone else's
attempt is 404; the question page's queries do not grow with the set."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.courses import selectors
from lms.exams import practice
from lms.exams.models import PracticeAttempt
from tests.exams.practice_support import build, make_set, plan_practice

TF4_RIGHT = {"q2a": "Đ", "q2b": "S", "q2c": "Đ", "q2d": "S"}
TF4_THREE_OF_FOUR = {"q2a": "Đ", "q2b": "S", "q2c": "Đ", "q2d": "Đ"}


@pytest.fixture
def built(db):
    setup, versions = build()
    return setup, make_set(setup, versions)


def _question(pk, number):
    return reverse("exams:practice_question", args=[pk, number])


def _palette(page: str) -> dict[int, str]:
    return {int(n): state for n, state in re.findall(r'data-testid="pal-(\d+)" data-state="(\w+)"', page)}


def _start(client, made) -> PracticeAttempt:
    started = client.post(reverse("exams:practice_start", args=[made.pk]))
    attempt = PracticeAttempt.objects.filter(practice_set=made).order_by("-pk").first()
    assert started.url == reverse("exams:practice_attempt", args=[attempt.pk])
    return attempt


def test_one_question_at_a_time_with_a_palette_and_previous_next_links(built, client):
    setup, made = built
    client.force_login(setup.people.student)
    attempt = _start(client, made)
    assert client.get(reverse("exams:practice_attempt", args=[attempt.pk])).url == _question(attempt.pk, 1)

    page = client.get(_question(attempt.pk, 1)).content.decode()
    assert "Câu 1/3" in page and "bằng bao nhiêu" in page
    assert "Thủ đô" not in page and "Câu Đúng/Sai" not in page  # only question 1
    assert 'data-testid="previous"' not in page and f'href="{_question(attempt.pk, 2)}" rel="next"' in page
    assert _palette(page) == {1: "unanswered", 2: "unanswered", 3: "unanswered"}
    assert 'aria-current="step"' in page.split('data-testid="pal-1"')[1].split("</a>")[0]

    page = client.get(_question(attempt.pk, 3)).content.decode()
    assert "Câu 3/3" in page and "Thủ đô" in page and 'data-testid="next"' not in page
    assert f'href="{_question(attempt.pk, 2)}" rel="prev"' in page
    assert client.get(_question(attempt.pk, 4)).status_code == 404
    assert client.get(_question(attempt.pk, 0)).status_code == 404

    # Checking moves nothing: the page comes back with the feedback and the palette coloured.
    assert client.post(_question(attempt.pk, 2), TF4_THREE_OF_FOUR).url == _question(attempt.pk, 2)
    client.post(_question(attempt.pk, 3), {"check": "1", "q3": "Hải Phòng"})
    page = client.get(_question(attempt.pk, 1)).content.decode()
    assert _palette(page) == {1: "unanswered", 2: "partly", 3: "wrong"}
    # The first question without a result is where the attempt's address leads.
    assert client.get(reverse("exams:practice_attempt", args=[attempt.pk])).url == _question(attempt.pk, 1)


def test_feedback_then_try_this_question_again_within_the_attempt(built, client):
    setup, made = built
    client.force_login(setup.people.student)
    attempt = _start(client, made)
    url = _question(attempt.pk, 1)

    client.post(url, {"check": "1", "q1": "A"})  # wrong
    page = client.get(url).content.decode()
    assert 'data-testid="verdict"' in page and "verdict-wrong" in page
    assert "<strong>B</strong>" in page and "Ba nhân bốn bằng mười hai." in page and "bảng cửu chương" in page
    assert 'name="q1"' not in page and 'data-testid="retry-question"' in page
    assert "Đã kiểm tra 1 lần" in page

    # Checked: a second answer is refused until the student asks to answer again; nothing is lost.
    page = client.post(url, {"check": "1", "q1": "B"}, follow=True).content.decode()
    assert "Làm lại câu này" in page and "đã được kiểm tra" in page
    entry = PracticeAttempt.objects.get(pk=attempt.pk).answers["1"]
    assert (entry["points"], entry["tries"]) == ("0.00", 1)

    client.post(url, {"retry": "1"})
    entry = PracticeAttempt.objects.get(pk=attempt.pk).answers["1"]
    assert "points" not in entry and entry["tries"] == 1 and entry["first"]["response"] == "A"
    page = client.get(url).content.decode()
    assert 'name="q1"' in page and 'data-testid="check"' in page and "<strong>B</strong>" not in page
    assert _palette(page)[1] == "unanswered"

    client.post(url, {"check": "1"})  # nothing chosen: refused, the question stays open
    assert "points" not in PracticeAttempt.objects.get(pk=attempt.pk).answers["1"]
    client.post(url, {"check": "1", "q1": "B"})
    entry = PracticeAttempt.objects.get(pk=attempt.pk).answers["1"]
    assert (entry["points"], entry["tries"], entry["first"]["points"]) == ("1.00", 2, "0.00")
    page = client.get(url).content.decode()
    assert _palette(page)[1] == "right" and "Đã kiểm tra 2 lần" in page
    tries = page.split('data-testid="tries"')[1].split("</p>")[0]
    assert "Lần đầu" in tries and "Sai" in tries


def test_the_summary_shows_the_first_try_and_the_final_score(built, client):
    setup, made = built
    client.force_login(setup.people.student)
    attempt = _start(client, made)
    client.post(_question(attempt.pk, 1), {"check": "1", "q1": "C"})
    client.post(_question(attempt.pk, 1), {"retry": "1"})
    client.post(_question(attempt.pk, 1), {"check": "1", "q1": "B"})
    client.post(_question(attempt.pk, 2), {"check": "1", **TF4_RIGHT})
    summary_url = reverse("exams:practice_summary", args=[attempt.pk])
    page = client.get(summary_url).content.decode()
    assert 'data-testid="not-finished"' in page and "2 / 3" not in page

    # Finish from question 3 checks the answer on that page.
    response = client.post(_question(attempt.pk, 3), {"finish": "1", "q3": " hà nội "})
    assert response.url == summary_url
    attempt.refresh_from_db()
    assert (attempt.points, attempt.first_points, attempt.max_points) == (Decimal(3), Decimal(2), Decimal(3))
    assert (attempt.score, attempt.first_score) == (Decimal("10.0"), Decimal("6.7"))
    page = client.get(summary_url).content.decode()
    assert 'data-testid="score">10<' in page and 'data-testid="first-score">6,7<' in page
    assert "verdict-wrong" in page.split('data-testid="first-1"')[0][-40:]
    assert "verdict-right" in page.split('data-testid="final-1"')[0][-40:]
    assert re.search(r'data-testid="row-1">.*?<td>2</td>', page, re.S)  # two tries
    assert client.get(reverse("exams:practice_attempt", args=[attempt.pk])).url == summary_url

    # A finished attempt is reviewed, not changed.
    page = client.get(_question(attempt.pk, 1)).content.decode()
    assert 'data-testid="finished-note"' in page and 'data-testid="retry-question"' not in page
    client.post(_question(attempt.pk, 1), {"retry": "1"})
    assert "points" in PracticeAttempt.objects.get(pk=attempt.pk).answers["1"]

    # The whole set again: a new attempt (unlimited), the best scores of both kinds kept.
    assert 'data-testid="retry"' in page or 'data-testid="retry"' in client.get(summary_url).content.decode()
    second = _start(client, made)
    assert second.pk != attempt.pk
    client.post(_question(second.pk, 1), {"finish": "1", "q1": "B"})
    summary = practice.summary(made, setup.people.student)
    assert (summary.finished, summary.best, summary.best_first, summary.last_first) == (
        2,
        Decimal("10.0"),
        Decimal("6.7"),
        Decimal("3.3"),
    )
    page = client.get(reverse("exams:practice_set", args=[made.pk])).content.decode()
    assert 'data-testid="best-first">6,7<' in page and 'data-testid="best">10<' in page


def test_an_unanswered_question_of_a_finished_attempt_shows_its_key(built, client):
    setup, made = built
    client.force_login(setup.people.student)
    attempt = _start(client, made)
    client.post(_question(attempt.pk, 2), {"finish": "1"})
    page = client.get(_question(attempt.pk, 1)).content.decode()
    assert "Chưa trả lời" in page.split('data-testid="verdict"')[1] and "<strong>B</strong>" in page
    assert 'name="q1"' not in page and 'data-testid="check"' not in page


def test_another_students_attempt_is_404(built, client):
    setup, made = built
    attempt = practice.start_attempt(practice_set=made, student=setup.people.student)
    practice.check_question(attempt=attempt, student=setup.people.student, position=1, response="A")
    client.force_login(setup.cls.student2)
    for url in (
        reverse("exams:practice_attempt", args=[attempt.pk]),
        _question(attempt.pk, 1),
        reverse("exams:practice_summary", args=[attempt.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_question(attempt.pk, 1), {"retry": "1"}).status_code == 404
    assert client.post(_question(attempt.pk, 2), {"check": "1", **TF4_RIGHT}).status_code == 404
    assert client.post(_question(attempt.pk, 2), {"finish": "1"}).status_code == 404
    attempt.refresh_from_db()
    assert list(attempt.answers) == ["1"] and attempt.answers["1"]["points"] == "0.00" and not attempt.finished_at


def test_retry_question_service(built):
    setup, made = built
    student = setup.people.student
    attempt = practice.start_attempt(practice_set=made, student=student)
    with pytest.raises(ValidationError, match="no checked answer"):
        practice.retry_question(attempt=attempt, student=student, position=1)
    with pytest.raises(ValidationError, match="no question 9"):
        practice.retry_question(attempt=attempt, student=student, position=9)
    for answer in ("A", "C", "B"):
        practice.check_question(attempt=attempt, student=student, position=1, response=answer)
        if answer != "B":
            with pytest.raises(ValidationError, match="Try this question again"):
                practice.check_question(attempt=attempt, student=student, position=1, response="B")
            practice.retry_question(attempt=attempt, student=student, position=1)
    with pytest.raises(PermissionDenied):
        practice.retry_question(attempt=attempt, student=setup.cls.student2, position=1)
    attempt.refresh_from_db()
    entry = attempt.answers["1"]
    assert (entry["tries"], entry["response"], entry["first"]) == (
        3,
        "B",
        {"response": "A", "points": "0.00", "max": "1.00"},
    )
    # Right first, cleared and left unanswered: the first try counts 1, the final result 0.
    practice.check_question(attempt=attempt, student=student, position=3, response="Hà Nội")
    practice.retry_question(attempt=attempt, student=student, position=3)
    practice.finish_attempt(attempt=attempt, student=student, responses={})
    attempt.refresh_from_db()
    assert (attempt.points, attempt.first_points, attempt.max_points) == (Decimal(1), Decimal(1), Decimal(3))
    rows = practice.rows(attempt, practice.questions(made))
    assert [(r.state, r.first_state, r.tries) for r in rows] == [
        ("right", "wrong", 3),
        ("unanswered", "unanswered", 0),
        ("unanswered", "right", 1),
    ]
    with pytest.raises(ValidationError, match="finished"):
        practice.retry_question(attempt=attempt, student=student, position=1)


def test_answers_kept_before_tries_were_counted_read_as_one_try(built):
    setup, made = built
    attempt = practice.start_attempt(practice_set=made, student=setup.people.student)
    attempt.answers = {"1": {"response": "B", "points": "1.00", "max": "1.00", "detail": ""}}
    attempt.save()
    row = practice.rows(attempt, practice.questions(made))[0]
    assert (row.state, row.first_state, row.tries, row.retried) == ("right", "right", 1, False)
    practice.retry_question(attempt=attempt, student=setup.people.student, position=1)
    attempt.refresh_from_db()
    assert attempt.answers["1"] == {"tries": 1, "first": {"response": "B", "points": "1.00", "max": "1.00"}}


def test_the_plan_counts_the_best_first_try_score(built):
    setup, made = built
    student = setup.people.student
    item = plan_practice(setup, made)
    attempt = practice.start_attempt(practice_set=made, student=student)
    practice.check_question(attempt=attempt, student=student, position=1, response="A")
    practice.retry_question(attempt=attempt, student=student, position=1)
    practice.finish_attempt(attempt=attempt, student=student, responses={1: "B", 3: "Hà Nội"})
    attempt.refresh_from_db()
    assert (attempt.score, attempt.first_score) == (Decimal("6.7"), Decimal("3.3"))
    cell = selectors.get_student_overview(student).cells[item.pk]
    assert cell.provided_done and cell.score == Decimal("3.3")


def _question_page_queries(client, setup, versions) -> int:
    made = make_set(setup, versions)
    attempt = practice.start_attempt(practice_set=made, student=setup.people.student)
    for position in range(1, len(versions) + 1, 2):
        practice.check_question(attempt=attempt, student=setup.people.student, position=position, response="A")
    client.get(_question(attempt.pk, 2))  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_question(attempt.pk, 2)).status_code == 200
    return len(queries)


def test_the_question_page_has_a_query_budget(db, client, django_assert_max_num_queries):
    setup, _versions = build(singles=12)
    client.force_login(setup.people.student)
    small = _question_page_queries(client, setup, setup.singles[:3])
    large = _question_page_queries(client, setup, setup.singles[:12])
    assert large == small  # the palette reads the attempt's answers, not a query per question
    made = make_set(setup, setup.singles[:12])
    attempt = practice.start_attempt(practice_set=made, student=setup.people.student)
    with django_assert_max_num_queries(7):  # session, user, attempt + set, questions + versions, (savepoints)
        client.get(_question(attempt.pk, 5))


def test_matching_ordering_cloze_and_cau_chum_without_script(db, client):
    from lms.assessments.api import QType, QuestionContent
    from tests.exams.support import make_bank, ready
    from tests.exams.test_composite_types import cloze, group, matching, ordering

    setup = make_bank(singles=0, tf4s=0, numerics=0)
    people = setup.people
    versions = [ready(setup.bank, people, q()) for q in (matching, ordering, cloze, group)]
    essay_group = QuestionContent(
        type=QType.GROUP, stem="Đọc.", parts=[QuestionContent(type=QType.ESSAY, stem="Trình bày.")]
    )
    with pytest.raises(ValidationError, match="not scored automatically"):
        make_set(setup, [ready(setup.bank, people, essay_group)])
    made = make_set(setup, versions)
    client.force_login(people.student)
    attempt = _start(client, made)

    page = client.get(_question(attempt.pk, 1)).content.decode()
    assert 'name="q1m0"' in page and 'name="q1m1"' in page
    client.post(_question(attempt.pk, 1), {"check": "1", "q1m0": "\\(2x\\)", "q1m1": "\\(3x^2\\)"})

    page = client.get(_question(attempt.pk, 2)).content.decode()
    assert [f'name="q2o{k}"' in page for k in range(5)] == [True] * 4 + [False]
    assert "data-move" not in page  # no Up/Down buttons that need the script
    page = client.post(
        _question(attempt.pk, 2), {"check": "1", "q2o0": "1", "q2o1": "1", "q2o2": "3", "q2o3": "4"}, follow=True
    ).content.decode()
    assert "đúng một chỗ" in page and "2" not in PracticeAttempt.objects.get(pk=attempt.pk).answers
    client.post(_question(attempt.pk, 2), {"check": "1", "q2o0": "2", "q2o1": "1", "q2o2": "3", "q2o3": "4"})

    page = client.get(_question(attempt.pk, 3)).content.decode()
    assert "{#1}" not in page and 'name="q3g1"' in page
    paris = re.search(r'<option value="(\w+)"[^>]*>Paris</option>', page).group(1)
    client.post(_question(attempt.pk, 3), {"check": "1", "q3g0": paris, "q3g1": "7"})
    page = client.get(_question(attempt.pk, 3)).content.decode()
    assert "(1) ____" in page and "(1) Paris (2) 7" in page  # the gap's option text, not its label
    assert "<strong>(1) Paris (2) 2" in page.split('data-testid="feedback"')[1]

    page = client.get(_question(attempt.pk, 4)).content.decode()
    assert "Câu a?" in page and 'name="q4p0"' in page and 'name="q4p1"' in page
    client.post(_question(attempt.pk, 4), {"finish": "1", "q4p0": "A", "q4p1": "3"})

    attempt.refresh_from_db()
    rows = practice.rows(attempt, practice.questions(made))
    assert [r.state for r in rows] == ["right", "partly", "partly", "right"]
    assert rows[1].points == Decimal("0.5")  # 2 of 4 in place
    assert attempt.finished_at and attempt.points == sum(r.points for r in rows)
    assert attempt.max_points == sum(r.max for r in rows) and attempt.first_points == attempt.points


def test_the_teachers_see_every_students_first_try_and_final_scores(built, client):
    setup, made = built
    student, other = setup.people.student, setup.cls.student2
    attempt = practice.start_attempt(practice_set=made, student=student)
    practice.check_question(attempt=attempt, student=student, position=1, response="A")
    practice.retry_question(attempt=attempt, student=student, position=1)
    practice.finish_attempt(attempt=attempt, student=student, responses={1: "B", 3: "Hà Nội"})
    practice.start_attempt(practice_set=made, student=other)  # open: not counted yet
    results = practice.results_for_teachers(made)
    assert [(r.student, r.finished, r.best_first, r.best) for r in results] == [
        (student, 1, Decimal("3.3"), Decimal("6.7"))
    ]
    client.force_login(setup.people.teacher)
    page = client.get(reverse("exams:practice_set", args=[made.pk])).content.decode()
    row = page.split(f'data-testid="result-{student.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="result-first">3,3<' in row and 'data-testid="result-best">6,7<' in row
    assert f'data-testid="result-{other.pk}"' not in page
    client.force_login(student)
    page = client.get(reverse("exams:practice_set", args=[made.pk])).content.decode()
    assert 'data-testid="results"' not in page and 'data-testid="best-first">3,3<' in page
