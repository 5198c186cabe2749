"""The school administrator enters a consent a linked parent signed on paper (channel "paper")."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lms.privacy import selectors, services
from lms.privacy.models import Consent, ConsentRole, RefusedAccess
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(people):
    return reverse("privacy:paper_consent", args=[people.school.code, people.student.pk])


def test_admin_records_a_paper_consent_for_the_linked_parent(school_people, login):
    client = login(school_people.school_admin)
    page = client.get(_url(school_people)).content.decode()
    assert "checked" not in page and "selected>" not in page.replace('value="" selected>', "")
    response = client.post(
        _url(school_people),
        {"parent": school_people.parent.pk, "purpose": "publish_work", "reference": "Phiếu số 12/2026", "agree": "on"},
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.given_by == school_people.parent
    assert consent.given_as == ConsentRole.REPRESENTATIVE
    assert consent.channel == "paper"
    assert consent.recorded_by == school_people.school_admin
    assert consent.paper_reference == "Phiếu số 12/2026"
    assert selectors.missing_consents(school_people.student, "publish_work") == ["student"]
    assert "Phiếu số 12/2026" in client.get(_url(school_people)).content.decode()
    # The parent withdraws it online like any other consent of theirs.
    services.withdraw_consent(actor=school_people.parent, student=school_people.student, purpose="publish_work")
    assert not selectors.active_consents(school_people.student).exists()


def test_nothing_is_recorded_without_the_tick_or_the_reference(school_people, login):
    client = login(school_people.school_admin)
    response = client.post(_url(school_people), {"parent": school_people.parent.pk, "purpose": "publish_work"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "agree" in errors and "reference" in errors
    assert not Consent.objects.exists()


def test_only_a_linked_representative_and_only_the_admin(school_people, login):
    stranger = UserFactory(username="nguoila")
    with pytest.raises(ValidationError) as error:
        services.record_paper_consent(
            actor=school_people.school_admin,
            school=school_people.school,
            student=school_people.student,
            parent=stranger,
            purpose="publish_work",
            reference="P-1",
        )
    assert "parent" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.record_paper_consent(
            actor=school_people.teacher,
            school=school_people.school,
            student=school_people.student,
            parent=school_people.parent,
            purpose="publish_work",
            reference="P-1",
        )
    assert login(school_people.teacher).get(_url(school_people)).status_code == 403
    assert RefusedAccess.objects.filter(actor=school_people.teacher, resource="consent on paper").exists()
    assert not Consent.objects.exists()
