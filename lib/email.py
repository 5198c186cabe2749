"""Outgoing e-mail goes through a Celery task, after the surrounding transaction commits.

A slow or failing SMTP server then never blocks a web request, and a retry does not resend mail for a transaction
that was rolled back.
"""

from __future__ import annotations

from django.db import transaction

from lib.tasks import send_email_task


def send_email_on_commit(
    *, to: list[str], subject: str, body: str, html_body: str | None = None, from_email: str | None = None
) -> None:
    payload = {"to": to, "subject": subject, "body": body, "html_body": html_body, "from_email": from_email}
    transaction.on_commit(lambda: send_email_task.delay(**payload))
