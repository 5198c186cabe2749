"""Student-side actions on lessons (the pages themselves are served by Wagtail)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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


@login_required
@require_POST
def copy_lesson(request, page_id: int):
    """Copy a shared lesson into the teacher's school (the first school where they teach, or the one posted)."""
    from django.contrib import messages
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from content.services import copy_shared_lesson
    from lms.schools.api import Role, get_schools_for_user, has_role

    lesson = get_object_or_404(LessonPage.objects.live(), pk=page_id)
    schools = [s for s in get_schools_for_user(request.user) if has_role(request.user, Role.TEACHER, s)]
    school = next((s for s in schools if s.code == request.POST.get("school")), schools[0] if schools else None)
    if school is None:
        raise PermissionDenied
    try:
        copy = copy_shared_lesson(lesson=lesson, school=school, user=request.user)
    except ValidationError as error:  # e.g. the lesson is already the teacher's school's own
        messages.error(request, " ".join(error.messages))
        return redirect(lesson.url)
    messages.success(request, _("A draft copy is in your school's repository. Check it and send it for review."))
    return redirect(reverse("wagtailadmin_pages:edit", args=[copy.pk]))
