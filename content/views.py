"""Student-side actions on lessons (the pages themselves are served by Wagtail)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from content.models import LessonPage
from content.progress import set_lesson_done
from content.visibility import can_view_lesson


@login_required
@require_POST
def lesson_done(request, page_id: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=page_id)
    if not can_view_lesson(request.user, lesson):
        raise PermissionDenied
    set_lesson_done(user=request.user, lesson=lesson, done=request.POST.get("done", "1") == "1")
    return redirect(lesson.url)
