"""R12 refusals are logged: every start, page or save refused for the network becomes an ``AttemptEvent``
``network_refused`` (student, address, time, action), at most one per attempt and address a minute, kept even though
the refused write is rolled back, and shown on the invigilator's page."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lms.exams import selectors, services
from lms.exams.models import Answer, Attempt, AttemptEvent
from lms.exams.models import TestKind as Kind
from lms.schools import api as schools_api
from tests.exams.support import make_bank, schedule, toan_test


@pytest.fixture
def built(db):
    setup = make_bank()
    test = toan_test(setup, variants=2)
    sitting = schedule(setup, test, allowed_networks="192.168.5.0/24")
    attempt = Attempt.objects.select_related("variant", "sitting").get(sitting=sitting, student=setup.people.student)
    return setup, sitting, attempt


def _refusals(attempt):
    return list(AttemptEvent.objects.filter(attempt=attempt, kind="network_refused").order_by("pk"))


def test_a_refused_start_is_logged_once_a_minute_per_address(built):
    setup, _sitting, attempt = built
    student = setup.people.student
    for _ in range(3):  # a student pressing Start again and again
        with pytest.raises(services.NetworkRefused):
            services.start_attempt(attempt=attempt, student=student, ip="10.0.0.5")
    [row] = _refusals(attempt)
    assert (row.ip, row.detail, row.by) == ("10.0.0.5", "start", student)
    assert timezone.now() - row.at < timedelta(seconds=30)
    with pytest.raises(services.NetworkRefused):
        services.start_attempt(attempt=attempt, student=student, ip="10.0.0.6")  # another address: its own row
    with pytest.raises(services.NetworkRefused):
        services.start_attempt(attempt=attempt, student=student, ip=None)  # no address known
    assert [(r.ip, r.detail) for r in _refusals(attempt)] == [
        ("10.0.0.5", "start"),
        ("10.0.0.6", "start"),
        (None, "start"),
    ]
    AttemptEvent.objects.filter(pk=row.pk).update(at=timezone.now() - timedelta(seconds=61))
    with pytest.raises(services.NetworkRefused):
        services.start_attempt(attempt=attempt, student=student, ip="10.0.0.5")  # a minute later: logged again
    assert len(_refusals(attempt)) == 4
    attempt.refresh_from_db()
    assert attempt.status == "ready"  # nothing else of the refused start was kept


def test_a_refused_save_is_logged_and_nothing_of_it_is_kept(built):
    setup, _sitting, attempt = built
    student = setup.people.student
    services.start_attempt(attempt=attempt, student=student, ip="192.168.5.20", device="a1")
    assert _refusals(attempt) == []  # an allowed address is not logged
    change = [{"seq": 1, "slot": attempt.variant.slots()[0]["slot"], "response": "A"}]
    with pytest.raises(services.NetworkRefused):
        services.save_changes(attempt_id=attempt.pk, student=student, changes=change, ip="8.8.8.8", device="a1")
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert [(r.ip, r.detail) for r in _refusals(attempt)] == [("8.8.8.8", "save")]


def test_pages_log_the_action_and_the_invigilator_sees_the_refusals(built, django_assert_max_num_queries):
    setup, sitting, attempt = built
    student = setup.people.student
    services.start_attempt(attempt=attempt, student=student, ip="192.168.5.20", device="a1")
    browser = Client(REMOTE_ADDR="10.1.2.3")
    browser.force_login(student)
    browser.cookies["exams_device"] = "a1"
    assert browser.get(reverse("exams:attempt", args=[attempt.pk])).status_code == 403
    saved = browser.post(reverse("exams:save", args=[attempt.pk]), json.dumps({"changes": []}), "application/json")
    assert saved.status_code == 403 and saved.json()["status"] == "network_refused"
    # the page and the save come from the same address within a minute: one row, the first action
    assert [(r.ip, r.detail) for r in _refusals(attempt)] == [("10.1.2.3", "page")]
    with django_assert_max_num_queries(3):
        rows = {r["attempt"].pk: r for r in selectors.invigilator_rows(sitting)}
    assert [e.ip for e in rows[attempt.pk]["refusals"]] == ["10.1.2.3"]
    assert all(r["refusals"] == [] for pk, r in rows.items() if pk != attempt.pk)
    teacher = Client()
    teacher.force_login(setup.people.teacher)
    teacher.cookies["django_language"] = "en"
    html = teacher.get(reverse("exams:invigilate", args=[sitting.pk])).content.decode()
    cell = html.split(f'data-student="{student.username}"')[1].split('data-testid="network-refusals">')[1]
    cell = cell.split("</td>")[0]
    assert "10.1.2.3" in cell and "open the test page" in cell


def test_a_periodic_test_off_site_is_logged_in_vietnamese_on_the_page(db):
    setup = make_bank()
    test = toan_test(setup, variants=2)
    test.kind = Kind.FINAL
    test.save(update_fields=["kind"])
    schools_api.set_exam_networks(actor=setup.people.principal, school=setup.people.school, networks="203.113.10.0/24")
    sitting = schedule(setup, test)
    student = setup.people.student
    attempt = Attempt.objects.get(sitting=sitting, student=student)
    with pytest.raises(services.NetworkRefused):
        services.start_attempt(attempt=attempt, student=student, ip="14.160.1.1")
    services.start_attempt(
        attempt=Attempt.objects.get(sitting=sitting, student=setup.cls.student2),
        student=setup.cls.student2,
        ip="203.113.10.31",
    )
    assert [(r.ip, r.detail) for r in _refusals(attempt)] == [("14.160.1.1", "start")]
    assert not AttemptEvent.objects.filter(attempt__student=setup.cls.student2, kind="network_refused").exists()
    teacher = Client()
    teacher.force_login(setup.people.teacher)
    teacher.cookies["django_language"] = "vi"
    html = teacher.get(reverse("exams:invigilate", args=[sitting.pk])).content.decode()
    assert "14.160.1.1" in html and "bắt đầu làm bài" in html
