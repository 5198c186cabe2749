"""The school administrator's page to enter or replace a student's 12-digit personal ID."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lms.privacy.models import PersonalIdentifier, RefusedAccess

pytestmark = pytest.mark.django_db


def _url(people):
    return reverse("privacy:personal_id", args=[people.school.code, people.student.pk])


def test_admin_enters_then_replaces_and_sees_only_the_last_four(school_people, login):
    client = login(school_people.school_admin)
    response = client.post(_url(school_people), {"value": "001 203 004 567"})
    assert response.status_code == 302
    page = client.get(_url(school_people)).content.decode()
    assert "••••••••4567" in page and "001203004567" not in page
    client.post(_url(school_people), {"value": "079208001234"})
    row = PersonalIdentifier.objects.get(user=school_people.student)
    assert row.value == "079208001234" and row.last_digits == "1234"
    page = client.get(_url(school_people)).content.decode()
    assert "••••••••1234" in page and "079208001234" not in page
    students = client.get(reverse("privacy:students", args=[school_people.school.code])).content.decode()
    assert "••••••••1234" in students and "079208001234" not in students


@pytest.mark.parametrize(
    "value, message",
    [("12345678901", "đúng 12 chữ số"), ("1234567890123", "đúng 12 chữ số"), ("07920800123A", "chỉ gồm chữ số")],
)
def test_not_twelve_digits_is_a_clear_error_and_keeps_the_old_one(school_people, login, value, message):
    client = login(school_people.school_admin)
    client.post(_url(school_people), {"value": "079208001234"})
    response = client.post(_url(school_people), {"value": value})
    assert response.status_code == 200
    assert message in response.context["form"].errors["value"][0]
    assert PersonalIdentifier.objects.get(user=school_people.student).value == "079208001234"


def test_a_teacher_gets_403_and_the_refusal_is_logged(school_people, login):
    client = login(school_people.teacher)
    assert client.get(_url(school_people)).status_code == 403
    assert client.post(_url(school_people), {"value": "079208001234"}).status_code == 403
    refusals = RefusedAccess.objects.filter(actor=school_people.teacher, subject=school_people.student)
    assert refusals.count() == 2 and refusals.first().resource == "personal ID"
    assert not PersonalIdentifier.objects.exists()
