"""R12 network rules (allowed IP ranges, periodic tests at school unless the principal's force-majeure decision names
the student), the client address behind a proxy, and one active device per attempt with a logged takeover."""

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from lms.exams import services
from lms.exams.models import Answer, Attempt, AttemptEvent, AuditEntry
from lms.exams.models import TestKind as Kind
from lms.exams.network import client_ip, contains, parse_networks
from lms.schools import api as schools_api
from tests.exams.support import make_bank, schedule, toan_test

SCHOOL = "203.113.10.0/24"


@pytest.fixture
def built(db):
    setup = make_bank()
    return setup, toan_test(setup, variants=2)


def _attempt(sitting, student):
    return Attempt.objects.select_related("variant", "sitting").get(sitting=sitting, student=student)


def _periodic(setup, test):
    test.kind = Kind.FINAL
    test.save(update_fields=["kind"])
    schools_api.set_exam_networks(actor=setup.people.principal, school=setup.people.school, networks=SCHOOL)
    return schedule(setup, test)


def test_client_ip_reads_only_the_configured_header():
    rf = RequestFactory()
    forged = rf.get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.113.10.7")
    assert client_ip(forged) == "10.9.9.9"  # X-Forwarded-For is not trusted by default
    with override_settings(EXAMS_CLIENT_IP_HEADER="HTTP_X_REAL_IP"):
        assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.113.10.7")) == "203.113.10.7"
        assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1")) is None  # header missing: not the proxy's address
    with override_settings(EXAMS_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR"):
        request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.113.10.7, 1.2.3.4")
        assert client_ip(request) == "1.2.3.4"  # the entry the proxy appended, not the one the browser sent
    networks = parse_networks("203.113.10.0/24\n2001:db8::/48")
    assert contains(networks, "203.113.10.200") and contains(networks, "2001:db8::1")
    assert not contains(networks, "203.113.11.1") and not contains(networks, None) and not contains(networks, "x")


def test_allowed_ranges_refuse_start_and_save_from_elsewhere(built):
    setup, test = built
    student = setup.people.student
    sitting = schedule(setup, test, allowed_networks="192.168.5.0/24")
    attempt = _attempt(sitting, student)
    with pytest.raises(services.NetworkRefused, match=r"networks the teacher allowed \(your address: 10\.0\.0\.5\)"):
        services.start_attempt(attempt=attempt, student=student, ip="10.0.0.5")
    with pytest.raises(services.NetworkRefused):
        services.start_attempt(attempt=attempt, student=student, ip=None)
    services.start_attempt(attempt=attempt, student=student, ip="192.168.5.20", device="a1")
    slot = attempt.variant.slots()[0]
    change = [{"seq": 1, "slot": slot["slot"], "response": "A"}]
    with pytest.raises(services.NetworkRefused):
        services.save_changes(attempt_id=attempt.pk, student=student, changes=change, ip="8.8.8.8", device="a1")
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert services.save_changes(attempt_id=attempt.pk, student=student, changes=change, ip="192.168.5.20")["acked"]
    with translation.override("vi"), pytest.raises(services.NetworkRefused) as error:
        services.start_attempt(attempt=attempt, student=student, ip="10.0.0.5")
    assert "chỉ làm được từ các mạng giáo viên cho phép (địa chỉ của em: 10.0.0.5)" in error.value.messages[0]


def test_periodic_test_at_school_unless_the_principal_decides(built):
    setup, test = built
    people, student, other = setup.people, setup.people.student, setup.cls.student2
    sitting = _periodic(setup, test)
    assert sitting.kind == "final"
    with pytest.raises(services.NetworkRefused, match=r"taken at school \(R12"):
        services.start_attempt(attempt=_attempt(sitting, student), student=student, ip="14.160.1.1")
    services.start_attempt(attempt=_attempt(sitting, other), student=other, ip="203.113.10.31")  # at school
    decision = {"number": "15/QĐ-THPT", "decided_on": date(2026, 12, 1), "reason": "Lũ lụt, đường bị chia cắt"}
    with pytest.raises(PermissionDenied):
        services.record_force_majeure(sitting=sitting, by=people.teacher, students=[student], **decision)
    with pytest.raises(ValidationError, match="Choose the students"):
        services.record_force_majeure(sitting=sitting, by=people.principal, students=[], **decision)
    services.record_force_majeure(sitting=sitting, by=people.principal, students=[student], **decision)
    attempt = services.start_attempt(attempt=_attempt(sitting, student), student=student, ip="14.160.1.1")
    assert attempt.status == "in_progress"
    entry = AuditEntry.objects.get(action="force_majeure")
    assert entry.by == people.principal and entry.reason == "Lũ lụt, đường bị chia cắt"
    assert entry.data["number"] == "15/QĐ-THPT" and [s["username"] for s in entry.data["students"]] == [
        student.username
    ]
    with pytest.raises(services.NetworkRefused):  # the decision names only the first student
        services.save_changes(attempt_id=_attempt(sitting, other).pk, student=other, changes=[], ip="14.160.1.2")


def test_force_majeure_page_is_the_principals(built, client):
    setup, test = built
    sitting = _periodic(setup, test)
    url = reverse("exams:force_majeure", args=[sitting.pk])
    client.force_login(setup.people.teacher)
    assert client.get(url).status_code == 403
    client.force_login(setup.people.principal)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"number": "7/QĐ", "decided_on": "2026-12-01", "reason": "Ốm nằm viện", "students": [setup.cls.student2.pk]},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "7/QĐ" in page and "Ốm nằm viện" in page and setup.cls.student2.last_name in page
    client.force_login(setup.people.teacher)
    invigilator = client.get(reverse("exams:invigilate", args=[sitting.pk])).content.decode()
    assert url in invigilator


def test_one_device_takeover_keeps_saved_answers(built):
    setup, test = built
    student = setup.people.student
    sitting = schedule(setup, test)
    attempt = services.start_attempt(attempt=_attempt(sitting, student), student=student, ip="10.0.0.5", device="old")
    slots = attempt.variant.slots()
    services.save_changes(
        attempt_id=attempt.pk,
        student=student,
        changes=[{"seq": 1, "slot": slots[0]["slot"], "response": "B"}],
        device="old",
    )
    with pytest.raises(services.DeviceTakenOver):
        services.save_changes(attempt_id=attempt.pk, student=student, changes=[], device="new")
    services.take_over_attempt(attempt=attempt, student=student, device="new", ip="10.0.0.9")
    event = AttemptEvent.objects.get(attempt=attempt, kind="takeover")
    assert event.detail == f"{services.device_label('old')} → {services.device_label('new')}"
    assert "old" not in event.detail and event.ip == "10.0.0.9" and event.by == student
    with pytest.raises(services.DeviceTakenOver, match="continued on another device"):
        services.save_changes(
            attempt_id=attempt.pk,
            student=student,
            changes=[{"seq": 2, "slot": slots[0]["slot"], "response": "C"}],
            device="old",
        )
    assert Answer.objects.get(attempt=attempt, slot=slots[0]["slot"]).response == "B"  # acknowledged, kept
    result = services.save_changes(
        attempt_id=attempt.pk,
        student=student,
        changes=[{"seq": 2, "slot": slots[1]["slot"], "response": "A"}],
        device="new",
    )
    assert result["acked"] == [2] and result["answered"] == 2


def test_takeover_pages_and_the_old_device_stops(built):
    setup, test = built
    student = setup.people.student
    sitting = schedule(setup, test)
    first, second = Client(), Client()
    first.force_login(student)
    second.force_login(student)
    assert first.post(reverse("exams:lobby", args=[sitting.pk])).status_code == 302
    attempt = _attempt(sitting, student)
    assert attempt.device and first.cookies["exams_device"].value == attempt.device
    slot = attempt.variant.slots()[0]["slot"]
    save = reverse("exams:save", args=[attempt.pk])
    body = {"changes": [{"seq": 1, "slot": slot, "response": "D"}]}
    assert first.post(save, json.dumps(body), content_type="application/json").json()["acked"] == [1]
    assert first.get(reverse("exams:attempt", args=[attempt.pk])).status_code == 200  # same device: the test
    page = second.get(reverse("exams:attempt", args=[attempt.pk]))
    assert 'data-testid="takeover"' in page.content.decode()
    refused = second.post(save, json.dumps({"changes": []}), content_type="application/json")
    assert refused.status_code == 409  # not yet taken over: the second device may not save
    assert second.post(reverse("exams:take_over", args=[attempt.pk])).status_code == 302
    page = second.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert 'id="exam"' in page and 'value="D"' in page and "checked" in page
    body = {"changes": [{"seq": 2, "slot": slot, "response": "A"}]}
    old = first.post(save, json.dumps(body), content_type="application/json")
    assert old.status_code == 409 and old.json()["status"] == "taken_over"
    assert "thiết bị khác" in old.json()["error"]
    assert Answer.objects.get(attempt=attempt, slot=slot).response == "D"
    teacher = Client()
    teacher.force_login(setup.people.teacher)
    cell = teacher.get(reverse("exams:invigilate", args=[sitting.pk])).content.decode()
    assert 'data-testid="takeovers">' in cell and "→" in cell
    assert "127.0.0.1" in cell.split('data-testid="takeovers">')[1].split("</td>")[0]
