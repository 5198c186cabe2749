"""Fixtures for personal-data tests: the shared school people with a student of a chosen age."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.support.people import PASSWORD


def born_years_ago(years: int, *, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return (
        today.replace(year=today.year - years)
        if not (today.month == 2 and today.day == 29)
        else date(today.year - years, 2, 28)
    )


def set_age(user, years: int | None):
    type(user).objects.filter(pk=user.pk).update(date_of_birth=born_years_ago(years) if years is not None else None)
    user.refresh_from_db()
    return user


@pytest.fixture
def school_people(people):
    set_age(people.student, 10)
    return people


@pytest.fixture
def login(client):
    def _login(user):
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login
