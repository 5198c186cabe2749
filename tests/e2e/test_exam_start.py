"""The start of a sitting in Debian's Chromium: the student waits in the waiting room with the access code typed in;
when the server's countdown reaches zero the test opens by itself, on the same page (one request brings the paper),
and from then on it is the attempt page: answers are saved, a reload shows them."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lms.exams.models import Answer, Attempt, AttemptEvent, AttemptStatus, EventKind
from tests.exams.support import make_bank, schedule, toan_test
from tests.support.baseline import ensure_site_baseline
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.both_databases, pytest.mark.django_db(transaction=True)]


def _in_the_waiting_room(new_context, live_server, seconds: float):
    """A student logged in, in the waiting room of a 10-minute sitting (access code K12) that opens in ``seconds``:
    ``(page, sitting, attempt)``."""
    ensure_site_baseline()
    setup = make_bank()
    test = toan_test(setup, variants=2)
    student = setup.people.student
    page = log_in(new_context(base_url=live_server.url, locale="vi-VN"), student)
    sitting = schedule(setup, test, minutes=10, opens_in=seconds / 60, access_code="K12")
    attempt = Attempt.objects.get(sitting=sitting, student=student)
    page.goto(f"/kiem-tra/ky/{sitting.pk}/")
    return page, sitting, attempt


def test_the_test_opens_by_itself_when_the_countdown_reaches_zero(new_context, live_server, transactional_db):
    page, sitting, attempt = _in_the_waiting_room(new_context, live_server, 6)
    expect(page.locator("[data-testid=countdown]")).to_have_text(re.compile(r"^[1-6]$"))
    expect(page.locator("[data-testid=start]")).to_be_disabled()
    expect(page.locator("[data-testid=q-1]")).to_have_count(0)  # no paper before the start
    page.locator("input[name=access_code]").fill("K12")

    # Nobody clicks: at zero the page asks for the paper and becomes the attempt page.
    expect(page.locator("[data-testid=q-1]")).to_be_visible(timeout=20_000)
    assert page.url.endswith(f"/kiem-tra/bai-lam/{attempt.pk}/")
    expect(page.locator("[data-testid=lobby]")).to_be_hidden()
    expect(page.locator("[data-testid=timer]")).to_have_text(re.compile(r"^(9|10):\d\d$"))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.started_at >= sitting.opens_at
    assert attempt.started_at - sitting.opens_at < timedelta(seconds=5) and attempt.device
    expect(page.locator("[data-testid=exam-code]")).to_have_text(attempt.variant.code)

    page.locator("[data-testid=q-1] input[value=C]").check()
    expect(page.locator("[data-testid=save-status]")).to_have_text("Đã lưu")
    assert Answer.objects.get(attempt=attempt, slot=1).response == "C"
    page.reload()  # the server's attempt page now, with the answer in place
    expect(page.locator("[data-testid=q-1] input[value=C]")).to_be_checked()


def test_the_waiting_room_checks_in_before_the_start_and_the_time_runs_from_the_start(
    new_context, live_server, transactional_db
):
    """Within the last 30 s the page checks in once (the attempt is opened, its time running from the start): at
    the start itself it only fetches the paper."""
    page, sitting, attempt = _in_the_waiting_room(new_context, live_server, 16)
    page.locator("input[name=access_code]").fill("K12")

    deadline = time.monotonic() + 14
    while time.monotonic() < deadline:  # checked in at a random moment until 5 s before the start
        attempt.refresh_from_db()
        if attempt.status == AttemptStatus.IN_PROGRESS:
            break
        time.sleep(0.25)
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.started_at == sitting.opens_at
    assert attempt.deadline == sitting.opens_at + timedelta(minutes=10) and attempt.device
    assert timezone.now() < sitting.opens_at  # … before the start, and the page still shows no paper
    expect(page.locator("[data-testid=q-1]")).to_have_count(0)
    expect(page.locator("[data-testid=countdown]")).not_to_have_text("0")

    expect(page.locator("[data-testid=q-1]")).to_be_visible(timeout=20_000)
    assert timezone.now() >= sitting.opens_at and page.url.endswith(f"/kiem-tra/bai-lam/{attempt.pk}/")
    expect(page.locator("[data-testid=timer]")).to_have_text(re.compile(r"^(9|10):\d\d$"))
    page.locator("[data-testid=q-1] input[value=B]").check()
    expect(page.locator("[data-testid=save-status]")).to_have_text("Đã lưu")
    assert Answer.objects.get(attempt=attempt, slot=1).response == "B"
    assert list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True)) == [EventKind.START]


def test_a_waiting_room_counts_down_again_to_a_test_moved_later(
    new_context, live_server, transactional_db, monkeypatch
):
    """The test is moved while the student waits: at the old zero the server says the start is later, the page says
    the test was moved and counts down to the new time, and opens the test then."""
    import dataclasses

    from lms.exams import rules, sitting_moves

    # the margins of a real exam (a minute, two) shortened for the test; no check-in, so the old zero asks the server
    short = dataclasses.replace(
        rules.DELIVERY["CBT2026"], check_in_seconds=0, last_move_seconds=1, move_notice_seconds=1
    )
    monkeypatch.setitem(rules.DELIVERY, "CBT2026", short)
    page, sitting, attempt = _in_the_waiting_room(new_context, live_server, 6)
    page.locator("input[name=access_code]").fill("K12")
    old_start = sitting.opens_at
    sitting = sitting_moves.reschedule_sitting(
        sitting=sitting,
        opens_at=old_start + timedelta(seconds=10),
        closes_at=None,
        reason="Mất điện",
        by=sitting.created_by,
    )

    error = page.locator("[data-testid=start-error]")
    expect(error).to_contain_text("dời", timeout=15_000)  # told at the old zero
    assert timezone.now() >= old_start and timezone.now() < sitting.opens_at
    expect(page.locator("[data-testid=countdown]")).not_to_have_text("0")
    expect(page.locator("[data-testid=start]")).to_be_disabled()
    expect(page.locator("[data-testid=q-1]")).to_have_count(0)

    expect(page.locator("[data-testid=q-1]")).to_be_visible(timeout=20_000)  # at the new zero, by itself
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.started_at >= sitting.opens_at
