"""Acceptance for blueprints and test authoring, in Debian's Chromium: a teacher of the Toán group opens the matrix of
a CV 7991 blueprint from /kiem-tra/, generates a test from the bank, sends it for review; the tổ trưởng approves it
on the same page. The bank and the blueprint are set up through the apps' APIs; the people act through the pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.exams.models import Test as ExamTest  # not "Test…": pytest would try to collect it
from tests.exams.blueprint_support import make_blueprint, make_tagged_bank
from tests.support.baseline import ensure_site_baseline
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def blueprint(transactional_db):
    ensure_site_baseline()
    setup = make_tagged_bank()
    return setup, make_blueprint(setup)


def test_generate_a_test_from_the_matrix_and_approve_it(new_context, live_server, blueprint, tmp_path):
    setup, bp = blueprint
    people = setup.people
    page = log_in(new_context(base_url=live_server.url, locale="vi-VN"), people.teacher)
    page.goto("/kiem-tra/")
    page.get_by_role("link", name="Ma trận và bản đặc tả đề kiểm tra").click()
    page.get_by_role("link", name=bp.title).click()
    matrix = page.get_by_test_id("matrix")
    expect(matrix.locator("thead")).to_contain_text("TNKQ Đúng – Sai")
    expect(page.get_by_test_id("total-points")).to_contain_text("10")
    expect(page.get_by_test_id("specification")).to_contain_text("Thiết lập được mệnh đề kéo theo")
    page.screenshot(path=str(tmp_path / "matrix.png"), full_page=True)
    page.locator("input[name=seed]").fill("e2e")
    page.get_by_role("button", name="Tạo đề").click()
    expect(page.locator(".messages")).to_contain_text("mọi ô của ma trận đều đủ câu")
    expect(page.get_by_test_id("no-deviations")).to_be_visible()
    test = ExamTest.objects.get(created_by=people.teacher)
    page.screenshot(path=str(tmp_path / "test.png"), full_page=True)
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.locator(".messages")).to_contain_text("Đã gửi đề cho tổ chuyên môn duyệt.")

    head = log_in(new_context(base_url=live_server.url, locale="vi-VN"), people.group_head)
    head.goto(f"/kiem-tra/de/{test.pk}/soan/")
    head.get_by_role("button", name="Duyệt đề").click()
    expect(head.locator(".messages")).to_contain_text("Đề đã được duyệt và có thể lên lịch.")
    test.refresh_from_db()
    assert test.status == "approved" and test.approved_by == people.group_head and test.variants.count() == 4
