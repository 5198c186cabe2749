"""The attempt page's questions: before the first answer the paper of an exam code is rendered once (per revision
and language) and reused for every student of that code; with answers it is rendered for the student."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from lms.exams import services
from lms.exams.models import Attempt, Variant
from tests.exams.support import make_bank, schedule, toan_test
from tests.support.factories import UserFactory


@pytest.fixture
def two_on_one_code(db):
    from lms.courses import api as courses_api
    from lms.schools import api as schools_api
    from lms.schools.api import Role

    cache.clear()
    setup = make_bank()
    other = UserFactory(username="hocsinh2")
    schools_api.assign_role(user=other, school=setup.people.school, role=Role.STUDENT)
    courses_api.enroll_student(school_class=setup.cls.klass, student=other, number=40)
    sitting = schedule(setup, toan_test(setup, variants=1), access_code="K12")
    pages = []
    for student in (setup.people.student, other):
        attempt = Attempt.objects.get(sitting=sitting, student=student)
        services.start_attempt(attempt=attempt, student=student, access_code="K12", device=f"d{student.pk}")
        client = Client()
        client.force_login(student)
        client.cookies["exams_device"] = f"d{student.pk}"
        pages.append((attempt, client))
    return pages


def _questions(response) -> str:
    html = response.content.decode()
    end = html.index('<form method="post" action="/kiem-tra/bai-lam/')
    return html[html.index('<section class="card exam-part">') : end]


def test_one_paper_per_code_is_rendered_and_reused(two_on_one_code, django_assert_max_num_queries):
    (first, c1), (second, c2) = two_on_one_code
    assert first.variant_id == second.variant_id
    one = c1.get(f"/kiem-tra/bai-lam/{first.pk}/")
    assert one.status_code == 200 and 'data-testid="q-1"' in one.content.decode()
    with django_assert_max_num_queries(12):
        two = c2.get(f"/kiem-tra/bai-lam/{second.pk}/")
    assert _questions(one) == _questions(two)
    variant = first.variant
    key = f"exams:paper:{variant.pk}:{variant.revision}:{variant.created_at.timestamp()}:vi"
    assert cache.get(key) is not None and cache.get(key) in two.content.decode()


def test_a_student_with_answers_gets_them_filled_in(two_on_one_code):
    (first, c1), (second, c2) = two_on_one_code
    blank = _questions(c2.get(f"/kiem-tra/bai-lam/{second.pk}/"))
    single = next(s for s in first.variant.slots() if s["content"]["type"] == "single_choice")
    services.save_changes(
        attempt_id=first.pk, student=first.student, changes=[{"seq": 1, "slot": single["slot"], "response": "C"}]
    )
    mine = _questions(c1.get(f"/kiem-tra/bai-lam/{first.pk}/"))
    assert mine != blank and re.search(rf'name="q{single["slot"]}" value="C"\s+checked', mine)
    assert _questions(c2.get(f"/kiem-tra/bai-lam/{second.pk}/")) == blank  # the other student's paper is untouched


def test_a_new_revision_of_the_code_is_rendered_again(two_on_one_code):
    (first, c1), (_second, _c2) = two_on_one_code
    assert "Câu hỏi đã sửa" not in c1.get(f"/kiem-tra/bai-lam/{first.pk}/").content.decode()
    variant = Variant.objects.get(pk=first.variant_id)
    variant.layout["parts"][0]["slots"][0]["content"]["stem"] = "<p>Câu hỏi đã sửa</p>"
    variant.revision += 1  # as services.correct_key does with every change of the layout
    variant.save()
    assert "Câu hỏi đã sửa" in c1.get(f"/kiem-tra/bai-lam/{first.pk}/").content.decode()
