"""Moving a sitting to a later time before anyone has started: a power cut, a room not ready, a class kept at an
event. The window (opening and closing) moves; who moved it, why and from when is kept (``SittingMove``).

Only **later**, and only until ``DeliveryRules.last_move_seconds`` before the start: the waiting rooms open at that
moment count down to the time they were given, and learn of a later one from the server's ``not_yet`` reply when
they check in or start (the page then counts down to the new time); a waiting room cannot learn of an earlier one.
Before ``last_move_seconds`` no student can have checked in (check-in opens ``check_in_seconds`` before the start),
so every attempt is still ready: nothing opened has to be set back. To bring a test forward, schedule a new sitting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.courses import api as courses_api
from lms.exams.models import Attempt, AttemptStatus, Sitting, SittingMove
from lms.exams.rules import delivery_rules


def move_deadline(sitting: Sitting) -> datetime:
    """Until when the sitting may still be moved."""
    return sitting.opens_at - timedelta(seconds=delivery_rules(sitting.delivery_rules).last_move_seconds)


def can_move(sitting: Sitting, now: datetime | None = None) -> bool:
    """Whether the sitting's time may still be moved (the teacher's check comes with ``reschedule_sitting``)."""
    return (now or timezone.now()) < move_deadline(sitting)


@transaction.atomic
def reschedule_sitting(*, sitting: Sitting, opens_at: datetime, closes_at: datetime | None, reason: str, by) -> Sitting:
    """Move the sitting's window to open at ``opens_at`` (later than now) and close at ``closes_at`` (default: as
    long after the new opening as before). ``ValidationError`` with the reason when it can no longer be moved or the
    new window is not valid; ``PermissionDenied`` unless ``by`` teaches the course."""
    if not courses_api.can_edit_course(by, sitting.course):
        raise PermissionDenied(_("Only a teacher of the course moves its test."))
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)  # its window as stored
    rules = delivery_rules(sitting.delivery_rules)
    now = timezone.now()
    if not can_move(sitting, now):
        raise ValidationError(
            _(
                "The test opens in less than %(seconds)s seconds or has opened: its time can no longer be moved. "
                "Give extra time to the students who need it, or schedule a new sitting."
            )
            % {"seconds": rules.last_move_seconds}
        )
    if Attempt.objects.filter(sitting=sitting).exclude(status=AttemptStatus.READY).exists():
        raise ValidationError(_("A student has already started this test: its time can no longer be moved."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the test is moved (the students' families and the school may ask)."))
    if opens_at <= sitting.opens_at:
        raise ValidationError(
            _(
                "A test can only be moved to a later time: students already waiting count down to the time they "
                "were given. To bring it forward, schedule a new sitting."
            )
        )
    if opens_at < now + timedelta(seconds=rules.move_notice_seconds):
        raise ValidationError(
            _("The new start must be at least %(minutes)s minutes from now, so that the students waiting see it.")
            % {"minutes": max(1, rules.move_notice_seconds // 60)}
        )
    if closes_at is None:
        closes_at = opens_at + (sitting.closes_at - sitting.opens_at)
    if closes_at <= opens_at:
        raise ValidationError(_("The window must close after it opens."))
    SittingMove.objects.create(
        sitting=sitting,
        opens_at_before=sitting.opens_at,
        closes_at_before=sitting.closes_at,
        opens_at=opens_at,
        closes_at=closes_at,
        reason=reason,
        moved_by=by,
        moved_at=now,
    )
    sitting.opens_at, sitting.closes_at = opens_at, closes_at
    sitting.save(update_fields=["opens_at", "closes_at"])
    return sitting


def get_moves(sitting: Sitting):
    """The sitting's moves, oldest first, with who moved it."""
    return SittingMove.objects.filter(sitting=sitting).select_related("moved_by").order_by("moved_at", "pk")
