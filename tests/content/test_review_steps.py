"""The school administrator chooses one or two review steps for the school's lessons, in the admin's people area."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry, WorkflowPage

from content import api as content_api
from content.api import LessonPage, Licence
from curriculum.api import get_outcomes, get_subject
from lms.schools import api as schools_api
from tests.support.baseline import ensure_site_baseline


@pytest.fixture
def school_tree(people):
    ensure_site_baseline()
    return content_api.get_or_create_school_home(school=people.school)


def _url(school) -> str:
    return f"/admin/nhan-su/{school.code}/quy-trinh-duyet/"


def _workflow_steps(school) -> list[str]:
    home = content_api.SchoolHomePage.objects.get(school=school)
    workflow = WorkflowPage.objects.get(page=home).workflow
    return [task.specific_class.__name__ for task in workflow.tasks]


def test_the_school_admin_switches_to_two_steps_and_back(client, people, school_tree):
    assert _workflow_steps(people.school) == ["SubjectGroupReviewTask"]
    client.force_login(people.school_admin)
    page = client.get(_url(people.school)).content.decode()
    assert 'name="principal_approval_required"' in page
    response = client.post(_url(people.school), {"principal_approval_required": "1"})
    assert response.status_code == 302
    assert _workflow_steps(people.school) == ["SubjectGroupReviewTask", "PrincipalApprovalTask"]
    [entry] = ModelLogEntry.objects.filter(action="schools.review_steps_changed")
    assert entry.user == people.school_admin
    assert entry.data == {"school": people.school.code, "old": False, "new": True}

    # A lesson sent for review now needs the principal too.
    topic = content_api.get_or_create_topic(school=people.school, subject=get_subject("toan"), grade=10, title="Ch. I")
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
    lesson.get_workflow().start(lesson, people.teacher)
    content_api.review_lesson(lesson=lesson, user=people.group_head, action="approve")
    assert LessonPage.objects.get(pk=lesson.pk).live is False
    content_api.review_lesson(lesson=LessonPage.objects.get(pk=lesson.pk), user=people.principal, action="approve")
    assert LessonPage.objects.get(pk=lesson.pk).live is True

    client.post(_url(people.school), {"principal_approval_required": "0"})
    assert _workflow_steps(people.school) == ["SubjectGroupReviewTask"]
    assert ModelLogEntry.objects.filter(action="schools.review_steps_changed").count() == 2


def test_saving_the_same_choice_logs_nothing(client, people, school_tree):
    client.force_login(people.school_admin)
    client.post(_url(people.school), {"principal_approval_required": "0"})
    assert not ModelLogEntry.objects.filter(action="schools.review_steps_changed").exists()


@pytest.mark.parametrize("attr", ["principal", "group_head"])
def test_leadership_and_heads_see_the_setting_but_cannot_change_it(client, people, school_tree, attr):
    client.force_login(getattr(people, attr))
    response = client.get(_url(people.school))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="principal_approval_required"' not in html and 'data-review-steps="1"' in html
    assert client.post(_url(people.school), {"principal_approval_required": "1"}).status_code == 403
    assert _workflow_steps(people.school) == ["SubjectGroupReviewTask"]


@pytest.mark.parametrize("attr", ["teacher", "student", "parent"])
def test_others_are_refused(client, people, school_tree, attr):
    client.force_login(getattr(people, attr))
    assert client.get(_url(people.school)).status_code in (302, 403)
    client.post(_url(people.school), {"principal_approval_required": "1"})
    assert _workflow_steps(people.school) == ["SubjectGroupReviewTask"]


def test_an_admin_of_another_school_gets_404_and_the_service_refuses(client, people, school_tree):
    from tests.support.people import make_school_people

    other = make_school_people(prefix="khac.")
    client.force_login(other.school_admin)
    assert client.get(_url(people.school)).status_code == 404
    with pytest.raises(PermissionDenied):
        schools_api.set_principal_approval(actor=other.school_admin, school=people.school, required=True)
