"""Acceptance in Debian's Chromium: one active device per attempt. A student starts on one browser, answers, opens the
test on a second browser, takes it over there (the saved answer is shown), and the first browser's next change is
refused: it shows "continued on another device" and stops saving. The invigilator sees the device change."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from lms.exams.models import Answer, Attempt
from tests.exams.support import make_bank, schedule, toan_test
from tests.support.baseline import ensure_site_baseline
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.both_databases, pytest.mark.django_db(transaction=True)]


def _stored(attempt, slot, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        answer = Answer.objects.filter(attempt=attempt, slot=slot).first()
        if answer is not None:
            return answer.response
        time.sleep(0.2)
    return None


def test_second_device_takes_over_and_the_first_stops(new_context, live_server, transactional_db):
    ensure_site_baseline()
    setup = make_bank()
    sitting = schedule(setup, toan_test(setup, variants=2))
    student = setup.people.student

    first = log_in(new_context(base_url=live_server.url, locale="vi-VN"), student)
    first.goto(f"/kiem-tra/ky/{sitting.pk}/")
    first.locator("[data-testid=start]").click()
    first.wait_for_url("**/kiem-tra/bai-lam/*/")
    attempt = Attempt.objects.get(sitting=sitting, student=student)
    first.locator("[data-testid=q-1] input[value=B]").check()
    assert _stored(attempt, 1) == "B"

    second = log_in(new_context(base_url=live_server.url, locale="vi-VN"), student)
    second.goto(f"/kiem-tra/bai-lam/{attempt.pk}/")
    expect(second.locator("[data-testid=takeover]")).to_contain_text("đang mở trên thiết bị khác")
    second.locator("[data-testid=take-over]").click()
    expect(second.locator("[data-testid=q-1] input[value=B]")).to_be_checked()

    first.locator("[data-testid=q-2] input[value=C]").check()
    status = first.locator("[data-testid=save-status]")
    expect(status).to_contain_text("đang được làm tiếp trên thiết bị khác", timeout=10_000)
    expect(first.locator("[data-testid=q-3] input[value=A]")).to_be_disabled()
    assert _stored(attempt, 2, timeout=2) is None

    second.locator("[data-testid=q-2] input[value=D]").check()
    assert _stored(attempt, 2) == "D"

    teacher = log_in(new_context(base_url=live_server.url, locale="vi-VN"), setup.people.teacher)
    teacher.goto(f"/kiem-tra/ky/{sitting.pk}/giam-thi/")
    expect(teacher.locator(f"tr[data-student={student.username}] [data-testid=takeovers]")).to_contain_text("→")
