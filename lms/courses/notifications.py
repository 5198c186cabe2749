"""Notifications (in-app, and e-mail through Celery after commit): new plan items when they are released, due
dates a day ahead, feedback on handed-in work (to the student and their parents), questions asked in a course (to
its teachers) and answers to a question (to its author); nobody is notified of their own question or answer.
Release and due-date notices are sent by the periodic task ``courses.send_plan_notifications`` (every 15 minutes,
see config.settings.base.CELERY_BEAT_SCHEDULE); a database constraint keeps each notice to one per person and
item."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lib.email import send_email_on_commit
from lms.courses.models import Enrollment, Notification, NotificationKind, PlanItem, Submission
from lms.schools.api import get_guardians

DUE_SOON = timedelta(hours=24)


def notify(*, recipients, kind: str, text: str, url: str, item: PlanItem | None = None) -> int:
    """One in-app notice per person (skipping any already sent for this item and kind) and an e-mail to those with
    an address. Returns how many were created."""
    created = 0
    site = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    for person in recipients:
        try:
            with transaction.atomic():
                Notification.objects.create(recipient=person, kind=kind, text=text[:300], url=url, item=item)
        except IntegrityError:
            continue  # already notified of this item
        created += 1
        if person.email:
            send_email_on_commit(to=[person.email], subject=text[:150], body=f"{text}\n\n{site}{url}")
    return created


def _students(item: PlanItem):
    return [
        e.student
        for e in Enrollment.objects.filter(school_class_id=item.course.school_class_id).select_related("student")
    ]


def feedback_given(submission: Submission) -> None:
    item = submission.assignment.item
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your work “%(title)s” has been scored.") % {"title": item.title}
        parents_text = _("%(name)s's work “%(title)s” has been scored.") % {
            "name": submission.student.get_full_name(),
            "title": item.title,
        }
    notify(
        recipients=[submission.student],
        kind=NotificationKind.FEEDBACK,
        text=text,
        url=reverse("courses:item", args=[item.pk]),
    )
    parents = [link.parent for link in get_guardians(submission.student)]
    notify(
        recipients=parents,
        kind=NotificationKind.FEEDBACK,
        text=parents_text,
        url=reverse("courses:child", args=[submission.student_id]),
    )


def question_asked(question) -> None:
    """The course's teachers hear of a question (not the teacher who asked it)."""
    from lms.courses.models import TeachingAssignment

    course = question.course
    teachers = [
        t.teacher
        for t in TeachingAssignment.objects.filter(
            school_class_id=course.school_class_id, subject_id=course.subject_id
        ).select_related("teacher")
        if t.teacher_id != question.author_id
    ]
    if not teachers:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(name)s asked in %(course)s: “%(title)s”") % {
            "name": question.author.get_full_name() or question.author.get_username(),
            "course": f"{course.subject.name} – {course.school_class.name}",
            "title": question.title,
        }
    notify(
        recipients=teachers,
        kind=NotificationKind.QUESTION,
        text=text,
        url=reverse("courses:question", args=[question.pk]),
    )


def answer_posted(answer) -> None:
    question = answer.question
    if question.author_id == answer.author_id:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(name)s answered your question “%(title)s”.") % {
            "name": answer.author.get_full_name(),
            "title": question.title,
        }
    notify(
        recipients=[question.author],
        kind=NotificationKind.ANSWER,
        text=text,
        url=reverse("courses:question", args=[question.pk]),
    )


def send_plan_notifications(now=None) -> int:
    """Released items and items due within a day (to students who have not handed in or completed them)."""
    from content.api import get_progress_for_people

    now = now or timezone.now()
    sent = 0
    released = PlanItem.objects.filter(
        release_at__lte=now, release_at__gte=now - timedelta(days=7), archived_at__isnull=True
    ).select_related("course__subject", "course__school_class")
    for item in released:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("New in %(course)s: %(title)s") % {"course": item.course.subject.name, "title": item.title}
        sent += notify(
            recipients=_students(item),
            kind=NotificationKind.NEW_ITEM,
            text=text,
            url=reverse("courses:item", args=[item.pk]),
            item=item,
        )
    due = PlanItem.objects.filter(
        due_at__gt=now, due_at__lte=now + DUE_SOON, release_at__lte=now, archived_at__isnull=True
    ).select_related("course__subject", "course__school_class", "assignment")
    for item in due:
        students = _students(item)
        if item.kind == "assignment":
            done = set(item.assignment.submissions.values_list("student_id", flat=True))
        elif item.lesson_id:
            progress = get_progress_for_people(user_ids=[s.pk for s in students], lesson_ids=[item.lesson_id])
            done = {user_id for (user_id, _lesson), p in progress.items() if p.completed_at}
        else:
            done = set()
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Due %(when)s: %(title)s") % {
                "when": timezone.localtime(item.due_at).strftime("%H:%M %d/%m"),
                "title": item.title,
            }
        sent += notify(
            recipients=[s for s in students if s.pk not in done],
            kind=NotificationKind.DUE_SOON,
            text=text,
            url=reverse("courses:item", args=[item.pk]),
            item=item,
        )
    return sent


def unread(user, limit: int = 20):
    return list(Notification.objects.filter(recipient=user, read_at__isnull=True)[:limit])


def mark_read(user) -> None:
    Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
