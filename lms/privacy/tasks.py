"""Celery tasks of lms.privacy (scheduled by CELERY_BEAT_SCHEDULE in config/settings/base.py)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="privacy.purge_behaviour_logs")
def purge_behaviour_logs() -> int:
    from lms.privacy.services import purge_behaviour, purge_deliveries

    purge_deliveries()  # expired request exports go the same day
    return purge_behaviour()
