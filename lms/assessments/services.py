"""Writes for the question bank. Keyword-only, each inside ``transaction.atomic()``.

Review follows the lesson rules (R9): the reviewer of a question is the head (tổ trưởng) of the bank's subject
group, found through ``lms.schools.api``; nobody approves their own version (when the head wrote it, the principal
reviews); every step is a :class:`ReviewDecision`. Only ``READY`` versions can be used in tests.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.email import send_email_on_commit
from lms.assessments.importers import iter_import
from lms.assessments.ir import ImportIssue, ImportResult, QType
from lms.assessments.ir import Question as IRQuestion
from lms.assessments.models import (
    Category,
    ImmutableVersionError,
    PendingQuestionFile,
    Question,
    QuestionBank,
    QuestionComment,
    QuestionFile,
    QuestionUsage,
    QuestionVersion,
    ReviewAction,
    ReviewDecision,
    VersionStatus,
)
from lms.assessments.signals import announce_questions_changed
from lms.schools.api import get_group_head, get_principal

LEVEL_ALIASES = {"biết": "biet", "biet": "biet", "hiểu": "hieu", "hieu": "hieu", "vận dụng": "van_dung"}
LEVEL_ALIASES |= {"van dung": "van_dung", "van_dung": "van_dung", "nb": "nb", "th": "th", "vd": "vd", "vdc": "vdc"}


class ImportRejected(ValidationError):
    """An all-or-nothing import refused because some questions have errors (nothing was saved)."""


class ReviewError(PermissionDenied):
    pass


# ------------------------------------------------------------------------------------------------------ banks
@transaction.atomic
def create_bank(*, subject_group, name: str, sharing: str = "school") -> QuestionBank:
    bank = QuestionBank(subject_group=subject_group, name=name, sharing=sharing)
    bank.full_clean()
    bank.save()
    return bank


@transaction.atomic
def get_or_create_category(*, bank: QuestionBank, path: str) -> Category | None:
    """``"Đại số/Hàm số"`` → the nested category, creating missing levels."""
    parent = None
    for name in [p.strip() for p in (path or "").split("/") if p.strip()]:
        parent, _created = Category.objects.get_or_create(bank=bank, parent=parent, name=name[:200])
    return parent


# ------------------------------------------------------------------------------------------------------ questions
def validate_content(q: IRQuestion) -> list[str]:
    """Authoring checks that block saving a question (R26), as translated messages."""
    problems = []
    if not (q.stem or "").strip():
        problems.append(_("Write the question text."))
    if q.type in (QType.SINGLE, QType.MULTIPLE):
        if len(q.choices) < 2:
            problems.append(_("Give at least two options."))
        if not any(c.correct for c in q.choices):
            problems.append(_("Mark the correct option."))
        if (
            q.type == QType.SINGLE
            and sum(1 for c in q.choices if c.correct) > 1
            and not any(c.fraction is not None for c in q.choices)
        ):
            problems.append(_("A single-choice question has exactly one correct option."))
    if q.type == QType.TF4:
        if [s.label for s in q.statements] != ["a", "b", "c", "d"]:
            problems.append(_("A Đúng/Sai question has exactly four statements a) to d)."))
        if any(not (s.text or "").strip() for s in q.statements):
            problems.append(_("Write every statement."))
    if q.type == QType.SHORT and not any(a.fraction > 0 for a in q.answers):
        problems.append(_("Give at least one accepted answer."))
    if q.type == QType.NUMERIC and not q.numeric:
        problems.append(_("Give the correct number."))
    if q.type == QType.MATCHING and sum(1 for p in q.pairs if p.left) < 2:
        problems.append(_("Give at least two pairs."))
    if q.type == QType.ORDERING and len(q.items) < 2:
        problems.append(_("Give at least two items to order."))
    if q.type in (QType.CLOZE, QType.GROUP) and not q.parts:
        problems.append(_("Add at least one sub-question."))
    if q.type == QType.GROUP:
        for i, part in enumerate(q.parts, start=1):
            problems.extend(
                _("Sub-question %(number)s: %(problem)s") % {"number": i, "problem": problem}
                for problem in validate_content(part)
            )
    if q.points < 0:
        problems.append(_("Points cannot be negative."))
    return problems


def authoring_warnings(q: IRQuestion) -> list[str]:
    """Warnings that do not block saving (R26: all four statements true, or all false)."""
    warnings = []
    if q.type == QType.TF4 and len(q.statements) == 4 and len({s.true for s in q.statements}) == 1:
        warnings.append(_("All four statements have the same key (all true or all false)."))
    return warnings


def _metadata(question: Question, q: IRQuestion, metadata: dict) -> None:
    for name in ("subject", "grade", "topic", "difficulty", "source", "licence", "category"):
        if name in metadata and metadata[name] is not None:
            setattr(question, name, metadata[name])
    level = metadata.get("level", q.level)
    if level:
        question.level = LEVEL_ALIASES.get(str(level).strip().lower(), "")
    question.tags = list(metadata.get("tags", q.tags) or [])
    question.idnumber = metadata.get("idnumber", q.idnumber) or ""


def _save_media(question: Question, media: dict[str, bytes]) -> None:
    for name, data in (media or {}).items():
        if data is None or QuestionFile.objects.filter(question=question, name=name).exists():
            continue
        f = QuestionFile(question=question, name=name)
        f.file.save(re.sub(r"[^\w.-]", "_", name.rsplit("/", 1)[-1]) or "file", ContentFile(data), save=False)
        f.save()


# ------------------------------------------------------------------------------------------------------ pictures
MAX_PICTURE_BYTES = 5 * 1024 * 1024
PICTURE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}  # never SVG: it can hold scripts
PENDING_UPLOAD_DAYS = 7
UPLOAD_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_REFERENCE = re.compile(r"@@PLUGINFILE@@/([A-Za-z0-9._-]+)")


def new_upload_token() -> str:
    """One per opened authoring form: the pictures uploaded from it are kept together until it is saved."""
    return secrets.token_urlsafe(24)


def _delete_files_on_commit(files) -> None:
    names = [(f.storage, f.name) for f in files if f.name]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def purge_pending_uploads(*, older_than_days: int = PENDING_UPLOAD_DAYS, user=None) -> int:
    """Delete the pictures of authoring forms that were never saved (older than ``older_than_days``)."""
    with transaction.atomic():
        stale = PendingQuestionFile.objects.filter(created_at__lt=timezone.now() - timedelta(days=older_than_days))
        if user is not None:
            stale = stale.filter(uploaded_by=user)
        stale = list(stale)
        _delete_files_on_commit([p.file for p in stale])
        PendingQuestionFile.objects.filter(pk__in=[p.pk for p in stale]).delete()
    return len(stale)


@transaction.atomic
def upload_picture(*, bank: QuestionBank, user, token: str, upload, question: Question | None = None):
    """Store a picture put into the rich-text editor (default storage) until the form is saved; returns the
    :class:`PendingQuestionFile`, whose ``name`` the texts refer to as ``@@PLUGINFILE@@/name``.

    Raises ``ValidationError`` naming the file and the reason: too large, not a PNG/JPEG/GIF/WebP picture, no form.
    """
    from PIL import Image, UnidentifiedImageError

    original = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    if not UPLOAD_TOKEN.fullmatch(token or ""):
        raise ValidationError(_("This authoring form has expired; reload the page and add the picture again."))
    if question is not None and question.bank_id != bank.pk:
        raise ValidationError(_("The question is not in this bank."))
    if upload.size > MAX_PICTURE_BYTES:
        raise ValidationError(
            _("The picture “%(name)s” is %(size)s MB; a picture may have at most %(max)s MB.")
            % {
                "name": original,
                "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                "max": MAX_PICTURE_BYTES // 1024 // 1024,
            }
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    if kind not in PICTURE_FORMATS:
        raise ValidationError(
            _("“%(name)s” is not a PNG, JPEG, GIF or WebP picture.") % {"name": original or _("The file")}
        )
    purge_pending_uploads(user=user)
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", original.rsplit(".", 1)[0])[:60].strip("_") or "hinh"
    name = f"{stem}-{secrets.token_hex(4)}.{PICTURE_FORMATS[kind]}"
    pending = PendingQuestionFile(bank=bank, question=question, uploaded_by=user, token=token, name=name)
    pending.file.save(name, ContentFile(data), save=False)
    try:
        pending.save()
    except DatabaseError:
        pending.file.delete(save=False)
        raise
    return pending


def _attach_pending(question: Question, user, token: str, content: IRQuestion) -> None:
    """Pictures of the form ``token`` that the saved texts refer to become the question's files; the form's other
    uploads are deleted (the teacher removed them from the texts)."""
    if not token:
        return
    used = set(_REFERENCE.findall(json.dumps(content.to_content())))
    pending = list(
        PendingQuestionFile.objects.select_for_update().filter(uploaded_by=user, token=token, bank=question.bank_id)
    )
    unused = []
    for p in pending:
        if p.question_id not in (None, question.pk):
            continue
        if p.name in used and not QuestionFile.objects.filter(question=question, name=p.name).exists():
            QuestionFile.objects.create(question=question, name=p.name, file=p.file.name)
        else:
            unused.append(p.file)
        p.delete()
    _delete_files_on_commit(unused)


@transaction.atomic
def create_question(
    *,
    bank: QuestionBank,
    author,
    content: IRQuestion,
    outcomes: Iterable = (),
    upload_token: str = "",
    **metadata,
) -> QuestionVersion:
    problems = validate_content(content)
    if problems:
        raise ValidationError(problems)
    question = Question(bank=bank, type=str(content.type), author=author)
    _metadata(question, content, metadata)
    question.full_clean()
    question.save()
    if outcomes:
        question.outcomes.set(outcomes)
    _save_media(question, content.media)
    _attach_pending(question, author, upload_token, content)
    return QuestionVersion.objects.create(
        question=question, number=1, content=content.to_content(), points=content.points, created_by=author
    )


@transaction.atomic
def edit_question(
    *,
    question: Question,
    user,
    content: IRQuestion,
    outcomes: Iterable | None = None,
    upload_token: str = "",
    **metadata,
):
    """Change a question. The latest draft (or returned) version is updated in place; if the latest version is
    waiting for review or ready, a new draft version is created (a ready version never changes)."""
    problems = validate_content(content)
    if problems:
        raise ValidationError(problems)
    if str(content.type) != question.type:
        raise ValidationError(_("The question type cannot change; create a new question instead."))
    question = Question.objects.select_for_update().get(pk=question.pk)
    latest = question.latest_version
    _metadata(question, content, metadata)
    question.full_clean()
    question.save()
    if outcomes is not None:
        question.outcomes.set(outcomes)
    _save_media(question, content.media)
    _attach_pending(question, user, upload_token, content)
    if latest and latest.status in (VersionStatus.DRAFT, VersionStatus.RETURNED):
        latest.content = content.to_content()
        latest.points = content.points
        latest.status = VersionStatus.DRAFT
        latest.save()
        return latest
    return QuestionVersion.objects.create(
        question=question,
        number=(latest.number + 1) if latest else 1,
        content=content.to_content(),
        points=content.points,
        created_by=user,
    )


@transaction.atomic
def add_comment(*, question: Question, author, text: str, version: QuestionVersion | None = None):
    if not text.strip():
        raise ValidationError(_("Write a comment."))
    return QuestionComment.objects.create(question=question, author=author, text=text.strip(), version=version)


# ------------------------------------------------------------------------------------------------------ review
def reviewer_for(version: QuestionVersion):
    """The tổ trưởng of the bank's subject group; the principal when the tổ trưởng wrote the version."""
    bank = version.question.bank
    head = get_group_head(bank.subject_group)
    if head is not None and head.pk != version.created_by_id:
        return head, "group_head"
    principal = get_principal(bank.subject_group.school)
    if principal is not None and principal.pk != version.created_by_id:
        return principal, "principal"
    return None, ""


@transaction.atomic
def submit_for_review(*, version: QuestionVersion, user, comment: str = "") -> QuestionVersion:
    version = QuestionVersion.objects.select_for_update().get(pk=version.pk)
    if version.status not in (VersionStatus.DRAFT, VersionStatus.RETURNED):
        raise ReviewError(_("Only a draft can be sent for review."))
    if user.pk not in (version.created_by_id, version.question.author_id):
        raise ReviewError(_("Only the author sends a question for review."))
    problems = validate_content(version.as_ir())
    if problems:
        raise ValidationError(problems)
    reviewer, _role = reviewer_for(version)
    if reviewer is None:
        raise ReviewError(_("The subject group has no head who could review this question."))
    version.status = VersionStatus.IN_REVIEW
    version.submitted_by = user
    version.save()
    ReviewDecision.objects.create(
        version=version, actor=user, action=ReviewAction.SUBMIT, role="author", comment=comment
    )
    if reviewer.email:
        send_email_on_commit(
            to=[reviewer.email],
            subject=_("Question waiting for your review: %(title)s") % {"title": version.title},
            body=_(
                "%(author)s sent a question of the bank “%(bank)s” for review. Open the question bank, "
                "“Questions awaiting your review”, to approve it or return it with comments."
            )
            % {"author": user.get_full_name() or user, "bank": version.question.bank.name},
        )
    return version


@transaction.atomic
def review_version(*, version: QuestionVersion, user, action: str, comment: str = "") -> QuestionVersion:
    """``approve`` (→ ready) or ``return`` (→ returned, with a comment). Only the version's reviewer may act, and
    never on their own version."""
    version = QuestionVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.IN_REVIEW:
        raise ReviewError(_("This version is not waiting for review."))
    if user.pk in (version.created_by_id, version.submitted_by_id):
        raise ReviewError(_("You cannot approve or return your own question."))
    reviewer, role = reviewer_for(version)
    if reviewer is None or reviewer.pk != user.pk:
        raise ReviewError(_("Only the head of the subject group reviews this question."))
    if action == ReviewAction.APPROVE:
        version.status = VersionStatus.READY
        version.approved_by = user
        version.approved_at = timezone.now()
    elif action == ReviewAction.RETURN:
        if not comment.strip():
            raise ValidationError(_("Say what to change when returning a question."))
        version.status = VersionStatus.RETURNED
    else:
        raise ValueError(f"Unknown review action {action!r}")
    version.save()
    decision = ReviewDecision.objects.create(version=version, actor=user, action=action, role=role, comment=comment)
    author = version.submitted_by or version.created_by
    if author.email:
        send_email_on_commit(
            to=[author.email],
            subject=_("Your question “%(title)s”: %(decision)s")
            % {"title": version.title, "decision": decision.get_action_display().lower()},
            body=_("%(reviewer)s decided: %(decision)s.\n\nComment: %(comment)s")
            % {
                "reviewer": user.get_full_name() or user,
                "decision": decision.get_action_display(),
                "comment": comment or "—",
            },
        )
    return version


@transaction.atomic
def record_usage(*, version: QuestionVersion, used_in: str, label: str = "") -> QuestionUsage:
    """Called by tests / lessons when they take a version. Only ready versions may be used."""
    if version.status != VersionStatus.READY:
        raise ImmutableVersionError(_("Only a version approved by the subject group can be used."))
    usage, _created = QuestionUsage.objects.get_or_create(version=version, used_in=used_in, defaults={"label": label})
    return usage


# ------------------------------------------------------------------------------------------------------ imports
def save_import(
    result: ImportResult,
    *,
    bank: QuestionBank,
    author,
    per_item: bool = False,
    progress: Callable[[int, int], None] | None = None,
    **metadata,
) -> list[QuestionVersion]:
    """Save the questions of an import as drafts.

    All-or-nothing (default): if the file has any error, nothing is saved and :class:`ImportRejected` lists them;
    otherwise everything is saved in one transaction (in batches of 500 rows).
    Per item: the questions that pass validation are saved (a batch at a time; a batch the database refuses is
    retried question by question); every other question is added to ``result.errors`` — none is dropped silently.
    """
    if result.errors and not per_item:
        raise ImportRejected(
            [f"{_('question')} {e.question or '—'}: {e.message}" for e in result.errors], code="import_errors"
        )
    saved: list[QuestionVersion] = []
    total = len(result.questions)
    good = []
    for q in result.questions:
        problems = validate_content(q)
        if problems and not per_item:
            raise ImportRejected(
                [f"{_('question')} {x.number}: {p}" for x in result.questions for p in validate_content(x)],
                code="import_errors",
            )
        for problem in problems:
            result.error(q.number, problem)
        if not problems:
            good.append(q)
    # All-or-nothing: one transaction. Per item: the invalid questions are reported in ``result.errors`` above and
    # the valid ones saved; a batch that fails in the database is retried question by question.
    if not per_item:
        with transaction.atomic():
            for category in result.categories:
                get_or_create_category(bank=bank, path=category)
            for start in range(0, total, BATCH):
                saved.extend(_bulk_create(good[start : start + BATCH], bank, author, metadata))
                if progress:
                    progress(min(start + BATCH, total), total)
        return saved
    with transaction.atomic():
        for category in result.categories:
            get_or_create_category(bank=bank, path=category)
    for start in range(0, len(good), BATCH):
        batch = good[start : start + BATCH]
        try:
            with transaction.atomic():
                saved.extend(_bulk_create(batch, bank, author, metadata))
        except (ValidationError, DatabaseError):
            for q in batch:
                try:
                    with transaction.atomic():
                        saved.extend(_bulk_create([q], bank, author, metadata))
                except (ValidationError, DatabaseError) as exc:
                    result.error(q.number, "; ".join(getattr(exc, "messages", [str(exc)])))
        if progress:
            progress(min(start + len(batch), len(good)), len(good))
    return saved


BATCH = 500


@dataclass
class StreamReport:
    format: str
    count: int = 0  # questions read
    saved: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    sample: list[dict] = field(default_factory=list)  # the first questions, for the report page


def save_import_stream(
    data: bytes,
    *,
    bank: QuestionBank,
    author,
    name: str = "",
    fmt: str = "auto",
    per_item: bool = False,
    progress: Callable[[int, int], None] | None = None,
    sample_size: int = 50,
    **metadata,
) -> StreamReport:
    """``save_import`` for large files, in two streaming passes so that memory does not grow with the file: the
    first reads and validates every question, keeping only the problems (all-or-nothing stops here if there is
    one: nothing is saved); the second reads again and saves batches of 500 (one transaction for all-or-nothing,
    one per batch per item — invalid questions are reported, never dropped silently)."""
    categories: set[str] = set()
    report = StreamReport(format=fmt)
    for report.format, item in iter_import(data, name=name, fmt=fmt, categories=categories):
        if isinstance(item, ImportIssue):
            report.errors.append(item)
            continue
        report.count += 1
        if len(report.sample) < sample_size:
            report.sample.append(item.to_summary())
        report.errors.extend(ImportIssue(item.number, problem) for problem in validate_content(item))
    report.errors.sort(key=lambda e: (e.question is not None, e.question or 0))
    if report.errors and not per_item:
        rejected = ImportRejected(
            [f"{_('question')} {e.question or '—'}: {e.message}" for e in report.errors], code="import_errors"
        )
        rejected.issues = report.errors
        raise rejected
    bad = {e.question for e in report.errors}

    def batches():
        batch = []
        for _fmt, item in iter_import(data, name=name, fmt=report.format):
            if isinstance(item, ImportIssue) or item.number in bad:
                continue
            batch.append(item)
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def save(batch):
        report.saved += len(_bulk_create(batch, bank, author, metadata))
        if progress:
            progress(report.saved, report.count)

    if not per_item:
        with transaction.atomic():
            for category in sorted(categories - {""}):
                get_or_create_category(bank=bank, path=category)
            for batch in batches():
                save(batch)
        return report
    for category in sorted(categories - {""}):
        get_or_create_category(bank=bank, path=category)
    for batch in batches():
        try:
            with transaction.atomic():
                save(batch)
        except (ValidationError, DatabaseError):
            for q in batch:
                try:
                    with transaction.atomic():
                        save([q])
                except (ValidationError, DatabaseError) as exc:
                    report.errors.append(ImportIssue(q.number, "; ".join(getattr(exc, "messages", [str(exc)]))))
    return report


def _bulk_create(questions: list[IRQuestion], bank: QuestionBank, author, metadata: dict) -> list[QuestionVersion]:
    """Save already validated questions in a few queries (large imports): questions, then their first versions,
    then their files. Field values are checked as ``full_clean`` would (choices, lengths) without a query each."""
    categories: dict[str, Category | None] = {}
    rows = []
    for q in questions:
        if q.category not in categories:
            categories[q.category] = get_or_create_category(bank=bank, path=q.category) if q.category else None
        question = Question(bank=bank, type=str(q.type), author=author, category=categories[q.category])
        _metadata(question, q, metadata)
        question.clean_fields(exclude=["bank", "author", "category", "subject"])
        rows.append(question)
    Question.objects.bulk_create(rows)
    versions = QuestionVersion.objects.bulk_create(
        [
            QuestionVersion(question=row, number=1, content=q.to_content(), points=q.points, created_by=author)
            for row, q in zip(rows, questions, strict=True)
        ]
    )
    for row, q in zip(rows, questions, strict=True):
        if q.media:
            _save_media(row, q.media)
    announce_questions_changed(row.pk for row in rows)  # bulk_create sends no post_save (search listens)
    return versions


def total_points(versions: Iterable[QuestionVersion]) -> Decimal:
    return sum((v.points for v in versions), Decimal(0))
