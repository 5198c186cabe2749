"""Writes for school years, classes and enrolments."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.courses.models import Enrollment, SchoolClass, SchoolYear
from lms.schools.api import Role, has_role


@transaction.atomic
def create_school_year(*, school, name: str, starts_on: date, ends_on: date, is_current: bool = False) -> SchoolYear:
    if is_current:
        SchoolYear.objects.filter(school=school, is_current=True).update(is_current=False)
    year = SchoolYear(school=school, name=name, starts_on=starts_on, ends_on=ends_on, is_current=is_current)
    year.full_clean()
    year.save()
    return year


def get_or_create_school_year(
    *, school, name: str, starts_on: date, ends_on: date, is_current: bool = False
) -> SchoolYear:
    existing = SchoolYear.objects.filter(school=school, name=name).first()
    return existing or create_school_year(
        school=school, name=name, starts_on=starts_on, ends_on=ends_on, is_current=is_current
    )


@transaction.atomic
def create_class(*, school_year: SchoolYear, name: str, grade: int, homeroom_teacher=None) -> SchoolClass:
    if homeroom_teacher is not None and not has_role(homeroom_teacher, Role.TEACHER, school_year.school):
        raise ValidationError(
            _("%(name)s is not a teacher at %(school)s.") % {"name": homeroom_teacher, "school": school_year.school}
        )
    school_class = SchoolClass(school_year=school_year, name=name, grade=grade, homeroom_teacher=homeroom_teacher)
    school_class.full_clean()
    school_class.save()
    return school_class


@transaction.atomic
def enroll_student(
    *, school_class: SchoolClass, student, number: int | None = None, enrolled_on: date | None = None
) -> Enrollment:
    school = school_class.school_year.school
    if not has_role(student, Role.STUDENT, school):
        raise ValidationError(_("%(name)s is not a student at %(school)s.") % {"name": student, "school": school})
    existing = Enrollment.objects.filter(student=student, school_year=school_class.school_year).first()
    if existing and existing.school_class_id != school_class.pk:
        raise ValidationError(
            _("%(name)s is already in class %(class)s this school year.")
            % {"name": student, "class": existing.school_class.name}
        )
    if existing:
        return existing
    enrollment = Enrollment(
        school_class=school_class,
        student=student,
        school_year=school_class.school_year,
        number=number,
        enrolled_on=enrolled_on,
    )
    enrollment.full_clean()
    enrollment.save()
    return enrollment


def get_or_create_class(*, school_year: SchoolYear, name: str, grade: int, homeroom_teacher=None) -> SchoolClass:
    existing = SchoolClass.objects.filter(school_year=school_year, name=name).first()
    return existing or create_class(school_year=school_year, name=name, grade=grade, homeroom_teacher=homeroom_teacher)
