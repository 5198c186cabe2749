"""Time-up: a room's submissions closed and graded in one transaction (``services.submit_batch``), each refusal
failing alone; the gateway's submits group-committed; the periodic job submitting a room in batches."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.exams import services
from lms.exams.models import Answer, Attempt, AttemptEvent, AttemptStatus, EventKind
from tests.exams.support import enrol_students, make_bank, schedule, toan_test


@pytest.fixture
def room(db):
    """Five students of a sitting that opened a minute ago (two exam codes): four started, student n answering every
    single-choice question, the first 2n of them right, the rest wrong; the fifth not started."""
    setup = make_bank()
    enrol_students(setup, range(3, 6))
    sitting = schedule(setup, toan_test(setup, variants=2))
    attempts = list(Attempt.objects.filter(sitting=sitting).select_related("student", "variant").order_by("pk"))
    for n, attempt in enumerate(attempts[:4]):
        services.start_attempt(attempt=attempt, student=attempt.student, device=f"dev-{attempt.pk}")
        singles = [s for s in attempt.variant.slots() if s["content"]["type"] == "single_choice"]
        changes = [
            {"seq": i, "slot": s["slot"], "response": s["key"] if i <= 2 * n else ("B" if s["key"] == "A" else "A")}
            for i, s in enumerate(singles, start=1)
        ]
        services.save_changes(
            attempt_id=attempt.pk, student=attempt.student, changes=changes, device=f"dev-{attempt.pk}"
        )
    return setup, sitting, attempts


def _one_by_one_scores(attempts):
    """The scores ``grade_attempt`` gives each attempt alone (nothing written but the points, recomputed later)."""
    scores = {}
    for attempt in attempts:
        fresh = Attempt.objects.select_related("variant").get(pk=attempt.pk)
        services.grade_attempt(fresh, save=False)
        scores[attempt.pk] = (fresh.points, fresh.max_points, fresh.needs_marking)
    return scores


def test_a_batch_closes_and_grades_every_attempt_as_one_submit_would(room):
    _setup, _sitting, attempts = room
    started = attempts[:4]
    expected = _one_by_one_scores(started)
    assert len({points for points, _m, _n in expected.values()}) > 1  # the students scored differently
    outcomes = services.submit_batch(
        [services.SubmitRequest(attempt_id=a.pk, student=a.student, ip=f"10.0.0.{n}") for n, a in enumerate(started)]
    )
    assert all(isinstance(o, Attempt) for o in outcomes)
    for n, (attempt, outcome) in enumerate(zip(started, outcomes, strict=True)):
        stored = Attempt.objects.get(pk=attempt.pk)
        assert stored.status == AttemptStatus.SUBMITTED and not stored.auto_submitted and stored.submitted_at
        assert (stored.points, stored.max_points, stored.needs_marking) == expected[attempt.pk]
        assert (outcome.points, outcome.max_points) == expected[attempt.pk][:2]
        assert list(
            AttemptEvent.objects.filter(attempt=attempt, kind=EventKind.SUBMIT).values_list("ip", flat=True)
        ) == [f"10.0.0.{n}"]
        # what the submit graded is what it wrote, and what the result shown with the reply lists
        written = {
            slot: (response, points)
            for slot, response, points in Answer.objects.filter(attempt=attempt).values_list(
                "slot", "response", "points"
            )
        }
        assert outcome.graded_answers == written and sum(p for _r, p in written.values()) == stored.points
    # submitted again: nothing changes, no second event
    again = services.submit_batch([services.SubmitRequest(attempt_id=a.pk, student=a.student) for a in started])
    assert [o.submitted_at for o in again] == [Attempt.objects.get(pk=a.pk).submitted_at for a in started]
    assert AttemptEvent.objects.filter(attempt__in=started, kind=EventKind.SUBMIT).count() == 4


def test_each_refusal_fails_its_own_submission_alone(room):
    _setup, _sitting, attempts = room
    first, second, third, _fourth, fifth = attempts
    outcomes = services.submit_batch(
        [
            services.SubmitRequest(attempt_id=first.pk, student=first.student),
            services.SubmitRequest(attempt_id=second.pk, student=first.student),  # another student's
            services.SubmitRequest(attempt_id=fifth.pk, student=fifth.student),  # not started
            services.SubmitRequest(attempt_id=987654, student=first.student),  # no such attempt
            services.SubmitRequest(attempt_id=third.pk, auto=True),  # the server's, at time-up
        ]
    )
    assert isinstance(outcomes[0], Attempt) and isinstance(outcomes[4], Attempt)
    assert isinstance(outcomes[1], PermissionDenied)
    assert isinstance(outcomes[2], ValidationError) and "not been started" in outcomes[2].messages[0]
    assert isinstance(outcomes[3], Attempt.DoesNotExist)
    statuses = dict(Attempt.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in (first, second, third, fifth)] == [
        AttemptStatus.SUBMITTED,
        AttemptStatus.IN_PROGRESS,
        AttemptStatus.SUBMITTED,
        AttemptStatus.READY,
    ]
    assert Attempt.objects.get(pk=third.pk).auto_submitted
    assert list(AttemptEvent.objects.filter(attempt=third).values_list("kind", flat=True).order_by("pk"))[-1] == (
        EventKind.AUTO_SUBMIT
    )
    with pytest.raises(ValueError, match="at most one request per attempt"):
        services.submit_batch([services.SubmitRequest(attempt_id=first.pk)] * 2)


def test_a_batch_costs_the_same_statements_for_one_or_four_attempts(room):
    _setup, _sitting, attempts = room
    services.submit_batch([services.SubmitRequest(attempt_id=attempts[0].pk)])  # each code's questions now kept
    services.submit_batch([services.SubmitRequest(attempt_id=attempts[1].pk)])
    counts = []
    for batch in ([attempts[2]], attempts[:4]):
        Attempt.objects.filter(pk__in=[a.pk for a in batch]).update(status=AttemptStatus.IN_PROGRESS)
        with CaptureQueriesContext(connection) as queries:
            services.submit_batch([services.SubmitRequest(attempt_id=a.pk) for a in batch])
        counts.append(len(queries))
    assert counts[0] == counts[1] or connection.vendor != "postgresql"
    assert counts[0] <= 8  # lock, answers, points, attempts, events (and the savepoint's statements)


def test_the_periodic_job_submits_a_room_whose_time_is_up_in_batches(room, django_assert_max_num_queries):
    _setup, sitting, attempts = room
    past = timezone.now() - timedelta(minutes=5)
    Attempt.objects.filter(pk__in=[a.pk for a in attempts[:4]]).update(deadline=past)
    # the due attempts, then one batch: lock, two codes' layouts (once a process), answers, points, attempts (one
    # statement on PostgreSQL, one an attempt elsewhere), events, the savepoint
    with django_assert_max_num_queries(10 if connection.vendor == "postgresql" else 13):
        assert services.submit_expired(sitting=sitting) == 4
    assert Attempt.objects.filter(sitting=sitting, status=AttemptStatus.SUBMITTED, auto_submitted=True).count() == 4
    assert services.submit_expired(sitting=sitting) == 0
    scored = Attempt.objects.filter(pk__in=[a.pk for a in attempts[:4]]).values_list("points", flat=True)
    assert sorted(scored) == sorted({Decimal("0"), Decimal("0.5"), Decimal("1"), Decimal("1.5")})  # 2n right × 0,25
