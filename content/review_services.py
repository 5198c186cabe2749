"""Setting up and running lesson review: workflows per school, who may edit a school's tree, notifications."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

from content.models import SchoolHomePage
from content.review import PrincipalApprovalTask, ReviewDecision, SubjectGroupReviewTask
from lib.email import send_email_on_commit
from lms.schools.api import Role, get_people, get_schools_for_user, has_role

ONE_STEP = "Duyệt bài giảng: tổ chuyên môn"
TWO_STEP = "Duyệt bài giảng: tổ chuyên môn, hiệu trưởng"


@transaction.atomic
def ensure_review_workflows() -> tuple[Workflow, Workflow]:
    group_task = SubjectGroupReviewTask.objects.filter(name="Tổ trưởng chuyên môn duyệt").first() or (
        SubjectGroupReviewTask.objects.create(name="Tổ trưởng chuyên môn duyệt")
    )
    principal_task = PrincipalApprovalTask.objects.filter(name="Hiệu trưởng phê duyệt").first() or (
        PrincipalApprovalTask.objects.create(name="Hiệu trưởng phê duyệt")
    )
    workflows = []
    for name, tasks in ((ONE_STEP, [group_task]), (TWO_STEP, [group_task, principal_task])):
        workflow, _created = Workflow.objects.get_or_create(name=name)
        for order, task in enumerate(tasks):
            WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
        workflows.append(workflow)
    return workflows[0], workflows[1]


def _editor_group(school) -> Group:
    group, _created = Group.objects.get_or_create(name=f"Soạn bài – {school.code}")
    return group


@transaction.atomic
def configure_school_review(*, school) -> Workflow | None:
    """Give the school's tree the one- or two-step workflow and let its teachers write lessons there (but never
    publish: publishing happens only when the last reviewer approves)."""
    home = SchoolHomePage.objects.filter(school=school).first()
    if home is None:
        return None
    one_step, two_step = ensure_review_workflows()
    workflow = two_step if school.principal_approval_required else one_step
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    group = _editor_group(school)
    # "add": create lessons and edit one's own; no "change" (others' lessons) and no "publish".
    add_page = Permission.objects.get(content_type__app_label="wagtailcore", codename="add_page")
    GroupPagePermission.objects.get_or_create(group=group, page=home, permission=add_page)
    for teacher in get_people(school, Role.TEACHER):
        teacher.groups.add(group)
    return workflow


def sync_school_editor_groups(user) -> None:
    """Keep the person's "Soạn bài – <school>" groups equal to the schools where they teach (on every role change)."""
    teaching = {s.code for s in get_schools_for_user(user) if has_role(user, Role.TEACHER, s)}
    for group in user.groups.filter(name__startswith="Soạn bài – "):
        if group.name.removeprefix("Soạn bài – ") not in teaching:
            user.groups.remove(group)
    for home in SchoolHomePage.objects.filter(school__code__in=teaching).select_related("school"):
        user.groups.add(_editor_group(home.school))


def get_review_history(page) -> list[ReviewDecision]:
    return list(ReviewDecision.objects.filter(page=page).select_related("reviewer", "revision"))


# --------------------------------------------------------------------------------------------------------------------
# Notifications (e-mail through Celery, after the transaction commits)
# --------------------------------------------------------------------------------------------------------------------
def notify_reviewer(task_state) -> None:
    task = task_state.task.specific
    lesson = task_state.revision.as_object() if task_state.revision_id else task_state.workflow_state.content_object
    reviewer = task.reviewer_for(lesson.specific if hasattr(lesson, "specific") else lesson)
    if reviewer is None or not reviewer.email:
        return
    send_email_on_commit(
        to=[reviewer.email],
        subject=_("Lesson waiting for your review: %(title)s") % {"title": lesson.title},
        body=_(
            "%(author)s sent the lesson “%(title)s” for review (%(step)s). Open the administration area, "
            "“Awaiting your review”, to approve it, return it with comments or reject it."
        )
        % {"author": task_state.workflow_state.requested_by, "title": lesson.title, "step": task.name},
    )


def notify_submitter(decision: ReviewDecision) -> None:
    state = decision.task_state.workflow_state if decision.task_state else None
    submitter = state.requested_by if state else None
    if submitter is None or not submitter.email:
        return
    send_email_on_commit(
        to=[submitter.email],
        subject=_("Your lesson “%(title)s”: %(decision)s")
        % {"title": decision.page.title, "decision": decision.get_decision_display().lower()},
        body=_("%(reviewer)s (%(role)s) decided: %(decision)s.\n\nComment: %(comment)s")
        % {
            "reviewer": decision.reviewer,
            "role": decision.get_role_display(),
            "decision": decision.get_decision_display(),
            "comment": decision.comment or "—",
        },
    )


def review_lesson(*, lesson, user, action: str, comment: str = "") -> None:
    """Act on the lesson's current review step as ``user`` (``approve``, ``reject`` = return with comments,
    ``refuse`` = reject). Raises PermissionError when ``user`` is not that step's reviewer."""
    from content.models import LessonPage

    fresh = LessonPage.objects.get(pk=lesson.pk)
    task_state = fresh.current_workflow_task_state
    if task_state is None:
        raise ValueError(f"“{fresh.title}” is not under review.")
    task_state = task_state.specific
    task_state.task.specific.on_action(task_state, user, action, comment=comment)


def get_lessons_awaiting(user):
    """Task states of lesson reviews waiting for ``user`` (the "Chờ duyệt" inbox), oldest first."""
    from wagtail.models import Task

    states = []
    for task in Task.objects.filter(active=True).specific():
        if isinstance(task, (SubjectGroupReviewTask, PrincipalApprovalTask)):
            states.extend(task.get_task_states_user_can_moderate(user).select_related("workflow_state__requested_by"))
    return sorted(states, key=lambda s: s.started_at)
