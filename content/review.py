"""The review workflow for lessons: the subject group's head, then (if the school wants it) the principal.

Built on Wagtail's workflow engine. Each step is a ``Task`` whose reviewer is *resolved from the lesson*, not from a
global group: the head of the group that reviews the lesson's subject at the lesson's school, then that school's
principal. Nobody reviews their own work: the author and whoever submitted the revision get no actions. A reviewer
can approve, return the lesson with comments (Wagtail's "request changes": the author edits and resubmits) or reject
it (the workflow is cancelled). Every decision is written to ``ReviewDecision`` with the reviewer's role, the comment
and the exact revision, besides Wagtail's own history.

Each school's SchoolHomePage (and so its whole subtree) is assigned the one-step or the two-step workflow from
``School.principal_approval_required``; teachers have no publish permission, so any edit of a published lesson goes
back through review before it goes live.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState

from lms.schools.api import get_group_head, get_principal, get_subject_group_for


class ReviewerRole(models.TextChoices):
    GROUP_HEAD = "group_head", _("Subject group head")
    PRINCIPAL = "principal", _("Principal")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")
    REJECTED = "rejected", _("Rejected")


class LessonReviewTask(Task):
    """Base for a review step whose reviewer is one person resolved from the lesson."""

    reviewer_role: str = ""

    class Meta:
        abstract = True

    def reviewer_for(self, obj):  # pragma: no cover - overridden
        raise NotImplementedError

    def _lesson(self, obj):
        return obj.specific if hasattr(obj, "specific") else obj

    def _reviewed_lesson(self, obj):
        """The lesson as in the revision under review: a draft's subject and school live in its revision, not in
        the page row, until it is published."""
        lesson = self._lesson(obj)
        state = getattr(lesson, "current_workflow_task_state", None)
        if state is not None and state.revision_id:
            return state.revision.as_object()
        return lesson

    def _is_reviewer(self, obj, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        lesson = self._lesson(obj)
        reviewer = self.reviewer_for(self._reviewed_lesson(lesson))
        if reviewer is None or reviewer.pk != user.pk:
            return False
        # Nobody approves their own work.
        state = lesson.current_workflow_state if hasattr(lesson, "current_workflow_state") else None
        submitter_id = state.requested_by_id if state else None
        return user.pk not in {getattr(lesson, "author_id", None), lesson.owner_id, submitter_id}

    def user_can_access_editor(self, obj, user):
        return self._is_reviewer(obj, user)

    def locked_for_user(self, obj, user):
        return not (user.is_superuser or self._is_reviewer(obj, user))

    def get_actions(self, obj, user):
        if not self._is_reviewer(obj, user):
            return []
        return [
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
            ("reject", _("Return with comments"), True),
            ("refuse", _("Reject"), True),
        ]

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        lesson = task_state.workflow_state.content_object.specific
        if not self._is_reviewer(lesson, user):
            raise PermissionError("not the reviewer of this lesson")
        comment = kwargs.get("comment", "") or ""
        outcome = {"approve": Decision.APPROVED, "reject": Decision.RETURNED, "refuse": Decision.REJECTED}[action_name]
        decision = ReviewDecision.objects.create(
            page_id=lesson.pk,
            revision=task_state.revision,
            task_state=task_state,
            reviewer=user,
            role=self.reviewer_role,
            decision=outcome,
            comment=comment,
        )
        from content.review_services import notify_submitter

        notify_submitter(decision)
        if action_name == "approve":
            task_state.approve(user=user, comment=comment)
        elif action_name == "reject":
            task_state.reject(user=user, comment=comment)
        else:
            task_state.workflow_state.cancel(user=user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS).select_related(
            "workflow_state", "revision"
        )
        ids = [s.pk for s in states if self._is_reviewer(s.workflow_state.content_object, user)]
        return TaskState.objects.filter(pk__in=ids)


class SubjectGroupReviewTask(LessonReviewTask):
    reviewer_role = ReviewerRole.GROUP_HEAD

    def reviewer_for(self, obj):
        lesson = self._lesson(obj)
        if not getattr(lesson, "school_id", None) or not getattr(lesson, "subject_id", None):
            return None
        group = get_subject_group_for(lesson.school, lesson.subject)
        return get_group_head(group) if group else None

    @classmethod
    def get_description(cls):
        return _("The head of the subject group that reviews the lesson's subject at its school")

    class Meta:
        verbose_name = _("Subject group review")
        verbose_name_plural = _("Subject group reviews")


class PrincipalApprovalTask(LessonReviewTask):
    reviewer_role = ReviewerRole.PRINCIPAL

    def reviewer_for(self, obj):
        lesson = self._lesson(obj)
        return get_principal(lesson.school) if getattr(lesson, "school_id", None) else None

    @classmethod
    def get_description(cls):
        return _("The principal of the lesson's school")

    class Meta:
        verbose_name = _("Principal approval")
        verbose_name_plural = _("Principal approvals")


class ReviewDecision(models.Model):
    """Who decided what about which exact revision, in which role, with which comment."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="review_decisions")
    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.PROTECT, related_name="+")
    task_state = models.ForeignKey("wagtailcore.TaskState", on_delete=models.SET_NULL, null=True, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=ReviewerRole.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} – {self.reviewer} – {self.created_at:%d/%m/%Y %H:%M}"
