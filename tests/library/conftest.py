"""Fixtures of the library tests: a school with people, a topic, and items uploaded through the service."""

from __future__ import annotations

import pytest

from content import api as content_api
from content.api import Licence
from curriculum.api import get_outcomes, get_subject
from lms.library.models import ItemStatus
from lms.library.services import upload_item
from tests.support.baseline import ensure_site_baseline


def upload_fixture(path, people, **fields):
    item = upload_item(file=path, filename=path.name, owner=people.teacher, school=people.school, **fields)
    return item


def approve(item):
    type(item).objects.filter(pk=item.pk).update(status=ItemStatus.APPROVED)
    item.refresh_from_db()
    return item


def lesson_with(people, blocks, title="Bài 1. Hoạt động tương tác"):
    ensure_site_baseline()
    toan = get_subject("toan")
    topic = content_api.get_or_create_topic(school=people.school, subject=toan, grade=10, title="Chương I. Ôn tập")
    lesson = content_api.create_lesson_draft(topic=topic, title=title, author=people.teacher)
    lesson.subject, lesson.grade = toan, 10
    lesson.outcomes.set(list(get_outcomes(subject=toan, grade=10)[:1]))
    lesson.licence, lesson.rights_confirmed = Licence.CC_BY_SA, True
    lesson.body = blocks
    lesson.save_revision(user=people.teacher).publish()
    lesson.refresh_from_db()
    return lesson


@pytest.fixture
def student_login():
    from tests.support.people import PASSWORD

    def login(page, user):
        page.goto("/tai-khoan/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(user.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url("**/tai-khoan/")

    return login
