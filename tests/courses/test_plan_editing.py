"""Changing and deleting plan items: only the course's teachers; the TT 09 rules still hold on edit; an item that
students have worked on (opened, completed, handed in, asked about) is never deleted, so no student work is lost."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.courses import selectors, services
from lms.courses.models import DeliveryForm, ItemKind, LatePolicy, PlanItem, Submission
from tests.courses.support import in_days, yesterday


def _lesson_item(setup, **fields):
    return services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        release_at=fields.pop("release_at", yesterday()),
        delivery_form=DeliveryForm.HO_TRO,
        **fields,
    )


def _assignment(setup, due_at=None):
    return services.create_assignment(
        actor=setup.people.teacher,
        course=setup.course,
        title="Bài tập 1",
        instructions="Làm bài 1, 2 trang 18.",
        release_at=yesterday(),
        due_at=due_at or in_days(2),
        delivery_form=DeliveryForm.HO_TRO,
    )


def test_teacher_changes_title_dates_form_and_instructions(setup):
    assignment = _assignment(setup)
    new_due = in_days(5)
    item = services.update_plan_item(
        actor=setup.people.teacher,
        item=assignment.item,
        title="Bài tập 1 (sửa)",
        release_at=yesterday(),
        due_at=new_due,
        delivery_form=DeliveryForm.HO_TRO,
        instructions="Làm bài 1, 2, 3 trang 18.",
        late_policy=LatePolicy.REFUSE,
        counts_as_regular_assessment=True,
    )
    item.refresh_from_db()
    assignment.refresh_from_db()
    assert (item.title, item.due_at) == ("Bài tập 1 (sửa)", new_due)
    assert assignment.instructions == "Làm bài 1, 2, 3 trang 18."
    assert assignment.late_policy == LatePolicy.REFUSE and assignment.counts_as_regular_assessment
    assert ModelLogEntry.objects.filter(action="courses.plan_item_changed", object_id=str(item.pk)).exists()


def test_edit_keeps_the_tt09_rules(setup):
    item = _lesson_item(setup)
    # "Replaces" needs a force-majeure period; none is declared.
    with pytest.raises(ValidationError, match=r"bất khả kháng|force-majeure"):
        services.update_plan_item(
            actor=setup.people.teacher,
            item=item,
            title=item.title,
            release_at=yesterday(),
            delivery_form=DeliveryForm.THAY_THE,
        )
    with pytest.raises(ValidationError):
        services.update_plan_item(
            actor=setup.people.teacher,
            item=item,
            title=item.title,
            release_at=in_days(3),
            due_at=in_days(1),
            delivery_form=DeliveryForm.HO_TRO,
        )
    item.refresh_from_db()
    assert item.delivery_form == DeliveryForm.HO_TRO and item.due_at is None  # nothing changed
    # An empty title on a lesson falls back to the lesson's title.
    services.update_plan_item(
        actor=setup.people.teacher, item=item, title=" ", release_at=yesterday(), delivery_form=DeliveryForm.HO_TRO
    )
    item.refresh_from_db()
    assert item.title == setup.lesson.title


def test_an_assignment_keeps_its_due_date(setup):
    assignment = _assignment(setup)
    with pytest.raises(ValidationError):
        services.update_plan_item(
            actor=setup.people.teacher,
            item=assignment.item,
            title="x",
            release_at=yesterday(),
            due_at=None,
            delivery_form=DeliveryForm.HO_TRO,
        )


def test_moving_the_due_date_re_marks_late_work(setup):
    assignment = _assignment(setup)
    submission = services.submit_assignment(student=setup.people.student, assignment=assignment, text="Bài làm")
    assert not submission.is_late
    services.update_plan_item(
        actor=setup.people.teacher,
        item=assignment.item,
        title="Bài tập 1",
        release_at=yesterday() - timedelta(days=1),
        due_at=timezone.now() - timedelta(hours=1),
        delivery_form=DeliveryForm.HO_TRO,
    )
    submission.refresh_from_db()
    assert submission.is_late
    services.update_plan_item(
        actor=setup.people.teacher,
        item=assignment.item,
        title="Bài tập 1",
        release_at=yesterday(),
        due_at=in_days(1),
        delivery_form=DeliveryForm.HO_TRO,
    )
    submission.refresh_from_db()
    assert not submission.is_late


@pytest.mark.parametrize("who", ["student", "parent", "group_head", "principal", "school_admin"])
def test_only_the_course_teacher_edits_or_deletes(setup, who):
    item = _lesson_item(setup)
    user = getattr(setup.people, who)
    with pytest.raises(PermissionDenied):
        services.update_plan_item(
            actor=user, item=item, title="x", release_at=yesterday(), delivery_form=DeliveryForm.HO_TRO
        )
    with pytest.raises(PermissionDenied):
        services.delete_plan_item(actor=user, item=item)
    assert PlanItem.objects.filter(pk=item.pk, title=setup.lesson.title).exists()


def test_delete_an_untouched_item_renumbers_the_plan(setup):
    first = _lesson_item(setup, title="Một")
    second = _lesson_item(setup, title="Hai")
    third = _lesson_item(setup, title="Ba")
    services.delete_plan_item(actor=setup.people.teacher, item=second)
    assert list(setup.course.items.order_by("position").values_list("pk", "position")) == [
        (first.pk, 1),
        (third.pk, 2),
    ]
    assert ModelLogEntry.objects.filter(action="courses.plan_item_deleted", object_id=str(second.pk)).exists()


def test_an_item_with_a_submission_is_archived_not_deleted(setup, client):
    assignment = _assignment(setup)
    item = assignment.item
    submission = services.submit_assignment(student=setup.people.student, assignment=assignment, text="Bài làm")
    assert services.delete_plan_item(actor=setup.people.teacher, item=item) == "archived"
    item.refresh_from_db()
    assert item.archived_at and item.archived_by == setup.people.teacher
    assert Submission.objects.filter(pk=submission.pk).exists()
    entry = ModelLogEntry.objects.get(action="courses.plan_item_archived", object_id=str(item.pk))
    assert entry.data["work"]["submissions"] == 1
    # Hidden from students (plan, home, item page), kept for the teacher (plan, dashboard) with its mark.
    assert item not in selectors.get_plan(setup.course, released_only=True)
    assert item.pk not in selectors.get_student_overview(setup.people.student).cells
    assert item in selectors.get_dashboard(setup.course).items
    client.force_login(setup.people.student)
    assert client.get(reverse("courses:item", args=[item.pk])).status_code == 404
    assert item.title not in client.get(reverse("courses:course", args=[setup.course.pk])).content.decode()
    client.force_login(setup.people.teacher)
    page = client.get(reverse("courses:course", args=[setup.course.pk])).content.decode()
    assert f'data-testid="archived-{item.pk}"' in page and f'data-testid="restore-{item.pk}"' in page
    page = client.get(reverse("courses:dashboard", args=[setup.course.pk])).content.decode()
    assert f'data-testid="archived-{item.pk}"' in page
    export = client.get(reverse("courses:dashboard_export", args=[setup.course.pk, "csv"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))[1:]
    assert {r[-1] for r in rows if r[4] == item.title} <= {"có", "yes"} and any(r[4] == item.title for r in rows)
    # Archiving again changes nothing; a course teacher restores it.
    assert services.delete_plan_item(actor=setup.people.teacher, item=item) == "archived"
    assert ModelLogEntry.objects.filter(action="courses.plan_item_archived", object_id=str(item.pk)).count() == 1
    with pytest.raises(PermissionDenied):
        services.restore_plan_item(actor=setup.people.student, item=item)
    assert client.post(reverse("courses:restore_item", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.archived_at is None and item in selectors.get_plan(setup.course, released_only=True)
    assert ModelLogEntry.objects.filter(action="courses.plan_item_restored", object_id=str(item.pk)).exists()
    with pytest.raises(ValidationError, match=r"not archived|không"):
        services.restore_plan_item(actor=setup.people.teacher, item=item)


def test_an_item_a_student_opened_or_completed_or_asked_about_is_archived(setup):
    from content import api as content_api

    opened = _lesson_item(setup, title="Đã mở")
    services.record_item_opened(student=setup.people.student, item=opened)
    assert services.delete_plan_item(actor=setup.people.teacher, item=opened) == "archived"

    # Completed on the lesson page itself (content's progress), never opened through the course.
    completed = _lesson_item(setup, title="Đã học")
    content_api.record_lesson_opened(user=setup.student2, lesson=setup.lesson)
    content_api.set_lesson_done(user=setup.student2, lesson=setup.lesson, done=True)
    assert services.student_work_on_item(completed)["completed"] == 1
    assert services.delete_plan_item(actor=setup.people.teacher, item=completed) == "archived"

    asked = services.create_assignment(
        actor=setup.people.teacher,
        course=setup.course,
        title="Có câu hỏi",
        instructions="…",
        release_at=yesterday(),
        due_at=in_days(1),
        delivery_form=DeliveryForm.HO_TRO,
    ).item
    services.ask_question(author=setup.people.student, course=setup.course, title="Hỏi", item=asked)
    assert services.delete_plan_item(actor=setup.people.teacher, item=asked) == "archived"
    assert PlanItem.objects.filter(pk__in=[opened.pk, completed.pk, asked.pk], archived_at__isnull=False).count() == 3


def test_edit_and_delete_pages(client, setup):
    teacher = setup.people.teacher
    item = _lesson_item(setup)
    client.force_login(teacher)
    course_page = client.get(reverse("courses:course", args=[setup.course.pk])).content.decode()
    assert reverse("courses:edit_item", args=[item.pk]) in course_page
    assert reverse("courses:delete_item", args=[item.pk]) in course_page

    page = client.get(reverse("courses:edit_item", args=[item.pk]))
    assert page.status_code == 200 and setup.lesson.title in page.content.decode()
    response = client.post(
        reverse("courses:edit_item", args=[item.pk]),
        {"title": "Bài 3 (ôn tập)", "release_at": "2026-09-10T07:00", "delivery_form": "HO_TRO"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Bài 3 (ôn tập)"
    assert timezone.localtime(item.release_at).strftime("%Y-%m-%d %H:%M") == "2026-09-10 07:00"
    # A refused change shows the reason on the form and changes nothing.
    response = client.post(
        reverse("courses:edit_item", args=[item.pk]),
        {"title": "x", "release_at": "2026-09-10T07:00", "delivery_form": "THAY_THE"},
    )
    assert response.status_code == 200 and "bất khả kháng" in response.content.decode()
    item.refresh_from_db()
    assert item.title == "Bài 3 (ôn tập)"

    # Confirmation first; a GET never deletes.
    confirm = client.get(reverse("courses:delete_item", args=[item.pk]))
    assert confirm.status_code == 200 and PlanItem.objects.filter(pk=item.pk).exists()
    assert client.post(reverse("courses:delete_item", args=[item.pk])).status_code == 302
    assert not PlanItem.objects.filter(pk=item.pk).exists()


def test_delete_page_with_student_work_offers_to_archive_and_says_why(client, setup):
    assignment = _assignment(setup)
    services.submit_assignment(student=setup.people.student, assignment=assignment, text="Bài làm")
    client.force_login(setup.people.teacher)
    confirm = client.get(reverse("courses:delete_item", args=[assignment.item.pk])).content.decode()
    assert "lưu trữ" in confirm.lower() or "archived" in confirm
    assert 'data-testid="archive"' in confirm
    response = client.post(reverse("courses:delete_item", args=[assignment.item.pk]), follow=True)
    assert PlanItem.objects.filter(pk=assignment.item.pk, archived_at__isnull=False).exists()
    assert response.redirect_chain
    confirm = client.get(reverse("courses:delete_item", args=[assignment.item.pk])).content.decode()
    assert 'data-testid="restore"' in confirm
