"""Data-subject requests carried out, not only tracked: an access or export request produces the ZIP for the person
who asked; a restriction or objection stops behaviour logging and new publications until lifted; a deletion erases
what may be erased and names what the school must keep."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lms.privacy import services
from lms.privacy.models import (
    BehaviourEvent,
    ProcessingEvent,
    ProcessingRestriction,
    Publication,
    RefusedAccess,
    RequestDelivery,
)
from tests.privacy.test_publication import PNG, consent_both

pytestmark = pytest.mark.django_db


def _acknowledged(people, kind, *, by=None):
    request = services.create_request(
        actor=by or people.parent, school=people.school, subject=people.student, kind=kind, details="Xin thực hiện."
    )
    return services.change_request_status(
        actor=people.school_admin, request=request, to_status="acknowledged", note="Đã tiếp nhận."
    )


def test_export_request_produces_the_file_for_the_parent_who_asked(school_people, login):
    people = school_people
    services.record_behaviour(user=people.student, kind="view", school=people.school, target="bai-giang/1")
    request = _acknowledged(people, "export")
    with pytest.raises(PermissionDenied):
        services.carry_out_request(actor=people.teacher, request=request)
    client = login(people.school_admin)
    page = client.get(reverse("privacy:request", args=[people.school.code, request.pk])).content.decode()
    assert 'data-testid="carry-out"' in page
    response = client.post(
        reverse("privacy:request", args=[people.school.code, request.pk]),
        {"action": "carry_out", "note": "Chúc mạnh khoẻ."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "completed" and request.closed_at
    last = request.events.last()
    assert "30" in last.note and "Chúc mạnh khoẻ." in last.note
    delivery = RequestDelivery.objects.get(request=request)
    assert delivery.available and delivery.size > 0

    # The parent sees it on their personal-data page and downloads it; the ZIP holds the behaviour log too.
    client = login(people.parent)
    home = client.get(reverse("privacy:home")).content.decode()
    url = reverse("privacy:delivery", args=[delivery.token])
    assert url in home
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "behaviour.json" in json.loads(archive.read("manifest.json"))["files"]
    assert json.loads(archive.read("behaviour.json"))[0]["target"] == "bai-giang/1"
    delivery.refresh_from_db()
    assert delivery.downloads == 1
    assert ProcessingEvent.objects.filter(action="delivery_downloaded", actor=people.parent).exists()

    # Nobody else downloads it, and the refusal is logged.
    assert login(people.teacher).get(url).status_code == 403
    assert RefusedAccess.objects.filter(actor=people.teacher).exists()

    # Once expired, the daily purge deletes the file; the link says it is gone.
    RequestDelivery.objects.filter(pk=delivery.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    assert services.purge_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.purged_at and not delivery.file
    response = login(people.parent).get(url, follow=True)
    assert "no longer available" in response.content.decode() or "không còn" in response.content.decode()


def test_a_request_is_acknowledged_before_it_is_carried_out_and_a_correction_is_done_by_hand(school_people):
    people = school_people
    fresh = services.create_request(actor=people.parent, school=people.school, subject=people.student, kind="access")
    with pytest.raises(ValidationError):
        services.carry_out_request(actor=people.school_admin, request=fresh)
    correction = _acknowledged(people, "correct")
    with pytest.raises(ValidationError):
        services.carry_out_request(actor=people.school_admin, request=correction)
    assert not RequestDelivery.objects.exists()


def test_restriction_stops_behaviour_logs_and_publications_until_lifted(school_people, login):
    people = school_people
    consent_both(people)
    request = _acknowledged(people, "restrict")
    services.carry_out_request(actor=people.school_admin, request=request)
    restriction = ProcessingRestriction.objects.get(subject=people.student)
    assert restriction.request == request and restriction.lifted_at is None
    assert services.record_behaviour(user=people.student, kind="view", target="bai-giang/2") is None
    assert not BehaviourEvent.objects.filter(user=people.student).exists()
    with pytest.raises(ValidationError, match=r"restrict|hạn chế"):
        services.publish(
            actor=people.teacher, school=people.school, student=people.student, kind="photo", title="Ảnh",
            audience="school", file=SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        )  # fmt: skip
    client = login(people.school_admin)
    url = reverse("privacy:request", args=[people.school.code, request.pk])
    assert 'data-testid="restriction"' in client.get(url).content.decode()
    client.post(url, {"action": "lift", "restriction": restriction.pk, "reason": ""})
    restriction.refresh_from_db()
    assert restriction.lifted_at is None  # a reason is needed
    client.post(url, {"action": "lift", "restriction": restriction.pk, "reason": "Phụ huynh đề nghị mở lại"})
    restriction.refresh_from_db()
    assert restriction.lifted_by == people.school_admin
    assert services.record_behaviour(user=people.student, kind="view", target="bai-giang/3") is not None
    assert ProcessingEvent.objects.filter(action="restriction_lifted").exists()


def test_deletion_erases_logs_and_publications_and_names_what_is_kept(school_people):
    people = school_people
    consent_both(people)
    services.record_behaviour(user=people.student, kind="view", target="bai-giang/1")
    services.record_behaviour(user=people.student, kind="login")
    services.record_behaviour(user=people.parent, kind="login")
    services.publish(
        actor=people.teacher, school=people.school, student=people.student, kind="photo", title="Tranh vẽ",
        audience="school", file=SimpleUploadedFile("tranh.png", PNG, content_type="image/png"),
    )  # fmt: skip
    stored = Publication.objects.get().file.name
    request = _acknowledged(people, "delete")
    request = services.carry_out_request(actor=people.school_admin, request=request)
    assert request.status == "completed"
    assert not BehaviourEvent.objects.filter(user=people.student).exists()
    assert BehaviourEvent.objects.filter(user=people.parent).count() == 1  # someone else's log stays
    assert not Publication.objects.exists()
    assert not Publication.file.field.storage.exists(stored)
    note = request.events.last().note
    assert "(2)" in note and "(1)" in note  # behaviour logs (2), publications (1)
    assert "học bạ" in note
    erased = ProcessingEvent.objects.get(action="erased")
    assert erased.data["counts"] == {
        "behaviour": 2,
        "courses_learning_analytics": 0,
        "library_playback_time": 0,
        "publications": 1,
    }
