"""Celery tasks of the shared layer."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def send_email_task(self, *, to, subject, body, html_body=None, from_email=None) -> int:
    """Send one message; returns the number of messages the backend accepted (0 or 1)."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=list(to))
    if html_body:
        message.attach_alternative(html_body, "text/html")
    sent = message.send()
    logger.info("email sent", extra={"recipients": len(to), "task_id": self.request.id})
    return sent
