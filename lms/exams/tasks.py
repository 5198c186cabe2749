from celery import shared_task

from lms.exams.services import submit_expired


@shared_task(name="exams.submit_expired_attempts")
def submit_expired_attempts() -> int:
    """Submit every attempt whose time is up, also when the student's browser is gone (every 30 s in beat)."""
    return submit_expired()
