"""Per-person progress through lessons: opened, marked as done. The LMS reads it through ``content.api``."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LessonProgress(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    first_opened_at = models.DateTimeField(_("first opened"), default=timezone.now)
    last_opened_at = models.DateTimeField(_("last opened"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="content_progress_once")]

    def __str__(self) -> str:
        return f"{self.user} – {self.lesson_id}"


# A reload within this many seconds does not rewrite "last opened" (one SELECT instead of an UPDATE per view).
OPENED_AT_RESOLUTION_SECONDS = 60


def record_lesson_opened(*, user, lesson) -> LessonProgress | None:
    """Note that ``user`` opened ``lesson`` (first and last time, to the minute) and return their progress row."""
    if not getattr(user, "is_authenticated", False):
        return None
    now = timezone.now()
    progress, created = LessonProgress.objects.get_or_create(
        user=user, lesson_id=lesson.pk, defaults={"first_opened_at": now, "last_opened_at": now}
    )
    if not created and (now - progress.last_opened_at).total_seconds() >= OPENED_AT_RESOLUTION_SECONDS:
        progress.last_opened_at = now
        LessonProgress.objects.filter(pk=progress.pk).update(last_opened_at=now)
    return progress


@transaction.atomic
def set_lesson_done(*, user, lesson, done: bool = True) -> LessonProgress:
    progress, _created = LessonProgress.objects.select_for_update().get_or_create(user=user, lesson_id=lesson.pk)
    progress.completed_at = (progress.completed_at or timezone.now()) if done else None
    progress.save(update_fields=["completed_at"])
    return progress


def get_progress(*, user, lesson_ids) -> dict[int, LessonProgress]:
    if not getattr(user, "is_authenticated", False):
        return {}
    return {p.lesson_id: p for p in LessonProgress.objects.filter(user=user, lesson_id__in=list(lesson_ids))}


def get_progress_for_people(*, user_ids, lesson_ids) -> dict[tuple[int, int], LessonProgress]:
    """Progress of several people through several lessons in one query, keyed by (user id, lesson id): for a
    teacher's class overview (the caller decides who may see it)."""
    rows = LessonProgress.objects.filter(user_id__in=list(user_ids), lesson_id__in=list(lesson_ids)).only(
        "user_id", "lesson_id", "first_opened_at", "completed_at"
    )
    return {(p.user_id, p.lesson_id): p for p in rows}
