"""A parent's consent counts only while that parent is linked to the child as legal representative."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lms.privacy import selectors, services
from lms.schools.api import get_guardians, link_parent
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


def _publish(people, title="Bài thơ: Mùa thu"):
    return services.publish(
        actor=people.teacher,
        school=people.school,
        student=people.student,
        kind="work",
        title=title,
        audience="public",
        link="https://truong.example.vn/bai-tho",
    )


def _consent_both(people):
    services.give_consent(actor=people.parent, student=people.student, purpose="publish_work")
    services.give_consent(actor=people.student, student=people.student, purpose="publish_work")


def test_unlinking_the_parent_hides_the_publication(school_people, client):
    _consent_both(school_people)
    _publish(school_people)
    showcase = reverse("privacy:showcase", args=[school_people.school.code])
    assert "Bài thơ: Mùa thu" in client.get(showcase).content.decode()
    assert selectors.consent_holds(school_people.student, "publish_work")

    get_guardians(school_people.student).filter(parent=school_people.parent).delete()

    assert "Bài thơ: Mùa thu" not in client.get(showcase).content.decode()
    assert not selectors.consent_holds(school_people.student, "publish_work")
    assert selectors.missing_consents(school_people.student, "publish_work") == ["representative"]
    # Linking the parent again makes the consent on record count again.
    link_parent(parent=school_people.parent, student=school_people.student)
    assert "Bài thơ: Mùa thu" in client.get(showcase).content.decode()


def test_a_parent_no_longer_legal_representative_does_not_count(school_people):
    _consent_both(school_people)
    _publish(school_people)
    get_guardians(school_people.student).filter(parent=school_people.parent).update(is_legal_representative=False)
    assert not selectors.visible_publications(school_people.school, school_people.principal).exists()
    assert not selectors.consent_holds(school_people.student, "publish_work")


def test_another_linked_parent_s_consent_keeps_it_visible(school_people):
    _consent_both(school_people)
    father = UserFactory(username="bo")
    link_parent(parent=father, student=school_people.student)
    services.give_consent(actor=father, student=school_people.student, purpose="publish_work")
    _publish(school_people)
    get_guardians(school_people.student).filter(parent=school_people.parent).delete()
    assert selectors.visible_publications(school_people.school, school_people.principal).count() == 1


def test_the_showcase_stays_one_query_with_guardianship(school_people, django_assert_num_queries):
    _consent_both(school_people)
    for n in range(5):
        _publish(school_people, title=f"Bài {n}")
    with django_assert_num_queries(1):
        assert len(list(selectors.consented_publications())) == 5
