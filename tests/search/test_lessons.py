"""The lessons source: who finds which lesson (against content.api.can_view_lesson), drafts and reviews, and the
index following publish / unpublish / edit / review / delete through Celery after the transaction commits."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from content import api as content_api
from content.api import LessonPage, Licence, SharingScope
from curriculum.api import get_outcomes, get_subject
from lms.schools import api as schools_api
from lms.schools.api import Role
from search import api as search_api
from search.lessons import LessonSource
from tests.support.baseline import ensure_site_baseline
from tests.support.factories import SchoolFactory, UserFactory
from tests.support.people import make_school_people


def found(user, text="", **kwargs):
    return {(hit.key, hit.status) for hit in search_api.search_documents(user, text, **kwargs).hits}


def fresh(user):
    """The same person without cached principals (a new request)."""
    return type(user).objects.get(pk=user.pk) if user.is_authenticated else AnonymousUser()


@pytest.fixture
def make_lesson(people, django_capture_on_commit_callbacks):
    ensure_site_baseline()

    def make(title="Bài 2. Phương trình đường tròn", *, publish=True, author=None, summary="", **fields):
        topic = content_api.get_or_create_topic(
            school=people.school, subject=get_subject("toan"), grade=10, title="Chương VII. Phương pháp toạ độ"
        )
        with django_capture_on_commit_callbacks(execute=True):
            lesson = content_api.create_lesson_draft(
                topic=topic,
                title=title,
                author=author or people.teacher,
                subject=get_subject("toan"),
                grade=10,
                summary=summary or "Lập phương trình đường tròn khi biết tâm và bán kính.",
                outcomes=list(get_outcomes(subject=get_subject("toan"), grade=10)[:1]),
                licence=Licence.SCHOOL,
                rights_confirmed=True,
                **fields,
            )
        if publish:
            with django_capture_on_commit_callbacks(execute=True):
                lesson.save_revision().publish()
        return LessonPage.objects.get(pk=lesson.pk)

    return make


def test_a_published_lesson_is_indexed_after_commit_through_celery(
    people, make_lesson, django_capture_on_commit_callbacks, monkeypatch
):
    from search import tasks

    queued = []
    original = tasks.update_object_task.delay
    monkeypatch.setattr(tasks.update_object_task, "delay", lambda *a: queued.append(a) or original(*a))
    lesson = make_lesson(publish=False)
    assert found(people.student, "duong tron") == set()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lesson.save_revision().publish()
    assert found(people.student, "duong tron") == set()  # not before the transaction commits
    for callback in callbacks:
        callback()
    assert ("lesson", str(lesson.pk)) in queued
    assert found(fresh(people.student), "duong tron") == {(str(lesson.pk), "published")}
    [hit] = search_api.search_documents(people.student, "đường tròn").hits
    assert hit.url == lesson.url and hit.subject == "toan" and hit.grade == 10
    assert "<mark>đường</mark> <mark>tròn</mark>" in hit.excerpt_html


def test_a_rolled_back_publication_changes_nothing(people, make_lesson, django_capture_on_commit_callbacks):
    from django.db import transaction

    lesson = make_lesson(publish=False)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        lesson.save_revision().publish()
        raise RuntimeError("rolled back")
    assert found(people.student, "duong tron") == set()


def test_body_text_and_formulas_are_searchable(people, make_lesson):
    lesson = make_lesson(
        body=[
            ("paragraph", "<p>Tiếp tuyến của đường tròn vuông góc với bán kính tại tiếp điểm.</p>"),
            ("formula", {"latex": "(x-a)^2 + (y-b)^2 = R^2", "display": "block"}),
        ]
    )
    assert found(people.student, "tiep tuyen vuong goc") == {(str(lesson.pk), "published")}
    assert found(people.student, "R^2") == {(str(lesson.pk), "published")}


def test_unpublishing_and_deleting_remove_the_lesson(people, make_lesson, django_capture_on_commit_callbacks):
    lesson = make_lesson()
    assert found(people.student, "duong tron")
    with django_capture_on_commit_callbacks(execute=True):
        lesson.unpublish()
    assert found(fresh(people.student), "duong tron") == set()
    assert found(fresh(people.teacher), "duong tron") == {(f"{lesson.pk}:draft", "draft")}  # the author keeps it
    with django_capture_on_commit_callbacks(execute=True):
        LessonPage.objects.get(pk=lesson.pk).delete()
    assert found(fresh(people.teacher), "duong tron") == set()
    assert search_api.get_backend().count("lesson") == 0


def test_an_edit_is_a_draft_until_it_is_published(people, make_lesson, django_capture_on_commit_callbacks):
    lesson = make_lesson()
    with django_capture_on_commit_callbacks(execute=True):
        lesson.title = "Bài 2. Phương trình tiếp tuyến của đường tròn"
        lesson.save_revision(user=people.teacher)
    assert found(fresh(people.student), "tiep tuyen") == set()  # students see the live lesson only
    assert found(fresh(people.student), "phuong trinh duong tron") == {(str(lesson.pk), "published")}
    assert found(fresh(people.teacher), "tiep tuyen") == {(f"{lesson.pk}:draft", "draft")}
    with django_capture_on_commit_callbacks(execute=True):
        LessonPage.objects.get(pk=lesson.pk).get_latest_revision().publish()
    assert found(fresh(people.student), "tiep tuyen") == {(str(lesson.pk), "published")}
    assert found(fresh(people.teacher), "tiep tuyen") == {(str(lesson.pk), "published")}  # the draft is gone


def test_drafts_belong_to_their_author_and_reviews_to_the_subject_group(
    people, make_lesson, django_capture_on_commit_callbacks
):
    lesson = make_lesson("Bài 3. Elip", publish=False, summary="Phương trình chính tắc của elip.")
    draft = {(f"{lesson.pk}:draft", "draft")}
    assert found(people.teacher, "elip") == draft
    for other in (people.group_head, people.student, people.principal, people.school_admin):
        assert found(fresh(other), "elip") == set()
    with django_capture_on_commit_callbacks(execute=True):
        lesson.get_workflow().start(lesson, people.teacher)
    review = {(f"{lesson.pk}:draft", "review")}
    assert found(fresh(people.teacher), "elip") == review
    assert found(fresh(people.group_head), "elip") == review  # head and member of the group reviewing Toán
    colleague = UserFactory(username="gv.tin")
    schools_api.assign_role(user=colleague, school=people.school, role=Role.TEACHER)
    schools_api.add_group_member(group=people.group, user=colleague)
    assert found(fresh(colleague), "elip") == review
    for other in (people.student, people.parent, make_school_people(prefix="khac.").group_head):
        assert found(fresh(other), "elip") == set()
    facets = search_api.search_documents(fresh(people.student), "", facets=["status"]).facets
    assert {v.value for v in facets["status"]} <= {"published"}  # not even a count of the drafts
    assert search_api.autocomplete(fresh(people.student), "eli") == []
    assert [s.title for s in search_api.autocomplete(fresh(people.group_head), "eli")] == ["Bài 3. Elip"]
    # Approved: published (school sharing), the draft document is gone.
    with django_capture_on_commit_callbacks(execute=True):
        content_api.review_lesson(lesson=lesson, user=people.group_head, action="approve")
    assert found(fresh(people.student), "elip") == {(str(lesson.pk), "published")}
    assert found(fresh(people.teacher), "elip") == {(str(lesson.pk), "published")}


@pytest.mark.parametrize("scope", [SharingScope.SCHOOL, SharingScope.DISTRICT, SharingScope.PUBLIC])
def test_who_finds_a_published_lesson_is_who_may_view_it(people, make_lesson, scope):
    lesson = make_lesson(sharing=scope)
    neighbour_school = SchoolFactory(organisation=people.school.organisation)
    neighbour = UserFactory(username="hs.lang-gieng")
    schools_api.assign_role(user=neighbour, school=neighbour_school, role=Role.STUDENT)
    stranger = make_school_people(prefix="xa.")
    superuser = UserFactory(username="sieu", is_superuser=True)
    everyone = [
        AnonymousUser(),
        people.student,
        people.parent,
        people.teacher,
        people.principal,
        neighbour,
        stranger.student,
        stranger.teacher,
        superuser,
        UserFactory(username="khong-vai-tro"),
    ]
    lesson = LessonPage.objects.get(pk=lesson.pk)
    for user in everyone:
        may_view = content_api.can_view_lesson(fresh(user), lesson)
        finds = (str(lesson.pk), "published") in found(fresh(user), "phuong trinh duong tron")
        assert finds == may_view, (getattr(user, "username", "anonymous"), scope)


def test_reindex_rebuilds_from_the_lessons(people, make_lesson):
    lesson = make_lesson()
    draft = make_lesson("Bài 4. Hypebol", publish=False)
    search_api.get_backend().clear()
    assert found(people.student, "duong tron") == set()
    progress = []
    written = search_api.rebuild(progress=lambda *args: progress.append(args))
    assert written == {"lesson": 2, "library": 0, "questions": 0}  # every registered source
    lessons = [p for p in progress if p[0] == "lesson"]
    assert lessons[0] == ("lesson", 0, 2) and lessons[-1] == ("lesson", 2, 2)
    assert found(fresh(people.student), "duong tron") == {(str(lesson.pk), "published")}
    assert found(fresh(people.teacher), "hypebol") == {(f"{draft.pk}:draft", "draft")}


def test_documents_of_a_lesson_batch_the_same_as_one_by_one(people, make_lesson):
    first, second = make_lesson(), make_lesson("Bài 5. Parabol")
    source = LessonSource()
    batched = dict(source.documents_for_many([str(first.pk), str(second.pk), "999999"]))
    assert batched["999999"] == []
    for lesson in (first, second):
        assert batched[str(lesson.pk)] == source.documents_for(str(lesson.pk))
    assert sorted(source.object_ids()) == sorted([str(first.pk), str(second.pk)])
