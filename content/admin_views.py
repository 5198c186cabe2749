"""Admin pages of the review workflow: the reviewer's inbox ("Chờ duyệt") and a lesson's review history."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content.models import LessonPage
from content.review import ReviewDecision
from content.review_inbox import ReviewInboxEntry, entries_awaiting
from content.review_services import get_lessons_awaiting, get_review_history


class ReviewInboxView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "content/admin/review_inbox.html"
    page_title = _("Awaiting my review")
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        """Lessons and, from the registered sources (``content.review_inbox``), library items: oldest first."""
        context = super().get_context_data(**kwargs)
        rows = []
        for state in get_lessons_awaiting(self.request.user):
            lesson = state.workflow_state.content_object.specific
            requested_by = state.workflow_state.requested_by
            rows.append(
                ReviewInboxEntry(
                    title=lesson.title,
                    url=reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
                    kind=str(_("Lesson")),
                    step=state.task.name,
                    submitted_at=state.started_at,
                    submitted_by=requested_by.get_full_name() if requested_by else "",
                    subject=lesson.subject.name if lesson.subject_id else "",
                    grade=lesson.grade,
                    history_url=reverse("content_review:history", args=[lesson.pk]),
                )
            )
        rows.extend(entries_awaiting(self.request.user))
        context["rows"] = sorted(rows, key=lambda row: row.submitted_at)
        return context


class ReviewHistoryView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "content/admin/review_history.html"
    page_title = _("Review history")
    header_icon = "history"

    def dispatch(self, request, *args, **kwargs):
        self.lesson = get_object_or_404(LessonPage, pk=kwargs["page_id"])
        if not self._may_see(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _may_see(self, user) -> bool:
        """The author, whoever may edit the lesson, its current reviewer and anyone who has decided on it."""
        lesson = self.lesson
        task = lesson.current_workflow_task
        return (
            user.is_superuser
            or user.pk in {lesson.author_id, lesson.owner_id}
            or lesson.permissions_for_user(user).can_edit()
            or bool(task and task.specific.user_can_access_editor(lesson, user))
            or ReviewDecision.objects.filter(page=lesson, reviewer=user).exists()
        )

    def get_page_subtitle(self):
        return self.lesson.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lesson"] = self.lesson
        context["decisions"] = get_review_history(self.lesson)
        return context
