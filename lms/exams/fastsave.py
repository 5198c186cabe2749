"""The requests of exam day that every student sends at once, answered without Django's middleware stack: the
answer save (one small JSON request per answer change, ``POST /kiem-tra/bai-lam/<id>/luu/``), the start (the
waiting room's countdown reaching zero in the whole room at one instant, ``POST /kiem-tra/bai-lam/<id>/bat-dau/``,
answered with the paper) and the submit of the page's script (``POST /kiem-tra/bai-lam/<id>/nop/``, JSON: a room
at time-up). Through the whole request cycle (security, CSP, sessions, locale, CSRF, authentication,
messages, routing) the middleware cost as much as the save itself. ``ExamSaveGateway`` wraps the WSGI application
(``config/wsgi.py``) and answers those requests itself when everything it needs is in order:

- the page's **save token** (the waiting room and the attempt page give it) in ``X-Exam-Token``: an HMAC of the
  attempt and the session key (``save_token``). A page of another site cannot read it, so it is the request's CSRF
  protection, and it binds the request to the session it was given to;
- the **session** (``SessionStore`` of ``SESSION_ENGINE``: the cache in production) still holds a logged-in user,
  whose session hash (password) still matches and who is still active — what ``AuthenticationMiddleware`` checks;
- an allowed ``Host`` and a body within ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

Anything else — no token or a wrong one, no session, a session of an older password, a host not allowed, another
path — goes to Django unchanged, where the ordinary views (``views.save``, ``views.begin``, ``views.submit`` for a
JSON request) answer it with the same functions, ``respond``, ``respond_start`` and ``respond_submit``: both paths
store, acknowledge and refuse exactly alike (same service, same JSON, same status codes).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import json
import re
import threading
import time
from datetime import timedelta
from http import HTTPStatus
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.handlers.wsgi import get_script_name
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.http.request import split_domain_port, validate_host
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lib.locale import chosen_language

TOKEN_HEADER = "HTTP_X_EXAM_TOKEN"  # noqa: S105 -- a header name, not a secret
_SALT = "lms.exams.fastsave"


def save_token(attempt_id: int, session_key: str | None) -> str:
    """The token the attempt page gives its script for the save requests of this attempt in this session: Django's
    ``salted_hmac`` (SHA-256) of the attempt and the session, the salted key derived once per secret."""
    if not session_key:
        return ""
    mac = _token_mac(settings.SECRET_KEY).copy()
    mac.update(f"{attempt_id}:{session_key}".encode())
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _token_mac(secret: str):
    """What ``salted_hmac(_SALT, …, algorithm="sha256")`` starts from for this secret (its key is a hash of the salt
    and the secret): computed once, copied for each token."""
    return hmac.new(hashlib.sha256((_SALT + secret).encode()).digest(), digestmod=hashlib.sha256)


def respond(*, attempt_id: int, student, body: bytes, ip, device: str, write=None) -> tuple[int, dict]:
    """A save request's answer: ``(HTTP status, JSON body)``. 200 with the acknowledgements; 400 for JSON that is
    not an object or a change the service refuses (the question named); 403 outside the allowed networks; 404 an
    attempt that is not the student's; 409 the attempt was taken over by another device. ``write``: how the request
    is stored (``GroupCommit.save``: with the other threads' requests; by default alone)."""
    from lms.exams import services
    from lms.exams.models import Attempt

    data = _json_object(body)
    if data is None:
        return 400, {"error": _("The request is not valid JSON.")}
    events = data.get("events") or []
    events = events if isinstance(events, list) else []
    request = services.SaveRequest(
        attempt_id=attempt_id,
        student=student,
        changes=data.get("changes") or [],
        events=events,
        ip=ip,
        device=device,
        language=translation.get_language(),
    )
    try:
        result = (write or services.save_request)(request)
    except (Attempt.DoesNotExist, PermissionDenied, ValidationError) as error:
        refused = isinstance(error, ValidationError) and not isinstance(error, services.DeviceTakenOver)
        if refused and events:  # the refused request's focus events are still kept (not a replaced device's)
            services.record_refused_save_events(
                attempt_id=attempt_id, student=student, events=events, ip=ip, device=device
            )
        return _refusal(error)
    return 200, result


def _json_object(body: bytes) -> dict | None:
    """The request's JSON object (an empty body is ``{}``), or None for anything else."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _refusal(error: Exception) -> tuple[int, dict]:
    """The answer to a save or start request the service refused: 404 an attempt that is not the student's, 409 taken
    over by another device, 403 outside the allowed networks, 400 any other refusal (its message)."""
    from lms.exams import services

    if not isinstance(error, ValidationError):  # Attempt.DoesNotExist, PermissionDenied
        return 404, {"error": _("There is no such attempt.")}
    message = " ".join(error.messages)
    if isinstance(error, services.DeviceTakenOver):
        return 409, {"error": message, "status": "taken_over"}
    if isinstance(error, services.NetworkRefused):
        return 403, {"error": message, "status": "network_refused"}
    return 400, {"error": message}


class Encoded(SafeString):
    """Rendered HTML kept with its JSON text (``json``, UTF-8 bytes), so that a reply carrying it is not encoded again
    for every student (``_json``). A ``SafeString``: it is put on pages as it is."""

    def __new__(cls, value: str):
        self = super().__new__(cls, value)
        self.json = json.dumps(str(value), ensure_ascii=False).encode()
        return self


def _json(payload: dict) -> bytes:
    """The reply's JSON; an ``Encoded`` value's text is put in as it was encoded once."""
    kept = [(key, value) for key, value in payload.items() if isinstance(value, Encoded)]
    rest = {key: value for key, value in payload.items() if not isinstance(value, Encoded)}
    body = json.dumps(rest, separators=(",", ":"), ensure_ascii=False).encode()
    if not kept:
        return body
    parts = [body[:-1]] if rest else [b"{"]
    for n, (key, value) in enumerate(kept):
        comma = b"," if rest or n else b""
        parts.append(comma + json.dumps(key).encode() + b":" + value.json)
    return b"".join(parts) + b"}"


def respond_start(*, attempt_id: int, student, body: bytes, ip, device: str, write=None) -> tuple[int, dict]:
    """A start request's answer (the waiting room's countdown reached zero, or the student pressed Start):
    ``(HTTP status, JSON body)``. 200 with the paper (``views.started_payload``), or before the start, within the
    check-in time (``DeliveryRules.check_in_seconds``), 200 ``checked_in`` with ``seconds_to_start``: the attempt
    is open from the start and the browser asks again then, answered from ``_CHECKED_IN``; 400 for a refusal (the
    access code, the window), the message given; 403 outside the allowed networks; 404 an attempt that is not the
    student's; 409 ``not_yet`` with ``seconds_to_start`` (earlier than the check-in time, or a browser that cannot
    check in: it asks again then), or ``elsewhere``
    with the attempt page's ``url`` (another device holds the attempt: that page offers to continue here). ``write``:
    how the request is written (``GroupCommit.save``: with the other threads' requests; by default alone)."""
    from django.urls import reverse

    from lms.exams import services, views
    from lms.exams.models import Attempt

    data = _json_object(body)
    if data is None:
        return 400, {"error": _("The request is not valid JSON.")}
    kept = _CHECKED_IN.get(attempt_id)
    if kept is not None and device and kept.device == device and kept.student_id == student.pk:
        now = timezone.now()
        if kept.opens_later(now):
            return _checked_in(kept, now)
        if now < kept.started_at + timedelta(seconds=CHECKED_IN_KEEP_SECONDS):
            return 200, views.started_payload(kept)  # the start: nothing to check or write again
        _CHECKED_IN.pop(attempt_id, None)
    code = data.get("access_code")
    request = services.StartRequest(
        attempt_id=attempt_id,
        student=student,
        access_code=code[:64] if isinstance(code, str) else "",
        ip=ip,
        device=device,
        language=translation.get_language(),
    )
    try:
        attempt = (write or services.start_request)(request)
    except services.NotOpenYet as error:
        return 409, {"error": " ".join(error.messages), "status": "not_yet", "seconds_to_start": error.seconds}
    except (Attempt.DoesNotExist, PermissionDenied, ValidationError) as error:
        return _refusal(error)
    if attempt.device and attempt.device != device:
        return 409, {"status": "elsewhere", "url": reverse("exams:attempt", args=[attempt.pk])}
    now = timezone.now()
    if attempt.opens_later(now):
        if len(_CHECKED_IN) >= 20000:  # bounded: far more than one server's students at once
            _CHECKED_IN.clear()
        _CHECKED_IN[attempt.pk] = attempt
        views.questions_html(attempt, {})  # the paper, rendered in this process before the start (once per code)
        return _checked_in(attempt, now)
    return 200, views.started_payload(attempt)


def respond_submit(*, attempt_id: int, student, body: bytes, ip, device: str, write=None) -> tuple[int, dict]:
    """A submit request of the attempt page's script: ``(HTTP status, JSON body)``. 200 ``{"status": "submitted",
    "url", "html"}``: the result page's address and its content (``exams/_result.html``), which the page shows in
    place at that address — a second request for the result page, through all of Django, would come from every
    student of a room at time-up; a second submit is answered the same. 400 a refusal (not started), the message
    given; 404 an attempt that is not the student's. The same service as the form's submit (``views.submit``), which
    spares each submit Django's middleware and the redirect. ``write``: how the submission is written
    (``GroupCommit.save``: with the other threads' submissions, ``services.submit_batch``; by default alone)."""
    from django.template.loader import render_to_string
    from django.urls import reverse

    from lms.exams import services, views
    from lms.exams.models import Attempt

    if _json_object(body) is None:
        return 400, {"error": _("The request is not valid JSON.")}
    request = services.SubmitRequest(attempt_id=attempt_id, student=student, ip=ip, language=translation.get_language())
    try:
        attempt = (write or services.submit_request)(request)
    except (Attempt.DoesNotExist, PermissionDenied, ValidationError) as error:
        return _refusal(error)
    _CHECKED_IN.pop(attempt_id, None)
    # the attempt as the submit locked and wrote it, with its sitting, exam code and graded answers: the heading and
    # the score rules are what the result needs besides
    shown = views.result_context(attempt, _heading_and_rules(attempt.sitting), getattr(attempt, "graded_answers", None))
    return 200, {
        "status": attempt.status,
        "url": reverse("exams:result", args=[attempt_id]),
        "html": render_to_string("exams/_result.html", shown),
    }


# sitting id → (its heading and score rules, read at): the submit replies of a room within HEADING_KEEP_SECONDS
# share one read (``selectors.sitting_heading_and_rules``: a five-table query whose compiling cost half of what the
# result in the reply costs). The rules follow the test's grade and blueprint, which an approved, scheduled test does
# not change; a renamed sitting shows its new heading in these replies up to that many seconds later (the result page
# at once).
HEADING_KEEP_SECONDS = 60
_HEADINGS: dict[int, tuple[tuple, float]] = {}


def _heading_and_rules(sitting) -> tuple:
    from lms.exams import selectors

    now = time.monotonic()
    hit = _HEADINGS.get(sitting.pk)
    if hit is not None and now - hit[1] < HEADING_KEEP_SECONDS:
        return hit[0]
    value = selectors.sitting_heading_and_rules(sitting)
    if len(_HEADINGS) >= 1000:  # bounded: far more sittings than are submitted within a minute
        _HEADINGS.clear()
    _HEADINGS[sitting.pk] = (value, now)
    return value


# attempt id → the attempt as its check-in left it (open, bound to the browser, its sitting and exam code loaded):
# the same browser's start request, at the start, is answered from here — the paper, without a query — for
# CHECKED_IN_KEEP_SECONDS after the start. In the meantime the row can change only in ways the next save reply
# corrects or refuses (extra time: the reply's time left; a takeover or a submission: the save is refused). The
# start of a sitting can be moved (``sitting_moves``) only until ``last_move_seconds`` before it, and check-in opens
# ``check_in_seconds`` (less) before it, so no attempt is checked in when a start moves; were moves allowed later, the
# checked-in attempts would have to be reset and this memo dropped.
CHECKED_IN_KEEP_SECONDS = 60
_CHECKED_IN: dict[int, object] = {}


def _checked_in(attempt, now) -> tuple[int, dict]:
    """The reply to a check-in (or to a start request the browser sent early): the attempt opens at the start."""
    wait = (attempt.started_at - now).total_seconds()
    return 200, {"status": "checked_in", "seconds_to_start": round(wait, 3)}


class _Job:
    __slots__ = ("done", "lead", "outcome", "request", "wake")

    def __init__(self, request) -> None:
        self.request, self.outcome, self.done, self.lead = request, None, False, False
        self.wake = threading.Event()


class GroupCommit:
    """Group commit of the save requests of one process's threads. A request that arrives while no batch is being
    written is written at once, alone; the requests that arrive meanwhile wait, and are written together in the next
    batch (``services.save_batch``: one transaction, one commit) by one of them, the leader, on its own thread and
    database connection. Under load, one commit (one ``fsync`` of the log) and two round trips serve many students;
    with few students nothing waits. Each waiting thread is woken once: when its request has its outcome, or to lead
    the next batch. A request is answered only once its batch is committed; if the batch fails (the database went
    away), none of its requests is acknowledged and the browsers send them again. At most one request per attempt in
    a batch (a student's next request waits for the next batch), at most ``MAX_BATCH`` requests."""

    MAX_BATCH = 64

    def __init__(self, batch: str = "save_batch") -> None:
        self.batch = batch  # the ``services`` function writing a batch: save_batch, start_batch, submit_batch
        self._lock = threading.Lock()
        self._queue: list[_Job] = []
        self._busy = False

    def save(self, request) -> dict:
        job = _Job(request)
        with self._lock:
            self._queue.append(job)
            job.lead = not self._busy
            self._busy = True
        if not job.lead:
            job.wake.wait()
        if not job.done:  # it leads: batches until its own request is written, then hands over
            self._lead(job)
        if job.outcome is None:  # its batch was interrupted before it had an outcome
            raise DatabaseError("the batch of this save request was not written")
        from lms.exams import services

        return services.result_or_raise(job.outcome)

    def _lead(self, mine: _Job) -> None:
        from lms.exams import services

        try:
            while not mine.done:
                with self._lock:
                    batch = self._take()
                try:
                    self._write(getattr(services, self.batch), batch, mine)
                finally:
                    for job in batch:
                        job.done = True
                        if job is not mine:
                            job.wake.set()
        finally:
            with self._lock:
                if self._queue:  # the first waiting request leads the next batch
                    self._queue[0].lead = True
                    self._queue[0].wake.set()
                else:
                    self._busy = False

    def _take(self) -> list[_Job]:
        """The next batch, first come first served (the leader's request is the first waiting)."""
        batch, rest, attempts = [], [], set()
        for job in self._queue:
            if len(batch) < self.MAX_BATCH and job.request.attempt_id not in attempts:
                attempts.add(job.request.attempt_id)
                batch.append(job)
            else:
                rest.append(job)
        self._queue = rest
        return batch

    @staticmethod
    def _write(write, batch: list[_Job], mine: _Job) -> None:
        try:
            outcomes = write([job.request for job in batch])
        except Exception as error:  # the batch as a whole: every request of it fails and is sent again
            for job in batch:
                job.outcome = error if job is mine else _failed(error)
            return
        for job, outcome in zip(batch, outcomes, strict=True):
            job.outcome = outcome


def _failed(error: Exception) -> Exception:
    """The error another thread raises for a batch that failed on this one (an exception object is raised once)."""
    failed = DatabaseError(str(error)) if isinstance(error, DatabaseError) else RuntimeError(str(error))
    failed.__cause__ = error
    return failed


class _Meta:
    """What ``network.client_ip`` reads of a request: its META (here the WSGI environ)."""

    def __init__(self, environ) -> None:
        self.META = environ


class ExamSaveGateway:
    """WSGI middleware: answers a save or start request that carries a valid save token (see the module's text);
    passes every other request to ``app``."""

    def __init__(self, app) -> None:
        self.app = app
        self._routes = None
        self.group = GroupCommit("save_batch")  # the saves of this process's threads
        self.starts = GroupCommit("start_batch")  # the starts: a whole room at one instant
        self.submits = GroupCommit("submit_batch")  # the submissions: a whole room within seconds of time-up

    def _route(self, path: str):
        """``(attempt id, respond function, group)`` of a save or start path, else None."""
        if self._routes is None:
            from django.urls import reverse

            marker = "987654321"
            routes = []
            paths = (
                ("exams:save", respond, self.group),
                ("exams:begin", respond_start, self.starts),
                ("exams:submit", respond_submit, self.submits),
            )
            for name, answer, group in paths:
                prefix, suffix = reverse(name, args=[int(marker)]).split(marker)
                routes.append((re.compile(rf"^{re.escape(prefix)}(\d{{1,12}}){re.escape(suffix)}$"), answer, group))
            self._routes = routes
        for pattern, answer, group in self._routes:
            match = pattern.match(path)
            if match:
                return int(match.group(1)), answer, group
        return None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or TOKEN_HEADER not in environ:
            return self.app(environ, start_response)
        route = self._route(environ.get("PATH_INFO", ""))
        if route is None or get_script_name(environ) not in ("", "/"):
            return self.app(environ, start_response)
        answer = self._answer(environ, *route)
        if answer is None:  # not for this path: Django answers (and refuses) it as any other request
            return self.app(environ, start_response)
        status, payload = answer
        body = _json(payload)
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("Vary", "Cookie"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [body]

    def _answer(self, environ, attempt_id: int, answer, group) -> tuple[int, dict] | None:
        if not _host_allowed(environ):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length < 0 or length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None
        cookies = _cookies(environ.get("HTTP_COOKIE", ""))
        session_key = cookies.get(settings.SESSION_COOKIE_NAME, "")
        if not session_key or not constant_time_compare(environ[TOKEN_HEADER], save_token(attempt_id, session_key)):
            return None
        body = environ["wsgi.input"].read(length) if length else b""
        from lms.exams.network import client_ip
        from lms.exams.views import DEVICE_COOKIE, valid_device

        _reuse_connection()
        try:
            with translation.override(chosen_language(cookies)):
                try:
                    student = _session_user(session_key)
                    if student is None:
                        environ["wsgi.input"] = io.BytesIO(body)  # Django reads the body again
                        return None
                    return answer(
                        attempt_id=attempt_id,
                        student=student,
                        body=body,
                        ip=client_ip(_Meta(environ)),
                        device=valid_device(cookies.get(DEVICE_COOKIE, "")),
                        write=group.save if group else None,
                    )
                except DatabaseError:  # the database went away (restart, failover): the browser sends it again
                    return 503, {"error": _("The server could not save just now; your answers are sent again.")}
        finally:
            if connection.errors_occurred:  # (set by a failed statement on this thread's connection)
                connection.close()


def _reuse_connection() -> None:
    """What ``close_old_connections`` does at a request's start, without its health check (a ``SELECT 1`` round trip
    before every save): a connection past ``CONN_MAX_AGE`` or with errors is closed; otherwise the save itself is
    the check — a broken connection fails it, nothing is acknowledged, and the browser sends the changes again."""
    db = connections[DEFAULT_DB_ALIAS]  # (this thread's; the ``connection`` proxy looks it up on every attribute)
    if db.connection is None or db.in_atomic_block:  # (a request starts outside one but in tests)
        return
    expired = db.close_at is not None and time.monotonic() >= db.close_at
    if db.errors_occurred or expired or db.get_autocommit() != db.settings_dict["AUTOCOMMIT"]:
        db.close()
    else:
        db.health_check_done = True


# session key → (user, checked at): a student's saves within SESSION_CHECK_SECONDS reuse one check of the session
# and the user (a cache read and a query fewer per save). The price: a logout, a password change or a deactivated
# account stops this path's saves up to that many seconds later (the rest of the site at once).
SESSION_CHECK_SECONDS = 30
_CHECKED: dict[str, tuple[object, float]] = {}


def _session_user(session_key: str):
    """The session's user (see ``_check_session``), remembered for ``SESSION_CHECK_SECONDS`` in this process."""
    now = time.monotonic()
    hit = _CHECKED.get(session_key)
    if hit is not None and now - hit[1] < SESSION_CHECK_SECONDS:
        return hit[0]
    user = _check_session(session_key)
    if user is not None:
        if len(_CHECKED) >= 20000:  # bounded: far more than one server's students at once
            _CHECKED.clear()
        _CHECKED[session_key] = (user, now)
    else:
        _CHECKED.pop(session_key, None)
    return user


def _check_session(session_key: str):
    """The session's user, checked as ``django.contrib.auth.get_user`` checks it (active, the session hash of the
    current password), or None: then Django handles the request and applies its own rules."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user_id, session_hash = store.get(SESSION_KEY), store.get(HASH_SESSION_KEY)
    if not user_id or not session_hash:
        return None
    User = get_user_model()
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    table, quote = User._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('password')}, {quote('is_active')} FROM {quote(table)} WHERE {quote(User._meta.pk.column)} = %s",  # noqa: S608,E501
            [pk],
        )
        row = cursor.fetchone()
    if row is None or not row[1]:
        return None
    user = User(pk=pk, password=row[0], is_active=True)
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None  # an older password's session (or a fallback key's): Django decides
    return user


def _cookies(header: str) -> dict[str, str]:
    from django.http.cookie import parse_cookie

    return parse_cookie(header) if header else {}


def _host_allowed(environ) -> bool:
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)
