"""A person in Debian's Chromium: the Vietnamese home page, logging in, and who gets into the Wagtail admin."""

from __future__ import annotations

import pytest

from tests.support.baseline import ensure_site_baseline
from tests.support.people import PASSWORD, make_school_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(transactional_db):
    ensure_site_baseline()
    return make_school_people()


@pytest.fixture
def csp_violations(page):
    """Console messages about the content security policy: the site must not trigger any."""
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text) if "Content Security Policy" in msg.text else None)
    return messages


def _log_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_home_page_is_vietnamese_and_leads_to_login(page, live_server, school, csp_violations):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Trang chủ"
    page.get_by_role("link", name="Đăng nhập để bắt đầu học").click()
    page.wait_for_url("**/tai-khoan/dang-nhap/")
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    assert csp_violations == []


def test_teacher_logs_in_and_enters_the_admin(page, live_server, school, csp_violations):
    _log_in(page, live_server, school.teacher.username)
    page.wait_for_url("**/tai-khoan/")
    assert page.get_by_role("heading", level=1).inner_text() == school.teacher.get_full_name()
    assert page.get_by_text("Tổ Toán – Tin").is_visible()
    page.get_by_role("link", name="Vào trang quản trị").click()
    page.wait_for_url("**/admin/")
    # Wagtail's dashboard, in Vietnamese, with the teacher's name in the account menu.
    assert page.locator("html").get_attribute("lang") == "vi"
    page.wait_for_selector("main")
    assert page.locator("body.wagtail-dashboard, body[class*=dashboard], .w-dashboard, main").first.is_visible()
    assert "/tai-khoan/dang-nhap/" not in page.url
    page.goto(f"{live_server.url}/admin/documents/")
    # Teachers may upload documents (collection permission on the root collection).
    assert page.locator('a[href="/admin/documents/multiple/add/"]').first.is_visible()
    assert csp_violations == []


def test_student_is_refused_the_admin(page, live_server, school):
    _log_in(page, live_server, school.student.username)
    page.wait_for_url("**/tai-khoan/")
    assert page.get_by_role("link", name="Vào trang quản trị").count() == 0
    page.goto(f"{live_server.url}/admin/")
    assert "/tai-khoan/dang-nhap/" in page.url
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    assert "không được mở trang đó" in page.get_by_role("status").inner_text()


def test_wrong_password_shows_a_vietnamese_error_and_logout_works(page, live_server, school):
    _log_in(page, live_server, school.parent.username, "sai-mat-khau")
    assert page.get_by_role("alert").inner_text().startswith("Tên đăng nhập hoặc mật khẩu không đúng")
    _log_in(page, live_server, school.parent.username)
    page.wait_for_url("**/tai-khoan/")
    assert page.get_by_text(school.student.get_full_name()).is_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("link", name="Đăng nhập", exact=True).is_visible()
