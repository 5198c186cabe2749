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
from lms.courses import selectors
from lms.courses import services as course_services
from lms.exams import practice
from lms.exams.models import PracticeAttempt
from tests.exams.practice_support import build, make_set, plan_practice
from tests.exams.support import ready, single


@pytest.fixture
def built(db):
    return build()


def test_a_set_is_made_of_ready_objective_questions_named_in_every_error(built):
    setup, versions = built
    people = setup.people
    draft = bank_api.create_question(bank=setup.bank, author=people.teacher, content=single(99))
    with pytest.raises(ValidationError, match=r"Question 2 .* is not ready"):
        make_set(setup, [versions[0], draft])
    essay = ready(setup.bank, people, QuestionContent(type=QType.ESSAY, stem="Trình bày cách giải."))
    with pytest.raises(ValidationError, match=r"Question 1 .* not scored automatically"):
        make_set(setup, [essay])
    with pytest.raises(ValidationError, match="chosen twice"):
        make_set(setup, [versions[0], versions[0]])
    with pytest.raises(ValidationError, match="at least one"):
        make_set(setup, [])
    with pytest.raises(PermissionDenied):
        practice.create_practice_set(author=people.student, school=people.school, title="X", versions=versions[:1])
    made = make_set(setup, versions, publish=False)
    assert [q.version for q in practice.questions(made)] == versions
    assert practice.usable_versions(people.teacher, setup.bank) and essay not in practice.usable_versions(
        people.teacher, setup.bank
    )


def test_drafts_are_hidden_from_students_until_published(built, client):
    setup, versions = built
    made = make_set(setup, versions, publish=False)
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


def test_a_published_set_in_the_plan_shows_the_best_attempt(built, client):
    setup, versions = built
    made = make_set(setup, versions)
    provider_choices = [c.reference for c in practice.PracticeProvider().choices(setup.cls.course)]
    assert provider_choices == [str(made.pk)]
    item = plan_practice(setup, made)
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
    made = make_set(setup, versions, publish=False)
    with pytest.raises(ValidationError, match="no published practice set"):
        plan_practice(setup, made)


def test_the_practice_pages_carry_no_inline_script_or_style(built, client):
    import re

    setup, versions = built
    made = make_set(setup, versions)
    client.force_login(setup.people.student)
    attempt_url = client.post(reverse("exams:practice_start", args=[made.pk])).url
    question_url = client.get(attempt_url).url
    client.post(question_url, {"check": "1", "q1": "B"})
    attempt = PracticeAttempt.objects.get(practice_set=made)
    summary_url = reverse("exams:practice_summary", args=[attempt.pk])
    pages = [reverse("exams:practice"), reverse("exams:practice_set", args=[made.pk]), question_url, summary_url]
    client.force_login(setup.people.teacher)
    teacher_pages = [reverse("exams:practice_create") + f"?ngan-hang={setup.bank.pk}"]
    for who, urls in ((setup.people.student, pages), (setup.people.teacher, teacher_pages)):
        client.force_login(who)
        for url in urls:
            html = client.get(url).content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
            assert not re.search(r"\sstyle=", html), url
            assert not re.search(r"\son[a-z]+=", html), url
