"""Moving a sitting to a later time before anyone started (``sitting_moves.reschedule_sitting``): the window moves,
the move is kept with who and why, and what may not be moved is refused with the reason; the teacher's page."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lms.exams import api as exams_api
from lms.exams import services, sitting_moves
from lms.exams.models import Attempt, AttemptStatus, SittingMove
from tests.exams.support import make_bank, schedule, toan_test


@pytest.fixture
def setup(db):
    setup = make_bank()
    return setup, toan_test(setup, variants=2)


def _later(sitting, minutes):
    return sitting.opens_at + timedelta(minutes=minutes)


def test_a_sitting_moved_later_keeps_its_length_and_the_move(setup):
    setup, test = setup
    sitting = schedule(setup, test, opens_in=10, minutes=45)
    before = (sitting.opens_at, sitting.closes_at)
    moved = exams_api.reschedule_sitting(
        sitting=sitting, opens_at=_later(sitting, 15), closes_at=None, reason="Mất điện", by=setup.people.teacher
    )
    assert moved.opens_at == before[0] + timedelta(minutes=15)
    assert moved.closes_at - moved.opens_at == before[1] - before[0]  # the window as long as it was
    sitting.refresh_from_db()
    assert (sitting.opens_at, sitting.closes_at) == (moved.opens_at, moved.closes_at)
    (move,) = SittingMove.objects.filter(sitting=sitting)
    assert (move.opens_at_before, move.closes_at_before) == before
    assert (move.opens_at, move.closes_at, move.reason, move.moved_by) == (
        moved.opens_at,
        moved.closes_at,
        "Mất điện",
        setup.people.teacher,
    )
    # a second move, with its own close
    closes = _later(moved, 120)
    again = exams_api.reschedule_sitting(
        sitting=moved,
        opens_at=_later(moved, 5),
        closes_at=closes,
        reason="Phòng máy chưa sẵn sàng",
        by=setup.people.teacher,
    )
    assert again.closes_at == closes
    assert [m.reason for m in sitting_moves.get_moves(sitting)] == ["Mất điện", "Phòng máy chưa sẵn sàng"]
    # the students' attempts are still ready: their start is refused until the new time
    attempt = Attempt.objects.filter(sitting=sitting).first()
    assert attempt.status == AttemptStatus.READY
    with pytest.raises(ValidationError):
        services.start_attempt(attempt=attempt, student=attempt.student)


@pytest.mark.parametrize(
    ("opens_in", "new", "closes", "reason", "message"),
    [
        (10, -5, None, "x", "only be moved to a later time"),
        (10, 0, None, "x", "only be moved to a later time"),
        (1.5, 0.1, None, "x", "at least 2 minutes from now"),
        (10, 5, -1, "x", "must close after it opens"),
        (10, 5, None, "  ", "Say why"),
        (0.9, 10, None, "x", "can no longer be moved"),  # opens within the minute
        (-1, 10, None, "x", "can no longer be moved"),  # has opened
    ],
)
def test_what_cannot_be_moved_is_refused_with_the_reason(setup, opens_in, new, closes, reason, message):
    setup, test = setup
    sitting = schedule(setup, test, opens_in=opens_in)
    before = (sitting.opens_at, sitting.closes_at)
    opens_at = _later(sitting, new)
    with pytest.raises(ValidationError) as error:
        exams_api.reschedule_sitting(
            sitting=sitting,
            opens_at=opens_at,
            closes_at=None if closes is None else opens_at + timedelta(minutes=closes),
            reason=reason,
            by=setup.people.teacher,
        )
    assert message in " ".join(error.value.messages)
    sitting.refresh_from_db()
    assert (sitting.opens_at, sitting.closes_at) == before and not SittingMove.objects.exists()


def test_a_sitting_someone_opened_or_another_teacher_cannot_move(setup):
    setup, test = setup
    sitting = schedule(setup, test, opens_in=10)
    for someone in (setup.people.student, setup.people.parent, setup.people.principal):
        with pytest.raises(PermissionDenied):
            exams_api.reschedule_sitting(
                sitting=sitting, opens_at=_later(sitting, 5), closes_at=None, reason="x", by=someone
            )
    # (an attempt cannot open this early; were one open, the move would leave it with a start that no longer holds)
    Attempt.objects.filter(pk=Attempt.objects.filter(sitting=sitting).first().pk).update(
        status=AttemptStatus.IN_PROGRESS, started_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="already started"):
        exams_api.reschedule_sitting(
            sitting=sitting, opens_at=_later(sitting, 5), closes_at=None, reason="x", by=setup.people.teacher
        )


def test_the_teacher_moves_the_sitting_on_its_page(setup, client):
    setup, test = setup
    sitting = schedule(setup, test, opens_in=30)
    url = reverse("exams:move", args=[sitting.pk])
    client.cookies["django_language"] = "en"
    client.force_login(setup.people.student)
    assert client.get(url).status_code == 403
    client.force_login(setup.people.teacher)
    page = client.get(url).content.decode()
    assert 'data-testid="move-form"' in page and "Not moved." in page
    assert (
        reverse("exams:move", args=[sitting.pk])
        in client.get(reverse("exams:invigilate", args=[sitting.pk])).content.decode()
    )
    new = timezone.localtime(sitting.opens_at + timedelta(minutes=20)).replace(second=0, microsecond=0)
    response = client.post(url, {"opens_at": new.strftime("%Y-%m-%dT%H:%M"), "closes_at": "", "reason": "Mất điện"})
    assert response.status_code == 302 and response.url == url
    sitting.refresh_from_db()
    assert sitting.opens_at == new
    page = client.get(url).content.decode()
    assert "Mất điện" in page and "The test is moved" in page
    # a refusal is said on the page, nothing moved
    response = client.post(url, {"opens_at": new.strftime("%Y-%m-%dT%H:%M"), "reason": "Lại"})
    assert response.status_code == 200 and "only be moved to a later time" in response.content.decode()
    assert SittingMove.objects.filter(sitting=sitting).count() == 1
    # once open, the page says it can no longer be moved
    opened = schedule(setup, test, opens_in=-1)
    page = client.get(reverse("exams:move", args=[opened.pk])).content.decode()
    assert 'data-testid="not-movable"' in page and 'data-testid="move-form"' not in page


def test_a_rules_version_cannot_allow_a_move_after_check_in_opens():
    import dataclasses

    from lms.exams.rules import DELIVERY

    rules = DELIVERY["CBT2026"]
    assert rules.last_move_seconds > rules.check_in_seconds
    with pytest.raises(ValueError, match="last_move_seconds must be more than check_in_seconds"):
        dataclasses.replace(rules, last_move_seconds=rules.check_in_seconds)
