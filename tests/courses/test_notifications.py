"""Notifications: new items when released, due dates a day ahead, feedback, answers — in-app, and e-mail through
Celery after commit; each release or due notice once per person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lms.courses import services
from lms.courses.models import DeliveryForm, ItemKind, Notification, NotificationKind
from lms.courses.notifications import send_plan_notifications
from lms.courses.tasks import send_plan_notifications as task
from tests.courses.support import in_days


@pytest.fixture
def emails(setup):
    for n, person in enumerate((setup.people.student, setup.student2, setup.people.parent)):
        person.email = f"nguoi{n}@truong.example.vn"
        person.save()
    return setup


def test_released_and_due_items_are_notified_once(emails, django_capture_on_commit_callbacks):
    setup = emails
    soon = services.create_assignment(
        actor=setup.people.teacher,
        course=setup.course,
        title="Bài tập hạn gần",
        instructions="Làm bài.",
        release_at=timezone.now() - timedelta(hours=1),
        due_at=timezone.now() + timedelta(hours=5),
        delivery_form=DeliveryForm.HO_TRO,
    )
    later = services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        title="Luyện tập tuần sau",
        release_at=in_days(7),
        delivery_form=DeliveryForm.HO_TRO,
    )
    services.submit_assignment(student=setup.student2, assignment=soon, text="xong")
    with django_capture_on_commit_callbacks(execute=True):
        sent = task.delay().get()
    kinds = sorted(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == sorted(
        [
            (setup.people.student.username, NotificationKind.NEW_ITEM),
            (setup.student2.username, NotificationKind.NEW_ITEM),
            (setup.people.student.username, NotificationKind.DUE_SOON),  # the other student has handed in
        ]
    )
    assert sent == 3
    assert {tuple(m.to) for m in mail.outbox} == {("nguoi0@truong.example.vn",), ("nguoi1@truong.example.vn",)}
    assert any("Bài tập hạn gần" in m.subject for m in mail.outbox)
    assert send_plan_notifications() == 0  # never twice
    assert send_plan_notifications(now=later.release_at + timedelta(minutes=1)) == 2


def test_feedback_and_answers_are_notified(client, emails, django_capture_on_commit_callbacks):
    setup = emails
    assignment = services.create_assignment(
        actor=setup.people.teacher,
        course=setup.course,
        title="Bài tập 2",
        instructions="Làm bài.",
        release_at=timezone.now() - timedelta(hours=1),
        due_at=in_days(2),
        delivery_form=DeliveryForm.HO_TRO,
    )
    submission = services.submit_assignment(student=setup.people.student, assignment=assignment, text="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.score_submission(actor=setup.people.teacher, submission=submission, score="9")
    assert set(Notification.objects.filter(kind="feedback").values_list("recipient", flat=True)) == {
        setup.people.student.pk,
        setup.people.parent.pk,
    }
    assert {m.to[0] for m in mail.outbox} == {"nguoi0@truong.example.vn", "nguoi2@truong.example.vn"}
    question = services.ask_question(author=setup.people.student, course=setup.course, title="Hỏi bài 2")
    services.answer_question(author=setup.people.student, question=question, body="Tự trả lời")  # no self-notice
    services.answer_question(author=setup.people.teacher, question=question, body="Xem lại ví dụ 3.")
    assert Notification.objects.filter(kind="answer", recipient=setup.people.student).count() == 1

    client.force_login(setup.people.student)
    page = client.get(reverse("courses:home")).content.decode()
    assert 'data-testid="notifications"' in page and "Hỏi bài 2" in page
    client.post(reverse("courses:notifications_read"))
    assert 'data-testid="notifications"' not in client.get(reverse("courses:home")).content.decode()
    client.force_login(setup.parent2)
    assert "Bài tập 2" not in client.get(reverse("courses:home")).content.decode()
