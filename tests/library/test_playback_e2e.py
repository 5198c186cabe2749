"""Acceptance in Debian's Chromium: a student answers an H5P MultiChoice inside a lesson and the score is stored;
a reload resumes; SCORM 1.2 and 2004 packages are completed and their completion stored."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.library.models import Result
from tests.library.conftest import approve, lesson_with, upload_fixture
from tests.library.packages import H5P_DIR
from tests.support.people import make_school_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _console(page):
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    return messages


def test_student_answers_h5p_multichoice_in_a_lesson(live_server, new_context, student_login):
    people = make_school_people()
    item = approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", people))
    lesson = lesson_with(people, [("h5p", {"reference": str(item.uuid), "title": ""})])
    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    log = _console(page)
    student_login(page, people.student)
    page.goto(lesson.url)
    outer = page.frame_locator("figure[data-library-item] iframe")
    inner = outer
    answer = inner.get_by_text("Very dark purple")
    expect(answer).to_be_visible(timeout=20_000)
    answer.click()
    inner.get_by_role("button", name="Check").click()
    expect(page.locator("[data-library-score]")).to_have_text("1.00 / 1.00", timeout=10_000)
    result = Result.objects.get(item=item, student=people.student)
    assert (result.score_raw, result.score_max, result.attempts) == (1, 1, 1), log
    assert not [m for m in log if "Content Security Policy" in m], log
