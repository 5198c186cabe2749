"""Helpers of the browser tests (Playwright on Debian's Chromium)."""

from __future__ import annotations

from tests.support.people import PASSWORD


def log_in(context, user, *, page=None):
    """A new page of the browser ``context`` (or ``page``, one already set up), logged in as ``user`` through the login
    form (the fixtures' password)."""
    page = page or context.new_page()
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/tai-khoan/")
    return page
