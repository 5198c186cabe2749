"""REST API v1 for classes and courses (mounted by config.api under /api/v1/). The same rules as the pages decide
who sees what (access.py); a course or child the caller may not see is a 404, so ids do not leak."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from lms.courses import access, selectors
from lms.courses.models import Course, SchoolClass
from lms.courses.rules import format_score
from lms.schools.api import Role, get_children, get_roles_by_school

router = Router(tags=["courses"])


class CourseOut(Schema):
    id: int
    subject: str
    school_class: str
    school_year: str
    grade: int


class ItemOut(Schema):
    id: int
    position: int
    kind: str
    title: str
    lesson: int | None
    reference: str
    release_at: datetime
    due_at: datetime | None
    delivery_form: str
    force_majeure_decision: str | None
    archived_at: datetime | None = None  # archived items: teachers and leadership only


class CellOut(Schema):
    item: int
    opened_at: datetime | None
    completed_at: datetime | None
    submitted_at: datetime | None
    late: bool
    finished: bool  # completed, handed in, or (a library item) completed in the library's tracking
    score: str | None
    seconds_spent: int | None  # None: no learning_analytics consent (time on task not processed)


class StudentProgressOut(Schema):
    student: str
    ma_dinh_danh: str | None
    started: bool
    cells: list[CellOut]


class ProgressOut(Schema):
    course: CourseOut
    items: list[ItemOut]
    students: list[StudentProgressOut]


class ChildOut(Schema):
    student: str
    classes: list[str]
    courses: list[CourseOut]
    items: list[ItemOut]
    cells: list[CellOut]


def _course_out(course: Course) -> dict:
    return {
        "id": course.pk,
        "subject": course.subject.name,
        "school_class": course.school_class.name,
        "school_year": course.school_class.school_year.name,
        "grade": course.school_class.grade,
    }


def _item_out(item) -> dict:
    return {
        "id": item.pk,
        "position": item.position,
        "kind": item.kind,
        "title": item.title,
        "lesson": item.lesson_id,
        "reference": item.reference,
        "release_at": item.release_at,
        "due_at": item.due_at,
        "delivery_form": item.delivery_form,
        "force_majeure_decision": item.force_majeure.decision_number if item.force_majeure_id else None,
        "archived_at": item.archived_at,
    }


def _cell_out(cell) -> dict:
    return {
        "item": cell.item.pk,
        "opened_at": cell.opened_at,
        "completed_at": cell.completed_at,
        "submitted_at": cell.submitted_at,
        "late": cell.is_late,
        "finished": cell.finished,
        "score": format_score(cell.score) or None,
        "seconds_spent": cell.seconds if cell.time_allowed else None,
    }


def _course(request, course_id: int, allowed) -> Course:
    try:
        course = selectors.get_course(course_id)
    except Course.DoesNotExist:
        raise HttpError(404, "Not found") from None
    if not allowed(request.user, course):
        access.logger.warning("courses: API refused course %s", course.pk, extra={"user_id": request.user.pk})
        raise HttpError(404, "Not found")
    return course


@router.get("/courses", response=list[CourseOut], summary="Courses the authenticated person teaches, takes or oversees")
def list_courses(request):
    user = request.user
    found: dict[int, Course] = {}
    for school, roles in get_roles_by_school(user).items():
        if Role.LEADERSHIP in roles:
            found.update({c.pk: c for c in selectors.get_school_courses(school)})
    found.update({c.pk: c for c in selectors.get_teacher_courses(user)})
    classes = list(SchoolClass.objects.filter(enrollments__student=user, school_year__is_current=True))
    classes += list(
        SchoolClass.objects.filter(enrollments__student__in=get_children(user), school_year__is_current=True)
    )
    for school_class in classes:
        found.update(
            {c.pk: c for c in selectors.get_class_courses(school_class).select_related("school_class__school_year")}
        )
    return [_course_out(c) for c in sorted(found.values(), key=lambda c: (c.school_class.name, c.subject.sort_order))]


@router.get(
    "/courses/{course_id}/plan",
    response=list[ItemOut],
    summary="The course's plan (released items only for students and parents)",
)
def course_plan(request, course_id: int):
    course = _course(request, course_id, access.can_view_plan)
    staff = access.can_view_results(request.user, course) or access.heads_group_of(request.user, course)
    return [_item_out(item) for item in selectors.get_plan(course, released_only=not staff)]


@router.get(
    "/courses/{course_id}/progress", response=ProgressOut, summary="Per student × plan item (teachers and leadership)"
)
def course_progress(request, course_id: int, not_started: bool = False):
    course = _course(request, course_id, access.can_view_results)
    board = selectors.get_dashboard(course, not_started_only=not_started)
    return {
        "course": _course_out(course),
        "items": [_item_out(item) for item in board.items],
        "students": [
            {
                "student": row.student.get_full_name(),
                "ma_dinh_danh": row.student.ma_dinh_danh,
                "started": row.started,
                "cells": [_cell_out(cell) for cell in row.cells],
            }
            for row in board.rows
        ],
    }


@router.get("/children/{student_id}/overview", response=ChildOut, summary="A parent's read-only view of one child")
def child_overview(request, student_id: int):
    child = get_children(request.user).filter(pk=student_id).first()
    if child is None:
        raise HttpError(404, "Not found")
    overview = selectors.get_student_overview(child)
    return {
        "student": child.get_full_name(),
        "classes": [c.name for c in overview.classes],
        "courses": [_course_out(c) for c in overview.courses],
        "items": [_item_out(item) for item in overview.items],
        "cells": [_cell_out(overview.cells[item.pk]) for item in overview.items],
    }
