"""In Debian's Chromium: a parent goes from the account page to the privacy pages, withdraws the consent to
publish, and the child's published work disappears from the school showcase. The school, the consents and the
publication are set up in Python; the parent acts only through the pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.privacy import services
from tests.privacy.conftest import set_age
from tests.support.baseline import ensure_site_baseline
from tests.support.people import PASSWORD, make_school_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Tranh vẽ: Ngôi trường của em"


@pytest.fixture
def published(transactional_db):
    ensure_site_baseline()
    people = make_school_people()
    set_age(people.student, 10)
    for actor in (people.parent, people.student):
        services.give_consent(actor=actor, student=people.student, purpose="publish_work")
    services.publish(
        actor=people.teacher,
        school=people.school,
        student=people.student,
        kind="work",
        title=TITLE,
        audience="public",
        link="https://truong.example.vn/tranh-ve",
    )
    return people


def test_parent_withdraws_consent_and_the_work_leaves_the_showcase(new_context, live_server, published):
    people = published
    showcase = f"/du-lieu-ca-nhan/truong/{people.school.code}/trung-bay/"
    visitor = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    visitor.goto(showcase)
    expect(visitor.locator("main")).to_contain_text(TITLE)

    parent = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    parent.goto("/tai-khoan/dang-nhap/")
    parent.locator("input[name=username]").fill(people.parent.username)
    parent.locator("input[name=password]").fill(PASSWORD)
    parent.locator("form button[type=submit]").click()
    parent.wait_for_url("**/tai-khoan/")
    parent.locator("[data-testid=privacy-link]").click()
    parent.wait_for_url("**/du-lieu-ca-nhan/")
    parent.get_by_role("link", name=people.student.get_full_name()).click()
    row = parent.locator("#purpose-publish_work")
    expect(row).to_contain_text("Đã đồng ý")
    row.locator("button[value=withdraw]").click()
    expect(parent.locator("body")).to_contain_text("Đã rút lại sự đồng ý")
    expect(parent.locator("#purpose-publish_work input[type=checkbox]")).not_to_be_checked()

    visitor.reload()
    expect(visitor.locator("main")).not_to_contain_text(TITLE)
