"""Acceptance, in Debian's Chromium: a student answers a matching, an ordering, a cloze (dropdown and text gap) and a
câu chùm question on the computer with the keyboard (selects, the Up/Down buttons, text inputs), the answers are
stored as the bank's scoring takes them, survive a reload, and the submitted test scores 10.

The bank, the approved test and the sitting are set up through the apps' APIs; the student acts through the pages."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from lms.exams import delivery
from lms.exams.models import Answer, Attempt, AttemptStatus
from tests.exams.test_composite_types import RIGHT, build_exam
from tests.support.baseline import ensure_site_baseline
from tests.support.people import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _stored(attempt, slot, expected, timeout=15.0):
    """The stored answer once it is ``expected`` (changes are sent one by one), or the last one seen."""
    end, response = time.monotonic() + timeout, None
    while time.monotonic() < end:
        answer = Answer.objects.filter(attempt=attempt, slot=slot).first()
        response = answer.response if answer else None
        if response == expected:
            break
        time.sleep(0.2)
    return response


def test_student_answers_matching_ordering_cloze_and_group_with_the_keyboard(
    new_context, live_server, transactional_db
):
    ensure_site_baseline()
    attempt, slots, people = build_exam(start=False)
    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("input[name=username]").fill(people.student.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/tai-khoan/")
    page.goto("/kiem-tra/")
    page.get_by_role("link", name=str(attempt.sitting)).click()
    page.locator("input[name=access_code]").fill("K1")
    page.locator("[data-testid=start]").click()
    page.wait_for_url("**/kiem-tra/bai-lam/*/")
    attempt = Attempt.objects.get(pk=attempt.pk)
    m, o, c, g = (slots[t]["slot"] for t in ("matching", "ordering", "cloze", "group"))

    # Matching: one select per item, labelled by the item (typeset by KaTeX on the page).
    matching = page.locator(f"[data-testid=q-{m}]")
    expect(matching.locator(".katex").first).to_be_visible()
    selects = matching.get_by_role("combobox")
    expect(selects).to_have_count(2)
    selects.nth(0).select_option(value="\\(2x\\)")
    selects.nth(1).focus()
    selects.nth(1).select_option(value="\\(3x^2\\)")
    assert _stored(attempt, m, RIGHT["matching"]) == RIGHT["matching"]

    # Ordering: the items start shuffled; the Up buttons, pressed with the keyboard, put them in order.
    ordering = page.locator(f"[data-testid=q-{o}]")
    shown = delivery.ordering_start(slots["ordering"]["content"], f"{attempt.variant_id}:{o}")
    assert shown != RIGHT["ordering"]
    for target, item in enumerate(RIGHT["ordering"]):
        for _ in range(shown.index(item) - target):
            ordering.get_by_role("button", name=f"Chuyển lên: {item}").focus()
            page.keyboard.press("Enter")
        shown.remove(item)
        shown.insert(target, item)
    expect(ordering.locator("li[data-item] .item-text")).to_have_text(RIGHT["ordering"])
    assert _stored(attempt, o, RIGHT["ordering"]) == RIGHT["ordering"]

    # Cloze: a dropdown gap and a text gap inside the text.
    cloze = page.locator(f"[data-testid=q-{c}]")
    cloze.get_by_role("combobox", name="Chỗ trống 1").select_option(label="Paris")
    cloze.get_by_role("textbox", name="Chỗ trống 2").fill("2,5")
    expect(cloze).to_contain_text("Thủ đô của Pháp là")

    # Câu chùm: the shared text once, then each sub-question with its own controls.
    group = page.locator(f"[data-testid=q-{g}]")
    expect(group).to_contain_text("Đọc đoạn văn sau.")
    group.locator("[data-part='0'] input[value=A]").check()
    group.locator("[data-part='1'] input[type=text]").fill("3")
    assert _stored(attempt, c, RIGHT["cloze"]) == RIGHT["cloze"]
    assert _stored(attempt, g, RIGHT["group"]) == RIGHT["group"]
    expect(page.locator("[data-testid=save-status]")).to_have_text("Đã lưu")

    # A reload shows every answer as stored.
    page.reload()
    expect(selects.nth(1)).to_have_value("\\(3x^2\\)")
    expect(ordering.locator("li[data-item] .item-text")).to_have_text(RIGHT["ordering"])
    expect(cloze.get_by_role("combobox", name="Chỗ trống 1")).to_have_value("A")
    expect(group.locator("[data-part='1'] input[type=text]")).to_have_value("3")

    page.once("dialog", lambda d: d.accept())
    page.locator("[data-testid=submit]").click()
    expect(page.locator("[data-testid=result]")).to_contain_text("Đã nộp")
    expect(page.locator("[data-testid=score]")).to_have_text("10")
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.points == attempt.max_points == 8
