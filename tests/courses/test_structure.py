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


def test_the_structure_page_adds_semesters_classes_subjects_and_teachers(client, setup):
    from django.urls import reverse

    url = reverse("courses:structure", args=[setup.year.pk])
    client.force_login(setup.people.school_admin)
    toan, van = get_subject("toan"), get_subject("ngu-van")
    posts = [
        {
            "action": "semester",
            "semester-number": "1",
            "semester-starts_on": "2026-09-05",
            "semester-ends_on": "2027-01-16",
        },
        {
            "action": "class",
            "class-name": "10A3",
            "class-grade": "10",
            "class-homeroom_teacher": str(setup.people.group_head.pk),
        },
        {
            "action": "offering",
            "offering-grade": "10",
            "offering-subject": str(van.pk),
            "offering-periods_per_year": "105",
        },
        {
            "action": "teaching",
            "teaching-school_class": str(setup.klass.pk),
            "teaching-subject": str(van.pk),
            "teaching-teacher": str(setup.people.group_head.pk),
        },
    ]
    for data in posts:
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
    assert setup.year.semesters.get().number == 1
    assert setup.year.classes.get(name="10A3").homeroom_teacher == setup.people.group_head
    assert setup.year.subject_offerings.get(subject=van).assessment_method == AssessmentMethod.SCORE
    assert TeachingAssignment.objects.get(school_class=setup.klass, subject=van).teacher == setup.people.group_head
    assert Course.objects.filter(school_class=setup.klass, subject=van).exists()
    # A refused change says why and saves nothing.
    response = client.post(
        url,
        {
            "action": "teaching",
            "teaching-school_class": str(setup.klass.pk),
            "teaching-subject": str(get_subject("vat-li").pk),
            "teaching-teacher": str(setup.people.teacher.pk),
        },
    )
    assert response.status_code == 200
    assert "Vật lí" in response.content.decode()
    assert not TeachingAssignment.objects.filter(subject__code="vat-li").exists()
    assert TeachingAssignment.objects.get(school_class=setup.klass, subject=toan).teacher == setup.people.teacher
