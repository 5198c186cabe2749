"""The exam-day save gateway (``lms.exams.fastsave``): a save request with the page's token is answered before
Django's middleware, exactly as the view answers it; anything it cannot vouch for goes to Django unchanged."""

import json
import re
from decimal import Decimal

import pytest
from django.test import Client, RequestFactory

from lms.exams import fastsave, services
from lms.exams.api import ExamSaveGateway, save_token
from lms.exams.models import Answer, AnswerEvent, Attempt
from tests.exams.support import make_bank, schedule, toan_test


class Passed(Exception):
    """Raised by the wrapped application: the gateway handed the request to Django."""


def _django(environ, start_response):
    raise Passed(environ["PATH_INFO"])


@pytest.fixture
def exam(db):
    setup = make_bank()
    sitting = schedule(setup, toan_test(setup, variants=2), access_code="K12")
    student = setup.people.student
    attempt = Attempt.objects.get(sitting=sitting, student=student)
    services.start_attempt(attempt=attempt, student=student, access_code="K12", ip="10.0.0.5", device="dev1")
    client = Client()
    client.force_login(student)
    client.cookies["exams_device"] = "dev1"
    return setup, attempt, student, client


def _single(attempt):
    return next(s for s in attempt.variant.slots() if s["content"]["type"] == "single_choice")


def _call(attempt, client, body, *, token=None, cookies=None, host="testserver", action="luu"):
    session = (cookies or {}).get("sessionid") or client.cookies["sessionid"].value
    jar = {"sessionid": session, "exams_device": "dev1", **(cookies or {})}
    environ = (
        RequestFactory()
        .generic(
            "POST",
            f"/kiem-tra/bai-lam/{attempt.pk}/{action}/",
            body if isinstance(body, bytes) else json.dumps(body).encode(),
            content_type="application/json",
            HTTP_X_EXAM_TOKEN=save_token(attempt.pk, session) if token is None else token,
            HTTP_COOKIE="; ".join(f"{k}={v}" for k, v in jar.items()),
            HTTP_HOST=host,
        )
        .environ
    )
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(ExamSaveGateway(_django)(environ, start_response))
    return int(seen["status"].split()[0]), json.loads(body), seen["headers"]


def test_a_save_with_the_page_token_is_stored_without_django(exam, django_assert_max_num_queries):
    _setup, attempt, _student, client = exam
    slot = _single(attempt)
    change = {"seq": 1, "slot": slot["slot"], "response": "B"}
    status, payload, headers = _call(attempt, client, {"changes": [change], "events": [{"kind": "blur"}]})
    assert status == 200 and payload["acked"] == [1] and payload["answered"] == 1
    assert headers["Content-Type"] == "application/json" and headers["Cache-Control"] == "no-store"
    assert Answer.objects.get(attempt=attempt, slot=slot["slot"]).response == "B"
    attempt.refresh_from_db()
    assert attempt.focus_losses == 1 and attempt.last_seq == 1
    # a replay of the same change is acknowledged and not stored twice
    status, payload, _h = _call(attempt, client, {"changes": [change]})
    assert status == 200 and payload["acked"] == [1]
    assert AnswerEvent.objects.filter(attempt=attempt).count() == 1
    # the hot path, the session already checked: lock, log, answers, counters (+ the test transaction's savepoint)
    with django_assert_max_num_queries(6):
        status, payload, _h = _call(attempt, client, {"changes": [dict(change, seq=2, response="C")]})
    assert status == 200 and payload["acked"] == [2]


def test_the_gateway_and_the_view_answer_alike(exam):
    _setup, attempt, _student, client = exam
    slot = _single(attempt)
    bad = {"changes": [{"seq": 5, "slot": slot["slot"], "response": "Z"}]}
    status, payload, _h = _call(attempt, client, bad)
    view = client.post(f"/kiem-tra/bai-lam/{attempt.pk}/luu/", json.dumps(bad), content_type="application/json")
    assert status == view.status_code == 400
    assert payload == view.json()
    assert "Z" in payload["error"] and not AnswerEvent.objects.filter(attempt=attempt).exists()
    assert _call(attempt, client, b"[1, 2]")[:2] == (400, {"error": "Nội dung yêu cầu không phải JSON hợp lệ."})
    status, payload, _h = _call(attempt, client, b"nope", cookies={"django_language": "en"})
    assert (status, payload) == (400, {"error": "The request is not valid JSON."})


def test_another_device_is_refused_with_409(exam):
    _setup, attempt, _student, client = exam
    slot = _single(attempt)
    status, payload, _h = _call(
        attempt,
        client,
        {"changes": [{"seq": 1, "slot": slot["slot"], "response": "A"}]},
        cookies={"exams_device": "x2"},
    )
    assert status == 409 and payload["status"] == "taken_over"
    assert not AnswerEvent.objects.filter(attempt=attempt).exists()


@pytest.mark.parametrize("case", ["no token", "wrong token", "other attempt's token", "bad host"])
def test_what_the_gateway_cannot_vouch_for_goes_to_django(exam, case, settings):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    _setup, attempt, _student, client = exam
    session = client.cookies["sessionid"].value
    token = {
        "no token": "",
        "wrong token": "0" * 64,
        "other attempt's token": save_token(attempt.pk + 1, session),
        "bad host": None,
    }[case]
    with pytest.raises(Passed):
        _call(
            attempt, client, {"changes": []}, token=token, host="evil.example" if case == "bad host" else "testserver"
        )


def test_a_session_that_no_longer_authenticates_goes_to_django(exam, monkeypatch):
    monkeypatch.setattr(fastsave, "SESSION_CHECK_SECONDS", 0)  # every request checks the session again
    _setup, attempt, student, client = exam
    change = {"changes": [{"seq": 1, "slot": _single(attempt)["slot"], "response": "A"}]}
    student.set_password("doi-mat-khau-2026")  # a password change ends the older sessions
    student.save()
    with pytest.raises(Passed):
        _call(attempt, client, change)
    client.force_login(student)
    client.cookies["exams_device"] = "dev1"
    assert _call(attempt, client, change)[0] == 200
    student.is_active = False
    student.save()
    with pytest.raises(Passed):
        _call(attempt, client, change)
    student.is_active = True
    student.save()
    session = client.cookies["sessionid"].value
    client.logout()  # the session is gone: the old page's token no longer works
    with pytest.raises(Passed):
        _call(attempt, client, change, token=save_token(attempt.pk, session), cookies={"sessionid": session})
    assert AnswerEvent.objects.filter(attempt=attempt).count() == 1


def test_the_attempt_page_gives_its_script_the_token(exam):
    _setup, attempt, _student, client = exam
    page = client.get(f"/kiem-tra/bai-lam/{attempt.pk}/").content.decode()
    token = re.search(r'data-save-token="([0-9a-f]{64})"', page).group(1)
    assert token == save_token(attempt.pk, client.cookies["sessionid"].value)


def test_the_pages_submit_is_answered_by_the_gateway_as_the_view_answers_it(exam, django_assert_max_num_queries):
    _setup, attempt, _student, client = exam
    slot = _single(attempt)
    _call(attempt, client, {"changes": [{"seq": 1, "slot": slot["slot"], "response": slot["key"]}]})
    # (lock, answers, points, attempt, event, savepoints; the result: attempt, answers; the code's layout, read once a
    # process for grading and once for the review)
    with django_assert_max_num_queries(11):
        status, payload, _headers = _call(attempt, client, {}, action="nop")
    result_url = f"/kiem-tra/bai-lam/{attempt.pk}/ket-qua/"
    html = payload.pop("html")
    assert (status, payload) == (200, {"status": "submitted", "url": result_url})
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.points == Decimal(slot["points"])
    assert attempt.events.filter(kind="submit").count() == 1
    # the reply carries the result page's content, which the page shows in place: the same as the page itself
    page = client.get(result_url).content.decode()
    assert html.strip() and html.strip() in page
    assert 'data-testid="score"' in html and html.count('<tr class="') + html.count("<tr>") > 1
    again = _call(attempt, client, {}, action="nop")[:2]
    assert again == (200, {"status": "submitted", "url": result_url, "html": html})
    assert attempt.events.filter(kind="submit").count() == 1  # submitted once
    # without the token Django answers, with the same JSON (the page's CSRF header)
    response = client.post(f"/kiem-tra/bai-lam/{attempt.pk}/nop/", b"{}", content_type="application/json")
    assert response.status_code == 200 and response.json() == {"status": "submitted", "url": result_url, "html": html}
    # the form without a script still submits and redirects
    assert client.post(f"/kiem-tra/bai-lam/{attempt.pk}/nop/").url == result_url


def test_a_submit_of_another_students_attempt_or_before_the_start_is_refused(exam):
    _setup, attempt, _student, client = exam
    assert _call(attempt, client, b"[1", action="nop")[:2] == (
        400,
        {"error": "Nội dung yêu cầu không phải JSON hợp lệ."},
    )
    other = Attempt.objects.filter(sitting=attempt.sitting).exclude(pk=attempt.pk).first()
    token = save_token(other.pk, client.cookies["sessionid"].value)
    assert _call(other, client, {}, token=token, action="nop")[0] == 404  # not this student's
    client.force_login(other.student)
    status, payload, _headers = _call(other, client, {}, action="nop")  # its own, never started
    assert status == 400 and payload["error"]
    other.refresh_from_db()
    assert other.status == "ready" and not other.events.exists()
    attempt.refresh_from_db()
    assert attempt.status == "in_progress"


def test_the_token_is_djangos_salted_hmac_of_the_attempt_and_session(settings):
    from django.utils.crypto import salted_hmac

    from lms.exams import fastsave

    expected = salted_hmac(fastsave._SALT, "42:abc123", algorithm="sha256").hexdigest()
    assert save_token(42, "abc123") == expected
    assert save_token(42, "abc124") != expected and save_token(43, "abc123") != expected
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40  # a new secret: every token changes
    assert save_token(42, "abc123") == salted_hmac(fastsave._SALT, "42:abc123", algorithm="sha256").hexdigest()
    assert save_token(42, "abc123") != expected
    assert save_token(42, "") == "" and save_token(42, None) == ""


def test_config_wsgi_wraps_django_with_the_gateway():
    from config import wsgi

    assert isinstance(wsgi.application, ExamSaveGateway)


def test_a_session_is_checked_again_after_a_while(exam, monkeypatch):
    """Saves within SESSION_CHECK_SECONDS reuse the check; after that, a logout stops the gateway's saves."""
    _setup, attempt, _student, client = exam
    clock = [1000.0]
    monkeypatch.setattr(fastsave.time, "monotonic", lambda: clock[0])
    change = {"changes": [{"seq": 1, "slot": _single(attempt)["slot"], "response": "A"}]}
    assert _call(attempt, client, change)[0] == 200
    session = client.cookies["sessionid"].value
    client.logout()
    clock[0] += fastsave.SESSION_CHECK_SECONDS - 1
    again = {"changes": [{"seq": 2, "slot": _single(attempt)["slot"], "response": "B"}]}
    assert _call(attempt, client, again, cookies={"sessionid": session})[0] == 200  # within the window
    clock[0] += 2
    with pytest.raises(Passed):
        _call(attempt, client, again, cookies={"sessionid": session})
