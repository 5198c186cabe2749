"""Acceptance, in Debian's Chromium: a lesson with a formula goes from its author through the two-step review
(subject-group head, then principal) to the school's students, and to another school's only once it is shared.

Everything a person does goes through the real UI: the site's login page, the Wagtail admin in Vietnamese (page
editor, StreamField, the footer's action menu, the dashboard's "awaiting your review" panel and its workflow actions),
and the public lesson page typeset by KaTeX. Only the set-up and the final "share with every school" (which would
need a second full review round) are done in Python.
"""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from content import api as content_api
from content.api import LessonPage, Licence, SharingScope
from content.review import Decision, ReviewDecision
from content.review_services import TWO_STEP, configure_school_review
from curriculum.api import get_outcomes, get_subject
from tests.support.baseline import ensure_site_baseline
from tests.support.people import PASSWORD, make_school_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Bài 15. Công thức nghiệm của phương trình bậc hai"
LATEX = r"\frac{-b \pm \sqrt{\Delta}}{2a}"
FIRST_SUMMARY = "Công thức nghiệm tổng quát của phương trình bậc hai một ẩn."
SECOND_SUMMARY = "Công thức nghiệm, có thêm ví dụ khi biệt thức Δ âm."
RETURN_COMMENT = "Bổ sung một ví dụ khi Δ < 0 rồi gửi lại."


@pytest.fixture
def two_schools(transactional_db):
    """A school that wants the principal's approval too, its topic for Toán 10, and a school elsewhere."""
    ensure_site_baseline()
    people = make_school_people()
    type(people.school).objects.filter(pk=people.school.pk).update(principal_approval_required=True)
    people.school.refresh_from_db()
    toan = get_subject("toan")
    topic = content_api.get_or_create_topic(
        school=people.school, subject=toan, grade=10, title="Chương VI. Hàm số, đồ thị và ứng dụng"
    )
    workflow = configure_school_review(school=people.school)
    assert workflow.name == TWO_STEP
    assert topic.get_workflow() == workflow
    outcome = get_outcomes(subject=toan, grade=10).first()
    other = make_school_people(prefix="khac.")
    assert all(p.email for p in (people.teacher, people.group_head, people.principal))
    return people, other, topic, outcome


def _session(new_context, live_server, user):
    """A browser context of its own for ``user``, logged in through the site's login page."""
    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/tai-khoan/")
    return page


def _csp_errors(page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text) if "Content Security Policy" in msg.text else None)
    return messages


def _show_field(page, selector):
    """Bring the editor tab holding ``selector`` to the front (the curriculum panels may be on a tab of their own)."""
    field = page.locator(selector)
    assert field.count() == 1, f"the lesson editor has no {selector} field (are the curriculum panels in the editor?)"
    if not field.is_visible():
        panel_id = page.locator('[role="tabpanel"]', has=field).get_attribute("id")
        page.locator(f'[role="tab"][aria-controls="{panel_id}"]').click()
    expect(field).to_be_visible()
    return field


def _submit_for_review(page, target):
    """The footer's action menu: "Lưu bản nháp" is the main button; submitting (to the workflow) and resubmitting
    (to the step that asked for changes) are in the dropdown next to it, labelled with ``target``."""
    page.locator("footer").get_by_role("button", name="Thao tác khác").click()
    submit = page.locator('footer button[name="action-submit"]')
    expect(submit).to_be_visible()
    expect(submit).to_contain_text(target)
    submit.click()


def _success_message(page):
    return page.locator(".messages li.success")


def _review_from_dashboard(page, action, comment=None):
    """Use a workflow action on the lesson's row of the dashboard's "Đang chờ bạn xem xét" panel."""
    page.goto("/admin/")
    panel = page.locator("#awaiting-review-section")
    expect(panel.get_by_role("heading", name="Đang chờ bạn xem xét")).to_be_visible()
    row = panel.locator("tr", has=page.get_by_role("link", name=TITLE))
    row.get_by_role("button", name="Thao tác").click()
    row.get_by_role("button", name=action, exact=True).click()
    if comment is not None:
        dialog = page.get_by_role("dialog")
        dialog.locator('textarea[name="comment"]').fill(comment)
        dialog.get_by_role("button", name=action).click()
    # The action reloads the dashboard, where the lesson no longer waits for this person.
    expect(row).to_have_count(0)


def _lesson() -> LessonPage:
    return LessonPage.objects.get(title=TITLE)


def test_lesson_goes_through_two_step_review_to_students(new_context, live_server, two_schools):
    people, other, topic, outcome = two_schools

    # --- 2. The teacher writes the lesson in the admin and submits it for review. -----------------------------------
    teacher = _session(new_context, live_server, people.teacher)
    teacher.goto(f"/admin/pages/add/content/lessonpage/{topic.pk}/")
    teacher.get_by_placeholder("Tiêu đề trang*").fill(TITLE)
    teacher.get_by_role("textbox", name="Tóm tắt").fill(FIRST_SUMMARY)
    teacher.get_by_role("button", name="Chèn khối").first.click()
    teacher.get_by_role("option", name="Công thức").click()
    teacher.locator("textarea[data-latex-input]").fill(LATEX)
    # The editor previews the formula with KaTeX as it is typed.
    expect(teacher.locator("[data-latex-preview] .katex")).to_be_visible()
    _show_field(teacher, "#id_subject").select_option(label="Toán")
    _show_field(teacher, "#id_grade").fill("10")
    _show_field(teacher, "#id_outcomes").select_option(value=[str(outcome.pk)])
    _show_field(teacher, "#id_licence").select_option(value=Licence.SCHOOL)
    _show_field(teacher, "#id_rights_confirmed").check()
    _submit_for_review(teacher, TWO_STEP)
    teacher.wait_for_url(f"**/admin/pages/{topic.pk}/")
    expect(_success_message(teacher)).to_contain_text("gửi duyệt")
    expect(_success_message(teacher)).to_contain_text(TITLE)

    lesson = _lesson()
    assert (lesson.live, lesson.owner, lesson.school, lesson.subject.code, lesson.grade) == (
        False,
        people.teacher,
        people.school,
        "toan",
        10,
    )
    assert list(lesson.outcomes.all()) == [outcome]
    assert [block.value["latex"] for block in lesson.body if block.block_type == "formula"] == [LATEX]
    assert lesson.workflow_in_progress
    assert lesson.current_workflow_task.specific.reviewer_role == "group_head"
    assert any(m.to == [people.group_head.email] and TITLE in m.subject for m in mail.outbox)

    # --- 3. The group head returns it with a comment, from the dashboard. ----------------------------------------
    head = _session(new_context, live_server, people.group_head)
    _review_from_dashboard(head, "Trả lại kèm góp ý", RETURN_COMMENT)
    returned = ReviewDecision.objects.get(page=lesson)
    assert (returned.decision, returned.comment, returned.reviewer, returned.role) == (
        Decision.RETURNED,
        RETURN_COMMENT,
        people.group_head,
        "group_head",
    )
    assert _lesson().live is False
    assert any(m.to == [people.teacher.email] and TITLE in m.subject for m in mail.outbox)

    # --- 4. The teacher edits and resubmits. -----------------------------------------------------------------------
    teacher.goto(f"/admin/pages/{lesson.pk}/edit/")
    # The reviewer's comment is in the editor's workflow history.
    expect(teacher.locator(".workflow-timeline")).to_contain_text(RETURN_COMMENT)
    summary = teacher.get_by_role("textbox", name="Tóm tắt")
    expect(summary).to_have_value(FIRST_SUMMARY)
    summary.fill(SECOND_SUMMARY)
    _submit_for_review(teacher, returned.task_state.task.name)
    teacher.wait_for_url(f"**/admin/pages/{topic.pk}/")
    expect(_success_message(teacher)).to_contain_text(TITLE)
    resubmitted = _lesson().get_latest_revision()
    assert resubmitted.pk != returned.revision_id
    assert resubmitted.content["summary"] == SECOND_SUMMARY
    assert _lesson().current_workflow_task.specific.reviewer_role == "group_head"

    # --- 5. The group head approves: still not live, the principal is next; the principal approves: live. ----------
    _review_from_dashboard(head, "Duyệt")
    lesson = _lesson()
    assert lesson.live is False
    assert lesson.current_workflow_task.specific.reviewer_role == "principal"
    assert any(m.to == [people.principal.email] and TITLE in m.subject for m in mail.outbox)

    principal = _session(new_context, live_server, people.principal)
    _review_from_dashboard(principal, "Duyệt")
    lesson = _lesson()
    assert lesson.live is True
    assert lesson.live_revision_id == resubmitted.pk
    assert lesson.summary == SECOND_SUMMARY
    assert [(d.role, d.decision) for d in ReviewDecision.objects.filter(page=lesson)] == [
        ("group_head", Decision.RETURNED),
        ("group_head", Decision.APPROVED),
        ("principal", Decision.APPROVED),
    ]

    # --- 6. The school's student reads it (formula typeset by KaTeX) and marks it as done. -------------------------
    student = _session(new_context, live_server, people.student)
    student_csp = _csp_errors(student)
    student.goto(lesson.url)
    expect(student.get_by_role("heading", level=1)).to_have_text(TITLE)
    formula = student.locator(".math[data-latex]")
    expect(formula).to_have_attribute("data-latex", LATEX)
    expect(formula.locator(".katex")).to_be_visible()
    expect(formula).to_have_attribute("data-math-rendered", "true")
    with student.expect_navigation(url=f"**{lesson.url}"):
        student.get_by_role("button", name="Đánh dấu đã học").click()
    expect(student.locator(".lesson-done .done")).to_contain_text("Bạn đã đánh dấu hoàn thành bài này")
    expect(student.get_by_role("button", name="Bỏ đánh dấu")).to_be_visible()
    assert content_api.get_progress(user=people.student, lesson_ids=[lesson.pk])[lesson.pk].completed_at is not None

    # --- 7. Another school's student is refused until the lesson is shared with every school. ----------------------
    outsider = _session(new_context, live_server, other.student)
    outsider_csp = _csp_errors(outsider)
    response = outsider.goto(lesson.url)
    assert response.status == 403
    expect(outsider.get_by_role("heading", name=TITLE)).to_have_count(0)
    LessonPage.objects.filter(pk=lesson.pk).update(sharing=SharingScope.PUBLIC)
    response = outsider.reload()
    assert response.status == 200
    expect(outsider.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(outsider.locator(".math[data-latex] .katex")).to_be_visible()

    # The lesson pages run without inline scripts (only the admin may use them).
    assert student_csp == []
    assert outsider_csp == []
