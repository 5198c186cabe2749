"""REST API v1 for lesson progress (mounted at /api/v1/ by config.api)."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from content.models import LessonPage
from content.progress import get_progress, set_lesson_done
from content.visibility import can_view_lesson

router = Router(tags=["lessons"])


class ProgressIn(Schema):
    done: bool


class ProgressOut(Schema):
    lesson: int
    opened: bool
    done: bool
    completed_at: datetime | None = None


def _lesson(request, lesson_id: int) -> LessonPage:
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    if not can_view_lesson(request.user, lesson):
        raise HttpError(404, "Not found")
    return lesson


def _out(lesson, progress) -> dict:
    return {
        "lesson": lesson.pk,
        "opened": progress is not None,
        "done": bool(progress and progress.completed_at),
        "completed_at": progress.completed_at if progress else None,
    }


@router.get("/lessons/{lesson_id}/progress", response=ProgressOut, summary="The authenticated person's progress")
def read_progress(request, lesson_id: int):
    lesson = _lesson(request, lesson_id)
    return _out(lesson, get_progress(user=request.user, lesson_ids=[lesson.pk]).get(lesson.pk))


@router.put("/lessons/{lesson_id}/progress", response=ProgressOut, summary="Mark a lesson as done or not done")
def write_progress(request, lesson_id: int, payload: ProgressIn):
    lesson = _lesson(request, lesson_id)
    return _out(lesson, set_lesson_done(user=request.user, lesson=lesson, done=payload.done))
