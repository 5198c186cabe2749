"""Acceptance for the gradebook, in Debian's Chromium: a teacher enters marks with a decimal comma, sees the average
and locks the column; the principal unlocks it with a reason; the audit page shows both."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.gradebook.support import columns, make_gradebook_class
from tests.support.baseline import ensure_site_baseline
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gb(transactional_db):
    ensure_site_baseline()
    return make_gradebook_class()


def _session(new_context, live_server, user):
    return log_in(new_context(base_url=live_server.url, locale="vi-VN"), user)


def test_enter_lock_unlock_and_audit(new_context, live_server, gb):
    people, student = gb.people, gb.people.student
    cols = columns(gb.book)

    teacher = _session(new_context, live_server, people.teacher)
    teacher.goto("/so-diem/")
    teacher.get_by_role("link", name="Học kì 1").first.click()
    expect(teacher.locator("h1")).to_contain_text("Toán – 10A1")
    for label, value in {"ĐĐGtx1": "8,5", "ĐĐGtx2": "9", "ĐĐGgk": "7", "ĐĐGck": "8"}.items():
        teacher.locator(f"input[name=m-{cols[label].pk}-{student.pk}]").fill(value)
    teacher.locator("form[data-testid=marks] button[type=submit]").click()
    row = teacher.locator(f"tr[data-student={student.username}]")
    expect(row.locator("[data-testid=average]")).to_have_text("7,9")  # (8,5 + 9 + 14 + 24) / 7 = 7,93
    expect(row.locator(f"input[name=m-{cols['ĐĐGtx1'].pk}-{student.pk}]")).to_have_value("8,5")
    teacher.locator("form[data-testid='lock-ĐĐGtx1'] button").click()
    expect(teacher.locator(f"[data-testid=locked-{cols['ĐĐGtx1'].pk}]")).to_be_visible()
    expect(row.locator(f"input[name=m-{cols['ĐĐGtx1'].pk}-{student.pk}]")).to_have_count(0)

    principal = _session(new_context, live_server, people.principal)
    principal.goto(f"/so-diem/{gb.book.pk}/")
    unlock = principal.locator("form[data-testid='unlock-ĐĐGtx1']")
    unlock.locator("input[name=reason]").fill("Giáo viên nhập nhầm điểm, cho sửa lại")
    unlock.locator("button").click()
    expect(principal.locator(f"[data-testid=locked-{cols['ĐĐGtx1'].pk}]")).to_have_count(0)

    principal.goto(f"/so-diem/{gb.book.pk}/nhat-ky/")
    audit = principal.locator("[data-testid=audit]")
    expect(audit).to_contain_text("Giáo viên nhập nhầm điểm, cho sửa lại")
    expect(audit).to_contain_text(people.teacher.get_full_name())
    expect(audit).to_contain_text(people.principal.get_full_name())
    expect(audit.locator("tbody tr")).to_have_count(2)
