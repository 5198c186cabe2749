"""The demo seed gives 10A1 a Toán course with a plan (lessons, an assignment, a test), teachers, semesters;
it stays idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from lms.courses.models import Course, ItemKind, TeachingAssignment


@pytest.mark.django_db
def test_seed_gives_10a1_a_course_plan():
    call_command("seed_demo", stdout=StringIO())
    course = Course.objects.get(school_class__name="10A1", subject__code="toan")
    kinds = [item.kind for item in course.items.order_by("position")]
    assert kinds == [ItemKind.LESSON, ItemKind.LESSON, ItemKind.ASSIGNMENT, ItemKind.TEST]  # the open 15-minute test
    assert all(item.lesson.live for item in course.items.filter(kind=ItemKind.LESSON))
    assert TeachingAssignment.objects.filter(school_class__name="10A2", teacher__username="gv.van1").exists()
    assert course.school_class.school_year.semesters.count() == 2
    call_command("seed_demo", stdout=StringIO())
    assert course.items.count() == 4
