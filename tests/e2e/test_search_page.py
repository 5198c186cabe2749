"""A student in Debian's Chromium searches without diacritics, uses the autocomplete and a facet."""

from __future__ import annotations

import pytest

from content import api as content_api
from content.api import Licence
from curriculum.api import get_outcomes, get_subject
from tests.support.baseline import ensure_site_baseline
from tests.support.people import PASSWORD, make_school_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(transactional_db):
    ensure_site_baseline()
    people = make_school_people()
    topic = content_api.get_or_create_topic(
        school=people.school, subject=get_subject("toan"), grade=10, title="Chương VII. Phương pháp toạ độ"
    )
    for title, summary in (
        ("Bài 2. Phương trình đường tròn", "Lập phương trình đường tròn khi biết tâm và bán kính."),
        ("Bài 3. Ba đường conic", "Elip, hypebol và parabol."),
    ):
        lesson = content_api.create_lesson_draft(
            topic=topic,
            title=title,
            author=people.teacher,
            subject=get_subject("toan"),
            grade=10,
            summary=summary,
            outcomes=list(get_outcomes(subject=get_subject("toan"), grade=10)[:1]),
            licence=Licence.SCHOOL,
            rights_confirmed=True,
        )
        lesson.save_revision().publish()  # autocommit here: the index is updated through (eager) Celery at once
    return people


@pytest.fixture
def csp_violations(page):
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text) if "Content Security Policy" in msg.text else None)
    return messages


def test_student_searches_without_diacritics_and_follows_a_suggestion(page, live_server, school, csp_violations):
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(school.student.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/tai-khoan/")
    page.get_by_role("link", name="Tìm kiếm", exact=True).click()
    page.wait_for_url("**/tim-kiem/")

    box = page.get_by_role("combobox")
    box.fill("duong tr")
    option = page.get_by_role("option").first
    option.wait_for()
    assert option.inner_text() == "Bài 2. Phương trình đường tròn"
    assert option.locator("mark").all_inner_texts() == ["trình", "đường", "tròn"]  # "tr" is a prefix of two
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/bai-2-phuong-trinh-duong-tron/")
    assert page.get_by_role("heading", level=1).inner_text() == "Bài 2. Phương trình đường tròn"

    page.goto(f"{live_server.url}/tim-kiem/")
    page.get_by_role("combobox").fill("duong")
    page.get_by_role("button", name="Tìm kiếm").click()
    assert page.get_by_role("status").inner_text().startswith("2 kết quả")
    assert page.locator(".hit mark").first.inner_text() == "đường"
    page.locator('[data-facet="grade"]').get_by_role("link", name="Lớp 10").click()
    assert page.locator('[data-facet="grade"] a[aria-current="true"]').inner_text().strip() == "✓ Lớp 10"
    assert csp_violations == []
