"""Behaviour logs apart and few readers, retention purge by Celery beat, refusal log (R42, R45)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from lms.privacy import api, rules
from lms.privacy.models import BehaviourEvent, ProcessingEvent, RefusedAccess
from lms.privacy.tasks import purge_behaviour_logs

pytestmark = pytest.mark.django_db


def test_login_is_recorded_in_the_behaviour_log(school_people, login):
    login(school_people.student)
    event = BehaviourEvent.objects.get(user=school_people.student)
    assert event.kind == "login"


def test_retention_purge_runs_from_celery_beat(school_people):
    schedule = settings.CELERY_BEAT_SCHEDULE["privacy-purge-behaviour-logs"]
    assert schedule["task"] == "privacy.purge_behaviour_logs"
    days = rules.current()["behaviour_log_retention_days"]
    old = api.record_behaviour(user=school_people.student, kind="view", target="bai-giang/1")
    BehaviourEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timezone.timedelta(days=days + 1))
    kept = api.record_behaviour(user=school_people.student, kind="time_on_task", seconds=120)
    BehaviourEvent.objects.filter(pk=kept.pk).update(at=timezone.now() - timezone.timedelta(days=days - 1))
    assert purge_behaviour_logs.delay().get() == 1
    assert list(BehaviourEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert ProcessingEvent.objects.get(action="behaviour_purged").data["deleted"] == 1


@pytest.mark.parametrize(
    ("attr", "status"),
    [
        ("school_admin", 200),
        ("principal", 200),
        ("group_head", 403),
        ("teacher", 403),
        ("parent", 403),
        ("student", 403),
    ],
)
def test_behaviour_log_is_readable_by_few_roles_and_reads_are_logged(school_people, login, attr, status):
    api.record_behaviour(user=school_people.student, kind="click", school=school_people.school, target="nut-nop-bai")
    reader = getattr(school_people, attr)
    response = login(reader).get(reverse("privacy:behaviour", args=[school_people.school.code]))
    assert response.status_code == status
    if status == 200:
        assert "nut-nop-bai" in response.content.decode()
        assert ProcessingEvent.objects.filter(action="sensitive_log_read", actor=reader).exists()
    else:
        assert RefusedAccess.objects.filter(actor=reader, resource="behaviour log").exists()


def test_other_apps_record_refusals_and_the_principal_sees_them(school_people, login):
    request = RequestFactory().get("/so-diem/lop/10A2/", REMOTE_ADDR="10.0.0.7")
    refusal = api.record_refused_access(school_people.teacher, school_people.student, "marks of class 10A2", request)
    assert refusal.school == school_people.school
    assert (refusal.path, refusal.ip) == ("/so-diem/lop/10A2/", "10.0.0.7")
    page = login(school_people.principal).get(reverse("privacy:refusals", args=[school_people.school.code]))
    assert page.status_code == 200
    assert "marks of class 10A2" in page.content.decode()
    assert (
        login(school_people.teacher).get(reverse("privacy:refusals", args=[school_people.school.code])).status_code
        == 403
    )


def test_refusal_without_request_or_subject(school_people):
    refusal = api.record_refused_access(school_people.teacher, None, "class list", school=school_people.school)
    assert (refusal.path, refusal.ip, refusal.subject) == ("", None, None)
