"""Acceptance for practice mode, in Debian's Chromium: a teacher makes a practice set from two ready questions of the
bank and publishes it, then puts it in the course plan; a student opens it from the plan, answers one question at a
time (an answer not yet checked is kept in the browser while the student looks at another), checks a wrong answer
and sees the key at once, answers that question again ("làm lại câu này"), finishes (final 10, first try 5),
practises the whole set again with everything right; the best first-try score shows on the plan and on the parent's
page. No page logs a Content-Security-Policy violation.

The bank of ready questions is set up through the apps' APIs; the teacher, the student and the parent act through
the site's pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.exams.models import PracticeAttempt, PracticeSet
from tests.exams.support import make_bank
from tests.support.baseline import ensure_site_baseline
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(transactional_db):
    ensure_site_baseline()
    return make_bank(singles=2, tf4s=0, numerics=0)


def _session(new_context, live_server, user, csp: list):
    context = new_context(base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
    return log_in(context, user, page=page)  # (the listener is on before the login page loads)


def test_teacher_publishes_and_plans_a_set_student_practises_with_feedback_and_retries(new_context, live_server, bank):
    people, course = bank.people, bank.cls.course
    csp: list[str] = []

    teacher = _session(new_context, live_server, people.teacher, csp)
    teacher.goto("/kiem-tra/luyen-tap/")
    teacher.locator("[data-testid=create-practice]").click()
    teacher.locator("[data-testid=choose-bank] select").select_option(str(bank.bank.pk))
    teacher.locator("[data-testid=choose-bank] button").click()
    form = teacher.locator("form[data-testid=create-practice]")
    form.locator("input[name=title]").fill("Luyện tập cộng")
    form.locator("select[name=grade]").select_option("10")
    boxes = form.locator("input[name=versions]")
    expect(boxes).to_have_count(2)
    boxes.nth(0).check()
    boxes.nth(1).check()
    form.locator("button[type=submit]").click()
    teacher.locator("[data-testid=publish]").click()
    practice_set = PracticeSet.objects.get(title="Luyện tập cộng")
    assert practice_set.is_published and practice_set.questions.count() == 2

    teacher.goto(f"/lop-hoc/khoa-hoc/{course.pk}/")
    plan_form = teacher.locator("[data-testid=add-item]")
    plan_form.locator("select[name=kind]").select_option("practice")
    plan_form.locator("select[name=practice_choice]").select_option(str(practice_set.pk))
    plan_form.locator("input[name=release_at]").fill("2026-09-10T07:00")
    plan_form.locator("button[type=submit]").click()
    expect(teacher.locator("[data-testid=plan]")).to_contain_text("Luyện tập cộng")
    item = course.items.get()

    student = _session(new_context, live_server, people.student, csp)
    student.goto(f"/lop-hoc/muc/{item.pk}/")
    student.locator("[data-testid=open-provided]").click()
    student.locator("[data-testid=start]").click()
    student.wait_for_url("**/kiem-tra/luyen-tap/lam/*/cau/1/")
    expect(student.locator("[data-testid=position]")).to_have_text("Câu 1/2")
    # Question 1: the wrong option, checked on its own; the verdict and the key come at once, the palette turns red.
    student.locator("[data-testid=question] input[value=B]").check()
    student.locator("[data-testid=check]").click()
    expect(student.locator("[data-testid=verdict]")).to_contain_text("Sai")
    expect(student.locator("[data-testid=feedback]")).to_contain_text("A")
    expect(student.locator("[data-testid=pal-1]")).to_have_attribute("data-state", "wrong")
    # Làm lại câu này: answered again in the same attempt, right this time; the first try stays wrong.
    student.locator("[data-testid=retry-question]").click()
    student.locator("[data-testid=question] input[value=A]").check()
    student.locator("[data-testid=check]").click()
    expect(student.locator("[data-testid=pal-1]")).to_have_attribute("data-state", "right")
    expect(student.locator("[data-testid=tries]")).to_contain_text("2")
    student.locator("[data-testid=next]").click()
    expect(student.locator("[data-testid=position]")).to_have_text("Câu 2/2")
    student.locator("[data-testid=question] input[value=A]").check()
    # An answer chosen but not checked is kept in the browser while the student looks at another question.
    expect(student.locator("[data-testid=draft-note]")).to_be_hidden()
    student.locator("[data-testid=previous]").click()
    expect(student.locator("[data-testid=position]")).to_have_text("Câu 1/2")
    student.locator("[data-testid=next]").click()
    expect(student.locator("[data-testid=question] input[value=A]")).to_be_checked()
    expect(student.locator("[data-testid=draft-note]")).to_be_visible()
    expect(student.locator("[data-testid=pal-2]")).to_have_attribute("data-state", "unanswered")  # not checked yet
    drafts = "() => Object.keys(localStorage).filter(k => k.startsWith('practice-draft:'))"
    assert len(student.evaluate(drafts)) == 1
    student.locator("[data-testid=finish]").click()
    expect(student.locator("[data-testid=score]")).to_have_text("10")
    # The finished attempt's drafts are dropped from the browser (a timeout if they stay).
    student.wait_for_function(f"() => ({drafts})().length === 0", timeout=5000)
    expect(student.locator("[data-testid=first-score]")).to_have_text("5")
    # Unlimited retries of the whole set: a new attempt, everything right at the first try.
    student.locator("[data-testid=retry]").click()
    student.locator("[data-testid=question] input[value=A]").check()
    student.locator("[data-testid=check]").click()
    student.locator("[data-testid=pal-2]").click()
    student.locator("[data-testid=question] input[value=A]").check()
    student.locator("[data-testid=finish]").click()
    expect(student.locator("[data-testid=first-score]")).to_have_text("10")
    assert PracticeAttempt.objects.filter(practice_set=practice_set, student=people.student).count() == 2
    student.goto(f"/lop-hoc/muc/{item.pk}/")
    expect(student.locator("[data-testid=provided-result]")).to_contain_text("10")

    parent = _session(new_context, live_server, people.parent, csp)
    parent.goto(f"/lop-hoc/con/{people.student.pk}/")
    expect(parent.locator(f"[data-testid=item-{item.pk}]")).to_contain_text("10")
    assert csp == []
