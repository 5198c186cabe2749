"""Practice mode: a teacher makes a set from ready questions and publishes it; students self-test with immediate
feedback per question (right / wrong, the key, the solution and feedback), retry as often as they like, and the best
and last scores are kept; a published set is a plan item whose status and score are the best attempt's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lms.assessments import api as bank_api
from lms.assessments.api import QType, QuestionContent
from lms.assessments.ir import Choice, TextAnswer
from lms.courses import selectors
from lms.courses import services as course_services
from lms.courses.models import DeliveryForm, ItemKind
from lms.exams import practice
from lms.exams.models import PracticeAttempt
from tests.courses.support import yesterday
from tests.exams.support import make_bank, ready, single


def _with_solution(setup):
    content = QuestionContent(
        type=QType.SINGLE,
        stem="\\(3 \\cdot 4\\) bằng bao nhiêu?",
        choices=[Choice("A", "7", False), Choice("B", "12", True), Choice("C", "34", False)],
        solution="Ba nhân bốn bằng mười hai.",
        incorrect_feedback="Xem lại bảng cửu chương.",
    )
    return ready(setup.bank, setup.people, content)


def _short(setup):
    content = QuestionContent(type=QType.SHORT, stem="Thủ đô của Việt Nam?", answers=[TextAnswer("Hà Nội", Decimal(1))])
    return ready(setup.bank, setup.people, content)


@pytest.fixture
def built(db):
    setup = make_bank(singles=2, tf4s=1, numerics=1)
    versions = [_with_solution(setup), setup.tf4s[0], _short(setup)]
    return setup, versions


def _make(setup, versions, *, publish=True, **kw):
    made = practice.create_practice_set(
        author=setup.people.teacher,
        school=setup.people.school,
        title="Luyện tập: phép nhân",
        versions=versions,
        grade=10,
        **kw,
    )
    if publish:
        practice.set_published(practice_set=made, user=setup.people.teacher, published=True)
    return made


def test_a_set_is_made_of_ready_objective_questions_named_in_every_error(built):
    setup, versions = built
    people = setup.people
    draft = bank_api.create_question(bank=setup.bank, author=people.teacher, content=single(99))
    with pytest.raises(ValidationError, match=r"Question 2 .* is not ready"):
        _make(setup, [versions[0], draft])
    essay = ready(setup.bank, people, QuestionContent(type=QType.ESSAY, stem="Trình bày cách giải."))
    with pytest.raises(ValidationError, match=r"Question 1 .* not scored automatically"):
        _make(setup, [essay])
    with pytest.raises(ValidationError, match="chosen twice"):
        _make(setup, [versions[0], versions[0]])
    with pytest.raises(ValidationError, match="at least one"):
        _make(setup, [])
    with pytest.raises(PermissionDenied):
        practice.create_practice_set(author=people.student, school=people.school, title="X", versions=versions[:1])
    made = _make(setup, versions, publish=False)
    assert [q.version for q in practice.questions(made)] == versions
    assert practice.usable_versions(people.teacher, setup.bank) and essay not in practice.usable_versions(
        people.teacher, setup.bank
    )


def test_drafts_are_hidden_from_students_until_published(built, client):
    setup, versions = built
    made = _make(setup, versions, publish=False)
    student = setup.people.student
    assert practice.sets_for_student(student) == []
    client.force_login(student)
    assert client.get(reverse("exams:practice_set", args=[made.pk])).status_code == 403
    client.force_login(setup.people.teacher)
    assert client.post(reverse("exams:practice_publish", args=[made.pk]), {"published": "1"}).status_code == 302
    client.force_login(student)
    page = client.get(reverse("exams:practice")).content.decode()
    assert made.title in page
    assert client.get(reverse("exams:practice_set", args=[made.pk])).status_code == 200


def test_immediate_feedback_one_question_at_a_time_then_retry(built, client):
    setup, versions = built
    made = _make(setup, versions)
    client.force_login(setup.people.student)
    response = client.post(reverse("exams:practice_start", args=[made.pk]))
    attempt = PracticeAttempt.objects.get(practice_set=made, student=setup.people.student)
    assert response.url == reverse("exams:practice_attempt", args=[attempt.pk])
    url = response.url

    client.post(url, {"check": "1", "q1": "A"})  # wrong
    page = client.get(url).content.decode()
    block = page.split('data-testid="q-1"')[1].split("</fieldset>")[0]
    assert 'data-testid="verdict-1"' in block and "verdict-wrong" in block
    assert "<strong>B</strong>" in block and "Ba nhân bốn bằng mười hai." in block and "bảng cửu chương" in block
    # The other questions are still open, without their keys.
    assert 'data-testid="check-3"' in page and "Hà Nội" not in page

    response = client.post(url, {"check": "1", "q1": "B"}, follow=True)
    assert "already" in response.content.decode() or "rồi" in response.content.decode()
    assert PracticeAttempt.objects.get(pk=attempt.pk).answers["1"]["points"] == "0.00"

    client.post(url, {"check": "3"})  # nothing answered: refused, the question stays open
    assert "3" not in PracticeAttempt.objects.get(pk=attempt.pk).answers
    client.post(url, {"check": "3", "q3": "  hà nội "})
    page = client.get(url).content.decode()
    assert "verdict-right" in page.split('data-testid="q-3"')[1].split("</fieldset>")[0]

    # Finish with Đúng/Sai all right (the 2025 table gives full marks for 4/4).
    client.post(url, {"finish": "1", "q2a": "Đ", "q2b": "S", "q2c": "Đ", "q2d": "S"})
    attempt.refresh_from_db()
    assert attempt.finished_at and (attempt.points, attempt.max_points) == (Decimal(2), Decimal(3))
    assert attempt.score == Decimal("6.7")
    assert client.post(url, {"check": "2", "q2a": "S"}).status_code == 302
    attempt.refresh_from_db()
    assert attempt.answers["2"]["points"] == "1.00"  # a finished attempt does not change

    # Unlimited retries: a new attempt, everything right; the best and the last are kept.
    url2 = client.post(reverse("exams:practice_start", args=[made.pk])).url
    assert url2 != url
    client.post(url2, {"finish": "1", "q1": "B", "q2a": "Đ", "q2b": "S", "q2c": "Đ", "q2d": "S", "q3": "Hà Nội"})
    url3 = client.post(reverse("exams:practice_start", args=[made.pk])).url
    client.post(url3, {"finish": "1"})
    summary = practice.summary(made, setup.people.student)
    assert (summary.finished, summary.best, summary.last) == (3, Decimal("10.0"), Decimal("0.0"))
    page = client.get(reverse("exams:practice_set", args=[made.pk])).content.decode()
    assert 'data-testid="best">10<' in page and 'data-testid="last">0<' in page


def test_a_published_set_in_the_plan_shows_the_best_attempt(built, client):
    setup, versions = built
    made = _make(setup, versions)
    provider_choices = [c.reference for c in practice.PracticeProvider().choices(setup.cls.course)]
    assert provider_choices == [str(made.pk)]
    item = course_services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.cls.course,
        kind=ItemKind.PRACTICE,
        reference=str(made.pk),
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )
    assert item.title == made.title
    student = setup.people.student
    first = practice.start_attempt(practice_set=made, student=student)
    assert selectors.get_student_overview(student).cells[item.pk].provided_in_progress
    practice.finish_attempt(attempt=first, student=student, responses={1: "B"})
    second = practice.start_attempt(practice_set=made, student=student)
    practice.finish_attempt(attempt=second, student=student, responses={})
    cell = selectors.get_student_overview(student).cells[item.pk]
    assert cell.provided_done and cell.score == Decimal("3.3")
    board = {row.student.pk: row.cells[0] for row in selectors.get_dashboard(setup.cls.course).rows}
    assert board[student.pk].score == Decimal("3.3") and not board[setup.cls.student2.pk].started
    client.force_login(student)
    page = client.get(reverse("courses:item", args=[item.pk])).content.decode()
    assert reverse("exams:practice_set", args=[made.pk]) in page
    assert course_services.student_work_on_item(item)["completed"] == 1


def test_a_draft_or_another_schools_set_cannot_be_planned(built):
    setup, versions = built
    made = _make(setup, versions, publish=False)
    with pytest.raises(ValidationError, match="no published practice set"):
        course_services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.cls.course,
            kind=ItemKind.PRACTICE,
            reference=str(made.pk),
            release_at=yesterday(),
            delivery_form=DeliveryForm.HO_TRO,
        )


def test_the_practice_pages_carry_no_inline_script_or_style(built, client):
    import re

    setup, versions = built
    made = _make(setup, versions)
    client.force_login(setup.people.student)
    attempt_url = client.post(reverse("exams:practice_start", args=[made.pk])).url
    client.post(attempt_url, {"check": "1", "q1": "B"})
    pages = [reverse("exams:practice"), reverse("exams:practice_set", args=[made.pk]), attempt_url]
    client.force_login(setup.people.teacher)
    teacher_pages = [reverse("exams:practice_create") + f"?ngan-hang={setup.bank.pk}"]
    for who, urls in ((setup.people.student, pages), (setup.people.teacher, teacher_pages)):
        client.force_login(who)
        for url in urls:
            html = client.get(url).content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
            assert not re.search(r"\sstyle=", html), url
            assert not re.search(r"\son[a-z]+=", html), url
