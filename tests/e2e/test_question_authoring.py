"""Acceptance, in Debian's Chromium: a teacher writes a Đúng/Sai question in the question bank's rich-text editor
(bold text from the toolbar, a formula from the formula dialog, a picture uploaded from the toolbar), sees it
typeset by KaTeX in the live preview, sends it for review, and the tổ trưởng approves it."""

from __future__ import annotations

import io

import pytest
from PIL import Image
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
    expect(teacher.get_by_role("textbox", name="Ý a)")).to_be_visible()
    expect(teacher.locator("[data-rich-for=option_0]")).to_be_hidden()
    # The question text in the rich-text editor: bold from the toolbar, the formula from the formula dialog.
    stem = teacher.get_by_role("textbox", name="Nội dung câu hỏi")
    expect(teacher.locator("textarea[name=stem]")).to_be_hidden()
    toolbar = teacher.get_by_role("toolbar", name="Nội dung câu hỏi")
    stem.click()
    stem.press_sequentially("Cho ")
    toolbar.get_by_role("button", name="In đậm").click()
    expect(toolbar.get_by_role("button", name="In đậm")).to_have_attribute("aria-pressed", "true")
    stem.press_sequentially("hàm số")
    toolbar.get_by_role("button", name="In đậm").click()
    stem.press_sequentially(" ")
    toolbar.get_by_role("button", name="Chèn công thức").click()
    dialog = teacher.get_by_role("dialog", name="Chèn công thức")
    dialog.get_by_label("Công thức viết bằng LaTeX").fill("y = x^2 - 4x + 3")
    expect(dialog.locator("[data-formula-preview] .katex")).to_be_visible()
    dialog.get_by_role("button", name="Chèn", exact=True).click()
    expect(dialog).to_be_hidden()
    stem.press("End")
    stem.press_sequentially(". Xét tính đúng sai của các mệnh đề sau.")
    # A picture from the toolbar goes to the temporary upload area and shows in the editor by its URL.
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "blue").save(buffer, "PNG")
    with teacher.expect_file_chooser() as chooser:
        toolbar.get_by_role("button", name="Chèn hình").click()
    chooser.value.set_files(files=[{"name": "do thi.png", "mimeType": "image/png", "buffer": buffer.getvalue()}])
    expect(stem.locator("img")).to_have_count(1)
    assert "/media/" in stem.locator("img").get_attribute("src")
    stored_stem = teacher.locator("textarea[name=stem]").input_value()
    assert stored_stem.startswith(f"Cho <b>hàm số</b> {LATEX}. Xét tính đúng sai")
    assert '<img src="@@PLUGINFILE@@/do_thi-' in stored_stem
    statements = {
        "a": ("Đồ thị cắt trục hoành tại hai điểm.", True),
        "b": (r"Hàm số đồng biến trên \((-\infty; 2)\).", False),
        "c": (r"Giá trị nhỏ nhất của hàm số là \(-1\).", True),
        "d": ("Đồ thị có trục đối xứng x = -2.", False),
    }
    for label, (text, true) in statements.items():
        teacher.get_by_role("textbox", name=f"Ý {label})").fill(text)
        if true:
            teacher.locator(f'input[name="statement_{label}_true"]').check()
    teacher.get_by_label("Mức độ nhận thức").select_option(value="hieu")
    # Feedback fields are rich text too: the statement's and the general feedback.
    teacher.get_by_role("textbox", name="Nhận xét cho ý a").fill(r"Vì \(x = 1\) là nghiệm.")
    teacher.get_by_role("textbox", name="Nhận xét chung").fill("Xem lại bảng biến thiên.")
    expect(teacher.locator("textarea[name=feedback]")).to_be_hidden()

    # Live preview: the formula is typeset by KaTeX while typing, the bold text is bold, the picture is shown.
    preview = teacher.locator("[data-preview]")
    expect(preview.locator(".katex").first).to_be_visible()
    expect(preview).to_contain_text("Đồ thị cắt trục hoành")
    expect(preview.locator(".stem b")).to_have_text("hàm số")
    expect(preview.locator(".stem .katex")).to_have_count(1)
    expect(preview.locator(".stem img")).to_have_count(1)
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
    assert version.content["stem"].startswith(f"Cho <b>hàm số</b> {LATEX}. Xét tính đúng sai")
    assert version.content["text_format"] == "html"
    picture = question.files.get()
    assert f'<img src="@@PLUGINFILE@@/{picture.name}" alt="">' in version.content["stem"]
    expect(teacher.locator(".question-preview img")).to_have_attribute("src", picture.file.url)
    expect(teacher.locator(".question-preview b").first).to_have_text("hàm số")
    expect(teacher.locator(".question-preview [data-feedback]").first).to_contain_text("Vì")
    expect(teacher.locator(".question-preview")).to_contain_text("Xem lại bảng biến thiên.")
    assert version.content["feedback"] == "Xem lại bảng biến thiên."
    assert version.content["statements"][0]["feedback"].startswith("Vì \\(x = 1\\)")

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
