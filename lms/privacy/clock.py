"""Deadlines: working days in Vietnam (Monday–Friday, public holidays off) and the incident countdown."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from lms.privacy import rules


def holidays() -> set[date]:
    """Holidays from ``settings.PRIVACY_HOLIDAYS`` (ISO dates: Tết, Giỗ Tổ Hùng Vương, compensatory days)."""
    return {date.fromisoformat(str(day)) for day in getattr(settings, "PRIVACY_HOLIDAYS", [])}


def is_working_day(day: date, *, extra_holidays: set[date] | None = None, config: dict | None = None) -> bool:
    config = config or rules.current()
    if day.weekday() in config["weekend_days"]:
        return False
    if (day.month, day.day) in config["fixed_holidays"]:
        return False
    return day not in (holidays() if extra_holidays is None else extra_holidays)


def add_working_days(start: date, count: int, *, config: dict | None = None) -> date:
    """The ``count``-th working day after ``start`` (the day of receipt does not count)."""
    extra = holidays()
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, extra_holidays=extra, config=config):
            remaining -= 1
    return day


def acknowledge_due(received_at: datetime, *, config: dict | None = None) -> datetime:
    """End of the last working day allowed for acknowledging a request received at ``received_at`` (local time)."""
    config = config or rules.current()
    local = timezone.localtime(received_at)
    last_day = add_working_days(local.date(), config["request_ack_working_days"], config=config)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))


def incident_due(detected_at: datetime, *, config: dict | None = None) -> datetime:
    config = config or rules.current()
    return detected_at + timedelta(hours=config["incident_notify_hours"])


def age_on(date_of_birth: date | None, day: date) -> int | None:
    if date_of_birth is None:
        return None
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
