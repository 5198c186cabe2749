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


def test_teachers_hear_of_questions_and_askers_of_answers_never_of_their_own(setup):
    from lms.courses.models import Notification, NotificationKind

    teacher, student = setup.people.teacher, setup.people.student
    question = services.ask_question(author=student, course=setup.course, title="Tập rỗng có phải tập con?")
    to_teacher = Notification.objects.get(recipient=teacher, kind=NotificationKind.QUESTION)
    assert "Tập rỗng có phải tập con?" in to_teacher.text
    assert to_teacher.url == reverse("courses:question", args=[question.pk])
    assert not Notification.objects.filter(recipient=student).exists()  # not of their own question
    assert not Notification.objects.filter(recipient=setup.student2).exists()  # classmates are not told

    services.answer_question(author=student, question=question, body="Tự trả lời.")
    assert not Notification.objects.filter(recipient=student).exists()  # not of their own answer
    services.answer_question(author=teacher, question=question, body="Có: ∅ ⊂ A với mọi A.")
    to_asker = Notification.objects.get(recipient=student, kind=NotificationKind.ANSWER)
    assert to_asker.url == reverse("courses:question", args=[question.pk])
    assert Notification.objects.filter(recipient=teacher).count() == 1  # not of their own answer

    # A question the teacher asks themselves notifies nobody.
    services.ask_question(author=teacher, course=setup.course, title="Câu hỏi ôn tập")
    assert Notification.objects.filter(recipient=teacher).count() == 1


def test_question_notice_is_emailed_to_the_teacher(setup, django_capture_on_commit_callbacks):
    from django.core import mail

    setup.people.teacher.email = "gv@truong.edu.vn"
    setup.people.teacher.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_question(author=setup.people.student, course=setup.course, title="Hỏi về hiệu hai tập hợp")
    assert [m.to for m in mail.outbox] == [["gv@truong.edu.vn"]]
    assert "Hỏi về hiệu hai tập hợp" in mail.outbox[0].subject
