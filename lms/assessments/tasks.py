"""Background import of large question files (Celery; eager without a broker). Progress is kept on the job row,
which the import page polls."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from lms.assessments.importers import import_bytes
from lms.assessments.models import ImportJob
from lms.assessments.services import ImportRejected, save_import


def progress_key(job_id: int) -> str:
    return f"assessments:import:{job_id}"


@shared_task(name="assessments.import_questions", soft_time_limit=1800, time_limit=1900)
def import_questions_task(job_id: int) -> dict:
    job = ImportJob.objects.select_related("bank", "user").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    with job.upload.open("rb") as handle:
        data = handle.read()
    result = import_bytes(data, name=job.file_name, fmt=job.format)
    ImportJob.objects.filter(pk=job.pk).update(total=len(result.questions))

    def progress(done: int, total: int) -> None:
        # An all-or-nothing import saves inside one transaction, which other connections cannot see into: the
        # progress goes through the cache (shared Redis in production) as well as the row.
        cache.set(progress_key(job.pk), {"done": done, "total": total}, timeout=3600)

    try:
        saved = save_import(result, bank=job.bank, author=job.user, per_item=job.per_item, progress=progress)
    except ImportRejected as exc:
        report = result.to_dict() | {"saved": 0, "message": _("Nothing was saved.") + " " + "; ".join(exc.messages[:5])}
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, report=_slim(report))
        return report
    report = result.to_dict() | {"saved": len(saved)}
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE, done=len(result.questions), report=_slim(report)
        )
    return _slim(report)


def _slim(report: dict) -> dict:
    """Keep the stored report small: counts, errors, and the first questions."""
    return {
        "format": report["format"],
        "count": len(report["questions"]),
        "questions": report["questions"][:50],
        "errors": report["errors"],
        "saved": report.get("saved", 0),
        "message": report.get("message", ""),
    }
