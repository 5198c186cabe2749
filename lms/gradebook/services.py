"""Writes to gradebooks. Each runs in one transaction; permission is checked here as well as in the views."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.courses.api import get_class_students, get_subject_offering
from lms.gradebook import access, rules
from lms.gradebook.models import (
    AuditAction,
    AuditEntry,
    Column,
    ColumnKind,
    Gradebook,
    Mark,
    Method,
    Period,
    PrimaryYearResult,
    Profile,
    QualityRating,
    StudentResult,
)
from lms.gradebook.rules import Level, Rating, YearLevel


def _display(mark: Mark | None) -> str:
    if mark is None:
        return ""
    if mark.score is not None:
        return rules.format_score(mark.score)
    return mark.rating


@transaction.atomic
def open_gradebook(*, school_class, subject, semester: int) -> Gradebook:
    """The gradebook of a subject × class × semester, created with its columns the first time: the required number
    of ĐĐGtx (R18), one ĐĐGgk and one ĐĐGck (R19); in a primary class (TT 27/2020) a rating and the configured
    integer tests at each checkpoint of the semester (R24)."""
    existing = Gradebook.objects.filter(school_class=school_class, subject=subject, semester=semester).first()
    if existing is not None:
        return existing
    offering = get_subject_offering(school_class, subject)
    if offering is None:
        raise ValidationError(
            _("%(subject)s is not offered to grade %(grade)s this year: add it to the school year first.")
            % {"subject": subject, "grade": school_class.grade}
        )
    profile = rules.profile_for_grade(school_class.grade)
    method = Method.COMMENT if offering.assessment_method == Method.COMMENT else Method.SCORE
    gradebook = Gradebook.objects.create(
        school_class=school_class,
        subject=subject,
        semester=semester,
        profile=profile,
        method=method,
        periods_per_year=offering.periods_per_year,
    )
    if profile == Profile.TT27_2020:
        tested = rules.primary_tests(subject.code, school_class.grade, semester)
        for checkpoint in rules.primary_checkpoints(semester):
            Column.objects.create(gradebook=gradebook, kind=ColumnKind.RATING, checkpoint=checkpoint)
            if checkpoint in tested:
                Column.objects.create(gradebook=gradebook, kind=ColumnKind.TEST, checkpoint=checkpoint)
    else:
        for position in range(1, required_tx(gradebook) + 1):
            Column.objects.create(gradebook=gradebook, kind=ColumnKind.TX, position=position)
        Column.objects.create(gradebook=gradebook, kind=ColumnKind.GK)
        Column.objects.create(gradebook=gradebook, kind=ColumnKind.CK)
    return gradebook


def required_tx(gradebook: Gradebook) -> int:
    return rules.required_tx(gradebook.periods_per_year, comment=gradebook.method == Method.COMMENT)


@transaction.atomic
def add_regular_column(*, actor, gradebook: Gradebook) -> Column:
    """One more ĐĐGtx column (R18 allows more than the required number)."""
    if not access.can_edit(actor, gradebook):
        raise PermissionDenied
    if gradebook.profile != Profile.TT22_2021:
        raise ValidationError(_("Primary gradebooks have no regular assessment columns (TT 27/2020: comments only)."))
    if gradebook.is_locked:
        raise ValidationError(_("The gradebook is locked."))
    last = gradebook.columns.filter(kind=ColumnKind.TX).aggregate(m=Max("position"))["m"] or 0
    return Column.objects.create(gradebook=gradebook, kind=ColumnKind.TX, position=last + 1)


def _parse(column: Column, value: str):
    """(score, rating) for what was typed in a column, or ``ValidationError`` saying why not."""
    gradebook = column.gradebook
    text = value.strip()
    if column.kind == ColumnKind.TEST:
        return rules.parse_score(text, rules.PRIMARY_PROFILE), ""
    if column.kind == ColumnKind.RATING:
        allowed = rules.PROFILES[rules.PRIMARY_PROFILE]["subject_ratings"]
    elif gradebook.method == Method.COMMENT:
        allowed = (Rating.DAT, Rating.CHUA_DAT)
    else:
        return rules.parse_score(text, gradebook.profile), ""
    normalized = {str(rules.Rating.LABELS[r]).casefold(): r for r in allowed} | {r.casefold(): r for r in allowed}
    rating = normalized.get(text.casefold())
    if rating is None:
        raise rules.ScoreError(
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(str(rules.Rating.LABELS[r]) for r in allowed)}
        )
    return None, rating


@transaction.atomic
def record_mark(*, actor, column: Column, student, value: str, reason: str = "", source: str = "") -> Mark | None:
    """Enter, change or clear one mark. A change after first entry is written to the audit (who, when, old, new,
    reason). A locked column or gradebook refuses every change."""
    column = Column.objects.select_for_update().select_related("gradebook__school_class").get(pk=column.pk)
    gradebook = column.gradebook
    if not access.can_edit(actor, gradebook):
        raise PermissionDenied
    if gradebook.is_locked or column.is_locked:
        raise ValidationError(
            _("%(column)s is locked: ask the principal or the school administrator to unlock it.")
            % {"column": column.label}
        )
    if student.pk not in {s.pk for s in get_class_students(gradebook.school_class)}:
        raise ValidationError(_("%(student)s is not in this class.") % {"student": student.get_full_name()})
    mark = Mark.objects.filter(column=column, student=student).first()
    old = _display(mark)
    entered_by = actor
    if not value.strip():
        if mark is None:
            return None
        mark.delete()
        _audit(actor=entered_by, column=column, student=student, old=old, new="", reason=reason)
        return None
    try:
        score, rating = _parse(column, value)
    except rules.ScoreError as error:
        raise ValidationError(
            _("%(student)s, %(column)s: %(error)s")
            % {"student": student.get_full_name(), "column": column.label, "error": error}
        ) from None
    if mark is None:
        return Mark.objects.create(
            column=column, student=student, score=score, rating=rating, entered_by=entered_by, source=source
        )
    if mark.score == score and mark.rating == rating:
        return mark
    mark.score, mark.rating = score, rating
    mark.source = source or mark.source
    mark.save(update_fields=["score", "rating", "source", "updated_at"])
    _audit(actor=entered_by, column=column, student=student, old=old, new=_display(mark), reason=reason)
    return mark


def _audit(*, actor, column, student, old, new, reason, action=AuditAction.CHANGE):
    AuditEntry.objects.create(
        gradebook=column.gradebook,
        school_class=column.gradebook.school_class,
        column=column,
        student=student,
        action=action,
        actor=actor,
        old_value=old,
        new_value=new,
        reason=reason,
    )


@transaction.atomic
def record_marks(*, actor, gradebook: Gradebook, entries: dict[tuple[int, int], str], reason: str = "") -> int:
    """Save a whole form: ``{(column_id, student_id): typed value}``. All or nothing: every bad value is reported
    (student, column, why) and nothing is saved. Returns the number of marks entered or changed."""
    columns = {c.pk: c for c in gradebook.columns.all()}
    students = {s.pk: s for s in get_class_students(gradebook.school_class)}
    existing = {(m.column_id, m.student_id): _display(m) for m in Mark.objects.filter(column__gradebook=gradebook)}
    errors, changed = [], 0
    for (column_id, student_id), value in entries.items():
        column, student = columns.get(column_id), students.get(student_id)
        if column is None or student is None:
            continue
        if value.strip() == existing.get((column_id, student_id), ""):
            continue
        if value.strip() and existing.get((column_id, student_id)) is not None:
            # The same value typed with a dot instead of a comma is not a change.
            try:
                score, rating = _parse(column, value)
                if (rules.format_score(score) if score is not None else rating) == existing[(column_id, student_id)]:
                    continue
            except rules.ScoreError:
                pass
        try:
            record_mark(actor=actor, column=column, student=student, value=value, reason=reason)
            changed += 1
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)
    return changed


def _lock(obj, actor, locked: bool):
    obj.is_locked = locked
    obj.locked_by = actor if locked else None
    obj.locked_at = timezone.now() if locked else None
    obj.save(update_fields=["is_locked", "locked_by", "locked_at"])


@transaction.atomic
def lock_column(*, actor, column: Column) -> None:
    if not access.can_lock(actor, column.gradebook):
        raise PermissionDenied
    if column.is_locked:
        return
    _lock(column, actor, True)
    _audit(actor=actor, column=column, student=None, old="", new="", reason="", action=AuditAction.LOCK_COLUMN)


def _check_unlock(actor, gradebook, reason):
    if not access.can_unlock(actor, gradebook.school_class.school_year.school):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give the reason for unlocking: it is kept in the gradebook's audit."))


@transaction.atomic
def unlock_column(*, actor, column: Column, reason: str) -> None:
    _check_unlock(actor, column.gradebook, reason)
    if not column.is_locked:
        return
    _lock(column, actor, False)
    _audit(
        actor=actor,
        column=column,
        student=None,
        old="",
        new="",
        reason=reason.strip(),
        action=AuditAction.UNLOCK_COLUMN,
    )


@transaction.atomic
def lock_gradebook(*, actor, gradebook: Gradebook) -> None:
    if not access.can_lock(actor, gradebook):
        raise PermissionDenied
    if gradebook.is_locked:
        return
    _lock(gradebook, actor, True)
    AuditEntry.objects.create(
        gradebook=gradebook, school_class=gradebook.school_class, action=AuditAction.LOCK_BOOK, actor=actor
    )


@transaction.atomic
def unlock_gradebook(*, actor, gradebook: Gradebook, reason: str) -> None:
    _check_unlock(actor, gradebook, reason)
    if not gradebook.is_locked:
        return
    _lock(gradebook, actor, False)
    AuditEntry.objects.create(
        gradebook=gradebook,
        school_class=gradebook.school_class,
        action=AuditAction.UNLOCK_BOOK,
        actor=actor,
        reason=reason.strip(),
    )


def _result(school_class, period, student) -> StudentResult:
    result, _created = StudentResult.objects.select_for_update().get_or_create(
        school_class=school_class, period=period, student=student
    )
    return result


@transaction.atomic
def confirm_level(*, actor, school_class, period: str, student, level: str, suggested: str = "") -> StudentResult:
    """The homeroom teacher confirms (or overrides) the suggested academic level (R21)."""
    if not access.can_confirm_results(actor, school_class):
        raise PermissionDenied
    if level not in Level.ORDER or period not in Period.values:
        raise ValidationError(_("Unknown level or period."))
    result = _result(school_class, period, student)
    old = result.level
    result.level, result.suggested_level = level, suggested or result.suggested_level
    result.level_confirmed_by, result.level_confirmed_at = actor, timezone.now()
    result.save()
    AuditEntry.objects.create(
        school_class=school_class,
        student=student,
        action=AuditAction.LEVEL,
        actor=actor,
        old_value=old,
        new_value=level,
    )
    return result


@transaction.atomic
def record_conduct(*, actor, school_class, period: str, student, conduct: str, comment: str = "") -> StudentResult:
    """Conduct (rèn luyện) per semester and year, Tốt/Khá/Đạt/Chưa đạt with a comment (R22)."""
    if not access.can_confirm_results(actor, school_class):
        raise PermissionDenied
    if conduct not in Level.ORDER or period not in Period.values:
        raise ValidationError(_("Unknown conduct level or period."))
    result = _result(school_class, period, student)
    old = result.conduct
    result.conduct, result.conduct_comment = conduct, comment.strip()
    result.save(update_fields=["conduct", "conduct_comment"])
    if old and old != conduct:
        AuditEntry.objects.create(
            school_class=school_class,
            student=student,
            action=AuditAction.CONDUCT,
            actor=actor,
            old_value=old,
            new_value=conduct,
        )
    return result


def record_transferred(
    *, actor, school_class, subject, semester: int, student, score: Decimal, source: str
) -> Mark | None:
    """A score sent from an LMS assignment (R11): written into the first empty, unlocked ĐĐGtx column of the
    semester's gradebook, or a new ĐĐGtx column when every one is filled or locked."""
    with transaction.atomic():
        gradebook = open_gradebook(school_class=school_class, subject=subject, semester=semester)
        if gradebook.is_locked or gradebook.method != Method.SCORE or gradebook.profile != Profile.TT22_2021:
            return None
        filled = set(
            Mark.objects.filter(column__gradebook=gradebook, student=student).values_list("column_id", flat=True)
        )
        column = next(
            (c for c in gradebook.columns.filter(kind=ColumnKind.TX, is_locked=False) if c.pk not in filled), None
        )
        if column is None:
            column = add_regular_column(actor=actor, gradebook=gradebook)
        return record_mark(actor=actor, column=column, student=student, value=rules.format_score(score), source=source)


def _require_primary(school_class) -> None:
    if rules.profile_for_grade(school_class.grade) != rules.PRIMARY_PROFILE:
        raise ValidationError(
            _(
                "Class %(name)s is not a primary class: only TT 27/2020 classes have qualities, competences and "
                "the year-end summary."
            )
            % {"name": school_class.name}
        )


def _parse_quality(value: str) -> str:
    allowed = rules.PROFILES[rules.PRIMARY_PROFILE]["quality_ratings"]
    text = value.strip().casefold()
    normalized = {str(Rating.LABELS[r]).casefold(): r for r in allowed} | {r.casefold(): r for r in allowed}
    if text in normalized:
        return normalized[text]
    raise rules.ScoreError(
        _("“%(value)s” is not one of: %(allowed)s.")
        % {"value": value, "allowed": ", ".join(str(Rating.LABELS[r]) for r in allowed)}
    )


@transaction.atomic
def record_quality_ratings(
    *, actor, school_class, checkpoint: str, entries: dict[tuple[int, str], str], reason: str = ""
) -> int:
    """The homeroom teacher's Tốt / Đạt / Cần cố gắng for each quality and competence of each pupil at one checkpoint
    (TT 27 Art. 7(2)). All or nothing: every bad value is reported by pupil and item. A first rating is kept on the
    row; every later change or clearing gets an audit row. Returns how many ratings changed."""
    if not access.can_confirm_results(actor, school_class):
        raise PermissionDenied
    _require_primary(school_class)
    if checkpoint not in rules.PROFILES[rules.PRIMARY_PROFILE]["quality_checkpoints"]:
        raise ValidationError(_("Unknown checkpoint %(checkpoint)s.") % {"checkpoint": checkpoint})
    students = {s.pk: s for s in get_class_students(school_class)}
    items = rules.primary_quality_items()
    existing = {
        (q.student_id, q.item): q
        for q in QualityRating.objects.select_for_update().filter(school_class=school_class, checkpoint=checkpoint)
    }
    errors, parsed = [], {}
    for (student_pk, item), value in entries.items():
        student = students.get(student_pk)
        if student is None or item not in items:
            errors.append(_("A rating was sent for a pupil or an item that is not in this class’s sheet."))
            continue
        if not value.strip():
            parsed[(student_pk, item)] = ""
            continue
        try:
            parsed[(student_pk, item)] = _parse_quality(value)
        except rules.ScoreError as error:
            errors.append(
                _("%(student)s, %(item)s: %(error)s")
                % {"student": student.get_full_name(), "item": rules.QUALITY_LABELS[item], "error": error}
            )
    if errors:
        raise ValidationError(errors)
    changed = 0
    for (student_pk, item), rating in parsed.items():
        row = existing.get((student_pk, item))
        old = row.rating if row is not None else ""
        if old == rating:
            continue
        if row is None:
            QualityRating.objects.create(
                school_class=school_class,
                student=students[student_pk],
                checkpoint=checkpoint,
                item=item,
                rating=rating,
                entered_by=actor,
            )
        else:
            if rating:
                row.rating = rating
                row.save(update_fields=["rating", "updated_at"])
            else:
                row.delete()
            AuditEntry.objects.create(
                school_class=school_class,
                student=students[student_pk],
                action=AuditAction.QUALITY,
                actor=actor,
                old_value=f"{checkpoint} {item} {old}"[:40],
                new_value=f"{checkpoint} {item} {rating}"[:40],
                reason=reason.strip(),
            )
        changed += 1
    return changed


@transaction.atomic
def confirm_primary_year(*, actor, school_class, student, level: str, suggested: str = "") -> PrimaryYearResult:
    """The homeroom teacher confirms (or overrides) a primary pupil's suggested year-end summary (TT 27 Art. 9)."""
    if not access.can_confirm_results(actor, school_class):
        raise PermissionDenied
    _require_primary(school_class)
    if level not in YearLevel.ORDER:
        raise ValidationError(_("Unknown year-end level."))
    if student.pk not in {s.pk for s in get_class_students(school_class)}:
        raise ValidationError(_("%(student)s is not in this class.") % {"student": student.get_full_name()})
    result, _created = PrimaryYearResult.objects.select_for_update().get_or_create(
        school_class=school_class, student=student
    )
    old = result.level
    result.level, result.suggested_level = level, suggested or result.suggested_level
    result.confirmed_by, result.confirmed_at = actor, timezone.now()
    result.save()
    AuditEntry.objects.create(
        school_class=school_class,
        student=student,
        action=AuditAction.PRIMARY_LEVEL,
        actor=actor,
        old_value=old,
        new_value=level,
    )
    return result


def _check_exam_transfer(actor, gradebook: Gradebook, sitting, column: Column) -> None:
    if not access.can_edit(actor, gradebook):
        raise PermissionDenied
    if column.gradebook_id != gradebook.pk or column.kind not in exam_column_kinds(gradebook):
        raise ValidationError(_("Choose a regular, mid-term or end-of-term column of this gradebook."))
    if gradebook.profile == Profile.TT22_2021 and gradebook.method != Method.SCORE:
        raise ValidationError(_("Test scores go only into a scored gradebook (TT 22/2021)."))
    course = sitting.course
    if course.school_class_id != gradebook.school_class_id or course.subject_id != gradebook.subject_id:
        raise ValidationError(_("The test “%(test)s” was not sat by this class in this subject.") % {"test": sitting})
    if gradebook.is_locked or column.is_locked:
        raise ValidationError(
            _("%(column)s is locked: ask the principal or the school administrator to unlock it.")
            % {"column": column.label}
        )


def exam_column_kinds(gradebook: Gradebook) -> tuple[str, ...]:
    """Columns a test's scores may go into: TX / GK / CK of a scored TT 22 gradebook, the periodic-test columns
    (whole numbers) of a TT 27 one."""
    if gradebook.profile == Profile.TT27_2020:
        return (ColumnKind.TEST,)
    return (ColumnKind.TX, ColumnKind.GK, ColumnKind.CK)


def exam_source(sitting) -> str:
    return f"exams.sitting:{sitting.pk} {sitting}"[:80]


@transaction.atomic
def transfer_exam_scores(*, actor, gradebook: Gradebook, sitting, column: Column) -> dict:
    """Move a graded sitting's scores (0–10, half-up to one decimal) into one column, all or nothing. A mark that
    changes is audited like a typed change, with the reason "Transferred from the test <name>"; students without a
    submitted, fully marked attempt are left as they are and listed. Returns ``{"changed", "unchanged", "missing"}``
    (``missing``: list of (student, why))."""
    from lms.gradebook.selectors import get_exam_preview

    gradebook = Gradebook.objects.select_for_update().get(pk=gradebook.pk)
    column = Column.objects.select_related("gradebook").get(pk=column.pk)
    _check_exam_transfer(actor, gradebook, sitting, column)
    reason = _("Transferred from the test %(name)s") % {"name": sitting}
    source = exam_source(sitting)
    changed, unchanged, missing, errors = 0, 0, [], []
    for row in get_exam_preview(gradebook, sitting, column):
        if row.score is None:
            missing.append((row.student, row.missing))
            continue
        if not row.changes:
            unchanged += 1
            continue
        try:
            record_mark(
                actor=actor,
                column=column,
                student=row.student,
                value=rules.format_score(row.score),
                reason=reason,
                source=source,
            )
            changed += 1
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)
    return {"changed": changed, "unchanged": unchanged, "missing": missing}


def _regrade_blocker(mark: Mark, confirmed: set[tuple[int, int, str]], primary_confirmed: set[tuple[int, int]]) -> str:
    """Why a mark moved from a test may not follow the test's regrade on its own ("" when it may)."""
    column, gradebook = mark.column, mark.column.gradebook
    if gradebook.is_locked:
        return _("the gradebook is locked")
    if column.is_locked:
        return _("the column %(column)s is locked") % {"column": column.label}
    key = (gradebook.school_class_id, mark.student_id)
    for period in (str(gradebook.semester), Period.YEAR):
        if (*key, period) in confirmed:
            return _("the homeroom teacher has already confirmed the level for %(period)s") % {
                "period": Period(period).label
            }
    if gradebook.profile == Profile.TT27_2020 and gradebook.semester == 2 and key in primary_confirmed:
        return _("the homeroom teacher has already confirmed the year-end summary")
    return ""


@transaction.atomic
def apply_exam_regrade(*, actor, changes, reason: str) -> dict:
    """A computer-based test was regraded (``lms.exams`` ``attempts_regraded``, sent inside the regrade's
    transaction): every mark moved from one of those sittings (``source`` ``exams.sitting:<id> …``) that still holds
    the score the test gave before follows it to the new score, audited like any change (old → new, "Regrade of the
    test <name>: <reason>"), with ``actor`` (who regraded) as the one who changed it.

    Gradebook rules are kept, never overwritten silently: a mark is not updated when ``actor`` may not edit that
    gradebook, the gradebook or the column is locked, the homeroom teacher has confirmed the student's level for the
    semester or the year (or, in a primary class, the year-end summary, for semester 2), or the mark no longer holds
    the test's old score (typed over in the gradebook). Each of those gets a ``regrade_refused`` audit row (current
    mark, the new score, why) and is listed. Returns ``{"updated": [row…], "not_updated": [row…]}`` with JSON-ready
    rows ``{"student", "username", "gradebook", "column", "old", "new", "why"}``."""
    from lms.gradebook.selectors import exam_score

    by_key = {(c.sitting_id, c.student_id): c for c in changes}
    report = {"updated": [], "not_updated": []}
    if not by_key:
        return report
    sources = Q()
    for sitting_id in {c.sitting_id for c in changes}:
        sources |= Q(source__startswith=f"exams.sitting:{sitting_id} ")
    marks = list(
        Mark.objects.select_for_update(of=("self",))
        .filter(sources, student_id__in={c.student_id for c in changes})
        .select_related("column__gradebook__school_class", "column__gradebook__subject", "student")
        .order_by("column__gradebook_id", "column_id", "student__last_name", "student__first_name")
    )
    classes = {m.column.gradebook.school_class_id for m in marks}
    confirmed = set(
        StudentResult.objects.filter(school_class_id__in=classes)
        .exclude(level="")
        .values_list("school_class_id", "student_id", "period")
    )
    primary_confirmed = set(
        PrimaryYearResult.objects.filter(school_class_id__in=classes)
        .exclude(level="")
        .values_list("school_class_id", "student_id")
    )
    editable: dict[int, bool] = {}
    for mark in marks:
        sitting_id = int(mark.source.split(":", 1)[1].split(" ", 1)[0])
        change = by_key.get((sitting_id, mark.student_id))
        if change is None:
            continue
        column, gradebook = mark.column, mark.column.gradebook
        whole = gradebook.profile == Profile.TT27_2020
        old_score, new_score = exam_score(change.old), exam_score(change.new)
        if new_score is None or new_score == mark.score:
            continue
        test_name = mark.source.split(" ", 1)[1] if " " in mark.source else mark.source
        row = {
            "student": mark.student.get_full_name() or mark.student.username,
            "username": mark.student.username,
            "gradebook": str(gradebook),
            "column": column.label,
            "old": rules.format_score(mark.score, whole=whole),
            "new": rules.format_score(new_score, whole=whole),
            "why": "",
        }
        if gradebook.pk not in editable:
            editable[gradebook.pk] = access.can_edit(actor, gradebook)
        why = ""
        if not editable[gradebook.pk]:
            why = _("you do not teach this subject in this class: its teacher transfers the scores again")
        why = why or _regrade_blocker(mark, confirmed, primary_confirmed)
        if not why and mark.score != old_score:
            why = _(
                "the mark is no longer the test's score before the regrade (%(old)s): it was changed in the gradebook"
            ) % {"old": rules.format_score(old_score, whole=whole)}
        if why:
            row["why"] = why
            report["not_updated"].append(row)
            _audit(
                actor=actor,
                column=column,
                student=mark.student,
                old=row["old"],
                new=row["new"],
                reason=_("Regrade of the test %(name)s not applied: %(why)s. %(reason)s")
                % {"name": test_name, "why": why, "reason": reason},
                action=AuditAction.REGRADE_REFUSED,
            )
            continue
        mark.score = new_score
        mark.save(update_fields=["score", "updated_at"])
        _audit(
            actor=actor,
            column=column,
            student=mark.student,
            old=row["old"],
            new=row["new"],
            reason=_("Regrade of the test %(name)s: %(reason)s") % {"name": test_name, "reason": reason},
        )
        report["updated"].append(row)
    return report
