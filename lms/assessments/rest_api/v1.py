"""REST API v1 for the question bank (mounted by config.api under /api/v1/).

The same rules as the pages and the search decide who sees what (``selectors.get_questions_visible_to``): staff
only; a bank's subject group sees every question and its latest version, other staff the ready versions of the banks
shared with them. A question or bank the caller may not see is a 404, so ids do not leak. Importing needs the right
to edit the bank (its subject group); ``dry_run`` reads and reports without saving, otherwise the questions are saved
as drafts — all-or-nothing (422 with the per-question errors) or ``per_item`` (what was saved and what was not).
"""

from __future__ import annotations

from typing import Any

from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from lms.assessments import selectors, services
from lms.assessments.importers import FORMATS, import_bytes
from lms.assessments.models import Question, QuestionBank, QuestionType, VersionStatus
from lms.schools.api import get_groups_of

router = Router(tags=["question bank"])
MAX_UPLOAD = 50 * 1024 * 1024
PAGE_MAX = 200


class BankOut(Schema):
    id: int
    name: str
    school: str
    subject_group: str
    sharing: str
    can_edit: bool


class QuestionSummaryOut(Schema):
    id: int
    bank: int
    type: str
    subject: str | None
    grade: int | None
    topic: str
    level: str
    tags: list[str]
    version: int
    status: str
    points: str
    stem: str


class QuestionPage(Schema):
    count: int
    items: list[QuestionSummaryOut]


class QuestionOut(QuestionSummaryOut):
    content: dict[str, Any]


class IssueOut(Schema):
    question: int | None
    message: str
    hint: str = ""


class ImportOut(Schema):
    format: str
    dry_run: bool
    questions: list[dict[str, Any]]
    errors: list[IssueOut]
    warnings: list[IssueOut]
    saved: list[int]


def _summary(question: Question, version) -> dict:
    return {
        "id": question.pk,
        "bank": question.bank_id,
        "type": question.type,
        "subject": question.subject.code if question.subject_id else None,
        "grade": question.grade,
        "topic": question.topic,
        "level": question.level,
        "tags": list(question.tags or []),
        "version": version.number,
        "status": version.status,
        "points": str(version.points),
        "stem": version.content.get("stem", ""),
    }


def _bank(request, bank_id: int) -> QuestionBank:
    bank = selectors.visible_banks(request.user).filter(pk=bank_id).first()
    if bank is None or not (request.user.is_superuser or get_groups_of(request.user).exists()):
        raise HttpError(404, "Not found")
    return bank


@router.get("/question-banks", response=list[BankOut], summary="Question banks the authenticated teacher may see")
def list_banks(request):
    if not (request.user.is_superuser or get_groups_of(request.user).exists()):
        return []
    editable = set(get_groups_of(request.user).values_list("pk", flat=True))
    return [
        {
            "id": bank.pk,
            "name": bank.name,
            "school": bank.subject_group.school.name,
            "subject_group": bank.subject_group.name,
            "sharing": bank.sharing,
            "can_edit": request.user.is_superuser or bank.subject_group_id in editable,
        }
        for bank in selectors.visible_banks(request.user).order_by("pk")
    ]


@router.get("/questions", response=QuestionPage, summary="Questions the authenticated teacher may see, filtered")
def list_questions(
    request,
    bank: int | None = None,
    type: str = "",
    level: str = "",
    status: str = "",
    grade: int | None = None,
    topic: str = "",
    limit: int = 50,
    offset: int = 0,
):
    if type and type not in QuestionType.values:
        raise HttpError(422, f"unknown question type {type!r}")
    if status and status not in VersionStatus.values:
        raise HttpError(422, f"unknown status {status!r}")
    filters: dict[str, Any] = {}
    if bank is not None:
        filters["bank_id"] = bank
    if type:
        filters["type"] = type
    if level:
        filters["level"] = level
    if grade is not None:
        filters["grade"] = grade
    if topic:
        filters["topic__icontains"] = topic
    count, page = selectors.get_question_page(
        request.user, filters=filters, status=status, limit=max(1, min(limit, PAGE_MAX)), offset=max(0, offset)
    )
    return {"count": count, "items": [_summary(q, v) for q, v in page]}


@router.get("/questions/{question_id}", response=QuestionOut, summary="One question with its full content")
def read_question(request, question_id: int):
    question = selectors.get_questions_visible_to(request.user).filter(pk=question_id).first()
    version = selectors.shown_version(request.user, question) if question is not None else None
    if version is None:
        raise HttpError(404, "Not found")
    content = dict(version.content)
    content.pop("media", None)
    return {**_summary(question, version), "content": content}


@router.post(
    "/question-banks/{bank_id}/import",
    response={200: ImportOut, 422: ImportOut},
    summary="Import a file of questions (GIFT, Aiken, Moodle XML, QTI, Word): a dry run, or saved as drafts",
)
def import_file(
    request,
    bank_id: int,
    file: UploadedFile = File(...),  # noqa: B008 (django-ninja's way of declaring an upload)
    format: str = Form("auto"),
    dry_run: bool = Form(True),
    per_item: bool = Form(False),
):
    bank = _bank(request, bank_id)
    if not selectors.can_edit_bank(request.user, bank):
        raise HttpError(403, "Only the bank's subject group imports into it")
    if format != "auto" and format not in FORMATS:
        raise HttpError(422, f"unknown format {format!r}; one of auto, {', '.join(FORMATS)}")
    if file.size > MAX_UPLOAD:
        raise HttpError(413, "the file is larger than 50 MB")
    result = import_bytes(file.read(), name=file.name or "", fmt=format)
    saved: list[int] = []
    status = 200
    if not dry_run:
        try:
            versions = services.save_import(result, bank=bank, author=request.user, per_item=per_item)
            saved = [v.question_id for v in versions]
        except services.ImportRejected:
            status = 422  # all-or-nothing: nothing saved, the errors say why
    body = {
        "format": result.format,
        "dry_run": dry_run,
        "questions": [q.to_summary() for q in result.questions],
        "errors": [e.to_dict() for e in result.errors],
        "warnings": [w.to_dict() for w in result.warnings],
        "saved": saved,
    }
    return Status(status, body)
