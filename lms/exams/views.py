"""Pages of computer-based tests. Thin: services write, selectors read, lms.courses decides who teaches a course."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.courses import api as courses_api
from lms.exams import delivery, fastsave, selectors, services
from lms.exams.models import Attempt, AttemptStatus, ReviewOption, Sitting, Test, TestStatus
from lms.exams.network import client_ip
from lms.exams.rules import delivery_rules

DEVICE_COOKIE = "exams_device"


def _ip(request):
    return client_ip(request)


def valid_device(value: str) -> str:
    """A device cookie's value if it has the form ``_new_device`` gives it, else ""."""
    return value if value.isalnum() and len(value) <= 64 else ""


def _device(request) -> str:
    """This browser's id (a random cookie, set by ``_remember_device``), or "" when it has none yet."""
    return valid_device(request.COOKIES.get(DEVICE_COOKIE, ""))


def _remember_device(response, token: str):
    response.set_cookie(DEVICE_COOKIE, token, max_age=400 * 24 * 3600, httponly=True, samesite="Lax")
    return response


def _new_device() -> str:
    import secrets

    return secrets.token_hex(16)


def _json_login_required(view):
    """For the script's JSON requests (save, start): a request without a logged-in user is answered 401 in JSON, not
    redirected to the login page (a script cannot follow that, and would take it for a lost connection)."""
    import functools

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            message = _(
                "You are no longer logged in. Log in again in this browser: the answers not yet saved are kept on "
                "this computer and sent then."
            )
            return JsonResponse({"error": message, "status": "logged_out"}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


def _sitting(pk) -> Sitting:
    try:
        return selectors.get_sitting(pk)
    except Sitting.DoesNotExist:
        raise Http404 from None


def _own_attempt(request, pk, get=selectors.get_attempt) -> Attempt:
    try:
        attempt = get(pk)
    except Attempt.DoesNotExist:
        raise Http404 from None
    if attempt.student_id != request.user.pk:
        raise Http404
    return attempt


def _staff_sitting(request, pk, *, results=False) -> Sitting:
    sitting = _sitting(pk)
    allowed = courses_api.can_view_results if results else courses_api.can_edit_course
    if not allowed(request.user, sitting.course):
        raise PermissionDenied
    return sitting


@login_required
def home(request):
    return render(
        request,
        "exams/home.html",
        {
            "attempts": selectors.get_student_attempts(request.user),
            "sittings": selectors.get_teacher_sittings(request.user),
            "tests": selectors.get_tests(request.user),
            "schedulable": selectors.get_schedulable_tests(request.user),
        },
    )


@login_required
def test_detail(request, pk):
    try:
        test = Test.objects.select_related("subject", "created_by", "approved_by").get(pk=pk)
    except Test.DoesNotExist:
        raise Http404 from None
    may_approve = services.can_approve(request.user, test)
    if request.user.pk != test.created_by_id and not may_approve and not request.user.is_superuser:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "approve":
        try:
            # The same path as the review page: only a test sent for review, with its trail written.
            variants = int(request.POST.get("variants") or 4)
            services.approve_test(
                test=test,
                user=request.user,
                variants=variants,
                accept_deviations=request.POST.get("accept_deviations") == "1",
                deviation_reason=request.POST.get("deviation_reason", ""),
            )
            messages.success(request, _("The test is approved and can be scheduled."))
        except ValueError:
            messages.error(request, _("Give the number of exam codes as a whole number."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("exams:test", pk=test.pk)
    return render(
        request,
        "exams/test.html",
        {
            "test": test,
            "parts": test.parts.prefetch_related("items", "draws"),
            "variants": test.variants.all(),
            "problems": services.check_test(test),
            "total": services.test_total(test),
            "may_approve": may_approve and test.status == TestStatus.IN_REVIEW,
            "approval_deviations": services.blueprint_deviations(test)[1]
            if may_approve and test.status == TestStatus.IN_REVIEW
            else [],
        },
    )


@login_required
def lobby(request, pk):
    """The waiting room: the test's window, the student's time, the access code; the attempt is already built."""
    sitting = _sitting(pk)
    attempt = sitting.attempts.filter(student=request.user).select_related("variant").first()
    if attempt is None:
        if courses_api.can_edit_course(request.user, sitting.course):
            return redirect("exams:invigilate", pk=sitting.pk)
        attempt = services.attempt_for_late_enrolment(sitting=sitting, student=request.user)  # enrolled since
        if attempt is None:
            raise Http404
    attempt = services.expire_if_due(attempt)
    now = timezone.now()
    checked_in = attempt.opens_later(now)  # (the waiting room checked in: the test has not started yet)
    if attempt.status == AttemptStatus.IN_PROGRESS and not checked_in:
        return redirect("exams:attempt", pk=attempt.pk)
    if attempt.status == AttemptStatus.SUBMITTED:
        return redirect("exams:result", pk=attempt.pk)
    if request.method == "POST" and not checked_in:
        device = _device(request) or _new_device()
        try:
            opened = services.start_attempt(
                attempt=attempt,
                student=request.user,
                access_code=request.POST.get("access_code", ""),
                ip=_ip(request),
                device=device,
            )
            if opened.opens_later():  # checked in before the start: the waiting room says so
                messages.info(
                    request,
                    _("You are checked in. The test opens at %(time)s; reload this page then if it does not open.")
                    % {"time": date_format(timezone.localtime(sitting.opens_at), "TIME_FORMAT")},
                )
                return _remember_device(redirect("exams:lobby", pk=sitting.pk), device)
            return _remember_device(redirect("exams:attempt", pk=attempt.pk), device)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    rules = delivery_rules(sitting.delivery_rules)
    if now < sitting.closes_at:
        questions_html(attempt, {})  # the paper, rendered and cached before the start rather than at it
    response = render(
        request,
        "exams/lobby.html",
        {
            "sitting": sitting,
            "attempt": attempt,
            "not_yet": now < sitting.opens_at,
            "closed": now >= sitting.closes_at,
            "seconds_to_start": max(0, int((sitting.opens_at - now).total_seconds())),
            "ms_to_start": max(0, int((sitting.opens_at - now).total_seconds() * 1000)),
            "total": len(attempt.variant.slots()),
            "heartbeat": rules.heartbeat_seconds,
            "check_in_ms": rules.check_in_seconds * 1000,
            "save_token": fastsave.save_token(attempt.pk, request.session.session_key),
        },
    )
    # The start request (``begin``) binds the attempt to this browser: it needs its id before the start.
    return _remember_device(response, _device(request) or _new_device())


@_json_login_required
@require_POST
def begin(request, pk):
    """JSON: the waiting room's start (``{"access_code"}``) → the paper (``started_payload``), without leaving the
    page. The same answer as ``fastsave.ExamSaveGateway`` gives when the request carries the page's save token."""
    status, payload = fastsave.respond_start(
        attempt_id=pk, student=request.user, body=request.body, ip=_ip(request), device=_device(request)
    )
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def started_payload(attempt: Attempt) -> dict:
    """What the waiting room needs to turn into the attempt page once the attempt is open: the paper (with the
    answers saved so far, if it was open already), the time left, the exam code and the counters."""
    answers = {a.slot: a.response for a in attempt.answers.all()} if attempt.last_seq else {}
    return {
        "status": attempt.status,
        "seconds_left": attempt.seconds_left(),
        "last_seq": attempt.last_seq,
        "answered": attempt.answered,
        "code": attempt.variant.code,
        "questions": questions_html(attempt, answers),  # an Encoded paper is put in the reply as encoded once
    }


@login_required
def attempt_page(request, pk):
    attempt = services.expire_if_due(_own_attempt(request, pk))
    if attempt.status == AttemptStatus.READY or attempt.opens_later():  # (checked in: the paper shows at the start)
        return redirect("exams:lobby", pk=attempt.sitting_id)
    if attempt.status == AttemptStatus.SUBMITTED:
        return redirect("exams:result", pk=attempt.pk)
    try:
        services.check_network(attempt.sitting, request.user, _ip(request), action="page")
    except services.NetworkRefused as error:
        return render(request, "exams/refused.html", {"sitting": attempt.sitting, "errors": error.messages}, status=403)
    device = _device(request)
    if attempt.device and device != attempt.device:
        # Another device holds the attempt: this one may take it over (confirmed on the page, logged).
        return _remember_device(
            render(request, "exams/takeover.html", {"attempt": attempt, "sitting": attempt.sitting}),
            device or _new_device(),
        )
    if not attempt.device:  # started without a device id (through the API): this browser becomes its device
        attempt = services.bind_device(attempt=attempt, device=device or _new_device())
    answers = {a.slot: a.response for a in attempt.answers.all()}
    rules = delivery_rules(attempt.sitting.delivery_rules)
    response = render(
        request,
        "exams/attempt.html",
        {
            "attempt": attempt,
            "sitting": attempt.sitting,
            "questions": questions_html(attempt, answers),
            "seconds_left": attempt.seconds_left(),
            "heartbeat": rules.heartbeat_seconds,
            "total": len(attempt.variant.slots()),
            "save_token": fastsave.save_token(attempt.pk, request.session.session_key),
        },
    )
    return _remember_device(response, attempt.device) if attempt.device else response


# cache key → the rendered paper, in this process (with its JSON text, for the start request's reply): at a sitting's
# start every student of the room asks for one of a few papers within a second, and reading ~30 kB from the shared
# cache and encoding it each time would cost more than keeping them here.
_PAPERS: dict[str, fastsave.Encoded] = {}


def questions_html(attempt: Attempt, answers: dict):
    """The questions of the attempt's exam code with the student's answers filled in. Before the first answer the
    paper is the same for every student of that code (an ordering question starts from a shuffle seeded by code and
    slot), so it is rendered once per code, revision and language, kept in the cache (and in this process): at the
    start of a sitting the whole class opens it within a second."""
    from django.core.cache import cache
    from django.template.loader import render_to_string
    from django.utils import translation

    variant = attempt.variant
    key = None
    if not answers:
        made = variant.created_at.timestamp()
        key = f"exams:paper:{variant.pk}:{variant.revision}:{made}:{translation.get_language()}"
        kept = _PAPERS.get(key)
        if kept is not None:
            return kept  # (a SafeString: rendered by the template below)
        cached = cache.get(key)
        if cached is not None:
            _remember_paper(key, cached)
            return _PAPERS[key]
    parts = [
        {
            "code": part["code"],
            "slots": [
                {
                    "number": n,
                    "slot": s,
                    "answer": answers.get(s["slot"]),
                    "name": f"q{s['slot']}",
                    "view": delivery.view(
                        s["content"], answers.get(s["slot"]), f"{variant.pk}:{s['slot']}", f"q{s['slot']}"
                    ),
                }
                for n, s in enumerate(part["slots"], start=1)
            ],
        }
        for part in variant.layout["parts"]
    ]
    html = render_to_string("exams/_questions.html", {"parts": parts})
    if key is not None:
        cache.set(key, html, 6 * 3600)
        _remember_paper(key, html)
        return _PAPERS[key]
    return mark_safe(html)


def _remember_paper(key: str, html: str) -> None:
    if len(_PAPERS) >= 256:  # bounded: a server's open sittings have far fewer codes than this
        _PAPERS.clear()
    _PAPERS[key] = fastsave.Encoded(html)


@_json_login_required
@require_POST
def save(request, pk):
    """JSON: ``{"changes": [{"seq", "slot", "response"}…], "events": [{"kind", "at"}…]}`` → acknowledgements.
    The same answer as ``fastsave.ExamSaveGateway`` gives when the request carries the page's save token."""
    status, payload = fastsave.respond(
        attempt_id=pk, student=request.user, body=request.body, ip=_ip(request), device=_device(request)
    )
    return JsonResponse(payload, status=status)


@login_required
@require_POST
def submit(request, pk):
    """The form's submit: redirect to the result page (or back, with the refusal as a message). A JSON request (the
    attempt page's script) gets the gateway's answer, ``fastsave.respond_submit``: the result page's address.
    (At time-up a whole room submits at once: the service locks the attempt, checks it is the student's and reads
    what grading needs.)"""
    if request.content_type == "application/json":
        status, payload = fastsave.respond_submit(
            attempt_id=pk, student=request.user, body=request.body, ip=_ip(request), device=_device(request)
        )
        return JsonResponse(payload, status=status)
    try:
        services.submit_attempt(attempt=Attempt(pk=pk), ip=_ip(request), student=request.user)
    except (Attempt.DoesNotExist, PermissionDenied):
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("exams:result", pk=pk)


@login_required
def result(request, pk):
    """At time-up a whole room opens this page within seconds: one query for the attempt with what it is scored by,
    one for the answers; each exam code's questions and keys are kept per process (``selectors.review_slots``) and
    the table is built by ``review_rows``."""
    attempt = _own_attempt(request, pk, selectors.get_attempt_for_result)
    if services.expire_if_due(attempt) is not attempt:  # submitted by the server just now: read what it wrote
        attempt = selectors.get_attempt_for_result(pk)
    if attempt.status != AttemptStatus.SUBMITTED:
        return redirect("exams:lobby", pk=attempt.sitting_id)
    return render(request, "exams/result.html", result_context(attempt))


def result_context(attempt: Attempt, heading_and_rules=None, answers=None) -> dict:
    """What the result of a submitted attempt shows (``exams/_result.html``), by the sitting's review option: the
    score and the table of answers, marks and keys, or only that it was submitted. ``attempt`` as
    ``selectors.get_attempt_for_result`` reads it (then no query but the answers'), or with its sitting and exam code
    loaded and ``selectors.sitting_heading_and_rules`` given (the submit's reply, with the ``answers`` it graded:
    ``{slot: (response, points)}``, then no query at all)."""
    sitting, closed = attempt.sitting, timezone.now() >= attempt.sitting.closes_at
    heading, rules = heading_and_rules or (str(sitting), selectors.loaded_score_rules(attempt))
    show_marks = sitting.review in (ReviewOption.AFTER_SUBMIT, ReviewOption.MARKS_AFTER_SUBMIT) or (
        sitting.review == ReviewOption.AFTER_CLOSE and closed
    )
    show_answers = sitting.review == ReviewOption.AFTER_SUBMIT or (
        sitting.review in (ReviewOption.MARKS_AFTER_SUBMIT, ReviewOption.AFTER_CLOSE) and closed
    )
    return {
        "attempt": attempt,
        "sitting": sitting,
        "heading": heading,
        "score": selectors.score_out_of_10(attempt, rules),
        "show_marks": show_marks,
        "show_answers": show_answers,
        "rows": selectors.attempt_review(attempt, answers) if show_marks else [],
    }


@login_required
def invigilate(request, pk):
    sitting = _staff_sitting(request, pk)
    services.submit_expired(sitting=sitting)  # the check made on every request: time-up attempts are closed here too
    return render(request, "exams/invigilate.html", {"sitting": sitting, "rows": selectors.invigilator_rows(sitting)})


@login_required
@require_POST
def extra_time(request, pk, attempt_pk):
    sitting = _staff_sitting(request, pk)
    attempt = sitting.attempts.filter(pk=attempt_pk).first()
    if attempt is None:
        raise Http404
    try:
        services.set_extra_time(attempt=attempt, minutes=int(request.POST.get("minutes", "0")), by=request.user)
    except (ValueError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("Give the extra time in minutes.")])))
    return redirect("exams:invigilate", pk=sitting.pk)


@login_required
def report(request, pk):
    sitting = _staff_sitting(request, pk, results=True)
    services.submit_expired(sitting=sitting)
    return render(request, "exams/report.html", {"sitting": sitting, **selectors.class_report(sitting)})


@login_required
def analysis(request, pk):
    sitting = _staff_sitting(request, pk, results=True)
    if request.method == "POST":
        flagged = services.flag_items_for_review(sitting=sitting, user=request.user)
        messages.success(
            request, _("%(n)s flagged questions were sent back to the bank with their figures.") % {"n": flagged}
        )
        return redirect("exams:analysis", pk=sitting.pk)
    return render(
        request,
        "exams/analysis.html",
        {
            "sitting": sitting,
            **selectors.item_analysis(sitting),
            "can_flag": courses_api.can_edit_course(request.user, sitting.course),
        },
    )


@login_required
@require_POST
def take_over(request, pk):
    """The student confirmed on the takeover page: this device continues the attempt (logged)."""
    attempt = _own_attempt(request, pk)
    try:
        services.take_over_attempt(attempt=attempt, student=request.user, device=_device(request), ip=_ip(request))
        messages.success(request, _("The test continues on this device; the other device has stopped saving."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("exams:attempt", pk=attempt.pk)
