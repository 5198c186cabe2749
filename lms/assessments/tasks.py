"""Background import of large question files (Celery; eager without a broker). Progress is kept on the job row,
which the import page polls."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils.translation import gettext as _

from lms.assessments.models import ImportJob
from lms.assessments.services import ImportRejected, save_import_stream


def progress_key(job_id: int) -> str:
    return f"assessments:import:{job_id}"


@shared_task(name="assessments.import_questions", soft_time_limit=1800, time_limit=1900)
def import_questions_task(job_id: int) -> dict:
    job = ImportJob.objects.select_related("bank", "user").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    with job.upload.open("rb") as handle:
        data = handle.read()

    def progress(done: int, total: int) -> None:
        # An all-or-nothing import saves inside one transaction, which other connections cannot see into: the
        # progress goes through the cache (shared Redis in production).
        cache.set(progress_key(job.pk), {"done": done, "total": total}, timeout=3600)

    try:
        result = save_import_stream(
            data, bank=job.bank, author=job.user, name=job.file_name, fmt=job.format, per_item=job.per_item,
            progress=progress,
        )  # fmt: skip
    except ImportRejected as exc:
        report = {
            "saved": 0,
            "message": _("Nothing was saved.") + " " + "; ".join(exc.messages[:5]),
            "errors": [e.to_dict() for e in getattr(exc, "issues", [])],
        }
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, report=report)
        return report
    report = {
        "format": result.format,
        "count": result.count,
        "saved": result.saved,
        "questions": result.sample,
        "errors": [e.to_dict() for e in result.errors],
    }
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, done=result.saved, total=result.count, report=report
    )
    return report
