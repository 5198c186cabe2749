"""Reads for school years, classes and enrolments."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from lms.courses.models import Enrollment, SchoolClass, SchoolYear


def get_current_school_year(school) -> SchoolYear | None:
    return SchoolYear.objects.filter(school=school, is_current=True).first()


def get_classes(school_year: SchoolYear) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(school_year=school_year)
        .select_related("homeroom_teacher")
        .annotate(student_count=Count("enrollments"))
    )


def get_class_students(school_class: SchoolClass):
    return [e.student for e in Enrollment.objects.filter(school_class=school_class).select_related("student")]


def get_student_classes(student) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(enrollments__student=student).select_related("school_year__school")
