"""The start of a sitting: the whole room's start requests opened in one transaction (``services.start_batch``), the
start request answered with the paper by the gateway and by the view alike (``fastsave.respond_start``), and the
waiting room that carries the exam, hidden, until then."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.exams import fastsave, services
from lms.exams.api import ExamSaveGateway, save_token
from lms.exams.models import Attempt, AttemptEvent, AttemptStatus, EventKind, Sitting
from tests.exams.support import enrol_students, make_bank, schedule, toan_test


@pytest.fixture
def room(db):
    """A sitting of five students (two exam codes) that opened a minute ago, with an access code; nobody started."""
    setup = make_bank()
    enrol_students(setup, range(3, 6))
    sitting = schedule(setup, toan_test(setup, variants=2), access_code="K12")
    attempts = list(Attempt.objects.filter(sitting=sitting).select_related("student").order_by("pk"))
    return setup, sitting, attempts


def _request(attempt, **kw):
    kw.setdefault("access_code", "K12")
    kw.setdefault("device", f"dev-{attempt.pk}")
    return services.StartRequest(attempt_id=attempt.pk, student=attempt.student, **kw)


def test_a_batch_opens_every_attempt_with_its_own_deadline_device_and_start_event(room):
    _setup, sitting, attempts = room
    Attempt.objects.filter(pk=attempts[1].pk).update(extra_minutes=15)
    before = timezone.now()
    outcomes = services.start_batch([_request(a, ip=f"10.0.0.{n}") for n, a in enumerate(attempts, start=1)])
    assert all(isinstance(o, Attempt) for o in outcomes)
    for n, attempt in enumerate(attempts, start=1):
        stored = Attempt.objects.get(pk=attempt.pk)
        assert stored.status == AttemptStatus.IN_PROGRESS and stored.started_at >= before
        assert stored.device == f"dev-{attempt.pk}" and stored.ip == f"10.0.0.{n}"
        extra = timedelta(minutes=15 if attempt.pk == attempts[1].pk else 0)
        assert stored.deadline == stored.started_at + sitting.duration + extra
        assert list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", "ip")) == [
            (EventKind.START, f"10.0.0.{n}")
        ]


def test_each_refusal_fails_its_own_request_alone(room):
    _setup, _sitting, attempts = room
    first, second, third, fourth, fifth = attempts
    services.start_attempt(attempt=fourth, student=fourth.student, access_code="K12", device="dev-4")
    services.submit_attempt(attempt=fourth)
    outcomes = services.start_batch(
        [
            _request(first),
            _request(second, access_code="sai"),  # wrong access code
            services.StartRequest(attempt_id=third.pk, student=first.student, access_code="K12"),
            _request(fourth),  # submitted already
            _request(fifth),
        ]
    )
    assert isinstance(outcomes[0], Attempt) and isinstance(outcomes[4], Attempt)
    assert isinstance(outcomes[1], ValidationError) and "access code" in outcomes[1].messages[0]
    assert isinstance(outcomes[2], PermissionDenied)
    assert isinstance(outcomes[3], ValidationError) and "already submitted" in outcomes[3].messages[0]
    statuses = dict(Attempt.objects.filter(pk__in=[a.pk for a in attempts]).values_list("pk", "status"))
    assert [statuses[a.pk] for a in attempts] == [
        AttemptStatus.IN_PROGRESS,
        AttemptStatus.READY,
        AttemptStatus.READY,
        AttemptStatus.SUBMITTED,
        AttemptStatus.IN_PROGRESS,
    ]


def test_too_early_says_how_long_to_wait_and_a_second_start_resumes(room):
    _setup, sitting, attempts = room
    Sitting.objects.filter(pk=sitting.pk).update(opens_at=timezone.now() + timedelta(seconds=90))
    early = services.start_batch([_request(attempts[0])])[0]  # (before the check-in time: see below)
    assert isinstance(early, services.NotOpenYet) and 85 < early.seconds <= 90
    Sitting.objects.filter(pk=sitting.pk).update(opens_at=timezone.now() - timedelta(seconds=1))
    opened = services.start_request(_request(attempts[0]))
    again = services.start_request(_request(attempts[0], access_code=""))  # a reload: no code needed to resume
    assert again.pk == opened.pk and again.started_at == opened.started_at and again.device == opened.device
    kinds = list(AttemptEvent.objects.filter(attempt=attempts[0]).values_list("kind", flat=True))
    assert kinds == [EventKind.START, EventKind.RESUME]


def test_a_batch_is_a_few_statements_whatever_its_size(room, db):
    _setup, _sitting, attempts = room
    with CaptureQueriesContext(connection) as two:
        services.start_batch([_request(a) for a in attempts[:2]])
    with CaptureQueriesContext(connection) as three:
        services.start_batch([_request(a) for a in attempts[2:]])
    if connection.vendor == "postgresql":  # lock, write the attempts, write the events (and the savepoint's two)
        assert len(three) == len(two) <= 5
    else:  # one UPDATE per attempt
        assert len(three) == len(two) + 1


# -- the start request: through the gateway with the page's token, and through Django without it ------------------


def _client(attempt, device="dev1"):
    client = Client()
    client.force_login(attempt.student)
    client.cookies["exams_device"] = device
    return client


def _gateway(attempt, client, body, *, device="dev1"):
    session = client.cookies["sessionid"].value
    environ = (
        RequestFactory()
        .generic(
            "POST",
            f"/kiem-tra/bai-lam/{attempt.pk}/bat-dau/",
            json.dumps(body).encode(),
            content_type="application/json",
            HTTP_X_EXAM_TOKEN=save_token(attempt.pk, session),
            HTTP_COOKIE=f"sessionid={session}; exams_device={device}",
            HTTP_HOST="testserver",
        )
        .environ
    )
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    def django(environ, start_response):
        raise AssertionError(f"passed to Django: {environ['PATH_INFO']}")

    raw = b"".join(ExamSaveGateway(django)(environ, start_response))
    return int(seen["status"].split()[0]), json.loads(raw)


def test_the_gateway_opens_the_attempt_and_answers_with_the_paper(room, django_assert_max_num_queries):
    _setup, _sitting, attempts = room
    attempt = attempts[0]
    client = _client(attempt)
    with django_assert_max_num_queries(12):
        status, payload = _gateway(attempt, client, {"access_code": "K12"})
    assert status == 200, payload
    stored = Attempt.objects.select_related("variant").get(pk=attempt.pk)
    assert stored.status == AttemptStatus.IN_PROGRESS and stored.device == "dev1"
    assert payload["code"] == stored.variant.code and payload["last_seq"] == 0 and payload["answered"] == 0
    assert 44 * 60 < payload["seconds_left"] <= 45 * 60
    slots = {s["slot"] for s in stored.variant.slots()}
    assert {int(n) for n in re.findall(r'data-slot="(\d+)"', payload["questions"])} == slots
    # The attempt page of the same attempt shows the same paper.
    page = client.get(f"/kiem-tra/bai-lam/{attempt.pk}/").content.decode()
    assert payload["questions"] in page


def test_the_view_answers_a_start_without_the_token_the_same_way(room):
    _setup, _sitting, attempts = room
    attempt = attempts[0]
    client = _client(attempt)
    wrong = client.post(
        f"/kiem-tra/bai-lam/{attempt.pk}/bat-dau/", {"access_code": "sai"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "Mã truy cập" in wrong.json()["error"]  # Vietnamese by default
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.READY
    url = f"/kiem-tra/bai-lam/{attempt.pk}/bat-dau/"
    ok = client.post(url, {"access_code": "K12"}, content_type="application/json")
    assert ok.status_code == 200 and 'data-slot="' in ok.json()["questions"]
    status, via_gateway = _gateway(attempt, client, {})  # again, through the gateway: resumed, the same paper
    assert status == 200 and via_gateway["questions"] == ok.json()["questions"]


def test_too_early_and_another_device_are_told_apart(room):
    _setup, sitting, attempts = room
    attempt = attempts[0]
    client = _client(attempt)
    Sitting.objects.filter(pk=sitting.pk).update(opens_at=timezone.now() + timedelta(seconds=80))
    status, payload = _gateway(attempt, client, {"access_code": "K12"})
    assert status == 409 and payload["status"] == "not_yet" and 75 < payload["seconds_to_start"] <= 80
    Sitting.objects.filter(pk=sitting.pk).update(opens_at=timezone.now() - timedelta(seconds=1))
    assert _gateway(attempt, client, {"access_code": "K12"})[0] == 200
    other = _client(attempt, device="dev2")
    status, payload = _gateway(attempt, other, {}, device="dev2")
    assert status == 409 and payload == {"status": "elsewhere", "url": f"/kiem-tra/bai-lam/{attempt.pk}/"}
    assert Attempt.objects.get(pk=attempt.pk).device == "dev1"


def test_the_waiting_room_carries_the_hidden_exam_and_gives_this_browser_an_id(room):
    _setup, sitting, attempts = room
    attempt = attempts[0]
    Sitting.objects.filter(pk=sitting.pk).update(opens_at=timezone.now() + timedelta(seconds=90))
    client = Client()
    client.force_login(attempt.student)
    response = client.get(f"/kiem-tra/ky/{sitting.pk}/")
    html = response.content.decode()
    device = response.cookies["exams_device"].value
    assert device and response.cookies["exams_device"]["httponly"]
    token = re.search(r'data-save-token="([0-9a-f]+)"', html).group(1)
    assert token == save_token(attempt.pk, client.cookies["sessionid"].value)
    assert f'data-begin-url="/kiem-tra/bai-lam/{attempt.pk}/bat-dau/"' in html and 'data-auto-start="1"' in html
    ms = int(re.search(r'data-ms-to-start="(\d+)"', html).group(1))
    assert 85_000 < ms <= 90_000
    assert 'data-testid="start" disabled' in html and 'id="paper"></div>' in html  # no paper before the start


def test_a_logged_out_browser_is_told_so_in_json_and_nothing_is_written(room):
    """The script's requests get a 401 it can show ("log in again"), not the login page it would take for a lost
    connection; its unsent changes stay in the browser."""
    _setup, _sitting, attempts = room
    attempt = attempts[0]
    anonymous = Client()
    for path, body in (
        ("bat-dau", {"access_code": "K12"}),
        ("luu", {"changes": [{"seq": 1, "slot": 1, "response": "A"}]}),
    ):
        response = anonymous.post(f"/kiem-tra/bai-lam/{attempt.pk}/{path}/", body, content_type="application/json")
        assert response.status_code == 401 and response.json()["status"] == "logged_out"
        assert "Đăng nhập lại" in response.json()["error"]  # Vietnamese by default
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.READY


# -- checking in: within the last 30 s the start request opens the attempt from the start ----------------------


def _opens_in(sitting, seconds: float):
    opens = timezone.now() + timedelta(seconds=seconds)
    Sitting.objects.filter(pk=sitting.pk).update(opens_at=opens)
    return opens


def _events(attempt) -> list[str]:
    return list(AttemptEvent.objects.filter(attempt=attempt).order_by("pk").values_list("kind", flat=True))


def test_a_check_in_opens_the_attempt_from_the_start_and_shows_nothing_of_it_before(room):
    _setup, sitting, attempts = room
    attempt = attempts[0]
    opens = _opens_in(sitting, 25)
    client = _client(attempt)
    status, payload = _gateway(attempt, client, {"access_code": "K12"})
    assert status == 200 and payload["status"] == "checked_in" and 20 < payload["seconds_to_start"] <= 25
    assert "questions" not in payload
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == AttemptStatus.IN_PROGRESS and stored.device == "dev1"
    assert stored.started_at == opens and stored.deadline == opens + sitting.duration  # the time runs from the start
    assert stored.opens_later() and stored.seconds_left() == 45 * 60
    assert _events(attempt) == [EventKind.START]
    # Before the start: the attempt page sends back to the waiting room, which still waits; saves and submitting are
    # refused.
    assert client.get(f"/kiem-tra/bai-lam/{attempt.pk}/")["Location"] == f"/kiem-tra/ky/{sitting.pk}/"
    lobby = client.get(f"/kiem-tra/ky/{sitting.pk}/").content.decode()
    assert 'data-auto-start="1"' in lobby and 'id="paper"></div>' in lobby and 'data-check-in-ms="30000"' in lobby
    save = client.post(
        f"/kiem-tra/bai-lam/{attempt.pk}/luu/",
        {"changes": [{"seq": 1, "slot": 1, "response": "A"}]},
        content_type="application/json",
    )
    assert save.status_code == 400 and "Chưa đến giờ làm bài" in save.json()["error"]
    client.post(f"/kiem-tra/bai-lam/{attempt.pk}/nop/")
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS
    teacher = Client()
    teacher.force_login(_setup.people.teacher)
    board = teacher.get(reverse("exams:invigilate", args=[sitting.pk])).content.decode()
    assert "Đã vào phòng, chờ giờ bắt đầu" in board  # the invigilator sees who is in
    # Asked again before the start (a second check-in, a clock running ahead): the same answer, nothing written.
    status, again = _gateway(attempt, client, {"access_code": "K12"})
    assert status == 200 and again["status"] == "checked_in" and _events(attempt) == [EventKind.START]
    # Extra time given in the meantime counts from the start too.
    services.set_extra_time(attempt=stored, minutes=10, by=_setup.people.teacher)
    assert Attempt.objects.get(pk=attempt.pk).deadline == opens + sitting.duration + timedelta(minutes=10)


def test_at_the_start_a_checked_in_browser_gets_its_paper_without_a_query(room, django_assert_num_queries):
    """The browser that checked in, on the same server process, is answered from memory; on another process (no
    memory of the check-in) from the database, as an opening, not a resume: nothing is written either way."""
    _setup, sitting, attempts = room
    first, second = attempts[:2]
    opens = _opens_in(sitting, 1.5)
    clients = {a.pk: _client(a) for a in (first, second)}
    for attempt in (first, second):
        assert _gateway(attempt, clients[attempt.pk], {"access_code": "K12"})[1]["status"] == "checked_in"
    time.sleep(max(0.0, (opens - timezone.now()).total_seconds()) + 0.05)
    with django_assert_num_queries(0):
        status, payload = _gateway(first, clients[first.pk], {"access_code": "K12"})
    assert status == 200 and 'data-slot="' in payload["questions"] and 44 * 60 < payload["seconds_left"] <= 45 * 60
    fastsave._CHECKED_IN.pop(second.pk)  # another process
    status, other = _gateway(second, clients[second.pk], {"access_code": "K12"})
    assert status == 200 and 'data-slot="' in other["questions"]
    for attempt in (first, second):
        stored = Attempt.objects.get(pk=attempt.pk)
        assert stored.started_at == opens and _events(attempt) == [EventKind.START]
    page = clients[first.pk].get(f"/kiem-tra/bai-lam/{first.pk}/").content.decode()
    assert payload["questions"] in page  # the attempt page is the test now


def test_a_check_in_is_only_in_the_last_minute_and_only_from_a_browser(room):
    _setup, sitting, attempts = room
    _opens_in(sitting, 32)
    assert isinstance(services.start_batch([_request(attempts[0])])[0], services.NotOpenYet)
    _opens_in(sitting, 20)
    no_device = services.start_batch([_request(attempts[0], device="")])[0]  # (the API's start: no browser)
    wrong_code = services.start_batch([_request(attempts[1], access_code="sai")])[0]
    assert isinstance(no_device, services.NotOpenYet) and 15 < no_device.seconds <= 20
    assert isinstance(wrong_code, ValidationError) and "access code" in wrong_code.messages[0]
    assert set(Attempt.objects.filter(pk__in=[attempts[0].pk, attempts[1].pk]).values_list("status", flat=True)) == {
        AttemptStatus.READY
    }


def test_another_browser_after_a_check_in_is_sent_to_the_takeover_page(room):
    _setup, sitting, attempts = room
    attempt = attempts[0]
    _opens_in(sitting, 20)
    assert _gateway(attempt, _client(attempt), {"access_code": "K12"})[1]["status"] == "checked_in"
    status, payload = _gateway(attempt, _client(attempt, device="dev2"), {"access_code": "K12"}, device="dev2")
    assert status == 409 and payload["status"] == "elsewhere"
    assert Attempt.objects.get(pk=attempt.pk).device == "dev1"


def test_the_waiting_rooms_form_checks_in_too_and_says_so(room):
    """Without JavaScript: the form posted within the check-in time checks in and the waiting room says when the test
    opens; posted earlier, it says the test has not started."""
    _setup, sitting, attempts = room
    attempt = attempts[0]
    client = _client(attempt)
    lobby = f"/kiem-tra/ky/{sitting.pk}/"
    _opens_in(sitting, 90)
    early = client.post(lobby, {"access_code": "K12"}, follow=True).content.decode()
    assert "Chưa đến giờ làm bài" in early and Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.READY
    opens = _opens_in(sitting, 20)
    response = client.post(lobby, {"access_code": "K12"})
    assert response.status_code == 302 and response["Location"] == lobby
    page = client.get(lobby).content.decode()
    assert "Bạn đã vào phòng thi" in page and timezone.localtime(opens).strftime("%H:%M") in page
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.opens_later() and stored.started_at == opens and stored.device == "dev1"
