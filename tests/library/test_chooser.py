"""The lesson editor's chooser for library items (H5P, SCORM, documents) and the lesson block for documents."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from content.api import SharingScope
from content.blocks import LessonBodyBlock
from lms.library.models import ItemStatus, LibraryItem
from lms.library.providers import LibraryProvider
from tests.library.conftest import approve, lesson_with, upload_fixture
from tests.library.packages import H5P_DIR
from tests.support.people import make_school_people

pytestmark = pytest.mark.django_db


def _pdf(tmp_path, name="Đề cương ôn tập.pdf"):
    from lib.pdf import new_document

    document = new_document(title="Đề cương")
    document.multi_cell(0, 8, "Phương trình bậc hai và định lí Vi-ét")
    path = tmp_path / name
    document.output(str(path))
    return path


@pytest.fixture
def items(people, tmp_path):
    """Own school: an approved H5P, a draft H5P, an approved PDF; another school: a school-only and a public H5P."""
    other = make_school_people(prefix="b-")
    own = approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", people, title="Màu của quả lý chua"))
    draft = upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", people, title="Bản nháp đúng sai")
    pdf = approve(upload_fixture(_pdf(tmp_path), people, title="Đề cương ôn tập chương I"))
    private = approve(upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", other, title="Trường khác, riêng"))
    public = approve(upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", other, title="Trường khác, công khai"))
    LibraryItem.objects.filter(pk=public.pk).update(sharing=SharingScope.PUBLIC)
    return {"own": own, "draft": draft, "pdf": pdf, "private": private, "public": public}


def _modal(client, kind, **params):
    response = client.get(reverse(f"library_{kind}_chooser:choose"), params)
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def test_the_modal_lists_what_the_editor_may_embed(client, people, items):
    client.force_login(people.teacher)
    html = _modal(client, "h5p")["html"]
    assert "Màu của quả lý chua" in html and "Trường khác, công khai" in html
    assert "Bản nháp đúng sai" not in html  # not approved
    assert "Trường khác, riêng" not in html  # another school's, not shared
    assert "Đề cương ôn tập" not in html  # a document, not an H5P activity
    documents = _modal(client, "document")["html"]
    assert "Đề cương ôn tập chương I" in documents and "Màu của quả lý chua" not in documents


def test_the_modal_searches_by_title(client, people, items):
    client.force_login(people.teacher)
    results = client.get(reverse("library_h5p_chooser:choose_results"), {"q": "lý chua"})
    html = (
        json.loads(results.content)["html"]
        if results["Content-Type"].startswith("application/json")
        else (results.content.decode())
    )
    assert "Màu của quả lý chua" in html and "Trường khác, công khai" not in html


def test_choosing_returns_the_uuid_and_refuses_what_the_editor_may_not_use(client, people, items):
    client.force_login(people.teacher)
    chosen = client.get(reverse("library_h5p_chooser:chosen", args=[items["own"].pk]))
    data = json.loads(chosen.content)
    assert data["step"] == "chosen"
    assert data["result"]["id"] == str(items["own"].uuid) and data["result"]["title"] == "Màu của quả lý chua"
    for refused in ("private", "draft"):
        assert client.get(reverse("library_h5p_chooser:chosen", args=[items[refused].pk])).status_code == 404


def test_students_cannot_open_the_chooser(client, people, items):
    client.force_login(people.student)
    assert client.get(reverse("library_h5p_chooser:choose")).status_code in (302, 403)


def test_provider_search_and_validate_follow_the_editor(people, items):
    provider = LibraryProvider("h5p", "h5p")
    titles = {s.title for s in provider.search("", user=people.teacher)}
    assert titles == {"Màu của quả lý chua", "Trường khác, công khai"}
    assert provider.validate(str(items["private"].uuid), user=people.teacher) is None
    assert provider.validate(str(items["public"].uuid), user=people.teacher).title == "Trường khác, công khai"


def test_lesson_block_uses_the_chooser_widget_with_the_chosen_title(people, items):
    block = LessonBodyBlock().child_blocks["h5p"].child_blocks["reference"]
    assert block.field.widget.get_chooser_modal_url() == reverse("library_h5p_chooser:choose")
    state = block.get_form_state(str(items["own"].uuid))
    assert state["id"] == str(items["own"].uuid) and state["title"] == "Màu của quả lý chua"
    assert block.get_form_state("") is None
    document = LessonBodyBlock().child_blocks["library_document"].child_blocks["reference"]
    assert document.field.widget.get_chooser_modal_url() == reverse("library_document_chooser:choose")


def test_the_lesson_editor_offers_the_choosers(client, people, items):
    lesson = lesson_with(people, [("h5p", {"reference": str(items["own"].uuid), "title": ""})])
    client.force_login(people.teacher)
    html = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    for kind in ("h5p", "scorm", "document"):
        assert reverse(f"library_{kind}_chooser:choose") in html, kind
    title = json.dumps("Màu của quả lý chua")[1:-1]  # in the editor's telepath data (JSON in an attribute)
    assert "Màu của quả lý chua" in html or title in html  # the chosen item's title, not just its UUID


def test_a_lesson_shows_a_library_pdf_inline(client, people, items):
    lesson = lesson_with(people, [("library_document", {"reference": str(items["pdf"].uuid), "title": "Đọc trước"})])
    client.force_login(people.student)
    html = client.get(lesson.url).content.decode()
    assert 'class="library-pdf"' in html and reverse("library:document", args=[items["pdf"].uuid]) in html
    assert "Đọc trước" in html


def test_a_lesson_plays_a_library_video_and_offers_other_files_for_download(client, people, tmp_path):
    video = tmp_path / "thi-nghiem.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000)
    sheet = tmp_path / "phieu-hoc-tap.txt"
    sheet.write_text("Phiếu học tập số 1", encoding="utf-8")
    video_item = approve(upload_fixture(video, people))
    sheet_item = approve(upload_fixture(sheet, people))
    lesson = lesson_with(
        people,
        [
            ("library_document", {"reference": str(video_item.uuid), "title": ""}),
            ("library_document", {"reference": str(sheet_item.uuid), "title": ""}),
        ],
    )
    client.force_login(people.student)
    html = client.get(lesson.url).content.decode()
    assert "<video controls" in html
    assert reverse("library:document", args=[sheet_item.uuid]) + "?tai-ve=1" in html


def test_a_document_block_refuses_an_unapproved_item(people, tmp_path):
    from django.core.exceptions import ValidationError

    draft = upload_fixture(_pdf(tmp_path), people)
    assert draft.status == ItemStatus.DRAFT
    block = LessonBodyBlock().child_blocks["library_document"]
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"reference": str(draft.uuid), "title": ""}))
    approve(draft)
    assert block.clean(block.to_python({"reference": str(draft.uuid), "title": ""}))["reference"] == str(draft.uuid)
