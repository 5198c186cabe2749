"""Login, logout, throttling, password change and reset (through the site's Vietnamese pages)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from tests.support.people import PASSWORD

LOGIN = "/tai-khoan/dang-nhap/"


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_login_page_is_in_vietnamese_by_default(client, db):
    html = client.get(LOGIN).content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html
    assert "Quên mật khẩu?" in html


def test_login_page_is_available_in_english(client, db):
    client.cookies["django_language"] = "en"
    html = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in html
    assert "Forgot your password?" in html


def test_login_with_good_credentials_goes_to_the_account_page(client, people):
    response = _login(client, people.teacher.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:account")
    page = client.get(response["Location"]).content.decode()
    assert people.teacher.get_full_name() in page
    assert "Giáo viên" in page
    assert "Tổ Toán – Tin" in page


def test_login_follows_next_but_not_to_other_sites(client, people):
    assert _login(client, people.teacher.username, PASSWORD, QUERY_STRING="next=/admin/")["Location"] == "/admin/"
    client.logout()
    response = client.post(
        f"{LOGIN}?next=https://evil.example/", {"username": people.teacher.username, "password": PASSWORD}
    )
    assert response["Location"] == reverse("schools:account")


def test_wrong_password_gives_a_clear_vietnamese_error(client, people):
    response = _login(client, people.teacher.username, "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_admin_login_url_is_the_site_login(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@override_settings(LOGIN_THROTTLE={"MAX_FAILURES": 3, "IP_MAX_FAILURES": 100, "WINDOW": 600, "LOCKOUT": 600})
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, people):
    for _attempt in range(3):
        _login(client, people.teacher.username, "sai")
    response = _login(client, people.teacher.username, PASSWORD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bạn đã nhập sai quá nhiều lần" in html
    assert "10 phút" in html
    assert "_auth_user_id" not in client.session
    # Other people are not locked out by one account's failures.
    assert _login(client, people.student.username, PASSWORD).status_code == 302


@override_settings(LOGIN_THROTTLE={"MAX_FAILURES": 3, "IP_MAX_FAILURES": 100, "WINDOW": 600, "LOCKOUT": 600})
def test_the_lock_also_covers_other_login_paths(client, people):
    from django.contrib.auth import authenticate

    for _attempt in range(3):
        _login(client, people.teacher.username, "sai")
    assert authenticate(username=people.teacher.username, password=PASSWORD) is None


@override_settings(LOGIN_THROTTLE={"MAX_FAILURES": 3, "IP_MAX_FAILURES": 100, "WINDOW": 600, "LOCKOUT": 600})
def test_a_successful_login_resets_the_failure_count(client, people):
    for _attempt in range(2):
        _login(client, people.teacher.username, "sai")
    assert _login(client, people.teacher.username, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(2):
        _login(client, people.teacher.username, "sai")
    assert _login(client, people.teacher.username, PASSWORD).status_code == 302


@override_settings(LOGIN_THROTTLE={"MAX_FAILURES": 100, "IP_MAX_FAILURES": 4, "WINDOW": 600, "LOCKOUT": 600})
def test_one_address_trying_many_accounts_is_locked_out(client, people):
    for username in ["a1", "a2", "a3", "a4"]:
        _login(client, username, "sai", REMOTE_ADDR="203.0.113.9")
    locked = _login(client, people.teacher.username, PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert "Bạn đã nhập sai quá nhiều lần" in locked.content.decode()
    assert _login(client, people.teacher.username, PASSWORD, REMOTE_ADDR="203.0.113.10").status_code == 302


def test_logout_needs_post_and_ends_the_session(client, people):
    client.force_login(people.teacher)
    assert client.get("/tai-khoan/dang-xuat/").status_code == 405
    assert client.post("/tai-khoan/dang-xuat/").status_code == 302
    assert client.get(reverse("schools:account")).status_code == 302


def test_password_change(client, people):
    client.force_login(people.teacher)
    response = client.post(
        reverse("schools:password_change"),
        {"old_password": PASSWORD, "new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"},
    )
    assert response["Location"] == reverse("schools:password_change_done")
    client.logout()
    assert _login(client, people.teacher.username, "Mat-khau-moi-2026").status_code == 302


def test_password_reset_by_email_end_to_end(client, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:password_reset"), {"email": people.teacher.email})
    assert response["Location"] == reverse("schools:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [people.teacher.email]
    assert "Đặt lại mật khẩu" in message.subject
    link = re.search(r"http://testserver(/tai-khoan/dat-lai/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Chọn mật khẩu mới" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"}
    )
    assert done["Location"] == reverse("schools:password_reset_complete")
    assert _login(client, people.teacher.username, "Mat-khau-moi-2026").status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:password_reset"), {"email": "khong-ai@example.vn"})
    assert response["Location"] == reverse("schools:password_reset_done")
    assert mail.outbox == []


@pytest.mark.parametrize("attr", ["student", "parent"])
def test_account_page_has_no_admin_link_for_students_and_parents(client, people, attr):
    client.force_login(getattr(people, attr))
    html = client.get(reverse("schools:account")).content.decode()
    assert "/admin/" not in html
    assert "ma-api" not in html


def test_parent_account_page_shows_their_child(client, people):
    client.force_login(people.parent)
    html = client.get(reverse("schools:account")).content.decode()
    assert people.student.get_full_name() in html
    assert "Phụ huynh" in html
