"""Public Python API of ``lms.courses``: school years, classes, enrolments."""

from lms.courses.selectors import get_class_students, get_classes, get_current_school_year, get_student_classes
from lms.courses.services import (
    create_class,
    create_school_year,
    enroll_student,
    get_or_create_class,
    get_or_create_school_year,
)

__all__ = [
    "create_class",
    "create_school_year",
    "enroll_student",
    "get_class_students",
    "get_classes",
    "get_current_school_year",
    "get_or_create_class",
    "get_or_create_school_year",
    "get_student_classes",
]
