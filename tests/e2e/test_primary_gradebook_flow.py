"""Acceptance for the primary profile (TT 27/2020), in Debian's Chromium: the homeroom teacher of 5A rates Toán and
Đạo đức at the end of the year, types the Toán test score (a decimal is refused: TT 27 tests are whole numbers),
rates the qualities and competences, and confirms the year-end level the summary suggests."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.gradebook import rules
from lms.gradebook.models import AuditAction, AuditEntry, Mark, PrimaryYearResult
from tests.gradebook.support import make_gradebook_class, make_primary_class
from tests.support.baseline import ensure_site_baseline
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def primary(transactional_db):
    ensure_site_baseline()
    gb = make_gradebook_class()
    klass, pupils, books = make_primary_class(gb)
    return gb, klass, pupils, books


def _session(new_context, live_server, user):
    return log_in(new_context(base_url=live_server.url, locale="vi-VN"), user)


def _cn(book, kind):
    return book.columns.get(checkpoint="CN", kind=kind)


def test_rate_score_qualities_and_confirm_the_year(new_context, live_server, primary):
    gb, klass, (an, _binh), (toan, dao_duc) = primary
    teacher = _session(new_context, live_server, gb.people.teacher)

    teacher.goto(f"/so-diem/{toan.pk}/")
    rating, test = f"m-{_cn(toan, 'rating').pk}-{an.pk}", f"m-{_cn(toan, 'test').pk}-{an.pk}"
    teacher.locator(f"select[name='{rating}']").select_option("HTT")
    teacher.locator(f"input[name='{test}']").fill("8,5")
    teacher.locator("form[data-testid=marks] button[type=submit]").click()
    expect(teacher.locator("body")).to_contain_text("số nguyên")  # a whole number, said in Vietnamese
    assert not Mark.objects.filter(student=an).exists()  # nothing of the refused form was kept
    teacher.locator(f"select[name='{rating}']").select_option("HTT")
    teacher.locator(f"input[name='{test}']").fill("9")
    teacher.locator("form[data-testid=marks] button[type=submit]").click()
    expect(teacher.locator(f"input[name='{test}']")).to_have_value("9")

    teacher.goto(f"/so-diem/{dao_duc.pk}/")
    teacher.locator(f"select[name='m-{_cn(dao_duc, 'rating').pk}-{an.pk}']").select_option("HTT")
    teacher.locator("form[data-testid=marks] button[type=submit]").click()
    expect(teacher.locator(f"select[name='m-{_cn(dao_duc, 'rating').pk}-{an.pk}']")).to_have_value("HTT")

    teacher.goto(f"/so-diem/lop/{klass.pk}/pham-chat-nang-luc/CN/")
    for item in rules.primary_quality_items():
        teacher.locator(f"select[name='q-{an.pk}-{item}']").select_option("T")
    teacher.get_by_role("button", name="Lưu đánh giá").click()

    teacher.goto(f"/so-diem/lop/{klass.pk}/tong-ket-tieu-hoc/")
    row = teacher.locator(f"tr[data-student={an.username}]")
    expect(row.locator("[data-testid=suggested]")).to_have_text("Hoàn thành xuất sắc")
    expect(teacher.locator("tr[data-student=hs5a-binh] [data-testid=suggested]")).to_contain_text("thiếu")
    teacher.get_by_role("button", name="Xác nhận").click()
    expect(row.locator(f"select[name='level-{an.pk}']")).to_have_value(rules.YearLevel.HTXS)
    result = PrimaryYearResult.objects.get(student=an)
    assert (result.level, result.suggested_level, result.confirmed_by) == (
        rules.YearLevel.HTXS,
        rules.YearLevel.HTXS,
        gb.people.teacher,
    )
    assert AuditEntry.objects.filter(action=AuditAction.PRIMARY_LEVEL, student=an).exists()
