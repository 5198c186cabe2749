"""The repository's permission matrix: every view of ``content`` against every role, in one place.

Each test drives one view (the lesson and topic pages Wagtail serves, the admin editor, the review inbox and history,
the workflow actions, mark-as-done, copy, the progress API) as each of: an anonymous visitor, a student, a parent, the
lesson's author, a colleague of the same subject group, the head of that group (the reviewer), the head of another
group, the principal, the school administrator, and a student and a teacher of another school. The expected outcome
of every cell is written out, so a change of behaviour in any cell fails here with the whole row to compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from content import api as content_api
from content.api import LessonPage, Licence, SharingScope
from curriculum.api import get_outcomes, get_subject
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.support.baseline import ensure_site_baseline
from tests.support.factories import UserFactory
from tests.support.people import make_school_people

ROLES = [
    "anonymous",
    "student",
    "parent",
    "author",
    "colleague",
    "group_head",
    "other_group_head",
    "principal",
    "school_admin",
    "other_school_student",
    "other_school_teacher",
]
SCHOOL_MEMBERS = ROLES[1:9]
STAFF = ["author", "colleague", "group_head", "other_group_head", "principal", "school_admin"]
TEACHERS = ["author", "colleague", "group_head", "other_group_head"]


@dataclass
class World:
    users: dict
    published: LessonPage
    submitted: LessonPage
    shared_elsewhere: LessonPage
    topic: object


def _lesson(topic, title, author):
    toan = get_subject("toan")
    return content_api.create_lesson_draft(
        topic=topic,
        title=title,
        author=author,
        subject=toan,
        grade=10,
        outcomes=list(get_outcomes(subject=toan, grade=10)[:1]),
        licence=Licence.SCHOOL,
        rights_confirmed=True,
        body=[("paragraph", "<p>Nội dung bài học.</p>")],
    )


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    ensure_site_baseline()
    here = make_school_people()
    there = make_school_people(prefix="khac.")
    colleague = UserFactory(username="dongnghiep")
    schools_api.assign_role(user=colleague, school=here.school, role=Role.TEACHER)
    schools_api.add_group_member(group=here.group, user=colleague)
    van = schools_api.create_subject_group(school=here.school, name="Tổ Ngữ văn", code="ngu-van", subjects=["ngu-van"])
    other_head = UserFactory(username="totruong.van")
    schools_api.assign_role(user=other_head, school=here.school, role=Role.TEACHER)
    schools_api.add_group_member(group=van, user=other_head, is_head=True)

    topic = content_api.get_or_create_topic(
        school=here.school, subject=get_subject("toan"), grade=10, title="Chương I. Mệnh đề và tập hợp"
    )
    published = _lesson(topic, "Bài 1. Mệnh đề", here.teacher)
    published.save_revision().publish()
    submitted = _lesson(topic, "Bài 2. Tập hợp", here.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        submitted.get_workflow().start(submitted, here.teacher)

    there_topic = content_api.get_or_create_topic(
        school=there.school, subject=get_subject("toan"), grade=10, title="Chương I. Mệnh đề và tập hợp"
    )
    shared = _lesson(there_topic, "Bài 3. Các phép toán trên tập hợp", there.teacher)
    shared.sharing = SharingScope.PUBLIC
    shared.save_revision().publish()

    users = {
        "anonymous": None,
        "student": here.student,
        "parent": here.parent,
        "author": here.teacher,
        "colleague": colleague,
        "group_head": here.group_head,
        "other_group_head": other_head,
        "principal": here.principal,
        "school_admin": here.school_admin,
        "other_school_student": there.student,
        "other_school_teacher": there.teacher,
    }
    return World(
        users=users,
        published=LessonPage.objects.get(pk=published.pk),
        submitted=LessonPage.objects.get(pk=submitted.pk),
        shared_elsewhere=LessonPage.objects.get(pk=shared.pk),
        topic=topic,
    )


def _client(world, role) -> Client:
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _outcome(response) -> str:
    """A cell of the matrix: the status code, and for redirects where they lead (login or elsewhere)."""
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(("/tai-khoan/dang-nhap/", "/admin/login/")):
            return "login"
        return f"302 {location.split('?')[0]}"
    return str(response.status_code)


def _matrix(world, request_for) -> dict[str, str]:
    return {role: _outcome(request_for(_client(world, role), role)) for role in ROLES}


def _pages(world, url) -> dict[str, tuple[str, str]]:
    """Each role's outcome for GET ``url`` and the page's HTML (empty unless 200)."""
    pages = {}
    for role in ROLES:
        response = _client(world, role).get(url)
        pages[role] = (_outcome(response), response.content.decode() if response.status_code == 200 else "")
    return pages


def _expect(default: str, **cells: str) -> dict[str, str]:
    return {role: cells.get(role, default) for role in ROLES}


def _admin_page_for(*roles: str) -> dict[str, str]:
    """An admin page open to ``roles`` alone: people without the admin go to the login page, other staff are sent
    back to the dashboard (Wagtail's answer to a refusal inside the admin)."""
    no_admin = dict.fromkeys(("anonymous", "student", "parent", "other_school_student"), "login")
    return _expect("302 /admin/", **no_admin, **dict.fromkeys(roles, "200"))


def test_published_school_lesson_page(world):
    assert _matrix(world, lambda c, _r: c.get(world.published.url)) == _expect(
        "200", anonymous="login", other_school_student="403", other_school_teacher="403"
    )


def test_topic_page_lists_only_what_each_person_may_see(world):
    seen = {
        role: (outcome, "Bài 1. Mệnh đề" in html, "Bài 2. Tập hợp" in html)
        for role, (outcome, html) in _pages(world, world.topic.url).items()
    }
    # The topic page itself is a public table of contents; the lessons in it follow each lesson's visibility, and
    # the lesson under review is listed to nobody (drafts live in the admin).
    assert seen == {role: ("200", role in SCHOOL_MEMBERS, False) for role in ROLES}


def test_a_lesson_under_review_is_not_served_to_anyone(world):
    assert _matrix(world, lambda c, _r: c.get(world.submitted.url)) == _expect("404")


def test_admin_editor_of_a_lesson_under_review(world):
    url = reverse("wagtailadmin_pages:edit", args=[world.submitted.pk])
    # Students and parents have no admin; the author and the reviewer (head of the lesson's group) open the editor;
    # colleagues, the head of another group, the principal (second step, not yet reached) and other schools do not.
    assert _matrix(world, lambda c, _r: c.get(url)) == _admin_page_for("author", "group_head")


def test_review_inbox_lists_a_lesson_to_its_reviewer_only(world):
    seen = {
        role: (outcome, world.submitted.title in html)
        for role, (outcome, html) in _pages(world, reverse("content_review:inbox")).items()
    }
    assert seen == {
        **dict.fromkeys(("anonymous", "student", "parent", "other_school_student"), ("login", False)),
        **{role: ("200", role == "group_head") for role in (*STAFF, "other_school_teacher")},
    }


def test_review_history_of_a_lesson(world):
    url = reverse("content_review:history", args=[world.submitted.pk])
    # Wagtail turns a refusal inside the admin into a redirect to the dashboard with a message.
    assert _matrix(world, lambda c, _r: c.get(url)) == _admin_page_for("author", "group_head")


def test_only_the_reviewer_can_approve(world):
    outcomes = {}
    for role in [r for r in ROLES if r != "group_head"] + ["group_head"]:  # the reviewer last: approval ends review
        state = LessonPage.objects.get(pk=world.submitted.pk).current_workflow_task_state
        url = reverse("wagtailadmin_pages:workflow_action", args=[world.submitted.pk, "approve", state.pk])
        _client(world, role).post(url, {"comment": ""})
        outcomes[role] = LessonPage.objects.get(pk=world.submitted.pk).live
    # One-step school: the head's approval publishes the reviewed revision; nobody else's does anything.
    assert outcomes == {role: role == "group_head" for role in ROLES}


def test_mark_as_done(world):
    url = reverse("content:lesson_done", args=[world.published.pk])
    assert _matrix(world, lambda c, _r: c.post(url, {"done": "1"})) == _expect(
        f"302 {world.published.url}", anonymous="login", other_school_student="403", other_school_teacher="403"
    )
    assert _matrix(world, lambda c, _r: c.get(url)) == _expect("405", anonymous="login")


def test_progress_api(world):
    url = f"/api/v1/lessons/{world.published.pk}/progress"
    assert _matrix(world, lambda c, _r: c.get(url)) == _expect(
        "200", anonymous="401", other_school_student="404", other_school_teacher="404"
    )
    # Writing goes through the same rule (session clients need the CSRF token, which Client() does not enforce).
    assert _matrix(world, lambda c, _r: c.put(url, '{"done": true}', content_type="application/json")) == _expect(
        "200", anonymous="401", other_school_student="404", other_school_teacher="404"
    )


def test_copying_a_lesson_shared_by_another_school(world):
    url = reverse("content:copy_lesson", args=[world.shared_elsewhere.pk])
    outcomes = _matrix(world, lambda c, _r: c.post(url))
    copies = {
        lesson.owner.username
        for lesson in LessonPage.objects.filter(copied_from=world.shared_elsewhere).select_related("owner")
    }
    # Teachers of this school each get their own draft copy in the editor (slugs numbered, not a server error); the
    # lesson's own school is sent back to the lesson with a message; nobody else copies.
    for role in ROLES:
        if role in TEACHERS:
            assert outcomes[role].startswith("302 /admin/pages/"), (role, outcomes[role])
        elif role == "other_school_teacher":
            assert outcomes[role] == f"302 {world.shared_elsewhere.url}"
        elif role == "anonymous":
            assert outcomes[role] == "login"
        else:
            assert outcomes[role] == "403", (role, outcomes[role])
    assert copies == {world.users[role].username for role in TEACHERS}
    slugs = sorted(LessonPage.objects.filter(copied_from=world.shared_elsewhere).values_list("slug", flat=True))
    base = "bai-3-cac-phep-toan-tren-tap-hop"
    assert slugs == sorted([base, f"{base}-2", f"{base}-3", f"{base}-4"])


def test_adding_a_lesson_to_a_topic(world):
    url = reverse("wagtailadmin_pages:add", args=["content", "lessonpage", world.topic.pk])
    assert _matrix(world, lambda c, _r: c.get(url)) == _expect(
        "302 /admin/",
        anonymous="login",
        student="login",
        parent="login",
        other_school_student="login",
        author="200",
        colleague="200",
        group_head="200",
        other_group_head="200",
    )


def test_nobody_publishes_a_lesson_past_its_review(world):
    """A forged "publish" from the editor (teachers have no such button) leaves the lesson unpublished, for everyone
    who can open the admin, with a complete, valid form."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    lesson = world.submitted
    data = nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "Tóm tắt đã sửa.",
            "body": streamfield([]),
            "subject": lesson.subject_id,
            "grade": lesson.grade,
            "outcomes": [o.pk for o in lesson.outcomes.all()],
            "licence": lesson.licence,
            "rights_confirmed": "on",
            "source": "",
            "third_party_licence": "",
            "sharing": "school",
            "tags": "",
            "comments": inline_formset([]),
        }
    )
    url = reverse("wagtailadmin_pages:edit", args=[lesson.pk])
    for role in (*STAFF, "other_school_teacher"):
        _client(world, role).post(url, {**data, "action-publish": "action-publish"})
        assert LessonPage.objects.get(pk=lesson.pk).live is False, role
    # The review goes on (the lesson is locked for its author while a reviewer has it).
    fresh = LessonPage.objects.get(pk=lesson.pk)
    assert fresh.workflow_in_progress is True
    assert fresh.current_workflow_task.specific.reviewer_for(fresh) == world.users["group_head"]


def test_second_step_belongs_to_the_principal_alone(world):
    """In a two-step school, once the head approves, only the principal opens the editor and approves."""
    school = world.users["principal"].role_assignments.first().school
    schools_api.set_principal_approval(actor=world.users["school_admin"], school=school, required=True)
    lesson = _lesson(world.topic, "Bài 4. Các tập hợp số", world.users["author"])
    lesson.get_workflow().start(lesson, world.users["author"])
    content_api.review_lesson(lesson=lesson, user=world.users["group_head"], action="approve")
    edit = reverse("wagtailadmin_pages:edit", args=[lesson.pk])
    assert _matrix(world, lambda c, _r: c.get(edit)) == _admin_page_for("author", "principal")
    for role in [r for r in STAFF if r != "principal"] + ["principal"]:
        state = LessonPage.objects.get(pk=lesson.pk).current_workflow_task_state
        url = reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, "approve", state.pk])
        _client(world, role).post(url, {"comment": ""})
        assert LessonPage.objects.get(pk=lesson.pk).live is (role == "principal"), role
