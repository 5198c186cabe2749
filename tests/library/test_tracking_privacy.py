"""Library playback and personal data (Luật 91/2025, NĐ 356/2025, R42): every xAPI batch, H5P state save and SCORM
commit is a behaviour event in lms.privacy's log (none when the student restricted processing); playback time
(attempt durations, SCO session and total time) is kept only with the learning_analytics consent, cleared when it is
withdrawn and erased by a deletion request; scores and completion stay."""

from __future__ import annotations

import pytest
from django.test import TestCase

from lms.library import tracking
from lms.library.models import Attempt, Result, ScormRuntime
from lms.privacy import services as privacy_services
from lms.privacy.models import BehaviourEvent, ProcessingEvent
from tests.library.conftest import approve, upload_fixture
from tests.library.packages import H5P_DIR, SCORM_DIR

pytestmark = pytest.mark.django_db

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
SCORM12 = {"cmi": {"core": {"lesson_status": "passed", "session_time": "00:02:00", "total_time": "0000:05:00"}}}


def _consent(people):
    # No date of birth: both the student's and the parent's consents are needed.
    for actor in (people.student, people.parent):
        privacy_services.give_consent(actor=actor, student=people.student, purpose="learning_analytics")


def _statement(duration="PT1M30S"):
    return {
        "verb": {"id": COMPLETED},
        "object": {"id": "http://example/h5p"},
        "result": {"score": {"raw": 3, "max": 4, "min": 0}, "completion": True, "duration": duration},
    }


@pytest.fixture
def h5p_item(people):
    return approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", people))


@pytest.fixture
def scorm_item(people):
    return approve(upload_fixture(SCORM_DIR / "RuntimeBasicCalls_SCORM12.zip", people))


def _events(user):
    return list(
        BehaviourEvent.objects.filter(user=user, target__startswith="library.").values_list("kind", "seconds", "target")
    )


def test_every_ping_is_a_behaviour_event_and_time_needs_consent(people, h5p_item, scorm_item):
    student = people.student
    tracking.record_statements(item=h5p_item, student=student, statements=[_statement()])
    tracking.save_user_data(item=h5p_item, student=student, data_type="state", sub_content_id="0", data="{}")
    tracking.record_scorm_commit(item=scorm_item, student=student, sco="item_1", cmi=SCORM12)
    assert set(_events(student)) == {
        ("click", 90, f"library.item:{h5p_item.uuid}:xapi"),
        ("time_on_task", None, f"library.item:{h5p_item.uuid}:h5p-state"),
        ("time_on_task", 120, f"library.item:{scorm_item.uuid}:scorm:item_1"),
    }
    assert len(_events(student)) == 3
    # Without the consent no time is kept; the score and completion (core records) are.
    assert Attempt.objects.get(student=student).duration == ""
    runtime = ScormRuntime.objects.get(student=student)
    assert runtime.total_time == "" and not set(runtime.cmi) & tracking.TIME_ELEMENTS
    assert runtime.success_status == "passed" and Result.objects.get(item=scorm_item, student=student).completed

    _consent(people)
    tracking.record_statements(item=h5p_item, student=student, statements=[_statement("PT2M")])
    tracking.record_scorm_commit(item=scorm_item, student=student, sco="item_1", cmi=SCORM12)
    assert set(Attempt.objects.filter(student=student).values_list("duration", flat=True)) == {"", "PT2M"}
    assert ScormRuntime.objects.get(student=student).total_time == "0000:05:00"


def test_a_restricted_student_leaves_no_events_and_no_time(people, h5p_item):
    _consent(people)
    request = privacy_services.create_request(
        actor=people.parent, school=people.school, subject=people.student, kind="restrict", details="Xin hạn chế."
    )
    request = privacy_services.change_request_status(
        actor=people.school_admin, request=request, to_status="acknowledged", note="Đã tiếp nhận."
    )
    privacy_services.carry_out_request(actor=people.school_admin, request=request)
    tracking.record_statements(item=h5p_item, student=people.student, statements=[_statement()])
    assert _events(people.student) == []
    attempt = Attempt.objects.get(student=people.student)
    assert attempt.duration == "" and attempt.score_raw is not None


def test_withdrawal_clears_the_playback_time(people, h5p_item, scorm_item):
    _consent(people)
    tracking.record_statements(item=h5p_item, student=people.student, statements=[_statement()])
    tracking.record_scorm_commit(item=scorm_item, student=people.student, sco="item_1", cmi=SCORM12)
    with TestCase.captureOnCommitCallbacks(execute=True):
        privacy_services.withdraw_consent(actor=people.student, student=people.student, purpose="learning_analytics")
    assert Attempt.objects.get(student=people.student).duration == ""
    runtime = ScormRuntime.objects.get(student=people.student)
    assert runtime.total_time == "" and not set(runtime.cmi) & tracking.TIME_ELEMENTS
    assert runtime.success_status == "passed"  # the result stays
    cleared = ProcessingEvent.objects.get(action="learning_analytics_cleared", data__app="lms.library")
    assert cleared.data["items"] == 2


def test_a_deletion_request_erases_the_playback_time(people, h5p_item):
    _consent(people)
    tracking.record_statements(item=h5p_item, student=people.student, statements=[_statement()])
    request = privacy_services.create_request(
        actor=people.parent, school=people.school, subject=people.student, kind="delete", details="Xin xoá."
    )
    request = privacy_services.change_request_status(
        actor=people.school_admin, request=request, to_status="acknowledged", note="Đã tiếp nhận."
    )
    privacy_services.carry_out_request(actor=people.school_admin, request=request)
    assert Attempt.objects.get(student=people.student).duration == ""
    assert ProcessingEvent.objects.get(action="erased").data["counts"]["library_playback_time"] == 1
