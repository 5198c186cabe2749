"""Acceptance, in Debian's Chromium: a teacher writes a Đúng/Sai question with a formula in the question bank, sees
it typeset by KaTeX in the live preview, sends it for review, and the tổ trưởng approves it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.assessments import api
from tests.support.baseline import ensure_site_baseline
from tests.support.people import PASSWORD, make_school_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LATEX = r"\(y = x^2 - 4x + 3\)"


def _session(new_context, live_server, user):
    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/tai-khoan/")
    return page


def test_teacher_authors_a_tf4_question_with_a_formula_previews_and_submits(new_context, live_server, transactional_db):
    ensure_site_baseline()
    people = make_school_people()
    bank = api.create_bank(subject_group=people.group, name="Ngân hàng Toán 12")

    teacher = _session(new_context, live_server, people.teacher)
    csp_errors: list[str] = []
    teacher.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    teacher.goto("/ngan-hang-cau-hoi/")
    teacher.get_by_role("link", name="Ngân hàng Toán 12").click()
    teacher.get_by_label("Câu hỏi mới, dạng").select_option(label="Đúng/Sai với bốn ý a)–d)")
    teacher.get_by_role("button", name="Soạn câu hỏi").click()

    # Only the four statements are shown for this type.
    expect(teacher.get_by_label("Ý a)")).to_be_visible()
    expect(teacher.get_by_label("Phương án A")).to_be_hidden()
    teacher.get_by_role("textbox", name="Nội dung câu hỏi").fill(
        f"Cho hàm số {LATEX}. Xét tính đúng sai của các mệnh đề sau."
    )
    statements = {
        "a": ("Đồ thị cắt trục hoành tại hai điểm.", True),
        "b": (r"Hàm số đồng biến trên \((-\infty; 2)\).", False),
        "c": (r"Giá trị nhỏ nhất của hàm số là \(-1\).", True),
        "d": ("Đồ thị có trục đối xứng x = -2.", False),
    }
    for label, (text, true) in statements.items():
        teacher.get_by_label(f"Ý {label})").fill(text)
        if true:
            teacher.locator(f'input[name="statement_{label}_true"]').check()
    teacher.get_by_label("Mức độ nhận thức").select_option(value="hieu")

    # Live preview: the formula is typeset by KaTeX while typing.
    preview = teacher.locator("[data-preview]")
    expect(preview.locator(".katex").first).to_be_visible()
    expect(preview).to_contain_text("Đồ thị cắt trục hoành")
    assert preview.locator(".katex").count() >= 3

    teacher.get_by_role("button", name="Lưu và gửi duyệt").click()
    expect(teacher.locator(".messages")).to_contain_text("Đã gửi tổ trưởng chuyên môn duyệt.")
    expect(teacher.locator("[data-status]")).to_contain_text("Chờ duyệt")
    expect(teacher.locator(".question-preview .katex").first).to_be_visible()
    assert csp_errors == []

    question = bank.questions.get()
    version = question.latest_version
    assert (question.type, question.level, version.status) == ("true_false_4", "hieu", "in_review")
    assert version.as_ir().key == "ĐSĐS"
    assert version.content["stem"].startswith(f"Cho hàm số {LATEX}")

    # The tổ trưởng finds it in the review list and approves it.
    head = _session(new_context, live_server, people.group_head)
    head.goto("/ngan-hang-cau-hoi/")
    head.locator("section", has_text="Câu hỏi chờ bạn duyệt").get_by_role("link").first.click()
    head.locator("#id_review_comment").fill("Đạt yêu cầu.")
    head.get_by_role("button", name="Duyệt", exact=True).click()
    expect(head.locator("[data-status]")).to_contain_text("Sẵn sàng dùng cho đề")
    expect(head.locator("[data-history]")).to_contain_text("Đạt yêu cầu.")
    version.refresh_from_db()
    assert (version.status, version.approved_by) == ("ready", people.group_head)
