"""Tests as course plan items (lms.courses.providers, lms.exams.plan_items): the teacher plans a sitting of an
approved test, students open it from the plan, and the attempt's status and score show in the dashboard, its
exports, the student's home, the parents' view and the class records — the score to students and parents only once
the sitting's review option releases it."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.courses import api as courses_api
from lms.courses import providers, records, selectors
from lms.courses import services as course_services
from lms.courses.models import DeliveryForm, ItemKind
from lms.exams import practice, services
from lms.exams.models import Attempt, ReviewOption
from tests.courses.support import yesterday
from tests.exams.support import make_bank, schedule, toan_test


@pytest.fixture
def built(db):
    setup = make_bank()
    return setup, toan_test(setup, variants=2)


def _plan(setup, sitting, **fields):
    return course_services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.cls.course,
        kind=ItemKind.TEST,
        reference=str(sitting.pk),
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
        **fields,
    )


def _sit(sitting, student, *, right: int):
    """The student starts, answers the first ``right`` questions of Part I right (the rest unanswered), submits."""
    attempt = Attempt.objects.select_related("variant", "sitting").get(sitting=sitting, student=student)
    attempt = services.start_attempt(attempt=attempt, student=student)
    slots = [s for s in attempt.variant.slots() if s["content"]["type"] == "single_choice"][:right]
    changes = [{"seq": n, "slot": s["slot"], "response": s["key"]} for n, s in enumerate(slots, start=1)]
    services.save_changes(attempt_id=attempt.pk, student=student, changes=changes)
    return attempt


def test_the_test_kind_is_registered_by_the_exams_app():
    provider = courses_api.get_plan_item_provider(ItemKind.TEST)
    assert provider is not None and type(provider).__module__ == "lms.exams.plan_items"
    with pytest.raises(ValueError):
        courses_api.register_plan_item_provider(ItemKind.LESSON, provider)


def test_a_sitting_of_an_approved_test_is_planned_under_its_title(built):
    setup, test = built
    sitting = schedule(setup, test, title="Kiểm tra 15 phút")
    provider = providers.get_provider(ItemKind.TEST)
    assert [c.reference for c in provider.choices(setup.cls.course)] == [str(sitting.pk)]
    item = _plan(setup, sitting)
    assert (item.kind, item.reference, item.title) == (ItemKind.TEST, str(sitting.pk), "Kiểm tra 15 phút")
    for bad in ("", "abc", str(sitting.pk + 1000)):
        with pytest.raises(ValidationError):
            course_services.add_plan_item(
                actor=setup.people.teacher,
                course=setup.cls.course,
                kind=ItemKind.TEST,
                reference=bad,
                release_at=yesterday(),
                delivery_form=DeliveryForm.HO_TRO,
            )


def test_a_sitting_of_another_course_is_refused(built):
    setup, test = built
    from curriculum.api import get_subject

    van = get_subject("ngu-van")
    course_services.set_subject_offering(school_year=setup.cls.year, grade=10, subject=van, periods_per_year=105)
    course_services.assign_teacher(school_class=setup.cls.klass, subject=van, teacher=setup.people.teacher)
    other = course_services.get_or_create_course(school_class=setup.cls.klass, subject=van)
    sitting = schedule(setup, test)
    with pytest.raises(ValidationError, match="no sitting"):
        course_services.add_plan_item(
            actor=setup.people.teacher,
            course=other,
            kind=ItemKind.TEST,
            reference=str(sitting.pk),
            release_at=yesterday(),
            delivery_form=DeliveryForm.HO_TRO,
        )


def test_status_score_and_release_in_every_view(built, client):
    setup, test = built
    people, student, student2 = setup.people, setup.people.student, setup.cls.student2
    sitting = schedule(setup, test, review=ReviewOption.AFTER_CLOSE)
    item = _plan(setup, sitting)

    board = selectors.get_dashboard(setup.cls.course)
    assert [c.started for row in board.rows for c in row.cells] == [False, False]

    attempt = _sit(sitting, student, right=4)
    cells = {row.student.pk: row.cells[0] for row in selectors.get_dashboard(setup.cls.course).rows}
    assert cells[student.pk].provided_in_progress and not cells[student.pk].finished
    assert not cells[student2.pk].started
    assert selectors.get_student_overview(student).cells[item.pk].provided_in_progress

    services.submit_attempt(attempt=attempt)
    attempt.refresh_from_db()
    expected = (attempt.points * 10 / attempt.max_points).quantize(Decimal("0.1"))
    cells = {row.student.pk: row.cells[0] for row in selectors.get_dashboard(setup.cls.course).rows}
    assert cells[student.pk].finished and cells[student.pk].score == expected
    # The window is still open and the review option is "after the window closes": the teacher sees the score,
    # the student and the parents do not yet.
    mine = selectors.get_student_overview(student).cells[item.pk]
    assert mine.provided_done and mine.score is None
    client.force_login(people.parent)
    page = client.get(reverse("courses:child", args=[student.pk])).content.decode()
    assert "✓" in page and courses_api.format_score(expected) not in page.split(f'data-testid="item-{item.pk}"')[1]

    sitting.review = ReviewOption.MARKS_AFTER_SUBMIT
    sitting.save(update_fields=["review"])
    assert selectors.get_student_overview(student).cells[item.pk].score == expected
    page = client.get(reverse("courses:child", args=[student.pk])).content.decode()
    row = page.split(f'data-testid="item-{item.pk}"')[1].split("</tr>")[0]
    assert courses_api.format_score(expected) in row

    client.force_login(student)
    page = client.get(reverse("courses:item", args=[item.pk])).content.decode()
    assert reverse("exams:lobby", args=[sitting.pk]) in page and courses_api.format_score(expected) in page
    client.force_login(people.teacher)
    page = client.get(reverse("courses:item", args=[item.pk])).content.decode()
    assert reverse("exams:report", args=[sitting.pk]) in page
    page = client.get(reverse("courses:dashboard", args=[setup.cls.course.pk])).content.decode()
    assert courses_api.format_score(expected) in page.split(f'data-testid="row-{student.username}"')[1]
    export = client.get(reverse("courses:dashboard_export", args=[setup.cls.course.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    mine = next(r for r in rows[1:] if r[2] == student.get_full_name())
    assert mine[8] and mine[11] == courses_api.format_score(expected)

    archive = zipfile.ZipFile(io.BytesIO(records.build(setup.cls.klass)))
    table = list(csv.reader(io.StringIO(archive.read("kiem-tra-luyen-tap.csv").decode("utf-8-sig"))))
    assert table[1][1] == item.title and table[1][4] == student.get_full_name()
    assert (table[1][5], table[1][6]) == ("đã làm xong", courses_api.format_score(expected))


def test_an_item_with_attempts_counts_as_student_work(built):
    setup, test = built
    sitting = schedule(setup, test)
    item = _plan(setup, sitting)
    assert course_services.student_work_on_item(item)["completed"] == 0
    _sit(sitting, setup.people.student, right=1)
    assert course_services.student_work_on_item(item)["completed"] == 1


def _dashboard_queries(client, course) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("courses:dashboard", args=[course.pk]))
    assert response.status_code == 200
    return len(queries)


def _practise(setup, versions, student):
    made = practice.create_practice_set(
        author=setup.people.teacher, school=setup.people.school, title="Luyện tập", versions=versions
    )
    practice.set_published(practice_set=made, user=setup.people.teacher, published=True)
    course_services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.cls.course,
        kind=ItemKind.PRACTICE,
        reference=str(made.pk),
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )
    attempt = practice.start_attempt(practice_set=made, student=student)
    practice.finish_attempt(attempt=attempt, student=student, responses={1: "A"})


def test_dashboard_queries_do_not_grow_with_tests_and_practice_sets_in_the_plan(built, client):
    setup, test = built
    first = schedule(setup, test)
    _plan(setup, first)
    _sit(first, setup.people.student, right=2)
    _practise(setup, setup.singles[:2], setup.people.student)
    client.force_login(setup.people.teacher)
    _dashboard_queries(client, setup.cls.course)
    small = _dashboard_queries(client, setup.cls.course)
    for n in range(3):
        sitting = schedule(setup, test)
        _plan(setup, sitting)
        _sit(sitting, setup.cls.student2, right=3)
        _practise(setup, setup.singles[n : n + 3], setup.cls.student2)
    assert setup.cls.course.items.count() == 8
    assert _dashboard_queries(client, setup.cls.course) == small


def test_the_plan_editor_lists_the_sittings_and_plans_the_picked_one(built, client):
    setup, test = built
    sitting = schedule(setup, test, title="Kiểm tra chương I")
    client.force_login(setup.people.teacher)
    page = client.get(reverse("courses:course", args=[setup.cls.course.pk])).content.decode()
    assert 'name="test_choice"' in page and 'name="practice_choice"' in page
    assert f'<option value="{sitting.pk}">Kiểm tra chương I' in page
    response = client.post(
        reverse("courses:add_item", args=[setup.cls.course.pk]),
        {
            "kind": "test",
            "test_choice": str(sitting.pk),
            "release_at": "2026-09-10T07:00",
            "delivery_form": "HO_TRO",
        },
    )
    assert response.status_code == 302
    item = setup.cls.course.items.get()
    assert (item.kind, item.reference, item.title) == ("test", str(sitting.pk), "Kiểm tra chương I")
