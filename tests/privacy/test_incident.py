"""Security incidents with the 72-hour notification countdown (R43)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lms.privacy import services
from lms.privacy.models import Incident, RefusedAccess

pytestmark = pytest.mark.django_db


def test_admin_records_an_incident_and_sees_the_countdown(school_people, login):
    client = login(school_people.school_admin)
    detected = timezone.localtime() - timezone.timedelta(hours=10)
    url = reverse("privacy:incidents", args=[school_people.school.code])
    response = client.post(
        url,
        {
            "title": "Lộ bảng điểm qua liên kết công khai",
            "detected_at": detected.strftime("%Y-%m-%dT%H:%M"),
            "scope": "Một liên kết chia sẻ bảng điểm lớp 10A2 bị đăng lên mạng xã hội.",
            "categories": "họ tên, điểm số",
            "records_affected": 38,
            "actions": "Thu hồi liên kết.",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.notify_due - incident.detected_at == timezone.timedelta(hours=72)
    page = client.get(url).content.decode().replace("\xa0", " ")
    assert "Lộ bảng điểm" in page
    assert 'data-testid="countdown"' in page and "2 ngày" in page  # about 62 hours left, shown in Vietnamese
    report = client.get(reverse("privacy:incident_report", args=[school_people.school.code, incident.pk]))
    text = report.content.decode()
    assert report["Content-Type"].startswith("text/plain")
    assert "Lộ bảng điểm qua liên kết công khai" in text and "họ tên, điểm số" in text and "38" in text
    assert school_people.school.name in text
    client.post(reverse("privacy:incident_notified", args=[school_people.school.code, incident.pk]))
    incident.refresh_from_db()
    assert incident.status == "notified" and not incident.is_overdue


def test_overdue_incident_is_flagged(school_people):
    incident = services.record_incident(
        actor=school_people.school_admin,
        school=school_people.school,
        title="Mất máy tính có dữ liệu học sinh",
        detected_at=timezone.now() - timezone.timedelta(hours=73),
        scope="Máy tính xách tay của văn phòng",
        categories="họ tên, ngày sinh",
    )
    assert incident.is_overdue and incident.remaining() < timezone.timedelta(0)


def test_detection_in_the_future_is_refused(school_people):
    with pytest.raises(ValidationError):
        services.record_incident(
            actor=school_people.school_admin,
            school=school_people.school,
            title="x",
            detected_at=timezone.now() + timezone.timedelta(hours=1),
            scope="x",
            categories="x",
        )


def test_teachers_cannot_see_incidents(school_people, login):
    assert (
        login(school_people.teacher).get(reverse("privacy:incidents", args=[school_people.school.code])).status_code
        == 403
    )
    assert RefusedAccess.objects.filter(actor=school_people.teacher, resource="incidents").exists()
