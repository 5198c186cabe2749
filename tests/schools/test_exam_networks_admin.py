"""The school's networks for tests in the admin's people area: the administrator sets them (each line checked, the
change logged); the principal sees them."""

from __future__ import annotations

import re

import pytest
from wagtail.models import ModelLogEntry

from lms.schools import api as schools_api
from tests.support.people import make_school_people


@pytest.fixture
def people(db):
    return make_school_people()


def _url(school) -> str:
    return f"/admin/nhan-su/{school.code}/mang-kiem-tra/"


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_administrator_sets_the_networks_line_by_line(client, people):
    client.force_login(people.school_admin)
    url = _url(people.school)
    assert client.get(url).status_code == 200
    assert url in client.get(f"/admin/nhan-su/{people.school.code}/to-chuyen-mon/").content.decode()
    bad = client.post(url, {"exam_networks": "203.113.10.0/24\nphòng máy"})
    assert bad.status_code == 200 and "Dòng 2: phòng máy không phải là dải địa chỉ IP" in _text(bad)
    people.school.refresh_from_db()
    assert people.school.exam_networks == ""
    assert client.post(url, {"exam_networks": "203.113.10.0/24\n\n10.20.0.0/16 "}).status_code == 302
    people.school.refresh_from_db()
    assert schools_api.get_exam_networks(people.school) == ["203.113.10.0/24", "10.20.0.0/16"]
    entry = ModelLogEntry.objects.get(action="schools.exam_networks_changed")
    assert entry.user_id == people.school_admin.pk and entry.data["new"] == "203.113.10.0/24\n10.20.0.0/16"


def test_the_principal_sees_them_without_a_form(client, people):
    schools_api.set_exam_networks(actor=people.school_admin, school=people.school, networks="203.113.10.0/24")
    client.force_login(people.principal)
    page = client.get(_url(people.school))
    assert (
        page.status_code == 200
        and "203.113.10.0/24" in _text(page)
        and 'name="exam_networks"' not in page.content.decode()
    )
    assert client.post(_url(people.school), {"exam_networks": ""}).status_code == 403
