"""Acceptance in Debian's Chromium: a student answers an H5P MultiChoice inside a lesson and the score is stored;
a reload resumes; SCORM 1.2 and 2004 packages are completed and their completion stored."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lms.library.models import Result, ScormRuntime
from tests.library.conftest import approve, lesson_with, upload_fixture
from tests.library.packages import H5P_DIR, SCORM_DIR
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


def test_h5p_reload_resumes_the_answer(live_server, new_context, student_login, settings):
    settings.LIBRARY_H5P_SAVE_SECONDS = 1
    people = make_school_people()
    item = approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", people))
    lesson = lesson_with(people, [("h5p", {"reference": str(item.uuid), "title": ""})])
    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    student_login(page, people.student)
    page.goto(lesson.url)
    frame = page.frame_locator("figure[data-library-item] iframe")
    frame.get_by_text("Very dark purple").click()
    from lms.library.models import H5PUserData

    for _ in range(50):
        if H5PUserData.objects.filter(item=item, student=people.student, data_type="state").exists():
            break
        page.wait_for_timeout(200)
    state = H5PUserData.objects.get(item=item, student=people.student, data_type="state")
    assert '"answers"' in state.data
    page.reload()
    frame = page.frame_locator("figure[data-library-item] iframe")
    chosen = frame.locator('[role="checkbox"][aria-checked="true"], [role="radio"][aria-checked="true"]')
    expect(chosen).to_have_count(1, timeout=20_000)
    expect(chosen).to_contain_text("Very dark purple")


def _scorm_lesson(people, fixture):
    item = approve(upload_fixture(SCORM_DIR / fixture, people))
    lesson = lesson_with(people, [("scorm", {"reference": str(item.uuid), "title": ""})], title=f"Bài SCORM {fixture}")
    return item, lesson


@pytest.mark.parametrize(
    ("fixture", "version"),
    [("RuntimeBasicCalls_SCORM12.zip", "1.2"), ("RuntimeBasicCalls_SCORM20043rdEdition.zip", "2004")],
)
def test_student_completes_scorm_and_reload_resumes(
    live_server, new_context, student_login, settings, fixture, version
):
    settings.LIBRARY_SCORM_AUTOCOMMIT_SECONDS = 1
    people = make_school_people()
    item, lesson = _scorm_lesson(people, fixture)
    assert item.version == version
    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "resume where you left off?" → yes
    student_login(page, people.student)
    page.goto(lesson.url)
    sco = page.frame_locator("figure[data-library-item] iframe").frame_locator("#scorm-content")
    next_button = sco.get_by_role("button", name="Next ->")
    for _ in range(3):
        next_button.click()
    runtime = _wait_for(lambda: ScormRuntime.objects.filter(item=item, student=people.student, location="3").first())
    assert runtime.completion_status == "incomplete"
    # Reload: the SCO resumes at its bookmark (page 3) from the stored CMI data.
    page.reload()
    sco = page.frame_locator("figure[data-library-item] iframe").frame_locator("#scorm-content")
    expect(sco.frame_locator("#contentFrame").locator("body")).to_contain_text("Other Scoring Systems", timeout=20_000)
    next_button = sco.get_by_role("button", name="Next ->")
    for _ in range(11):
        next_button.click()
    expect(next_button).to_be_disabled()
    runtime = _wait_for(
        lambda: ScormRuntime.objects.filter(item=item, student=people.student, completion_status="completed").first()
    )
    assert runtime.location == "14"
    assert _wait_for(lambda: Result.objects.filter(item=item, student=people.student, completed=True).first())


def _wait_for(query, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = query()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out waiting for the stored tracking data")


def test_multi_sco_table_of_contents_and_flow_navigation(live_server, new_context, student_login):
    people = make_school_people()
    _item, lesson = _scorm_lesson(people, "ContentPackagingOneFilePerSCO_SCORM12.zip")
    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    student_login(page, people.student)
    page.goto(lesson.url)
    player = page.frame_locator("figure[data-library-item] iframe")
    toc = player.locator("#scorm-toc button")
    expect(toc).to_have_count(18)
    expect(toc.first).to_have_attribute("aria-current", "true")
    content = player.frame_locator("#scorm-content")
    expect(content.locator("body")).to_contain_text("Golf", timeout=15_000)
    player.get_by_role("button", name="Tiếp").click()  # next SCO
    expect(toc.nth(1)).to_have_attribute("aria-current", "true")
    expect(player.locator("#scorm-status")).to_have_text("Par")
    toc.nth(5).click()  # straight to an item of the table of contents: the quiz, with its parameters
    expect(toc.nth(5)).to_have_attribute("aria-current", "true")
    expect(player.locator("#scorm-content")).to_have_attribute(
        "src", re.compile(r"assessmenttemplate\.html\?questions=Playing$")
    )
    player.get_by_role("button", name="Trước").click()
    expect(toc.nth(4)).to_have_attribute("aria-current", "true")
