"""Reads: a gradebook as a table (students × columns, averages, warnings) and a class's results per period."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lms.courses.api import (
    SchoolClass,
    find_teaching_assignments,
    get_class_students,
    get_current_school_year,
    get_subject_offerings,
)
from lms.exams import api as exams_api
from lms.gradebook import access, rules
from lms.gradebook.models import (
    AuditEntry,
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
from lms.gradebook.rules import Level, Rating


@dataclass
class Row:
    student: object
    cells: list  # one (column, Mark | None) per column
    tx_count: int = 0
    average: Decimal | None = None  # ĐTBmhk, or None while a component is missing (R19)
    result: str | None = None  # comment subjects: Đạt / Chưa đạt
    missing_tx: int = 0


@dataclass
class Table:
    gradebook: Gradebook
    columns: list
    rows: list
    required_tx: int
    warnings: list = field(default_factory=list)


def get_gradebook(gradebook_id: int) -> Gradebook:
    return Gradebook.objects.select_related("school_class__school_year__school", "subject", "locked_by").get(
        pk=gradebook_id
    )


def _row_figures(gradebook: Gradebook, row: Row) -> None:
    tx = [m for c, m in row.cells if c.kind == ColumnKind.TX and m is not None]
    gk = next((m for c, m in row.cells if c.kind == ColumnKind.GK), None)
    ck = next((m for c, m in row.cells if c.kind == ColumnKind.CK), None)
    row.tx_count = len(tx)
    if gradebook.profile != Profile.TT22_2021:
        return
    if gradebook.method == Method.SCORE:
        row.average = rules.semester_average(
            [m.score for m in tx], gk.score if gk else None, ck.score if ck else None, gradebook.profile
        )
    else:
        ratings = [m.rating for m in tx] + [m.rating for m in (gk, ck) if m is not None]
        row.result = rules.comment_subject_result(ratings, ck.rating if ck else None, gradebook.profile)


def get_table(gradebook: Gradebook) -> Table:
    """The whole gradebook in three queries whatever the class size."""
    columns = list(gradebook.columns.select_related("locked_by").order_by("kind", "checkpoint", "position"))
    order = {ColumnKind.TX: 0, ColumnKind.GK: 1, ColumnKind.CK: 2, ColumnKind.RATING: 3, ColumnKind.TEST: 3}
    checkpoints = rules.primary_checkpoints(gradebook.semester) if gradebook.profile == Profile.TT27_2020 else ()

    def place(c):
        checkpoint = checkpoints.index(c.checkpoint) if c.checkpoint in checkpoints else 0
        return (order[c.kind], checkpoint, c.kind != ColumnKind.RATING, c.position)

    columns.sort(key=place)
    for column in columns:
        column.gradebook = gradebook
    marks = {(m.column_id, m.student_id): m for m in Mark.objects.filter(column__gradebook=gradebook)}
    required = rules.required_tx(gradebook.periods_per_year, comment=gradebook.method == Method.COMMENT)
    rows = []
    for student in get_class_students(gradebook.school_class):
        row = Row(student=student, cells=[(c, marks.get((c.pk, student.pk))) for c in columns])
        _row_figures(gradebook, row)
        if gradebook.profile == Profile.TT22_2021:
            row.missing_tx = max(0, required - row.tx_count)
        rows.append(row)
    table = Table(gradebook=gradebook, columns=columns, rows=rows, required_tx=required)
    short = [r for r in rows if r.missing_tx]
    if short:
        table.warnings.append(("tx", required, len(short)))
    return table


def get_audit(*, gradebook: Gradebook | None = None, school_class=None) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor", "student", "column", "gradebook__subject")
    if gradebook is not None:
        return entries.filter(gradebook=gradebook)
    return entries.filter(school_class=school_class)


def get_visible_gradebooks(user, school) -> dict:
    """What the person may open: ``{"taught": [(class, subject)], "classes": [class]}`` for the current year."""
    year = get_current_school_year(school)
    if year is None or not user.is_authenticated:
        return {"taught": [], "classes": []}
    taught = [
        (a.school_class, a.subject)
        for a in find_teaching_assignments(teacher=user).filter(school_class__school_year=year)
        if access.teaches(user, a.school_class, a.subject)
    ]
    classes = SchoolClass.objects.filter(school_year=year).select_related("school_year__school", "homeroom_teacher")
    classes = [c for c in classes if access.can_read_class(user, c)]
    return {"taught": taught, "classes": classes}


@dataclass
class StudentLine:
    student: object
    subjects: list  # (subject, value: Decimal | str | None) in the order of ``Summary.subjects``
    suggested: str | None = None
    by_threshold: str | None = None
    adjusted: bool = False
    missing: int = 0
    result: StudentResult | None = None  # unsaved (blank) until the homeroom teacher records something
    award: str | None = None


@dataclass
class Summary:
    school_class: object
    period: str
    subjects: list
    lines: list
    unopened: list = field(default_factory=list)  # subjects offered to the grade whose gradebook was never opened


def _book_values(gradebook: Gradebook) -> dict:
    return {
        row.student.pk: (row.average if gradebook.method == Method.SCORE else row.result)
        for row in get_table(gradebook).rows
    }


def get_class_summary(school_class, period: str) -> Summary:
    """Per student: each subject's ĐTBmhk (or ĐTBmcn for the year), comment subjects' Đạt / Chưa đạt, the
    suggested level (R21), the confirmed level and conduct, and for the year the award suggestion (R22)."""
    semesters = (1, 2) if period == Period.YEAR else (int(period),)
    books = list(
        Gradebook.objects.filter(
            school_class=school_class, semester__in=semesters, profile=Profile.TT22_2021
        ).select_related("subject", "school_class")
    )
    values: dict = {}
    subjects = {}
    for book in books:
        subjects[book.subject_id] = (book.subject, book.method)
        values[(book.subject_id, book.semester)] = _book_values(book)
    unopened = []
    for offering in get_subject_offerings(school_class):
        if offering.subject_id not in subjects:
            subjects[offering.subject_id] = (offering.subject, offering.assessment_method)
            unopened.append(offering.subject)
    ordered = sorted(subjects.values(), key=lambda s: (s[0].sort_order, s[0].name))
    results = {r.student_id: r for r in StudentResult.objects.filter(school_class=school_class, period=period)}
    lines = []
    for student in get_class_students(school_class):
        cells, scores, comments, missing = [], [], [], 0
        for subject, method in ordered:
            if period == Period.YEAR:
                hk1 = values.get((subject.pk, 1), {}).get(student.pk)
                hk2 = values.get((subject.pk, 2), {}).get(student.pk)
                # [U] a comment subject's year result follows the second semester's.
                value = rules.year_average(hk1, hk2) if method == Method.SCORE else hk2
            else:
                value = values.get((subject.pk, int(period)), {}).get(student.pk)
            cells.append((subject, value))
            if value is None:
                missing += 1
            elif method == Method.SCORE:
                scores.append(value)
            else:
                comments.append(value)
        result = results.get(student.pk) or StudentResult(school_class=school_class, period=period, student=student)
        line = StudentLine(student=student, subjects=cells, missing=missing, result=result)
        if ordered and not missing:
            line.suggested, line.by_threshold, line.adjusted = rules.academic_level(scores, comments)
            if period == Period.YEAR:
                line.award = rules.suggested_award(result.level or None, result.conduct or None, scores)
        lines.append(line)
    return Summary(
        school_class=school_class,
        period=period,
        subjects=[s for s, _m in ordered],
        lines=lines,
        unopened=sorted(unopened, key=lambda s: (s.sort_order, s.name)),
    )


LEVEL_LABELS = dict(Level.CHOICES)
RATING_LABELS = Rating.LABELS


@dataclass
class QualityRow:
    student: object
    ratings: dict  # item → rating code ("" when not rated yet)


def get_quality_sheet(school_class, checkpoint: str) -> list[QualityRow]:
    """Every pupil's quality and competence ratings at one checkpoint (TT 27 Art. 7(2)), in two queries."""
    stored = {
        (q.student_id, q.item): q.rating
        for q in QualityRating.objects.filter(school_class=school_class, checkpoint=checkpoint)
    }
    items = rules.primary_quality_items()
    return [
        QualityRow(student=s, ratings={item: stored.get((s.pk, item), "") for item in items})
        for s in get_class_students(school_class)
    ]


@dataclass
class PrimaryLine:
    student: object
    subjects: list  # (subject, end-of-year rating or None, end-of-year test score or None / "" when untested)
    qualities: dict  # item → end-of-year rating or ""
    missing: int  # subject ratings, test scores and quality / competence ratings still missing
    suggested: str | None
    result: PrimaryYearResult


@dataclass
class PrimarySummary:
    school_class: object
    subjects: list
    lines: list
    unopened: list = field(default_factory=list)  # subjects offered to the grade without a semester-2 gradebook


def get_primary_year_summary(school_class) -> PrimarySummary:
    """Per pupil: each subject's end-of-year (CN) rating and test score from the semester-2 gradebooks, the CN
    quality and competence ratings, the suggested HTXS / HTT / HT / CHT (TT 27 Art. 9) once all of them are in,
    and what the homeroom teacher confirmed. A fixed number of queries whatever the class size."""
    checkpoint = rules.PROFILES[rules.PRIMARY_PROFILE]["quality_checkpoints"][-1]
    books = sorted(
        Gradebook.objects.filter(school_class=school_class, semester=2, profile=Profile.TT27_2020).select_related(
            "subject"
        ),
        key=lambda b: (b.subject.sort_order, b.subject.name),
    )
    marks = {
        (m.column.gradebook_id, m.column.kind, m.student_id): m
        for m in Mark.objects.filter(
            column__gradebook__in=books,
            column__checkpoint=checkpoint,
            column__kind__in=[ColumnKind.RATING, ColumnKind.TEST],
        ).select_related("column")
    }
    tested = set(
        Gradebook.objects.filter(
            pk__in=[b.pk for b in books], columns__kind=ColumnKind.TEST, columns__checkpoint=checkpoint
        ).values_list("pk", flat=True)
    )
    opened = {b.subject_id for b in books}
    unopened = sorted(
        (o.subject for o in get_subject_offerings(school_class) if o.subject_id not in opened),
        key=lambda s: (s.sort_order, s.name),
    )
    # a subject never opened still counts: its rating (and its end-of-year test, where it has one) is missing; the
    # cells every pupil gets for them are the same, so they are built once
    unopened_cells = [
        (s, None, None if checkpoint in rules.primary_tests(s.code, school_class.grade, 2) else "") for s in unopened
    ]
    unopened_missing = sum(1 + (score is None) for _s, _rating, score in unopened_cells)
    sheet = {row.student.pk: row for row in get_quality_sheet(school_class, checkpoint)}
    results = {r.student_id: r for r in PrimaryYearResult.objects.filter(school_class=school_class)}
    lines = []
    for student in get_class_students(school_class):
        cells, ratings, scores, missing = [], [], [], 0
        for book in books:
            rating = marks.get((book.pk, ColumnKind.RATING, student.pk))
            test = marks.get((book.pk, ColumnKind.TEST, student.pk))
            if rating is None:
                missing += 1
            else:
                ratings.append(rating.rating)
            if book.pk in tested:
                if test is None or test.score is None:
                    missing += 1
                else:
                    scores.append(test.score)
            score = (test.score if test else None) if book.pk in tested else ""
            cells.append((book.subject, rating.rating if rating else None, score))
        cells.extend(unopened_cells)
        missing += unopened_missing
        qualities = sheet[student.pk].ratings
        missing += sum(1 for value in qualities.values() if not value)
        suggested = None
        if books and not missing:
            suggested = rules.primary_year_level(ratings, list(qualities.values()), scores)
        result = results.get(student.pk) or PrimaryYearResult(school_class=school_class, student=student)
        lines.append(PrimaryLine(student, cells, qualities, missing, suggested, result))
    return PrimarySummary(
        school_class=school_class, subjects=[b.subject for b in books] + unopened, lines=lines, unopened=unopened
    )


def marks_of_student(student, school=None) -> dict:
    """Every mark and confirmed result held about one student, for the privacy app's data export (R44)."""
    from lms.gradebook.models import Mark, StudentResult

    marks = Mark.objects.filter(student=student).select_related(
        "column__gradebook__school_class", "column__gradebook__subject"
    )
    if school is not None:
        marks = marks.filter(column__gradebook__school_class__school_year__school=school)
    results = StudentResult.objects.filter(student=student).select_related("school_class")
    if school is not None:
        results = results.filter(school_class__school_year__school=school)
    return {
        "marks": [
            {
                "class": m.column.gradebook.school_class.name,
                "subject": str(m.column.gradebook.subject),
                "semester": m.column.gradebook.semester,
                "column": m.column.label,
                "score": str(m.score) if m.score is not None else None,
                "rating": m.rating,
                "source": m.source,
                "entered_at": m.entered_at.isoformat(),
                "updated_at": m.updated_at.isoformat(),
            }
            for m in marks.order_by("column__gradebook__semester", "column__gradebook__subject", "column__kind")
        ],
        "results": [
            {"class": r.school_class.name, "period": r.period, **_result_fields(r)} for r in results.order_by("pk")
        ],
    }


def _result_fields(result) -> dict:
    fields = {}
    for model_field in result._meta.concrete_fields:
        if model_field.name in {"id", "school_class", "student"} or model_field.is_relation:
            continue
        value = getattr(result, model_field.name)
        if value is not None:
            value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        fields[model_field.name] = value
    return fields


@dataclass
class ExamRow:
    student: object
    current: str  # what the column shows now ("" when empty)
    score: Decimal | None  # the score to transfer, 0–10 half-up to one decimal; None when there is none
    missing: str  # why there is no score ("" when there is one)

    @property
    def shown(self) -> str:
        return rules.format_score(self.score) if self.score is not None else ""

    @property
    def changes(self) -> bool:
        return self.score is not None and self.current != self.shown


def exam_score(attempt) -> Decimal | None:
    """A graded attempt's score on 0–10 (points × 10 / maximum), rounded half-up to one decimal once (R17); a TT 27
    test's score is the whole number ``lms.exams`` reports (half up)."""
    if attempt.points is None or not attempt.max_points:
        return None
    if attempt.score_rules.whole_numbers:
        return attempt.score
    return rules.round_half_up(Decimal(attempt.points) * 10 / Decimal(attempt.max_points))


def get_exam_preview(gradebook: Gradebook, sitting, column) -> list[ExamRow]:
    """Per student of the class: the column's current value and the sitting's score, or why there is none."""
    attempts = exams_api.get_sitting_results(sitting)
    current = {m.student_id: m for m in Mark.objects.filter(column=column)}
    whole = gradebook.profile == Profile.TT27_2020
    out = []
    for student in get_class_students(gradebook.school_class):
        mark = current.get(student.pk)
        shown = ""
        if mark is not None:
            shown = rules.format_score(mark.score, whole=whole) if mark.score is not None else mark.rating
        attempt = attempts.get(student.pk)
        score, missing = None, ""
        if attempt is None or attempt.status != exams_api.AttemptStatus.SUBMITTED:
            missing = _("no submitted attempt")
        elif attempt.needs_marking:
            missing = _("answers still to be marked by the teacher")
        else:
            score = exam_score(attempt)
            if score is None:
                missing = _("not graded")
        out.append(ExamRow(student, shown, score, missing))
    return out
