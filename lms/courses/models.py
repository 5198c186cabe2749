"""School years and classes (lớp) with their students.

A class belongs to one school year; a student is enrolled in at most one class per school year. Course plans,
assignments and teaching assignments build on these.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SchoolYear(models.Model):
    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="school_years"
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 2026–2027."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_current = models.BooleanField(_("current school year"), default=False)

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["school", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="courses_year_name_unique"),
            models.UniqueConstraint(fields=["school"], condition=Q(is_current=True), name="courses_one_current_year"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="courses_year_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.CASCADE, related_name="classes"
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 10A1."))
    grade = models.PositiveSmallIntegerField(_("grade"), choices=[(g, str(g)) for g in range(1, 13)])
    homeroom_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("homeroom teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homeroom_classes",
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school_year", "grade", "name"]
        constraints = [models.UniqueConstraint(fields=["school_year", "name"], name="courses_class_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_year})"


class Enrollment(models.Model):
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="enrollments"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="enrollments"
    )
    # Denormalised from the class so the database can enforce one class per student per school year.
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+", editable=False)
    number = models.PositiveSmallIntegerField(_("number in class list"), null=True, blank=True)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["school_class", "number"]
        constraints = [
            models.UniqueConstraint(fields=["student", "school_year"], name="courses_one_class_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_class.name}"

    def clean(self) -> None:
        if self.school_class_id and self.school_year_id and self.school_class.school_year_id != self.school_year_id:
            raise ValidationError(_("The enrolment's school year must be the class's school year."))
