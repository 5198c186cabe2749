"""Consent per purpose (R38, R39): who consents at which age, no pre-ticked boxes, withdrawal kept and logged."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lms.privacy import api, rules, selectors, services
from lms.privacy.models import Consent, ConsentRole, ProcessingEvent, RefusedAccess
from tests.privacy.conftest import set_age

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("age", "student_needed", "representative_needed"),
    [(6, False, True), (7, True, True), (15, True, True), (17, True, True), (18, True, False), (None, True, True)],
)
def test_whose_consent_is_needed_follows_the_age(people, age, student_needed, representative_needed):
    set_age(people.student, age)
    assert selectors.required_consenters(people.student) == {
        ConsentRole.STUDENT: student_needed,
        ConsentRole.REPRESENTATIVE: representative_needed,
    }


def test_parent_page_has_no_pre_ticked_box_and_records_consent_only_when_ticked(school_people, login):
    client = login(school_people.parent)
    url = reverse("privacy:child_consents", args=[school_people.student.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="checkbox"' in html
    assert "checked" not in html
    # Sent without ticking: nothing is recorded (silence is not consent).
    response = client.post(url, {"purpose": "publish_work", "action": "give"})
    assert response.status_code == 200
    assert not Consent.objects.exists()
    response = client.post(url, {"purpose": "publish_work", "action": "give", "publish_work-agree": "on"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.given_by == school_people.parent
    assert consent.given_as == ConsentRole.REPRESENTATIVE
    assert consent.legal_basis == rules.LegalBasis.CONSENT
    assert consent.notice_version == rules.current()["notice_version"]
    assert consent.channel == "web"
    assert consent.school == school_people.school
    assert consent.withdrawn_at is None


def test_student_of_seven_and_over_has_an_own_page(school_people, login):
    client = login(school_people.student)
    url = reverse("privacy:own_consents")
    client.post(url, {"purpose": "publish_work", "action": "give", "publish_work-agree": "on"})
    consent = Consent.objects.get()
    assert (consent.given_by, consent.given_as) == (school_people.student, ConsentRole.STUDENT)


def test_student_under_seven_cannot_consent_themselves(people, login):
    set_age(people.student, 6)
    with pytest.raises(PermissionDenied):
        services.give_consent(actor=people.student, student=people.student, purpose="publish_work")
    client = login(people.student)
    page = client.get(reverse("privacy:own_consents"))
    assert "checkbox" not in page.content.decode()
    client.post(
        reverse("privacy:own_consents"), {"purpose": "publish_work", "action": "give", "publish_work-agree": "on"}
    )
    assert not Consent.objects.exists()


def test_only_a_legal_representative_consents_for_a_child(school_people, login):
    with pytest.raises(PermissionDenied):
        services.give_consent(actor=school_people.teacher, student=school_people.student, purpose="publish_work")
    client = login(school_people.teacher)
    response = client.get(reverse("privacy:child_consents", args=[school_people.student.pk]))
    assert response.status_code == 403
    refusal = RefusedAccess.objects.get()
    assert (refusal.actor, refusal.subject) == (school_people.teacher, school_people.student)


def test_a_purpose_that_rests_on_law_has_nothing_to_consent(school_people):
    with pytest.raises(ValidationError, match="không dựa trên sự đồng ý"):
        services.give_consent(actor=school_people.parent, student=school_people.student, purpose="core_teaching")
    assert selectors.consent_holds(school_people.student, "core_teaching")


def test_consent_holds_only_with_both_and_withdrawal_is_kept_and_logged(school_people):
    student, parent = school_people.student, school_people.parent
    services.give_consent(actor=parent, student=student, purpose="learning_analytics")
    assert not api.consent_holds(student, "learning_analytics")
    services.give_consent(actor=student, student=student, purpose="learning_analytics")
    assert api.consent_holds(student, "learning_analytics")
    # Giving again is idempotent.
    services.give_consent(actor=parent, student=student, purpose="learning_analytics")
    assert Consent.objects.count() == 2

    received = []

    def receiver(sender, student, purpose, consent, **kwargs):
        received.append((student.pk, purpose))

    api.consent_withdrawn.connect(receiver)
    try:
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            services.withdraw_consent(actor=parent, student=student, purpose="learning_analytics")
    finally:
        api.consent_withdrawn.disconnect(receiver)
    assert received == [(student.pk, "learning_analytics")]
    assert not api.consent_holds(student, "learning_analytics")
    withdrawn = Consent.objects.get(given_by=parent)
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_by == parent
    event = ProcessingEvent.objects.get(action="consent_withdrawn")
    assert event.actor == parent and event.data["purpose"] == "learning_analytics"
    # A new consent after withdrawal is a new row; history keeps both.
    services.give_consent(actor=parent, student=student, purpose="learning_analytics")
    assert Consent.objects.filter(given_by=parent).count() == 2


def test_withdrawing_what_was_never_given_says_so(school_people):
    with pytest.raises(ValidationError, match="chưa đồng ý cho mục đích này"):
        services.withdraw_consent(actor=school_people.parent, student=school_people.student, purpose="publish_work")


def test_an_outdated_notice_version_is_refused(school_people):
    with pytest.raises(ValidationError, match="không còn hiệu lực"):
        services.give_consent(
            actor=school_people.parent, student=school_people.student, purpose="publish_work", notice_version="OLD-1"
        )
