"""The overview page shows each person the personal-data pages their role opens, and nothing else."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_overview_links_follow_the_roles(school_people, login):
    code = school_people.school.code
    inbox = reverse("privacy:inbox", args=[code])
    behaviour = reverse("privacy:behaviour", args=[code])
    publish = reverse("privacy:publish", args=[code])
    child = reverse("privacy:child_consents", args=[school_people.student.pk])
    own = reverse("privacy:own_consents")
    expected = {
        "school_admin": {inbox, behaviour},
        "principal": {behaviour, publish},
        "teacher": {publish},
        "parent": {child},
        "student": {own},
    }
    every = {inbox, behaviour, publish, child, own}
    for attr, links in expected.items():
        page = login(getattr(school_people, attr)).get(reverse("privacy:home")).content.decode()
        for link in every:
            assert (f'href="{link}"' in page) is (link in links), (attr, link)


def test_overview_needs_login(client):
    response = client.get(reverse("privacy:home"))
    assert response.status_code == 302 and reverse("schools:login") in response["Location"]
