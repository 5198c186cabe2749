"""Saving a lesson refuses a library item the editor may not embed (its sharing scope), block by block, but keeps
the items an earlier editor had already embedded."""

from __future__ import annotations

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from content.api import LessonPage, SharingScope
from lms.library.models import LibraryItem
from lms.library.providers import provider_for
from tests.library.conftest import approve, lesson_with, upload_fixture
from tests.library.packages import H5P_DIR
from tests.support.people import make_school_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(people):
    other = make_school_people(prefix="b-")
    own = approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", people, title="Màu của quả lý chua"))
    private = approve(upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", other, title="Trường khác, riêng"))
    public = approve(upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", other, title="Trường khác, công khai"))
    LibraryItem.objects.filter(pk=public.pk).update(sharing=SharingScope.PUBLIC)
    return {"own": own, "private": private, "public": public, "other": other}


def _edit(client, lesson, body):
    data = nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "",
            "body": streamfield(body),
            "subject": lesson.subject_id,
            "grade": lesson.grade,
            "outcomes": [o.pk for o in lesson.outcomes.all()],
            "licence": lesson.licence,
            "source": "",
            "third_party_licence": "",
            "rights_confirmed": "on",
            "sharing": "school",
            "tags": "",
            "comments": inline_formset([]),
        }
    )
    return client.post(f"/admin/pages/{lesson.pk}/edit/", data)


def _h5p(item):
    return ("h5p", {"reference": str(item.uuid), "title": ""})


def _latest_references(lesson):
    body = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object().body
    return [child.value["reference"] for child in body if child.block_type == "h5p"]


def test_the_provider_says_who_may_embed_an_item(people, items):
    provider = provider_for("h5p")
    assert provider.may_embed(people.teacher, str(items["own"].uuid))
    assert provider.may_embed(people.teacher, str(items["public"].uuid))
    assert not provider.may_embed(people.teacher, str(items["private"].uuid))
    assert provider.may_embed(items["other"].teacher, str(items["private"].uuid))
    assert not provider.may_embed(people.teacher, "not-a-uuid")


def test_a_pasted_uuid_of_another_schools_unshared_item_is_refused(client, people, items):
    lesson = lesson_with(people, [_h5p(items["own"])])
    client.force_login(people.teacher)
    response = _edit(client, lesson, [_h5p(items["own"]), _h5p(items["private"])])
    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    assert "Trường khác, riêng" in html and str(items["private"].uuid) in html
    assert "(khối 2)" in html  # which block
    assert _latest_references(lesson) == [str(items["own"].uuid)]  # nothing saved


def test_shared_and_own_items_may_be_added(client, people, items):
    lesson = lesson_with(people, [])
    client.force_login(people.teacher)
    response = _edit(client, lesson, [_h5p(items["own"]), _h5p(items["public"])])
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _latest_references(lesson) == [str(items["own"].uuid), str(items["public"].uuid)]


def test_an_item_an_earlier_editor_embedded_stays_when_someone_else_saves(client, people, items):
    """The lesson already embeds an item our teacher may not embed (put there by an earlier editor, here through
    the service, as before this check): our teacher may still edit the rest of the lesson and save it. Only the
    references an edit adds are checked."""
    lesson = lesson_with(people, [_h5p(items["private"])])
    client.force_login(people.teacher)
    paragraph = ("paragraph", rich_text("<p>Làm bài rồi đọc nhận xét.</p>"))
    response = _edit(client, lesson, [paragraph, _h5p(items["private"])])
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _latest_references(lesson) == [str(items["private"].uuid)]
