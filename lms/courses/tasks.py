"""Celery tasks of lms.courses."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="courses.send_plan_notifications")
def send_plan_notifications() -> int:
    from lms.courses.notifications import send_plan_notifications as send

    return send()
