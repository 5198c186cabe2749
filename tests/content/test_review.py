"""Lesson review: reviewers resolved from the lesson, no self-approval, decisions logged, one or two steps."""

from __future__ import annotations

import pytest
from django.core import mail
from wagtail.models import WorkflowState

from content import api as content_api
from content.api import LessonPage, Licence
from content.review import Decision, ReviewDecision
from curriculum.api import get_outcomes, get_subject
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.support.baseline import ensure_site_baseline
from tests.support.factories import UserFactory


@pytest.fixture
def lesson(people):
    ensure_site_baseline()
    topic = content_api.get_or_create_topic(
        school=people.school, subject=get_subject("toan"), grade=10, title="Chương I. Mệnh đề và tập hợp"
    )
    lesson = content_api.create_lesson_draft(
        topic=topic,
        title="Bài 1. Mệnh đề",
        author=people.teacher,
        subject=get_subject("toan"),
        grade=10,
        outcomes=list(get_outcomes(subject=get_subject("toan"), grade=10)[:1]),
        licence=Licence.SCHOOL,
        rights_confirmed=True,
    )
    return LessonPage.objects.get(pk=lesson.pk)


def _submit(lesson, user, django_capture_on_commit_callbacks=None):
    return lesson.get_workflow().start(lesson, user)


def _act(lesson, user, action, comment=""):
    state = LessonPage.objects.get(pk=lesson.pk).current_workflow_task_state.specific
    state.task.specific.on_action(state, user, action, comment=comment)


def _actions(lesson, user):
    fresh = LessonPage.objects.get(pk=lesson.pk)
    return [name for name, _label, _modal in fresh.current_workflow_task.specific.get_actions(fresh, user)]


def test_teachers_write_lessons_in_their_school_but_cannot_publish(people, lesson):
    teacher = type(people.teacher).objects.get(pk=people.teacher.pk)
    permissions = lesson.permissions_for_user(teacher)
    assert permissions.can_edit() is True
    assert permissions.can_publish() is False
    other_teacher = type(people.teacher).objects.get(pk=people.group_head.pk)
    assert lesson.permissions_for_user(other_teacher).can_edit() is False  # not their lesson, not reviewing it
    assert lesson.get_parent().permissions_for_user(teacher).can_add_subpage() is True


def test_a_teacher_of_another_school_cannot_write_here(people, lesson):
    from tests.support.people import make_school_people

    stranger = make_school_people(prefix="khac.").teacher
    assert lesson.get_parent().permissions_for_user(stranger).can_add_subpage() is False


def test_submission_reaches_the_head_of_the_lessons_subject_group(people, lesson, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(lesson, people.teacher)
    assert _actions(lesson, people.teacher) == []  # the author cannot approve
    assert _actions(lesson, people.group_head) == ["approve", "approve", "reject", "refuse"]
    task = lesson.current_workflow_task.specific
    assert [s.workflow_state.content_object.pk for s in task.get_task_states_user_can_moderate(people.group_head)] == [
        lesson.pk
    ]
    assert list(task.get_task_states_user_can_moderate(people.principal)) == []
    [message] = mail.outbox
    assert message.to == [people.group_head.email]
    assert "Bài 1. Mệnh đề" in message.subject


def test_head_of_another_group_cannot_review(people, lesson):
    van = schools_api.create_subject_group(
        school=people.school, name="Tổ Ngữ văn", code="ngu-van", subjects=["ngu-van"]
    )
    head_van = UserFactory(username="totruong.van")
    schools_api.assign_role(user=head_van, school=people.school, role=Role.TEACHER)
    schools_api.add_group_member(group=van, user=head_van, is_head=True)
    _submit(lesson, people.teacher)
    assert _actions(lesson, head_van) == []
    with pytest.raises(PermissionError):
        _act(lesson, head_van, "approve")


def test_one_step_approval_publishes_and_is_recorded(people, lesson, django_capture_on_commit_callbacks):
    _submit(lesson, people.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        _act(lesson, people.group_head, "approve", "Đạt yêu cầu")
    fresh = LessonPage.objects.get(pk=lesson.pk)
    assert fresh.live is True
    [decision] = ReviewDecision.objects.filter(page=lesson)
    assert (decision.reviewer, decision.role, decision.decision, decision.comment) == (
        people.group_head,
        "group_head",
        Decision.APPROVED,
        "Đạt yêu cầu",
    )
    assert decision.revision_id == fresh.live_revision_id
    assert any(m.to == [people.teacher.email] and "đã duyệt" in m.subject for m in mail.outbox)


def test_two_steps_need_the_principal_too(people, lesson):
    from content.review_services import configure_school_review

    type(people.school).objects.filter(pk=people.school.pk).update(principal_approval_required=True)
    people.school.refresh_from_db()
    configure_school_review(school=people.school)
    _submit(lesson, people.teacher)
    _act(lesson, people.group_head, "approve")
    assert LessonPage.objects.get(pk=lesson.pk).live is False
    assert _actions(lesson, people.group_head) == []
    assert "approve" in _actions(lesson, people.principal)
    _act(lesson, people.principal, "approve", "Đồng ý xuất bản")
    assert LessonPage.objects.get(pk=lesson.pk).live is True
    assert [d.role for d in ReviewDecision.objects.filter(page=lesson)] == ["group_head", "principal"]


def test_return_with_comments_then_resubmit(people, lesson):
    _submit(lesson, people.teacher)
    _act(lesson, people.group_head, "reject", "Bổ sung ví dụ về mệnh đề phủ định")
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(lesson.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    returned = ReviewDecision.objects.get(page=lesson)
    assert returned.decision == Decision.RETURNED
    # The teacher edits and resubmits; the head approves the new revision.
    fresh = LessonPage.objects.get(pk=lesson.pk)
    fresh.summary = "Có thêm ví dụ về mệnh đề phủ định."
    revision = fresh.save_revision(user=people.teacher)
    state.resume(user=people.teacher)
    _act(lesson, people.group_head, "approve")
    assert LessonPage.objects.get(pk=lesson.pk).live_revision_id == revision.pk
    assert returned.revision_id != revision.pk


def test_rejection_cancels_the_review(people, lesson):
    _submit(lesson, people.teacher)
    _act(lesson, people.group_head, "refuse", "Nội dung không phù hợp chương trình")
    fresh = LessonPage.objects.get(pk=lesson.pk)
    assert fresh.live is False
    assert fresh.workflow_in_progress is False
    assert ReviewDecision.objects.get(page=lesson).decision == Decision.REJECTED


def test_nobody_approves_their_own_lesson(people, lesson):
    lesson.author = people.group_head
    lesson.owner = people.group_head
    lesson.save_revision(user=people.group_head)
    LessonPage.objects.filter(pk=lesson.pk).update(author=people.group_head, owner=people.group_head)
    _submit(LessonPage.objects.get(pk=lesson.pk), people.group_head)
    assert _actions(lesson, people.group_head) == []


def test_an_edit_after_approval_waits_for_review_again(people, lesson):
    _submit(lesson, people.teacher)
    _act(lesson, people.group_head, "approve")
    live = LessonPage.objects.get(pk=lesson.pk)
    live_revision = live.live_revision_id
    live.summary = "Bản sửa sau khi đã duyệt"
    live.save_revision(user=people.teacher)
    fresh = LessonPage.objects.get(pk=lesson.pk)
    assert fresh.has_unpublished_changes is True
    assert fresh.live_revision_id == live_revision
    assert fresh.permissions_for_user(people.teacher).can_publish() is False


def test_review_inbox_and_history_pages(client, people, lesson):
    _submit(lesson, people.teacher)
    client.force_login(people.group_head)
    inbox = client.get("/admin/cho-duyet/")
    assert inbox.status_code == 200
    assert "Bài 1. Mệnh đề" in inbox.content.decode()
    _act(lesson, people.group_head, "reject", "Cần thêm ví dụ")
    assert "Bài 1. Mệnh đề" not in client.get("/admin/cho-duyet/").content.decode()
    history = client.get(f"/admin/cho-duyet/{lesson.pk}/lich-su/").content.decode()
    assert "Cần thêm ví dụ" in history
    assert "Trả lại kèm góp ý" in history
    client.force_login(people.teacher)  # the author sees the history of their lesson
    assert client.get(f"/admin/cho-duyet/{lesson.pk}/lich-su/").status_code == 200
    assert "Bài 1. Mệnh đề" not in client.get("/admin/cho-duyet/").content.decode()
    client.force_login(people.student)
    assert client.get(f"/admin/cho-duyet/{lesson.pk}/lich-su/").status_code == 302  # no admin at all


def test_the_reviewer_comes_from_the_revision_under_review(people):
    """A draft created without a subject, then given one in a later revision, reaches that subject's group head."""
    ensure_site_baseline()
    topic = content_api.get_or_create_topic(
        school=people.school, subject=get_subject("toan"), grade=10, title="Chương VII. Phương pháp toạ độ"
    )
    draft = content_api.create_lesson_draft(
        topic=topic, title="Bài 19. Phương trình đường thẳng", author=people.teacher
    )
    draft = LessonPage.objects.get(pk=draft.pk)
    draft.subject, draft.grade = get_subject("toan"), 10
    draft.outcomes.set(list(get_outcomes(subject=get_subject("toan"), grade=10)[:1]))
    draft.licence, draft.rights_confirmed = Licence.SCHOOL, True
    draft.save_revision(user=people.teacher)
    _submit(LessonPage.objects.get(pk=draft.pk), people.teacher)
    assert "approve" in _actions(draft, people.group_head)
    task = LessonPage.objects.get(pk=draft.pk).current_workflow_task.specific
    assert [s.workflow_state.object_id for s in task.get_task_states_user_can_moderate(people.group_head)] == [
        str(draft.pk)
    ]
    _act(draft, people.group_head, "approve")
    assert LessonPage.objects.get(pk=draft.pk).live is True


def test_the_lesson_editor_has_the_curriculum_and_licence_fields(client, people, lesson):
    client.force_login(people.teacher)
    html = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    for field in ("id_subject", "id_grade", "id_outcomes", "id_licence", "id_rights_confirmed", "id_sharing"):
        assert f'id="{field}"' in html, field


def test_the_editor_refuses_to_send_an_incomplete_lesson_for_review(client, people, lesson):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    client.force_login(people.teacher)
    data = nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "",
            "body": streamfield([]),
            "subject": "",
            "grade": "",
            "outcomes": [],
            "licence": "",
            "source": "",
            "third_party_licence": "",
            "sharing": "school",
            "tags": "",
            "comments": inline_formset([]),
        }
    )
    response = client.post(f"/admin/pages/{lesson.pk}/edit/", {**data, "action-submit": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chọn môn học." in html and "Khai báo giấy phép của tài liệu." in html
    assert LessonPage.objects.get(pk=lesson.pk).workflow_in_progress is False
