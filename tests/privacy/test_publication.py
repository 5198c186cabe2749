"""Publishing a student's work outside the class needs the student's (7+) and a parent's consent (R39, R40)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms.privacy import selectors, services
from lms.privacy.models import ProcessingEvent, Publication, RefusedAccess
from lms.schools.api import Role
from lms.schools.api import assign_role as schools_assign_role
from tests.privacy.conftest import set_age
from tests.support.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def consent_both(people, purpose="publish_work"):
    services.give_consent(actor=people.parent, student=people.student, purpose=purpose)
    services.give_consent(actor=people.student, student=people.student, purpose=purpose)


def publish_via_form(client, people, *, audience="school", title="Tranh vẽ: Quê hương em"):
    return client.post(
        reverse("privacy:publish", args=[people.school.code]),
        {
            "student": people.student.pk,
            "kind": "photo",
            "title": title,
            "audience": audience,
            "file": SimpleUploadedFile("tranh-ve.png", PNG, content_type="image/png"),
        },
    )


def test_publishing_without_consent_is_refused_and_says_whose_is_missing(school_people, login):
    services.give_consent(actor=school_people.parent, student=school_people.student, purpose="publish_work")
    client = login(school_people.teacher)
    page = client.get(reverse("privacy:publish", args=[school_people.school.code]))
    assert "checked" not in page.content.decode()
    response = publish_via_form(client, school_people)
    assert response.status_code == 200
    assert "còn thiếu sự đồng ý của học sinh" in response.content.decode()
    assert not Publication.objects.exists()


def test_withdrawn_consent_hides_the_published_work(school_people, login):
    """Acceptance: a withdrawn consent hides the published work (the card and the file), and it is logged."""
    consent_both(school_people)
    client = login(school_people.teacher)
    response = publish_via_form(client, school_people)
    assert response.status_code == 302, response.content.decode()[:2000]
    publication = Publication.objects.get()
    showcase = reverse("privacy:showcase", args=[school_people.school.code])
    file_url = reverse("privacy:publication_file", args=[publication.uuid])

    client = login(school_people.principal)
    assert "Tranh vẽ: Quê hương em" in client.get(showcase).content.decode()
    served = client.get(file_url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG

    parent = login(school_people.parent)
    parent.post(
        reverse("privacy:child_consents", args=[school_people.student.pk]),
        {"purpose": "publish_work", "action": "withdraw"},
    )
    client = login(school_people.principal)
    assert "Tranh vẽ: Quê hương em" not in client.get(showcase).content.decode()
    assert client.get(file_url).status_code == 404
    hidden = ProcessingEvent.objects.get(action="publications_hidden")
    assert hidden.actor == school_people.parent
    assert hidden.data["publications"] == [{"id": publication.pk, "title": "Tranh vẽ: Quê hương em"}]
    assert hidden.data["reason"] == "consent_withdrawn"


def test_the_student_withdrawing_hides_it_too_and_renewed_consent_shows_it_again(school_people):
    consent_both(school_people)
    services.publish(
        actor=school_people.teacher,
        school=school_people.school,
        student=school_people.student,
        kind="work",
        title="Bài văn",
        audience="public",
        link="https://truong.example.vn/bai-van",
    )
    hidden = services.withdraw_consent(
        actor=school_people.student, student=school_people.student, purpose="publish_work"
    )
    assert [p.title for p in hidden] == ["Bài văn"]
    assert not selectors.visible_publications(school_people.school, school_people.principal).exists()
    services.give_consent(actor=school_people.student, student=school_people.student, purpose="publish_work")
    assert selectors.visible_publications(school_people.school, school_people.principal).count() == 1


def test_under_seven_only_the_parent_consents(people):
    set_age(people.student, 6)
    services.give_consent(actor=people.parent, student=people.student, purpose="publish_work")
    services.publish(
        actor=people.teacher,
        school=people.school,
        student=people.student,
        kind="work",
        title="Vẽ",
        audience="school",
        link="https://truong.example.vn/ve",
    )
    assert selectors.visible_publications(people.school, people.teacher).count() == 1
    # The day the child's age is unknown (or 7+), the child's own consent is required as well.
    set_age(people.student, 7)
    assert not selectors.visible_publications(people.school, people.teacher).exists()


def test_audience_school_is_for_members_public_for_everyone(school_people, client):
    consent_both(school_people)
    for audience, title in (("school", "Nội bộ"), ("public", "Công khai")):
        services.publish(
            actor=school_people.teacher,
            school=school_people.school,
            student=school_people.student,
            kind="work",
            title=title,
            audience=audience,
            link="https://truong.example.vn/x",
        )
    page = client.get(reverse("privacy:showcase", args=[school_people.school.code])).content.decode()
    assert "Công khai" in page and "Nội bộ" not in page


def test_a_teacher_of_another_school_cannot_publish_and_is_logged(school_people, login):
    other = UserFactory(username="gv-truong-khac")
    schools_assign_role(user=other, school=SchoolFactory(), role=Role.TEACHER)
    with pytest.raises(PermissionDenied):
        services.publish(
            actor=other,
            school=school_people.school,
            student=school_people.student,
            kind="work",
            title="x",
            audience="school",
            link="https://x.example",
        )
    client = login(other)
    assert client.get(reverse("privacy:publish", args=[school_people.school.code])).status_code == 403
    assert RefusedAccess.objects.filter(actor=other, school=school_people.school).exists()


def test_only_students_of_the_school_can_be_published(school_people):
    with pytest.raises(ValidationError, match="không phải học sinh của trường này"):
        services.publish(
            actor=school_people.teacher,
            school=school_people.school,
            student=school_people.teacher,
            kind="work",
            title="x",
            audience="school",
            link="https://x.example",
        )


def test_showcase_queries_do_not_grow_with_the_number_of_items(school_people, client, django_assert_max_num_queries):
    consent_both(school_people)
    for n in range(12):
        services.publish(
            actor=school_people.teacher,
            school=school_people.school,
            student=school_people.student,
            kind="work",
            title=f"Bài {n}",
            audience="public",
            link="https://truong.example.vn/x",
        )
    url = reverse("privacy:showcase", args=[school_people.school.code])
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count("data-publication=") == 12
