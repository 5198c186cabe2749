"""Who sees a published lesson, topic lists without leaks, and progress (mark as done) through the page and the API."""

from __future__ import annotations

import json

import pytest

from content import api as content_api
from content.api import LessonPage, Licence, SharingScope
from curriculum.api import get_outcomes, get_subject
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.support.factories import SchoolFactory, UserFactory
from tests.support.people import make_school_people


@pytest.fixture
def published(people):
    topic = content_api.get_or_create_topic(
        school=people.school, subject=get_subject("toan"), grade=10, title="Chương II. Bất phương trình"
    )
    lesson = content_api.create_lesson_draft(
        topic=topic,
        title="Bài 5. Bất phương trình bậc nhất hai ẩn",
        author=people.teacher,
        subject=get_subject("toan"),
        grade=10,
        outcomes=list(get_outcomes(subject=get_subject("toan"), grade=10)[:1]),
        licence=Licence.SCHOOL,
        rights_confirmed=True,
        body=[("formula", {"latex": "x + y < 3", "display": "block"})],
    )
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


@pytest.fixture
def other_school():
    return make_school_people(prefix="khac.")


def _share(lesson, scope):
    LessonPage.objects.filter(pk=lesson.pk).update(sharing=scope)
    return LessonPage.objects.get(pk=lesson.pk)


def test_anonymous_visitors_are_sent_to_login_for_school_lessons(client, published):
    response = client.get(published.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")


@pytest.mark.parametrize("attr", ["student", "parent", "teacher", "group_head", "principal", "school_admin"])
def test_everyone_of_the_school_sees_its_lessons(client, people, published, attr):
    client.force_login(getattr(people, attr))
    response = client.get(published.url)
    assert response.status_code == 200
    assert 'data-latex="x + y &lt; 3"' in response.content.decode()


def test_a_student_of_another_school_does_not_until_it_is_shared(client, published, other_school):
    client.force_login(other_school.student)
    assert client.get(published.url).status_code == 403
    topic_html = client.get(published.get_parent().url).content.decode()
    assert published.title not in topic_html  # nothing leaks through lists
    _share(published, SharingScope.PUBLIC)
    assert client.get(published.url).status_code == 200
    assert published.title in client.get(published.get_parent().url).content.decode()


def test_district_sharing_reaches_schools_of_the_same_authority_only(client, people, published, other_school):
    neighbour_school = SchoolFactory(organisation=people.school.organisation)
    neighbour = UserFactory(username="hs.lang-gieng")
    schools_api.assign_role(user=neighbour, school=neighbour_school, role=Role.STUDENT)
    lesson = _share(published, SharingScope.DISTRICT)
    client.force_login(neighbour)
    assert client.get(lesson.url).status_code == 200
    client.force_login(other_school.student)
    assert client.get(lesson.url).status_code == 403


def test_public_lessons_need_no_login(client, published):
    lesson = _share(published, SharingScope.PUBLIC)
    assert client.get(lesson.url).status_code == 200


def test_drafts_are_not_served(client, people, published):
    draft = content_api.create_lesson_draft(
        topic=published.get_parent().specific, title="Bản nháp", author=people.teacher
    )
    client.force_login(people.student)
    assert client.get(f"{published.get_parent().url}{draft.slug}/").status_code == 404


def test_mark_as_done_and_ticks_in_the_topic_list(client, people, published):
    client.force_login(people.student)
    page = client.get(published.url).content.decode()
    assert "Đánh dấu đã học" in page
    topic_url = published.get_parent().url
    assert "○" in client.get(topic_url).content.decode()
    response = client.post(f"/bai-giang/{published.pk}/hoan-thanh/", {"done": "1"})
    assert response["Location"] == published.url
    assert "Bạn đã đánh dấu hoàn thành bài này" in client.get(published.url).content.decode()
    assert "✓" in client.get(topic_url).content.decode()
    client.post(f"/bai-giang/{published.pk}/hoan-thanh/", {"done": "0"})
    assert content_api.get_progress(user=people.student, lesson_ids=[published.pk])[published.pk].completed_at is None


def test_progress_api(client, people, published, other_school):
    client.force_login(people.student)
    url = f"/api/v1/lessons/{published.pk}/progress"
    assert client.get(url).json() == {"lesson": published.pk, "opened": False, "done": False, "completed_at": None}
    body = client.put(url, json.dumps({"done": True}), content_type="application/json").json()
    assert body["done"] is True
    assert body["completed_at"]
    client.force_login(other_school.student)
    assert client.get(url).status_code == 404  # no hint that the lesson exists


def test_cannot_mark_a_lesson_one_may_not_see(client, published, other_school):
    client.force_login(other_school.student)
    assert client.post(f"/bai-giang/{published.pk}/hoan-thanh/", {"done": "1"}).status_code == 403


def test_the_whole_page_cache_serves_anonymous_visitors_and_is_dropped_on_publish(client, published):
    lesson = _share(published, SharingScope.PUBLIC)
    first = client.get(lesson.url)
    assert first["X-Page-Cache"] == "miss"
    assert "csrftoken" not in first.cookies
    second = client.get(lesson.url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    lesson.title = "Bài 5 (bản mới)"
    lesson.save_revision().publish()
    third = client.get(lesson.url)
    assert third["X-Page-Cache"] == "miss"
    assert "Bài 5 (bản mới)" in third.content.decode()


def test_school_lessons_and_logged_in_pages_are_never_cached(client, people, published):
    client.force_login(people.student)
    assert "X-Page-Cache" not in client.get(published.url)
    client.logout()
    assert client.get(published.url).status_code == 302  # still refused, not served from a cache


def test_language_switch_is_a_plain_link(client, db):
    response = client.get("/ngon-ngu/en/?next=/tai-khoan/dang-nhap/")
    assert response["Location"] == "/tai-khoan/dang-nhap/"
    assert response.cookies["django_language"].value == "en"
    assert "Forgot your password?" in client.get("/tai-khoan/dang-nhap/").content.decode()
    assert client.get("/ngon-ngu/vi/?next=https://evil.example/")["Location"] == "/"


def test_a_teacher_of_another_school_copies_a_shared_lesson_with_attribution(client, people, published, other_school):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # not shared yet
        content_api.copy_shared_lesson(lesson=published, school=other_school.school, user=other_school.teacher)
    lesson = _share(published, SharingScope.PUBLIC)
    client.force_login(other_school.teacher)
    assert "Sao chép về kho của trường tôi" in client.get(lesson.url).content.decode()
    response = client.post(f"/bai-giang/{lesson.pk}/sao-chep/")
    copy = LessonPage.objects.exclude(pk=lesson.pk).get(title=lesson.title)
    assert response["Location"] == f"/admin/pages/{copy.pk}/edit/"
    assert copy.school == other_school.school
    assert copy.live is False
    assert copy.copied_from_id == lesson.pk
    assert copy.author == other_school.teacher
    assert people.school.name in copy.source and lesson.title in copy.source
    assert copy.rights_confirmed is False  # the copier must confirm the rights again before publishing
    assert list(copy.outcomes.all()) == list(lesson.outcomes.all())
    client.force_login(people.student)  # students never get the button
    assert "Sao chép về kho" not in client.get(lesson.url).content.decode()
