"""``consent_holds_q`` gives the answer of ``consent_holds`` for a whole queryset of students in one query: the same
ages (own consent from 7, a representative's below 18, both when the age is unknown), withdrawals, and a
representative's consent only while a legal-representation guardianship links them now."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, ExpressionWrapper

from lms.privacy import api, services
from lms.schools.api import get_guardians
from tests.privacy.conftest import set_age

pytestmark = pytest.mark.django_db
PURPOSE = "learning_analytics"


def _bulk(student) -> bool:
    q = ExpressionWrapper(api.consent_holds_q(PURPOSE), output_field=BooleanField())
    return get_user_model().objects.annotate(ok=q).get(pk=student.pk).ok


def _agree(student) -> bool:
    single = api.consent_holds(student, PURPOSE)
    assert _bulk(student) == single
    return single


@pytest.mark.parametrize(
    ("age", "own", "parent", "holds"),
    [
        (None, True, False, False),  # unknown age: both needed
        (None, True, True, True),
        (5, False, True, True),  # under 7: the parent alone
        (12, True, False, False),  # 7–17: both
        (12, False, True, False),
        (12, True, True, True),
        (19, True, False, True),  # adult: alone
        (19, False, False, False),
    ],
)
def test_bulk_answer_matches_consent_holds(people, age, own, parent, holds):
    student = set_age(people.student, age)
    if parent:
        services.give_consent(actor=people.parent, student=student, purpose=PURPOSE)
    if own:
        services.give_consent(actor=student, student=student, purpose=PURPOSE)
    assert _agree(student) is holds


def test_withdrawal_and_unlinking_count_in_the_bulk_answer_too(people):
    student = set_age(people.student, 12)
    services.give_consent(actor=people.parent, student=student, purpose=PURPOSE)
    services.give_consent(actor=student, student=student, purpose=PURPOSE)
    assert _agree(student)
    get_guardians(student).filter(parent=people.parent).update(is_legal_representative=False)
    assert not _agree(student)
    get_guardians(student).filter(parent=people.parent).update(is_legal_representative=True)
    assert _agree(student)
    services.withdraw_consent(actor=student, student=student, purpose=PURPOSE)
    assert not _agree(student)


def test_a_purpose_without_consent_always_holds(people):
    q = ExpressionWrapper(api.consent_holds_q("core_teaching"), output_field=BooleanField())
    assert get_user_model().objects.annotate(ok=q).get(pk=people.student.pk).ok
