"""Data-subject request inbox (R41): 2 working days to acknowledge (Vietnamese weekend, holidays), states, audit."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lms.privacy import clock, services
from lms.privacy.models import DataSubjectRequest, RefusedAccess, RequestStatus

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (local(2026, 12, 1, 9, 0), date(2026, 12, 3)),  # Tuesday → Thursday
        (local(2026, 12, 4, 16, 0), date(2026, 12, 8)),  # Friday → Tuesday (weekend skipped)
        (local(2026, 12, 5, 10, 0), date(2026, 12, 8)),  # Saturday → Tuesday
        (local(2026, 12, 31, 8, 0), date(2027, 1, 5)),  # 1/1 is a public holiday
        (local(2027, 4, 29, 8, 0), date(2027, 5, 4)),  # 30/4 and 1/5
    ],
)
def test_acknowledgement_clock_counts_vietnamese_working_days(received, due):
    deadline = timezone.localtime(clock.acknowledge_due(received))
    assert (deadline.date(), deadline.hour, deadline.minute) == (due, 23, 59)


def test_configured_holidays_stop_the_clock(settings):
    settings.PRIVACY_HOLIDAYS = ["2027-02-05", "2027-02-08"]  # Tết Đinh Mùi (example days off)
    deadline = timezone.localtime(clock.acknowledge_due(local(2027, 2, 4, 10, 0)))
    assert deadline.date() == date(2027, 2, 10)


def test_request_states_and_audit_trail(school_people):
    admin = school_people.school_admin
    request = services.create_request(
        actor=school_people.parent,
        school=school_people.school,
        subject=school_people.student,
        kind="export",
        details="Xin bản sao dữ liệu của con.",
        received_at=local(2026, 12, 4, 16, 0),
    )
    assert request.status == RequestStatus.RECEIVED
    assert timezone.localtime(request.acknowledge_due).date() == date(2026, 12, 8)
    with pytest.raises(ValidationError, match="không thể chuyển sang"):
        services.change_request_status(actor=admin, request=request, to_status="completed")
    with pytest.raises(ValidationError):
        services.change_request_status(actor=admin, request=request, to_status="acknowledged", note="  ")
    with pytest.raises(PermissionDenied):
        services.change_request_status(actor=school_people.teacher, request=request, to_status="acknowledged", note="x")
    request = services.change_request_status(
        actor=admin, request=request, to_status="acknowledged", note="Nhà trường sẽ gửi bản sao trong 5 ngày."
    )
    assert request.acknowledged_at is not None
    request = services.change_request_status(actor=admin, request=request, to_status="completed", note="Đã gửi.")
    assert request.closed_at is not None
    trail = [(e.from_status, e.to_status, e.actor) for e in request.events.all()]
    assert trail == [
        ("", "received", school_people.parent),
        ("received", "acknowledged", admin),
        ("acknowledged", "completed", admin),
    ]


def test_overdue_flag_compares_acknowledgement_with_deadline(school_people):
    request = services.create_request(
        actor=school_people.school_admin,
        school=school_people.school,
        subject=school_people.student,
        kind="access",
        channel="paper",
        received_at=timezone.now() - timezone.timedelta(days=10),
    )
    assert request.is_overdue
    fresh = services.create_request(
        actor=school_people.school_admin, school=school_people.school, subject=school_people.student, kind="delete"
    )
    assert not fresh.is_overdue


def test_inbox_is_for_the_school_admin_and_refusals_are_logged(school_people, login):
    services.create_request(
        actor=school_people.parent, school=school_people.school, subject=school_people.student, kind="correct"
    )
    url = reverse("privacy:inbox", args=[school_people.school.code])
    for person in (school_people.teacher, school_people.parent, school_people.principal):
        assert login(person).get(url).status_code == 403
    assert RefusedAccess.objects.filter(resource="data-subject requests").count() == 3
    page = login(school_people.school_admin).get(url)
    assert page.status_code == 200
    assert school_people.student.get_full_name() in page.content.decode()


def test_admin_records_a_paper_request_and_moves_it_on(school_people, login):
    client = login(school_people.school_admin)
    response = client.post(
        reverse("privacy:inbox", args=[school_people.school.code]),
        {"subject": school_people.student.pk, "kind": "restrict", "details": "Dừng phân tích", "channel": "paper"},
    )
    item = DataSubjectRequest.objects.get()
    assert response.status_code == 302 and item.channel == "paper" and item.requested_by == school_people.school_admin
    url = reverse("privacy:request", args=[school_people.school.code, item.pk])
    response = client.post(url, {"to_status": "acknowledged", "note": "Đã tiếp nhận; thủ tục: ..."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "acknowledged"


def test_parent_files_a_request_from_the_consent_page(school_people, login):
    client = login(school_people.parent)
    client.post(
        reverse("privacy:child_consents", args=[school_people.student.pk]),
        {"action": "request", "request-kind": "delete", "request-details": "Xoá ảnh của con"},
    )
    item = DataSubjectRequest.objects.get()
    assert (item.kind, item.requested_by, item.subject) == ("delete", school_people.parent, school_people.student)


def test_a_stranger_cannot_file_for_someone_else(school_people):
    with pytest.raises(PermissionDenied):
        services.create_request(
            actor=school_people.teacher, school=school_people.school, subject=school_people.student, kind="access"
        )
