"""Lesson URLs resolve in a fixed number of queries (HomePage.route looks the page up instead of walking the tree),
with the same answers as Wagtail's walk: the page at that exact address, live, or 404."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from content import api as content_api
from content.api import HomePage, LessonPage, Licence
from curriculum.api import get_outcomes, get_subject
from tests.support.baseline import ensure_site_baseline
from tests.support.people import make_school_people


def _publish(topic, title, author):
    toan = get_subject("toan")
    lesson = content_api.create_lesson_draft(
        topic=topic,
        title=title,
        author=author,
        subject=toan,
        grade=10,
        outcomes=list(get_outcomes(subject=toan, grade=10)[:1]),
        licence=Licence.SCHOOL,
        rights_confirmed=True,
    )
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


@pytest.fixture
def two_topics(people):
    ensure_site_baseline()
    toan = get_subject("toan")
    one = content_api.get_or_create_topic(school=people.school, subject=toan, grade=10, title="Chương I")
    two = content_api.get_or_create_topic(school=people.school, subject=toan, grade=10, title="Chương II")
    # The same slug under two topics (same depth): each address must reach its own lesson.
    return _publish(one, "Ôn tập", people.teacher), _publish(two, "Ôn tập", people.teacher)


def test_same_slug_under_two_parents_reaches_each_page(client, people, two_topics):
    client.force_login(people.student)
    first, second = two_topics
    assert first.url != second.url and first.slug == second.slug
    for lesson in two_topics:
        response = client.get(lesson.url)
        assert response.status_code == 200
        assert response.context["page"].pk == lesson.pk


def test_unknown_addresses_and_unpublished_pages_are_404(client, people, two_topics):
    client.force_login(people.student)
    first, _second = two_topics
    assert client.get(first.url.rstrip("/") + "-khong-co/").status_code == 404
    assert client.get(first.url + "them/").status_code == 404
    first.unpublish()
    assert client.get(first.url).status_code == 404
    # Intermediate pages need not be live (as in Wagtail): only the page asked for.
    assert client.get(first.get_parent().url).status_code == 200


def test_a_students_lesson_view_has_a_fixed_query_budget(client, people, two_topics):
    client.force_login(people.student)
    lesson = two_topics[0]
    client.get(lesson.url)  # first view creates the progress row
    with CaptureQueriesContext(connection) as queries:
        assert client.get(lesson.url).status_code == 200
    # session, user, site, root page (+specific), the lesson (+specific), view restrictions (2), the student's
    # schools, progress, admin-link permissions (2), breadcrumbs, subject, outcomes, author.
    assert len(queries) <= 16, "\n".join(q["sql"][:120] for q in queries.captured_queries)
    other = make_school_people(prefix="khac.")
    deeper = content_api.get_or_create_topic(
        school=other.school, subject=get_subject("toan"), grade=10, title="Chương I. Mệnh đề và tập hợp"
    )
    assert deeper  # more schools and pages do not change the count
    with CaptureQueriesContext(connection) as again:
        client.get(lesson.url)
    assert len(again) == len(queries)


def test_no_repository_page_type_routes_on_its_own():
    """HomePage.route() skips the intermediate pages' route(); that is only right while none of them overrides it."""
    overriding = [
        model.__name__
        for model in apps.get_app_config("content").get_models()
        if issubclass(model, Page) and model is not HomePage and model.route is not Page.route
    ]
    assert overriding == []


def test_last_opened_is_kept_to_the_minute(client, people, two_topics):
    from datetime import timedelta

    from content.progress import LessonProgress

    client.force_login(people.student)
    lesson = two_topics[0]
    client.get(lesson.url)
    progress = LessonProgress.objects.get(user=people.student, lesson_id=lesson.pk)
    earlier = progress.last_opened_at - timedelta(seconds=30)
    LessonProgress.objects.filter(pk=progress.pk).update(last_opened_at=earlier, first_opened_at=earlier)
    client.get(lesson.url)
    assert LessonProgress.objects.get(pk=progress.pk).last_opened_at == earlier  # a reload within the minute
    long_ago = earlier - timedelta(minutes=5)
    LessonProgress.objects.filter(pk=progress.pk).update(last_opened_at=long_ago)
    client.get(lesson.url)
    fresh = LessonProgress.objects.get(pk=progress.pk)
    assert fresh.last_opened_at > earlier and fresh.first_opened_at == earlier
