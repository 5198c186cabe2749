"""School structure: school years and semesters, subjects per grade (R16), teaching assignments, courses."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from curriculum.api import get_subject
from lms.courses import services
from lms.courses.models import AssessmentMethod, Course, TeachingAssignment


def test_semesters_lie_inside_their_year(setup):
    first = services.create_semester(
        school_year=setup.year, number=1, starts_on=date(2026, 9, 5), ends_on=date(2027, 1, 15)
    )
    assert first.number == 1
    with pytest.raises(ValidationError, match=r"trong năm học|inside its school year"):
        services.create_semester(
            school_year=setup.year, number=2, starts_on=date(2027, 1, 16), ends_on=date(2027, 7, 1)
        )
    with pytest.raises(ValidationError):
        services.create_semester(
            school_year=setup.year, number=1, starts_on=date(2026, 9, 10), ends_on=date(2027, 1, 10)
        )


@pytest.mark.parametrize(
    ("code", "method"),
    [
        ("toan", AssessmentMethod.SCORE),
        ("ngu-van", AssessmentMethod.SCORE),
        ("giao-duc-the-chat", AssessmentMethod.COMMENT),
        ("am-nhac", AssessmentMethod.COMMENT),
        ("mi-thuat", AssessmentMethod.COMMENT),
        ("hoat-dong-trai-nghiem", AssessmentMethod.COMMENT),
        ("gd-dia-phuong", AssessmentMethod.COMMENT),
    ],
)
def test_assessment_method_defaults_from_tt22(setup, code, method):
    offering = services.set_subject_offering(
        school_year=setup.year, grade=10, subject=get_subject(code), periods_per_year=70
    )
    assert offering.assessment_method == method
    assert offering.rules == "TT22_2021"


def test_assessment_method_can_be_chosen_and_updated(setup):
    offering = services.set_subject_offering(
        school_year=setup.year,
        grade=10,
        subject=get_subject("toan"),
        periods_per_year=105,
        assessment_method=AssessmentMethod.COMMENT,
    )
    assert offering.assessment_method == AssessmentMethod.COMMENT
    assert setup.year.subject_offerings.filter(subject__code="toan", grade=10).count() == 1


def test_teaching_assignment_needs_a_teacher_and_a_subject_of_the_grade(setup):
    people = setup.people
    with pytest.raises(ValidationError, match=r"giáo viên|not a teacher"):
        services.assign_teacher(school_class=setup.klass, subject=get_subject("toan"), teacher=people.student)
    with pytest.raises(ValidationError, match=r"ngu|Ngữ văn"):
        services.assign_teacher(school_class=setup.klass, subject=get_subject("ngu-van"), teacher=people.teacher)
    services.set_subject_offering(
        school_year=setup.year, grade=10, subject=get_subject("ngu-van"), periods_per_year=105
    )
    services.assign_teacher(school_class=setup.klass, subject=get_subject("ngu-van"), teacher=people.group_head)
    assert Course.objects.filter(school_class=setup.klass, subject__code="ngu-van").exists()
    # A new teacher for the subject replaces the old one: one teacher per subject and class.
    services.assign_teacher(school_class=setup.klass, subject=get_subject("ngu-van"), teacher=people.teacher)
    assert TeachingAssignment.objects.get(school_class=setup.klass, subject__code="ngu-van").teacher == people.teacher


def test_homeroom_teacher_must_teach_at_the_school(setup):
    with pytest.raises(ValidationError):
        services.create_class(school_year=setup.year, name="10A2", grade=10, homeroom_teacher=setup.people.parent)
