"""Acceptance for classes and blended teaching, in Debian's Chromium: a teacher builds a plan with a lesson and an
assignment; a student completes the lesson and hands in the assignment with a file; the teacher scores it; the
parent sees the completion and the score; the parent of another student sees none of it.

Everyone acts through the site's pages (login, the course page, the lesson page, the assignment page, the parents'
view); only the school, the class and the published lesson are set up in Python.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lms.courses.models import Submission
from tests.courses.support import make_class
from tests.support.baseline import ensure_site_baseline
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def klass(transactional_db):
    ensure_site_baseline()
    return make_class()


def _session(new_context, live_server, user):
    return log_in(new_context(base_url=live_server.url, locale="vi-VN"), user)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_plan_lesson_assignment_score_and_parents(new_context, live_server, klass, tmp_path):
    people, course, lesson = klass.people, klass.course, klass.lesson
    now = timezone.now()

    # The teacher plans the lesson and an assignment.
    teacher = _session(new_context, live_server, people.teacher)
    teacher.goto("/lop-hoc/")
    teacher.get_by_role("link", name=f"{course.subject.name} – {klass.klass.name}").first.click()
    form = teacher.locator("form[data-testid=add-item]")
    form.locator("select[name=kind]").select_option("lesson")
    form.locator("select[name=lesson]").select_option(label=lesson.title)
    form.locator("input[name=release_at]").fill(_local(now - timedelta(hours=1)))
    form.locator("input[name=due_at]").fill(_local(now + timedelta(days=7)))
    form.locator("select[name=delivery_form]").select_option("HO_TRO")
    form.locator("button[type=submit]").click()
    expect(teacher.locator("[data-testid=plan]")).to_contain_text(lesson.title)

    teacher.get_by_role("link", name="Bài tập mới").click()
    teacher.locator("input[name=title]").fill("Bài tập 1. Phép toán trên tập hợp")
    teacher.locator("textarea[name=instructions]").fill("Làm bài 1.1 đến 1.5 và nộp ảnh hoặc tệp bài làm.")
    teacher.locator("input[name=release_at]").fill(_local(now - timedelta(hours=1)))
    teacher.locator("input[name=due_at]").fill(_local(now + timedelta(days=3)))
    teacher.locator("main form button[type=submit]").click()
    expect(teacher.locator("[data-testid=plan]")).to_contain_text("Bài tập 1. Phép toán trên tập hợp")
    expect(teacher.locator("[data-testid=plan]")).to_contain_text("Hỗ trợ dạy học trực tiếp")

    # The student opens the lesson from the course, marks it done, and hands in the assignment with a file.
    student = _session(new_context, live_server, people.student)
    student.goto("/lop-hoc/")
    student.get_by_role("link", name=lesson.title).first.click()
    student.locator("[data-testid=open-lesson]").click()
    expect(student.locator("h1")).to_have_text(lesson.title)
    student.locator("form.lesson-done button[type=submit]").click()
    expect(student.locator("form.lesson-done .done")).to_be_visible()

    student.goto("/lop-hoc/")
    student.get_by_role("link", name="Bài tập 1. Phép toán trên tập hợp").first.click()
    work = tmp_path / "bai-lam-tap-hop.pdf"
    work.write_bytes(b"%PDF-1.4\n% bai lam cua hoc sinh\n")
    submission_form = student.locator("[data-testid=my-submission] form")
    submission_form.locator("textarea[name=text]").fill("A ∪ B = {1; 2; 3; 4}")
    submission_form.locator("input[name=files]").set_input_files(str(work))
    submission_form.locator("button[type=submit]").click()
    expect(student.locator("[data-testid=my-submission]")).to_contain_text("bai-lam-tap-hop.pdf")

    # The teacher sees the work, downloads it and scores it 8,5.
    teacher.goto(f"/lop-hoc/khoa-hoc/{course.pk}/")
    teacher.get_by_role("link", name="Bài tập 1. Phép toán trên tập hợp").click()
    row = teacher.locator(f"[data-testid=submission-{people.student.username}]")
    with teacher.expect_download() as download:
        row.get_by_role("link", name="bai-lam-tap-hop.pdf").click()
    assert download.value.suggested_filename == "bai-lam-tap-hop.pdf"
    row.locator("input[name=score]").fill("8,5")
    row.locator("textarea[name=feedback]").fill("Đúng phần lớn; xem lại bài 1.4.")
    row.locator("button[type=submit]").first.click()
    expect(teacher.locator(".messages")).to_contain_text("8,5")
    assert str(Submission.objects.get(student=people.student).score) == "8.5"

    teacher.goto(f"/lop-hoc/khoa-hoc/{course.pk}/theo-doi/")
    expect(teacher.locator(f"[data-testid=row-{people.student.username}]")).to_contain_text("8,5")

    # The student sees the score; the parent sees the completion and the score.
    student.reload()
    expect(student.locator("[data-testid=my-score]")).to_contain_text("8,5")
    parent = _session(new_context, live_server, people.parent)
    parent.goto("/lop-hoc/")
    expect(parent.locator("[data-testid=notifications]")).to_contain_text("Bài tập 1. Phép toán trên tập hợp")
    parent.get_by_role("link", name=people.student.get_full_name(), exact=True).click()
    lesson_row = parent.locator("tr", has_text=lesson.title)
    expect(lesson_row).to_contain_text("Hoàn thành")
    assignment_row = parent.locator("tr", has_text="Bài tập 1. Phép toán trên tập hợp")
    expect(assignment_row).to_contain_text("Đã nộp")
    expect(assignment_row).to_contain_text("8,5")

    # The parent of another student of the class sees none of it.
    other = _session(new_context, live_server, klass.parent2)
    other.goto("/lop-hoc/")
    expect(other.locator("main")).not_to_contain_text(people.student.get_full_name())
    other.get_by_role("link", name=klass.student2.get_full_name(), exact=True).click()
    expect(other.locator("main")).not_to_contain_text("8,5")
    expect(other.locator("main")).not_to_contain_text("Hoàn thành")
    expect(other.locator("main")).not_to_contain_text(people.student.get_full_name())
    response = other.goto(f"/lop-hoc/con/{people.student.pk}/")
    assert response.status == 403
    response = other.request.get(f"/api/v1/children/{people.student.pk}/overview")
    assert response.status == 404
