"""Q&A per course and per lesson (R6): students ask, the teacher and classmates answer, the teacher marks an answer;
every post keeps its author, time and course. Parents and other schools see none of it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lms.courses import services
from lms.courses.models import DeliveryForm, ItemKind
from tests.courses.support import yesterday
from tests.support.people import make_school_people


@pytest.fixture
def lesson_item(setup):
    return services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )


def test_ask_answer_and_mark(setup, lesson_item):
    question = services.ask_question(
        author=setup.people.student, course=setup.course, title="Vì sao A ∩ ∅ = ∅?", item=lesson_item
    )
    assert (question.author, question.course, question.item) == (setup.people.student, setup.course, lesson_item)
    by_classmate = services.answer_question(author=setup.student2, question=question, body="Vì ∅ không có phần tử.")
    by_teacher = services.answer_question(author=setup.people.teacher, question=question, body="Đúng; xem định nghĩa.")
    services.mark_answer(actor=setup.people.teacher, answer=by_classmate)
    services.mark_answer(actor=setup.people.teacher, answer=by_teacher)
    by_classmate.refresh_from_db()
    assert by_teacher.is_accepted and not by_classmate.is_accepted  # one marked answer per question
    with pytest.raises(PermissionDenied):
        services.mark_answer(actor=setup.people.student, answer=by_classmate)
    with pytest.raises(ValidationError):
        services.answer_question(author=setup.student2, question=question, body="  ")


@pytest.mark.parametrize("who", ["parent", "group_head", "school_admin", "principal"])
def test_only_the_class_and_its_teachers_post(setup, who):
    with pytest.raises(PermissionDenied):
        services.ask_question(author=getattr(setup.people, who), course=setup.course, title="?")


def test_the_pages(client, setup, lesson_item):
    client.force_login(setup.people.student)
    url = reverse("courses:questions", args=[setup.course.pk])
    response = client.post(url, {"title": "Bài 1.3 làm thế nào?", "body": "", "item": str(lesson_item.pk)})
    assert response.status_code == 302
    question_url = response["Location"]
    client.force_login(setup.people.teacher)
    assert client.post(question_url, {"body": "Dùng biểu đồ Ven."}).status_code == 302
    page = client.get(question_url).content.decode()
    assert "Dùng biểu đồ Ven." in page
    answer_id = page.split('data-testid="answer-')[1].split('"')[0]
    assert client.post(question_url, {"mark": answer_id, "accepted": "1"}).status_code == 302
    client.force_login(setup.student2)
    page = client.get(question_url).content.decode()
    assert "Dùng biểu đồ Ven." in page and ("Giáo viên đã chọn" in page or "Marked by the teacher" in page)
    assert client.post(question_url, {"mark": answer_id, "accepted": "0"}).status_code == 403
    assert "Bài 1.3" in client.get(url + f"?muc={lesson_item.pk}").content.decode()
    client.force_login(setup.people.principal)
    assert client.get(question_url).status_code == 200
    assert client.post(question_url, {"body": "x"}).status_code == 403
    other = make_school_people(prefix="khac.")
    for outsider in (setup.people.parent, setup.people.group_head, setup.people.school_admin, other.teacher):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert client.get(question_url).status_code == 403
