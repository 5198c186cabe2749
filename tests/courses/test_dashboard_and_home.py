"""The teacher's dashboard (R7) with its filter and exports, the student home and the parents' view (R14)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from content import api as content_api
from lms.courses import selectors, services
from lms.courses.models import DeliveryForm, ItemKind
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.courses.support import consent_to_analytics, in_days, publish_lesson, yesterday
from tests.support.factories import UserFactory


@pytest.fixture
def planned(setup):
    lesson_item = services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        release_at=yesterday(),
        due_at=in_days(5),
        delivery_form=DeliveryForm.HO_TRO,
    )
    assignment = services.create_assignment(
        actor=setup.people.teacher,
        course=setup.course,
        title="Bài tập 1",
        instructions="Làm bài 1.",
        release_at=yesterday(),
        due_at=in_days(3),
        delivery_form=DeliveryForm.HO_TRO,
    )
    # The first student (with the learning_analytics consents of the student and the parent) reads the lesson
    # through the course, finishes it and hands in work, which is scored.
    consent_to_analytics(setup.people.student, setup.people.parent)
    services.record_item_opened(student=setup.people.student, item=lesson_item)
    services.record_time_spent(student=setup.people.student, item=lesson_item, seconds=45)
    services.record_time_spent(student=setup.people.student, item=lesson_item, seconds=3600)  # capped at 60
    content_api.record_lesson_opened(user=setup.people.student, lesson=setup.lesson)
    content_api.set_lesson_done(user=setup.people.student, lesson=setup.lesson)
    submission = services.submit_assignment(
        student=setup.people.student,
        assignment=assignment,
        files=[SimpleUploadedFile("bai.pdf", b"%PDF-1.4", content_type="application/pdf")],
    )
    services.score_submission(actor=setup.people.teacher, submission=submission, score="8,5", feedback="Khá tốt")
    return lesson_item, assignment


def test_the_dashboard_shows_each_student_and_item(setup, planned):
    assert planned[0].kind == "lesson" and planned[1].item.kind == "assignment"
    board = selectors.get_dashboard(setup.course)
    rows = {row.student.pk: row for row in board.rows}
    first = rows[setup.people.student.pk]
    assert first.started
    lesson_cell, assignment_cell = first.cells
    assert lesson_cell.opened_at is not None and lesson_cell.completed_at is not None
    assert lesson_cell.seconds == 105
    assert assignment_cell.submitted_at is not None and assignment_cell.score_text == "8,5"
    second = rows[setup.student2.pk]
    assert not second.started and all(c.opened_at is None for c in second.cells)
    not_started = selectors.get_dashboard(setup.course, not_started_only=True)
    assert [row.student for row in not_started.rows] == [setup.student2]


def test_the_dashboard_page_filters_and_exports(client, setup, planned):
    client.force_login(setup.people.teacher)
    url = reverse("courses:dashboard", args=[setup.course.pk])
    page = client.get(url).content.decode()
    assert setup.people.student.get_full_name() in page and setup.student2.get_full_name() in page
    assert "8,5" in page
    page = client.get(url + "?chua-bat-dau=1").content.decode()
    assert setup.student2.get_full_name() in page and setup.people.student.get_full_name() not in page

    response = client.get(reverse("courses:dashboard_export", args=[setup.course.pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 2 * 2
    scored = next(r for r in rows if r[2] == setup.people.student.get_full_name() and r[4] == "Bài tập 1")
    assert scored[11] == "8,5" and scored[9]  # submitted at

    response = client.get(reverse("courses:dashboard_export", args=[setup.course.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 5
    scored = next(r for r in values if r[2] == setup.people.student.get_full_name() and r[4] == "Bài tập 1")
    assert scored[11] == 8.5


def _grow_class(setup, extra: int, items: int):
    for n in range(extra):
        student = UserFactory(username=f"them{len(setup.klass.enrollments.all())}-{n}")
        schools_api.assign_role(user=student, school=setup.people.school, role=Role.STUDENT)
        services.enroll_student(school_class=setup.klass, student=student)
        content_api.record_lesson_opened(user=student, lesson=setup.lesson)
    for n in range(items):
        services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.course,
            kind=ItemKind.LESSON,
            lesson=setup.lesson,
            title=f"Luyện tập {n}",
            release_at=yesterday(),
            delivery_form=DeliveryForm.HO_TRO,
        )


def _dashboard_queries(client, setup) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("courses:dashboard", args=[setup.course.pk]))
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_the_class_or_the_plan(client, setup, planned):
    client.force_login(setup.people.teacher)
    _dashboard_queries(client, setup)  # warm the per-process caches (site, content types)
    small = _dashboard_queries(client, setup)
    _grow_class(setup, extra=12, items=10)
    large = _dashboard_queries(client, setup)
    assert large == small, f"{small} queries for 2 students × 2 items, {large} for 14 × 12"
    assert small <= 20


def test_student_home_shows_due_work_continue_and_self_study(client, setup, planned):
    other = publish_lesson(setup.people, title="Bài 7. Đọc thêm: Tập hợp số")
    content_api.record_lesson_opened(user=setup.people.student, lesson=other)
    client.force_login(setup.people.student)
    page = client.get(reverse("courses:home")).content.decode()
    assert "Bài tập 1" in page  # handed in, so not in "due"; but in the course table with its score
    assert "8,5" in page
    assert 'data-testid="self-study"' in page and other.title in page
    overview = selectors.get_student_overview(setup.people.student, with_self_study=True)
    assert overview.due == []  # both items done
    assert [lesson.pk for lesson, _progress in overview.self_study] == [other.pk]
    # The second student has both items due and nothing to continue.
    second = selectors.get_student_overview(setup.student2)
    assert {item.title for item in second.due} == {"Bài tập 1", setup.lesson.title}
    assert second.continue_item is None
    services.record_item_opened(student=setup.student2, item=planned[0])
    assert selectors.get_student_overview(setup.student2).continue_item == planned[0]


def test_unreleased_items_are_hidden_from_students(client, setup, planned):
    services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        title="Kiểm tra 15 phút (tuần sau)",
        release_at=in_days(7),
        delivery_form=DeliveryForm.HO_TRO,
    )
    client.force_login(setup.people.student)
    assert "Kiểm tra 15 phút" not in client.get(reverse("courses:course", args=[setup.course.pk])).content.decode()
    client.force_login(setup.people.teacher)
    assert "Kiểm tra 15 phút" in client.get(reverse("courses:course", args=[setup.course.pk])).content.decode()


def test_parents_see_their_own_child_and_nothing_of_others(client, setup, planned):
    client.force_login(setup.people.parent)
    page = client.get(reverse("courses:child", args=[setup.people.student.pk])).content.decode()
    assert setup.people.student.get_full_name() in page
    assert "8,5" in page
    assert "Hoàn thành" in page or "Completed" in page
    assert client.get(reverse("courses:child", args=[setup.student2.pk])).status_code == 403
    client.force_login(setup.parent2)
    page = client.get(reverse("courses:child", args=[setup.student2.pk])).content.decode()
    assert "8,5" not in page
    assert setup.people.student.get_full_name() not in page
    assert client.get(reverse("courses:child", args=[setup.people.student.pk])).status_code == 403
    item_page = client.get(reverse("courses:item", args=[planned[1].item.pk])).content.decode()
    assert setup.people.student.get_full_name() not in item_page and "8,5" not in item_page


def test_exports_never_carry_spreadsheet_formulas(client, setup, planned):
    services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        title='=HYPERLINK("http://example.com","x")',
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )
    client.force_login(setup.people.teacher)
    text = client.get(reverse("courses:dashboard_export", args=[setup.course.pk, "csv"])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("courses:dashboard_export", args=[setup.course.pk, "xlsx"])).content)
    )
    titles = {row[4] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert '\'=HYPERLINK("http://example.com","x")' in titles
