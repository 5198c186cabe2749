"""Who may do what with classes, courses and their records (R14, R45).

- Teachers: the courses they are assigned to teach (full); the classes they are homeroom teacher of (read results).
- Subject-group head (tổ trưởng): the plans of their group's subjects at their school (read the plan, no results).
- Leadership (principal, vice-principals): read everything at their school; the principal declares force majeure.
- School administrator: school structure and roster imports; no student results.
- Students: the released items of the courses of their class; their own work.
- Parents: their own children's classes, tasks, completion and released results, read-only.

Refusals of results reads are logged (R45).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

from lms.schools.api import Role, get_children, get_groups_headed_by, get_principal, get_roles

logger = logging.getLogger("lms.security")


def _roles(user, school) -> set:
    cache = user.__dict__.setdefault("_courses_roles", {})
    if school.pk not in cache:
        cache[school.pk] = get_roles(user, school)
    return cache[school.pk]


def is_principal(user, school) -> bool:
    principal = get_principal(school)
    return principal is not None and principal.pk == user.pk


def is_leadership(user, school) -> bool:
    return user.is_superuser or Role.LEADERSHIP in _roles(user, school)


def can_manage_structure(user, school) -> bool:
    return user.is_authenticated and (
        user.is_superuser or bool({Role.SCHOOL_ADMIN, Role.LEADERSHIP} & _roles(user, school))
    )


def can_declare_force_majeure(user, school) -> bool:
    return user.is_authenticated and (user.is_superuser or is_principal(user, school))


def course_school(course):
    return course.school_class.school_year.school


def teaches(user, course) -> bool:
    from lms.courses.models import TeachingAssignment

    if not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_courses_teaches", {})
    if course.pk not in cache:
        cache[course.pk] = (
            Role.TEACHER in _roles(user, course_school(course))
            and TeachingAssignment.objects.filter(
                school_class_id=course.school_class_id, subject_id=course.subject_id, teacher=user
            ).exists()
        )
    return cache[course.pk]


def can_edit_course(user, course) -> bool:
    return user.is_authenticated and (user.is_superuser or teaches(user, course))


def can_view_results(user, course) -> bool:
    """Per-student progress and scores of the whole class."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or teaches(user, course):
        return True
    school = course_school(course)
    if course.school_class.homeroom_teacher_id == user.pk and Role.TEACHER in _roles(user, school):
        return True
    return Role.LEADERSHIP in _roles(user, school)


def is_enrolled(user, school_class) -> bool:
    from lms.courses.models import Enrollment

    return user.is_authenticated and Enrollment.objects.filter(school_class=school_class, student=user).exists()


def children_in_class(user, school_class) -> list:
    if not user.is_authenticated:
        return []
    return list(get_children(user).filter(enrollments__school_class=school_class))


def heads_group_of(user, course) -> bool:
    school = course_school(course)
    return get_groups_headed_by(user).filter(school=school, subjects=course.subject_id).exists()


def can_view_plan(user, course) -> bool:
    if can_view_results(user, course):
        return True
    if not user.is_authenticated:
        return False
    return (
        is_enrolled(user, course.school_class)
        or bool(children_in_class(user, course.school_class))
        or (heads_group_of(user, course))
    )


def is_parent_of(user, student) -> bool:
    return user.is_authenticated and get_children(user).filter(pk=student.pk).exists()


def require(allowed: bool, *, user=None, what: str = "", obj=None) -> None:
    if not allowed:
        if user is not None and what:
            logger.warning(
                "courses: refused %s", what, extra={"user_id": getattr(user, "pk", None), "object": str(obj)}
            )
        raise PermissionDenied


def can_discuss(user, course) -> bool:
    """Ask and answer in the course's Q&A: its students and its teachers (R6)."""
    return user.is_authenticated and (
        user.is_superuser or teaches(user, course) or is_enrolled(user, course.school_class)
    )


def can_read_discussion(user, course) -> bool:
    return can_discuss(user, course) or (user.is_authenticated and is_leadership(user, course_school(course)))
