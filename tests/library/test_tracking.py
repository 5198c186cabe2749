"""Tracking: the score comes only from top-level statements, under the item's policy; resume state; SCORM CMI for
both versions; every endpoint needs the student's session and the CSRF token."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from lms.library import tracking
from lms.library.models import Attempt, H5PUserData, Result, ScorePolicy, ScormRuntime
from tests.library.conftest import approve, upload_fixture
from tests.library.packages import H5P_DIR, SCORM_DIR

pytestmark = pytest.mark.django_db

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


def statement(verb, raw, maximum, *, parent=False, sid=None):
    data = {
        "id": str(sid or uuid.uuid4()),
        "verb": {"id": verb},
        "object": {"id": "http://example/h5p"},
        "result": {"score": {"raw": raw, "max": maximum, "min": 0}, "completion": True},
        "context": {"contextActivities": {"category": [{"id": "http://h5p.org/libraries/H5P.QuestionSet-1.20"}]}},
    }
    if parent:
        data["context"]["contextActivities"]["parent"] = [{"id": "http://example/h5p"}]
    return data


@pytest.fixture
def h5p_item(people):
    return approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", people))


def test_sub_question_statements_never_set_the_score(h5p_item, people):
    # A question set: two sub-questions answered (1/1 each, with a parent), then the container completes with 1/2.
    tracking.record_statements(
        item=h5p_item,
        student=people.student,
        statements=[statement(ANSWERED, 1, 1, parent=True), statement(ANSWERED, 1, 1, parent=True)],
    )
    assert not Result.objects.filter(item=h5p_item).exists()
    result = tracking.record_statements(item=h5p_item, student=people.student, statements=[statement(COMPLETED, 1, 2)])
    assert (result.score_raw, result.score_max, result.score_scaled) == (Decimal("1"), Decimal("2"), Decimal("0.5"))
    # A retried sub-question after completion does not overwrite it either.
    tracking.record_statements(
        item=h5p_item, student=people.student, statements=[statement(ANSWERED, 1, 1, parent=True)]
    )
    assert Result.objects.get(item=h5p_item).score_scaled == Decimal("0.5")


@pytest.mark.parametrize(("policy", "expected"), [(ScorePolicy.BEST, 3), (ScorePolicy.FIRST, 2), (ScorePolicy.LAST, 1)])
def test_score_policy(h5p_item, people, policy, expected):
    type(h5p_item).objects.filter(pk=h5p_item.pk).update(score_policy=policy)
    h5p_item.refresh_from_db()
    for raw in (2, 3, 1):
        tracking.record_statements(item=h5p_item, student=people.student, statements=[statement(COMPLETED, raw, 4)])
    result = Result.objects.get(item=h5p_item, student=people.student)
    assert result.score_raw == expected and result.attempts == 3


def test_resent_statement_counts_once_and_scores_round_half_up(h5p_item, people):
    sid = uuid.uuid4()
    for _ in range(2):
        tracking.record_statements(
            item=h5p_item, student=people.student, statements=[statement(COMPLETED, 2, 3, sid=sid)]
        )
    assert Attempt.objects.filter(item=h5p_item).count() == 1
    assert Result.objects.get(item=h5p_item).score_scaled == Decimal("0.6667")


def test_batch_limit_and_bad_statements(h5p_item, people):
    with pytest.raises(tracking.TrackingError):
        tracking.record_statements(item=h5p_item, student=people.student, statements=[{}] * 101)
    with pytest.raises(tracking.TrackingError):
        tracking.record_statements(item=h5p_item, student=people.student, statements=["x"])


def _client(user, enforce_csrf=True):
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def _csrf(client):
    client.get(reverse("schools:account"))
    return client.cookies["csrftoken"].value


def test_xapi_endpoint_needs_csrf_and_login_and_stores_for_the_session_user(h5p_item, people):
    url = reverse("library:xapi", args=[h5p_item.uuid])
    body = json.dumps({"statements": [statement(COMPLETED, 1, 1)]})
    assert Client().post(url, body, content_type="application/json").status_code == 302  # to the login page
    client = _client(people.student)
    assert client.post(url, body, content_type="application/json").status_code == 403  # no CSRF token
    token = _csrf(client)
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["result"]["score"] == "1.00"
    assert Result.objects.get(item=h5p_item).student == people.student


def test_state_endpoint_saves_and_player_restores(h5p_item, people):
    client = _client(people.student)
    token = _csrf(client)
    url = reverse("library:h5p_state", args=[h5p_item.uuid])
    body = {"dataType": "state", "subContentId": "0", "data": '{"answers":[0]}'}
    assert client.post(url, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token).json()["ok"]
    assert H5PUserData.objects.get(item=h5p_item, student=people.student).data == '{"answers":[0]}'
    from lms.library.access import make_play_token

    page = client.get(reverse("library:player", args=[make_play_token(h5p_item, people.student)]))
    assert "&quot;answers&quot;" in page.content.decode() or '\\"answers\\"' in page.content.decode()
    other = client.get(reverse("library:player", args=[make_play_token(h5p_item, people.teacher)]))
    assert "answers" not in other.content.decode()  # another person's token shows their own (empty) state
    body["data"] = None
    client.post(url, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert not H5PUserData.objects.filter(item=h5p_item).exists()


def test_unapproved_item_is_not_playable_by_students(people):
    item = upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", people)
    client = _client(people.student)
    token = _csrf(client)
    url = reverse("library:xapi", args=[item.uuid])
    body = json.dumps({"statements": [statement(COMPLETED, 1, 1)]})
    assert client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 404


def test_player_files_need_a_valid_token(h5p_item, people):
    from lms.library.access import make_play_token

    token = make_play_token(h5p_item, people.student)
    client = Client()
    ok = client.get(reverse("library:package_file", args=[token, "h5p.json"]))
    assert ok.status_code == 200 and json.loads(b"".join(ok.streaming_content))["mainLibrary"] == "H5P.MultiChoice"
    assert ok["Access-Control-Allow-Origin"] == "*" and ok["X-Content-Type-Options"] == "nosniff"
    lib = client.get(reverse("library:h5p_library_file", args=[token, "H5P.MultiChoice-1.14", "library.json"]))
    assert lib.status_code == 200
    assert client.get(reverse("library:package_file", args=[token[:-2] + "xx", "h5p.json"])).status_code == 404
    assert client.get(reverse("library:package_file", args=[token, "../../secret"])).status_code == 404
    # Only the libraries this item uses are reachable under its token.
    assert (
        client.get(reverse("library:h5p_library_file", args=[token, "H5P.Blanks-1.12", "library.json"])).status_code
        == 404
    )
    frame = client.get(reverse("library:player", args=[token]))
    policy = frame["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "form-action 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize(
    ("fixture", "cmi", "expected"),
    [
        (
            "RuntimeBasicCalls_SCORM12.zip",
            {
                "cmi": {
                    "core": {
                        "lesson_status": "passed",
                        "lesson_location": "7",
                        "score": {"raw": "85", "max": "100", "min": "0"},
                        "exit": "suspend",
                    },
                    "suspend_data": "abc",
                }
            },
            ("completed", "passed", Decimal("85"), Decimal("0.85"), "7", "abc"),
        ),
        (
            "RuntimeBasicCalls_SCORM12.zip",
            {"cmi": {"core": {"lesson_status": "failed", "score": {"raw": "40"}}}},
            ("completed", "failed", Decimal("40"), Decimal("0.4"), "", ""),
        ),
        (
            "RuntimeBasicCalls_SCORM20043rdEdition.zip",
            {
                "cmi": {
                    "completion_status": "completed",
                    "success_status": "passed",
                    "score": {"scaled": "0.9", "raw": "9", "max": "10"},
                    "location": "12",
                    "suspend_data": "xyz",
                }
            },
            ("completed", "passed", Decimal("9"), Decimal("0.9"), "12", "xyz"),
        ),
        (
            "RuntimeBasicCalls_SCORM20043rdEdition.zip",
            {"cmi": {"completion_status": "incomplete", "location": "2", "exit": "suspend"}},
            ("incomplete", "unknown", None, None, "2", ""),
        ),
    ],
)
def test_scorm_commit_mapping(people, fixture, cmi, expected):
    item = approve(upload_fixture(SCORM_DIR / fixture, people))
    runtime = tracking.record_scorm_commit(item=item, student=people.student, sco="item_1", cmi=cmi)
    got = (
        runtime.completion_status,
        runtime.success_status,
        runtime.score_raw,
        runtime.score_scaled,
        runtime.location,
        runtime.suspend_data,
    )
    assert got == expected
    resume = tracking.resume_cmi(runtime, item.version)
    entry = "cmi.core.entry" if item.version == "1.2" else "cmi.entry"
    assert resume[entry] == ("resume" if runtime.location or runtime.suspend_data else "")
    assert "cmi.core.session_time" not in resume and "cmi.session_time" not in resume


def test_scorm_completion_is_kept_and_multi_sco_result(people):
    item = approve(upload_fixture(SCORM_DIR / "SequencingSimpleRemediation_SCORM20043rdEdition.zip", people))
    scos = [e["identifier"] for e in item.toc if e.get("href")]
    for sco in scos[:-1]:
        tracking.record_scorm_commit(item=item, student=people.student, sco=sco, cmi={"completion_status": "completed"})
    assert not Result.objects.get(item=item, student=people.student).completed
    tracking.record_scorm_commit(
        item=item, student=people.student, sco=scos[-1], cmi={"completion_status": "completed"}
    )
    assert Result.objects.get(item=item, student=people.student).completed
    tracking.record_scorm_commit(
        item=item, student=people.student, sco=scos[0], cmi={"completion_status": "incomplete"}
    )
    assert ScormRuntime.objects.get(item=item, sco=scos[0]).completion_status == "completed"
    with pytest.raises(tracking.TrackingError):
        tracking.record_scorm_commit(item=item, student=people.student, sco="no-such-sco", cmi={})


def test_scorm_commit_endpoint_csrf(people):
    item = approve(upload_fixture(SCORM_DIR / "RuntimeBasicCalls_SCORM12.zip", people))
    url = reverse("library:scorm_commit", args=[item.uuid, "item_1"])
    body = json.dumps({"cmi": {"core": {"lesson_status": "completed"}}})
    client = _client(people.student)
    assert client.post(url, body, content_type="application/json").status_code == 403
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=_csrf(client))
    assert response.json() == {"result": True, "errorCode": 0}
    assert ScormRuntime.objects.get(item=item, student=people.student).completion_status == "completed"


def test_scorm_player_query_budget(people, django_assert_max_num_queries):
    item = approve(upload_fixture(SCORM_DIR / "SequencingSimpleRemediation_SCORM20043rdEdition.zip", people))
    client = _client(people.student, enforce_csrf=False)
    client.get(reverse("library:scorm_player", args=[item.uuid]))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("library:scorm_player", args=[item.uuid])).status_code == 200
