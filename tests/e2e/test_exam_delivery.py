"""Acceptance for computer-based tests, in Debian's Chromium: a student takes a timed test, loses the connection
(Playwright ``set_offline``), keeps answering, comes back online, and every answer is stored; a second student's
browser is closed mid-test and the server submits the attempt at time-up; the invigilator's page shows both.

The bank, the approved test and the sitting are set up through the apps' APIs; the students and the invigilator act
through the site's pages."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from lms.exams import services
from lms.exams.models import Answer, Attempt, AttemptStatus
from tests.exams.support import make_bank, schedule, toan_test
from tests.support.baseline import ensure_site_baseline
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.both_databases, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exam(transactional_db):
    ensure_site_baseline()
    setup = make_bank()
    test = toan_test(setup, variants=2)
    # 30 seconds for the test; the first student has 5 minutes' extra time (given before the start)
    sitting = schedule(setup, test, minutes=0.5, access_code="K12")
    first = Attempt.objects.get(sitting=sitting, student=setup.people.student)
    services.set_extra_time(attempt=first, minutes=5, by=setup.people.teacher)
    return setup, sitting


def _start(page, sitting):
    page.goto("/kiem-tra/")
    page.get_by_role("link", name=str(sitting)).click()
    page.locator("input[name=access_code]").fill("K12")
    page.locator("[data-testid=start]").click()
    page.wait_for_url("**/kiem-tra/bai-lam/*/")
    expect(page.locator("[data-testid=timer]")).not_to_have_text("–")


def _stored(attempt, slot, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        answer = Answer.objects.filter(attempt=attempt, slot=slot).first()
        if answer is not None:
            return answer.response
        time.sleep(0.2)
    return None


def _focus_losses(attempt, *, at_least, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        losses = Attempt.objects.get(pk=attempt.pk).focus_losses
        if losses >= at_least:
            return losses
        time.sleep(0.2)
    return Attempt.objects.get(pk=attempt.pk).focus_losses


def test_offline_answers_are_kept_and_time_up_is_submitted_by_the_server(new_context, live_server, exam):
    setup, sitting = exam
    people = setup.people
    student, student2 = people.student, setup.cls.student2

    # Student 2 starts first, answers one question, and their browser is closed.
    ctx2 = new_context(base_url=live_server.url, locale="vi-VN")
    page2 = log_in(ctx2, student2)
    _start(page2, sitting)
    attempt2 = Attempt.objects.get(sitting=sitting, student=student2)
    page2.locator("[data-testid=q-1] input[value=A]").check()
    assert _stored(attempt2, 1) == "A"
    ctx2.close()

    # Student 1 answers online, then offline, then online again.
    ctx = new_context(base_url=live_server.url, locale="vi-VN")
    page = log_in(ctx, student)
    _start(page, sitting)
    attempt = Attempt.objects.get(sitting=sitting, student=student)
    status = page.locator("[data-testid=save-status]")
    page.locator("[data-testid=q-1] input[value=B]").check()
    assert _stored(attempt, 1) == "B"
    expect(status).to_have_text("Đã lưu")

    ctx.set_offline(True)
    page.locator("[data-testid=q-2] input[value=C]").check()
    page.locator("[data-testid=q-13] tr[data-statement=a] input[value=Đ]").check()
    page.locator("[data-testid=q-13] tr[data-statement=b] input[value=S]").check()
    page.locator("[data-testid=q-17] input[type=text]").fill("1,5")
    expect(status).to_contain_text("Mất kết nối", timeout=10_000)
    page.wait_for_function(
        "key => JSON.parse(localStorage.getItem(key)).queue.length === 3", arg=f"exam-attempt:{attempt.pk}"
    )
    assert not Answer.objects.filter(attempt=attempt, slot__in=[2, 13, 17]).exists()  # nothing reached the server

    ctx.set_offline(False)
    expect(status).to_have_text("Đã lưu", timeout=20_000)
    assert _stored(attempt, 2) == "C"
    assert _stored(attempt, 13) == {"a": "Đ", "b": "S"}
    assert _stored(attempt, 17) == "1,5"
    assert page.evaluate("key => JSON.parse(localStorage.getItem(key)).queue.length", f"exam-attempt:{attempt.pk}") == 0

    # Leaving the window is logged; a reload resumes with every answer in place.
    page.evaluate("() => { window.dispatchEvent(new Event('blur')); window.dispatchEvent(new Event('focus')); }")
    assert _focus_losses(attempt, at_least=1) >= 1  # the blur reached the server before the reload
    page.reload()
    expect(page.locator("[data-testid=q-2] input[value=C]")).to_be_checked()
    expect(page.locator("[data-testid=q-13] tr[data-statement=a] input[value=Đ]")).to_be_checked()
    expect(page.locator("[data-testid=q-17] input[type=text]")).to_have_value("1,5")
    submit_url, result_url = f"/kiem-tra/bai-lam/{attempt.pk}/nop/", f"/kiem-tra/bai-lam/{attempt.pk}/ket-qua/"
    result_loads = []
    page.on("request", lambda r: result_loads.append(r.url) if r.url.endswith(result_url) else None)
    with page.expect_response(lambda r: r.url.endswith(submit_url) and r.request.method == "POST") as submitted:
        page.locator("[data-testid=submit]").click()
    # the script submits with JSON (as through the gateway) and shows the result the reply carries, in place, at the
    # result page's address: no second request (at time-up a whole room would send it at once)
    assert submitted.value.status == 200 and submitted.value.headers["content-type"] == "application/json"
    assert submitted.value.request.headers["content-type"] == "application/json"
    expect(page.locator("[data-testid=result]")).to_contain_text("Đã nộp")
    expect(page.locator("[data-testid=review]")).to_be_visible()
    assert page.url.endswith(result_url) and result_loads == []
    assert page.evaluate("key => localStorage.getItem(key)", f"exam-attempt:{attempt.pk}") is None
    page.evaluate("() => window.dispatchEvent(new Event('blur'))")  # nothing is kept for a submitted attempt
    assert page.evaluate("key => localStorage.getItem(key)", f"exam-attempt:{attempt.pk}") is None
    shown = page.locator("[data-testid=score]").text_content()
    page.reload()  # the address is the result page's: a reload opens it, with the same score
    expect(page.locator("[data-testid=score]")).to_have_text(shown)
    assert result_loads == [page.url]
    attempt.refresh_from_db()
    # Chromium sometimes reports a real blur of the window while the page reloads: one or two losses, each logged.
    assert attempt.status == AttemptStatus.SUBMITTED and not attempt.auto_submitted and attempt.focus_losses in (1, 2)

    # Student 2's time runs out with no browser: the server's periodic job submits the attempt.
    attempt2.refresh_from_db()
    while timezone.now() < attempt2.deadline + timedelta(seconds=11):
        time.sleep(0.5)
    call_command("submit_expired_attempts")
    attempt2.refresh_from_db()
    assert attempt2.status == AttemptStatus.SUBMITTED and attempt2.auto_submitted
    assert attempt2.submitted_at > attempt2.deadline and attempt2.points is not None

    # The invigilator sees both.
    teacher = log_in(new_context(base_url=live_server.url, locale="vi-VN"), people.teacher)
    teacher.goto(f"/kiem-tra/ky/{sitting.pk}/giam-thi/")
    row1 = teacher.locator(f"tr[data-student={student.username}]")
    row2 = teacher.locator(f"tr[data-student={student2.username}]")
    expect(row1.locator("[data-testid=status]")).to_have_text("Đã nộp")
    expect(row1.locator("[data-testid=progress]")).to_have_text("4/22")
    expect(row1.locator("[data-testid=focus]")).to_have_text(str(attempt.focus_losses))
    expect(row2.locator("[data-testid=status]")).to_have_text("Máy chủ tự nộp khi hết giờ")
    expect(row2.locator("[data-testid=progress]")).to_have_text("1/22")
