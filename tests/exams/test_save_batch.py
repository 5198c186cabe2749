"""Group commit on exam day: several students' save requests in one transaction (``services.save_batch``), and the
threads of a server process waiting for one another's batch (``fastsave.GroupCommit``)."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.exams import fastsave, services
from lms.exams.models import Answer, AnswerEvent, Attempt, AttemptStatus
from tests.exams.support import enrol_students, make_bank, schedule, toan_test


@pytest.fixture
def room(db):
    """A sitting of five students, all started (five attempts on two exam codes)."""
    setup = make_bank()
    enrol_students(setup, range(3, 6))
    sitting = schedule(setup, toan_test(setup, variants=2))
    attempts = list(Attempt.objects.filter(sitting=sitting).select_related("student", "variant").order_by("pk"))
    for attempt in attempts:
        services.start_attempt(attempt=attempt, student=attempt.student, device=f"dev-{attempt.pk}")
    return attempts


def _slot(attempt, qtype="single_choice", index=0):
    return [s for s in attempt.variant.slots() if s["content"]["type"] == qtype][index]["slot"]


def _request(attempt, changes, **kw):
    return services.SaveRequest(
        attempt_id=attempt.pk, student=attempt.student, changes=changes, device=f"dev-{attempt.pk}", **kw
    )


def test_a_batch_stores_every_request_and_answers_each_in_order(room):
    requests = [
        _request(
            a, [{"seq": 1, "slot": _slot(a), "response": "A"}, {"seq": 2, "slot": _slot(a, index=1), "response": "B"}]
        )
        for a in room
    ]
    outcomes = services.save_batch(requests)
    assert [o["acked"] for o in outcomes] == [[1, 2]] * len(room)
    assert all(o["answered"] == 2 and o["last_seq"] == 2 and o["status"] == AttemptStatus.IN_PROGRESS for o in outcomes)
    for attempt in room:
        assert dict(Answer.objects.filter(attempt=attempt).values_list("slot", "response")) == {
            _slot(attempt): "A",
            _slot(attempt, index=1): "B",
        }
        assert sorted(AnswerEvent.objects.filter(attempt=attempt).values_list("seq", flat=True)) == [1, 2]
        attempt.refresh_from_db()
        assert (attempt.last_seq, attempt.answered) == (2, 2)
    # a replay of the whole batch changes nothing and is acknowledged again; an older change never overwrites
    outcomes = services.save_batch(
        [
            _request(a, [{"seq": 1, "slot": _slot(a), "response": "D"}, {"seq": 2, "slot": _slot(a, index=1)}])
            for a in room
        ]
    )
    assert [o["acked"] for o in outcomes] == [[1, 2]] * len(room)
    assert set(Answer.objects.filter(attempt__in=room).values_list("response", flat=True)) == {"A", "B"}
    assert AnswerEvent.objects.filter(attempt__in=room).count() == 2 * len(room)


def test_the_number_answered_counts_what_the_batch_wrote(room):
    """The batch's writes are one statement on PostgreSQL (one snapshot): the number answered must still count the
    answers it added, cleared or left alone (an older change is not applied) — the same as counting afterwards."""
    a, b, c = room[:3]
    services.save_batch(
        [
            _request(
                a,
                [{"seq": 1, "slot": _slot(a), "response": "A"}, {"seq": 2, "slot": _slot(a, index=1), "response": "B"}],
            ),
            _request(b, [{"seq": 5, "slot": _slot(b), "response": "C"}]),
        ]
    )
    outcomes = services.save_batch(
        [
            _request(  # one cleared, one added, one changed: still 2
                a,
                [
                    {"seq": 3, "slot": _slot(a), "response": None},
                    {"seq": 4, "slot": _slot(a, index=2), "response": "D"},
                    {"seq": 6, "slot": _slot(a, index=1), "response": "C"},
                ],
            ),
            _request(  # an older change of the answered question (not applied) and a new one: 2
                b,
                [
                    {"seq": 3, "slot": _slot(b), "response": None},
                    {"seq": 6, "slot": _slot(b, index=1), "response": "A"},
                ],
            ),
            _request(c, [{"seq": 1, "slot": _slot(c), "response": None}]),  # cleared before ever answered: 0
        ]
    )
    assert [o["answered"] for o in outcomes] == [2, 2, 0]
    assert [o["acked"] for o in outcomes] == [[3, 4, 6], [3, 6], [1]]
    assert Answer.objects.get(attempt=b, slot=_slot(b)).response == "C"
    for attempt in (a, b, c):
        attempt.refresh_from_db()
        assert attempt.answered == Answer.objects.filter(attempt=attempt, response__isnull=False).count()


def test_a_refused_request_writes_nothing_and_does_not_stop_the_others(room):
    good, bad_slot, other_device, not_mine, bad_seq = room
    bad_slot_request = _request(
        bad_slot, [{"seq": 1, "slot": _slot(bad_slot), "response": "A"}, {"seq": 2, "slot": 999}]
    )
    stranger = _request(other_device, [{"seq": 1, "slot": _slot(other_device), "response": "A"}])
    stranger.device = "someone-else"
    impostor = _request(not_mine, [{"seq": 1, "slot": _slot(not_mine), "response": "A"}])
    impostor.student = good.student
    outcomes = services.save_batch(
        [
            _request(good, [{"seq": 1, "slot": _slot(good), "response": "C"}], events=[{"kind": "blur"}]),
            bad_slot_request,
            stranger,
            impostor,
            _request(bad_seq, [{"slot": _slot(bad_seq), "response": "A"}]),
        ]
    )
    assert outcomes[0]["acked"] == [1]
    assert isinstance(outcomes[1], ValidationError) and "2" in " ".join(outcomes[1].messages)
    assert isinstance(outcomes[2], services.DeviceTakenOver)
    assert isinstance(outcomes[3], PermissionDenied)
    assert isinstance(outcomes[4], ValidationError)
    assert list(Answer.objects.filter(attempt__in=room).values_list("attempt_id", "response")) == [(good.pk, "C")]
    assert list(AnswerEvent.objects.filter(attempt__in=room).values_list("attempt_id", flat=True)) == [good.pk]
    good.refresh_from_db()
    assert good.focus_losses == 1
    # the refused ones are as they were: the next request of each is taken
    outcomes = services.save_batch([_request(a, [{"seq": 3, "slot": _slot(a), "response": "B"}]) for a in room[1:]])
    assert [o["acked"] for o in outcomes] == [[3]] * 4


def test_a_fault_on_one_request_fails_that_request_alone(room, monkeypatch):
    original = services._validate_response

    def faulty(slot, response, rules):
        if response == "boom":
            raise RuntimeError("a fault hit by this request's data")
        return original(slot, response, rules)

    monkeypatch.setattr(services, "_validate_response", faulty)
    first, second = room[:2]
    outcomes = services.save_batch(
        [
            _request(first, [{"seq": 1, "slot": _slot(first), "response": "boom"}]),
            _request(second, [{"seq": 1, "slot": _slot(second), "response": "A"}]),
        ]
    )
    assert isinstance(outcomes[0], RuntimeError)
    assert outcomes[1]["acked"] == [1]
    assert list(AnswerEvent.objects.filter(attempt__in=room).values_list("attempt_id", flat=True)) == [second.pk]


def test_a_closed_attempt_in_a_batch_is_submitted_and_its_changes_refused(room):
    late, on_time = room[:2]
    services.save_batch([_request(late, [{"seq": 1, "slot": _slot(late), "response": "A"}])])
    Attempt.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
    outcomes = services.save_batch(
        [
            _request(
                late,
                [{"seq": 1, "slot": _slot(late), "response": "A"}, {"seq": 2, "slot": _slot(late), "response": "B"}],
            ),
            _request(on_time, [{"seq": 1, "slot": _slot(on_time), "response": "A"}]),
        ]
    )
    assert outcomes[0]["acked"] == [1] and outcomes[0]["refused"] == [2]
    assert outcomes[0]["status"] == AttemptStatus.SUBMITTED
    assert outcomes[1]["acked"] == [1] and outcomes[1]["status"] == AttemptStatus.IN_PROGRESS
    late.refresh_from_db()
    assert late.status == AttemptStatus.SUBMITTED and late.auto_submitted
    assert Answer.objects.get(attempt=late).response == "A"


def test_one_request_per_attempt_in_a_batch(room):
    a = room[0]
    with pytest.raises(ValueError, match="one request per attempt"):
        services.save_batch([_request(a, []), _request(a, [])])


def test_a_batch_costs_the_same_statements_for_one_student_or_five(room):
    """On PostgreSQL the batch's writes are three statements whatever its size (array parameters); elsewhere they
    are written once per attempt."""
    services.save_batch([_request(a, [{"seq": 1, "slot": _slot(a), "response": "A"}]) for a in room])  # layouts read

    def statements(attempts, seq):
        with CaptureQueriesContext(connection) as queries:
            outcomes = services.save_batch(
                [_request(a, [{"seq": seq, "slot": _slot(a), "response": "B"}]) for a in attempts]
            )
        assert all(o["acked"] == [seq] for o in outcomes)
        return len(queries.captured_queries)

    one, five = statements(room[:1], 2), statements(room, 3)
    if connection.vendor == "postgresql":
        assert one == five <= 6  # BEGIN, lock, log, answers, counters, COMMIT
    else:
        assert five - one == 4 * 3  # the log, the answers and the counters of each further attempt


# -- GroupCommit: the waiting and the hand-over, with the batch writer replaced by a recorder ------------------------


class _Recorder:
    """Stands in for ``services.save_batch``: records each batch; the first batch holds the writer for a while, so
    that the requests arriving meanwhile queue up behind it."""

    def __init__(self, hold=0.3, fail_first=False):
        self.batches, self.hold, self.fail_first = [], hold, fail_first
        self.lock = threading.Lock()

    def __call__(self, requests):
        with self.lock:
            self.batches.append([r.attempt_id for r in requests])
            first = len(self.batches) == 1
        if first:
            time.sleep(self.hold)
            if self.fail_first:
                raise OperationalError("the server closed the connection")
        return [{"acked": [r.attempt_id]} if r.attempt_id != 13 else PermissionDenied() for r in requests]


def _run_all(group, attempt_ids, *, stagger=0.05):
    results, threads = {}, []

    def one(index, attempt_id):
        try:
            results[index] = group.save(services.SaveRequest(attempt_id=attempt_id, student=None))
        except Exception as error:
            results[index] = error

    for index, attempt_id in enumerate(attempt_ids):
        thread = threading.Thread(target=one, args=(index, attempt_id))
        thread.start()
        threads.append(thread)
        if index == 0:
            time.sleep(stagger)  # the first leads (and is held); the others arrive while it writes
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads), "a request was never answered"
    return [results[i] for i in range(len(attempt_ids))]


def test_requests_arriving_during_a_batch_are_written_together_in_the_next(monkeypatch):
    recorder = _Recorder()
    monkeypatch.setattr(services, "save_batch", recorder)
    results = _run_all(fastsave.GroupCommit(), [1, 2, 3, 4, 5, 6])
    assert recorder.batches[0] == [1]
    assert sorted(recorder.batches[1]) == [2, 3, 4, 5, 6] and len(recorder.batches) == 2
    assert [r["acked"] for r in results] == [[1], [2], [3], [4], [5], [6]]


def test_one_request_per_attempt_in_a_batch_and_refusals_reach_their_request(monkeypatch):
    recorder = _Recorder()
    monkeypatch.setattr(services, "save_batch", recorder)
    results = _run_all(fastsave.GroupCommit(), [1, 7, 7, 13, 7])
    assert recorder.batches[0] == [1]
    assert all(batch.count(7) <= 1 for batch in recorder.batches)
    assert sum(batch.count(7) for batch in recorder.batches) == 3
    assert isinstance(results[3], PermissionDenied)
    assert [results[i]["acked"] for i in (0, 1, 2, 4)] == [[1], [7], [7], [7]]


def test_a_failed_batch_fails_its_requests_alone_and_the_next_leads_on(monkeypatch):
    recorder = _Recorder(fail_first=True)
    monkeypatch.setattr(services, "save_batch", recorder)
    group = fastsave.GroupCommit()
    results = _run_all(group, [1, 2, 3])
    assert isinstance(results[0], OperationalError)  # the leader's own, as raised
    assert [r["acked"] for r in results[1:]] == [[2], [3]]
    # a batch that failed for several requests: each gets its own DatabaseError (an exception is raised once)
    recorder2 = _Recorder(fail_first=True)
    monkeypatch.setattr(services, "save_batch", recorder2)
    group2 = fastsave.GroupCommit()
    group2._busy = True  # someone leads: the three queue up, then the first of them is handed the lead
    results, threads = {}, []

    def one(attempt_id):
        try:
            results[attempt_id] = group2.save(services.SaveRequest(attempt_id=attempt_id, student=None))
        except Exception as error:
            results[attempt_id] = error

    for attempt_id in (4, 5, 6):
        threads.append(threading.Thread(target=one, args=(attempt_id,)))
        threads[-1].start()
    time.sleep(0.1)
    with group2._lock:
        group2._queue[0].lead = True
        group2._queue[0].wake.set()
    for thread in threads:
        thread.join(10)
    assert recorder2.batches == [[4, 5, 6]]
    errors = [results[i] for i in (4, 5, 6)]
    assert all(isinstance(e, DatabaseError) for e in errors)
    assert len({id(e) for e in errors}) == 3
    assert not group2._busy and not group2._queue
