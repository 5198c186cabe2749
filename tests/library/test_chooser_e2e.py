"""Acceptance in Debian's Chromium: a teacher embeds a library document in a lesson through the editor's chooser
(Wagtail's modal, searched by title, listing only what they may embed) and saves the lesson with it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from content.api import LessonPage
from content.review_services import configure_school_review
from lms.library.models import LibraryItem
from tests.library.conftest import approve, lesson_with, upload_fixture
from tests.support.people import make_school_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pdf(tmp_path, name, text):
    from lib.pdf import new_document

    document = new_document(title=text)
    document.multi_cell(0, 8, text)
    path = tmp_path / name
    document.output(str(path))
    return path


def test_teacher_chooses_a_library_document_for_a_lesson(live_server, new_context, student_login, tmp_path):
    people = make_school_people()
    wanted = approve(upload_fixture(_pdf(tmp_path, "a.pdf", "Vi-ét"), people, title="Đề cương định lí Vi-ét"))
    approve(upload_fixture(_pdf(tmp_path, "b.pdf", "Hình học"), people, title="Phiếu hình học không gian"))
    draft = upload_fixture(_pdf(tmp_path, "c.pdf", "Nháp"), people, title="Đề cương bản nháp")
    other = make_school_people(prefix="khac.")
    approve(upload_fixture(_pdf(tmp_path, "d.pdf", "Khác"), other, title="Đề cương của trường khác"))
    lesson = lesson_with(people, [])
    configure_school_review(school=people.school)

    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    student_login(page, people.teacher)
    page.goto(f"/admin/pages/{lesson.pk}/edit/")
    page.get_by_role("button", name="Chèn khối").first.click()
    page.get_by_role("option", name="Tài liệu hoặc tệp đa phương tiện từ thư viện").click()
    page.get_by_role("button", name="Chọn tài liệu từ thư viện").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("link", name="Phiếu hình học không gian")).to_be_visible()
    expect(dialog.get_by_text("Đề cương bản nháp")).to_have_count(0)  # not approved
    expect(dialog.get_by_text("Đề cương của trường khác")).to_have_count(0)  # another school's, not shared
    dialog.get_by_role("textbox", name="Từ khóa tìm kiếm").fill("Vi-ét")
    expect(dialog.get_by_role("link", name="Phiếu hình học không gian")).to_have_count(0)
    dialog.get_by_role("link", name="Đề cương định lí Vi-ét").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("[data-chooser-title]").filter(has_text="Đề cương định lí Vi-ét")).to_be_visible()
    page.locator("footer").get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    # Leave the editor before reading the database: its background requests (Wagtail's editing pings) run in the
    # live server's thread on the same SQLite connection and must not be in flight when the test's flush starts.
    page.wait_for_load_state("networkidle")
    page.close()

    body = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object().body
    assert [(b.block_type, b.value["reference"]) for b in body] == [("library_document", str(wanted.uuid))], errors
    assert LibraryItem.objects.get(pk=draft.pk).status == "draft"

    assert not errors, errors
