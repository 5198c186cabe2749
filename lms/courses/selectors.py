"""Reads for school years, classes and enrolments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from lms.courses import providers
from lms.courses.models import (
    Assignment,
    Attendance,
    AttendanceStatus,
    Course,
    Enrollment,
    ForceMajeurePeriod,
    ItemActivity,
    ItemKind,
    LiveSession,
    PlanItem,
    SchoolClass,
    SchoolYear,
    Semester,
    SubjectOffering,
    Submission,
    TeachingAssignment,
)
from lms.courses.rules import LEARNING_ANALYTICS, format_score


def get_current_school_year(school) -> SchoolYear | None:
    return SchoolYear.objects.filter(school=school, is_current=True).first()


def get_classes(school_year: SchoolYear) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(school_year=school_year)
        .select_related("homeroom_teacher")
        .annotate(student_count=Count("enrollments"))
    )


def get_class_students(school_class: SchoolClass):
    return [e.student for e in Enrollment.objects.filter(school_class=school_class).select_related("student")]


def get_class(class_id: int) -> SchoolClass:
    """One class with its year and school (``SchoolClass.DoesNotExist`` if there is none)."""
    return SchoolClass.objects.select_related("school_year__school", "homeroom_teacher").get(pk=class_id)


def get_subject_offering(school_class: SchoolClass, subject) -> SubjectOffering | None:
    """The subject as offered to the class's grade this year (periods per year, assessment method; R16, R18)."""
    return SubjectOffering.objects.filter(
        school_year_id=school_class.school_year_id, grade=school_class.grade, subject=subject
    ).first()


def get_subject_offerings(school_class: SchoolClass) -> QuerySet[SubjectOffering]:
    """Every subject offered to the class's grade in its school year: what its gradebooks and summaries expect."""
    return SubjectOffering.objects.filter(
        school_year_id=school_class.school_year_id, grade=school_class.grade
    ).select_related("subject")


def find_teaching_assignments(*, teacher=None, school_class=None, subject=None) -> QuerySet[TeachingAssignment]:
    """Who teaches what to which class (phân công giảng dạy), filtered by any of teacher, class and subject."""
    assignments = TeachingAssignment.objects.select_related("school_class__school_year__school", "subject", "teacher")
    if teacher is not None:
        assignments = assignments.filter(teacher=teacher)
    if school_class is not None:
        assignments = assignments.filter(school_class=school_class)
    if subject is not None:
        assignments = assignments.filter(subject=subject)
    return assignments


def get_semester_number_on(school_year: SchoolYear, day) -> int | None:
    """Which semester (1 or 2) of the year a day falls in, or ``None`` when no semester covers it."""
    semester = Semester.objects.filter(school_year=school_year, starts_on__lte=day, ends_on__gte=day).first()
    return semester.number if semester else None


def get_student_classes(student) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(enrollments__student=student).select_related("school_year__school")


# --------------------------------------------------------------------------------------------------------------------
# Courses and plans
# --------------------------------------------------------------------------------------------------------------------
def get_course(course_id: int) -> Course:
    return Course.objects.select_related("school_class__school_year__school", "subject").get(pk=course_id)


def get_plan(course: Course, *, released_only: bool = False) -> list[PlanItem]:
    items = course.items.select_related("assignment", "lesson", "force_majeure").order_by("position", "pk")
    if released_only:
        # What students and parents see: released and not archived.
        items = items.filter(release_at__lte=timezone.now(), archived_at__isnull=True)
    return list(items)


def get_item(item_id: int) -> PlanItem:
    return PlanItem.objects.select_related(
        "course__school_class__school_year__school", "course__subject", "assignment", "lesson", "force_majeure"
    ).get(pk=item_id)


def get_teacher_courses(teacher) -> QuerySet[Course]:
    pairs = TeachingAssignment.objects.filter(teacher=teacher).values_list("school_class_id", "subject_id")
    query = Q(pk__in=[])
    for class_id, subject_id in pairs:
        query |= Q(school_class_id=class_id, subject_id=subject_id)
    return (
        Course.objects.filter(query)
        .select_related("school_class__school_year__school", "subject")
        .order_by("-school_class__school_year__starts_on", "school_class__name", "subject__sort_order")
    )


def get_class_courses(school_class: SchoolClass) -> QuerySet[Course]:
    return Course.objects.filter(school_class=school_class).select_related("subject").order_by("subject__sort_order")


def get_school_courses(school) -> QuerySet[Course]:
    return (
        Course.objects.filter(school_class__school_year__school=school, school_class__school_year__is_current=True)
        .select_related("school_class__school_year", "subject")
        .order_by("school_class__grade", "school_class__name", "subject__sort_order")
    )


def get_force_majeure_periods(school) -> QuerySet[ForceMajeurePeriod]:
    return ForceMajeurePeriod.objects.filter(school=school).select_related("school_class", "declared_by")


def get_submission(submission_id: int) -> Submission:
    return Submission.objects.select_related(
        "assignment__item__course__school_class__school_year__school", "student"
    ).get(pk=submission_id)


def get_submissions(assignment: Assignment) -> list[Submission]:
    return list(
        assignment.submissions.select_related("student").prefetch_related("files").order_by("student__first_name")
    )


def get_own_submission(assignment: Assignment, student) -> Submission | None:
    return assignment.submissions.prefetch_related("files").filter(student=student).first()


def _enrolled_students(school_class: SchoolClass, *, with_analytics_consent: bool = False) -> list:
    """The class's students in roll order. ``with_analytics_consent``: each gets ``analytics_consent`` (their
    learning_analytics consent holds), read in the same query."""
    enrollments = (
        Enrollment.objects.filter(school_class=school_class)
        .select_related("student")
        .order_by("number", "student__first_name", "student__last_name")
    )
    if not with_analytics_consent:
        return [e.student for e in enrollments]
    from lms.privacy.api import consent_holds_q

    consent = ExpressionWrapper(consent_holds_q(LEARNING_ANALYTICS, "student"), output_field=BooleanField())
    students = []
    for enrollment in enrollments.annotate(analytics_consent=consent):
        enrollment.student.analytics_consent = enrollment.analytics_consent
        students.append(enrollment.student)
    return students


# --------------------------------------------------------------------------------------------------------------------
# Teacher dashboard (R7): a fixed number of queries whatever the class size or plan length
# --------------------------------------------------------------------------------------------------------------------
@dataclass
class Cell:
    item: PlanItem
    opened_at: datetime | None = None
    completed_at: datetime | None = None
    submitted_at: datetime | None = None
    is_late: bool = False
    score: Decimal | None = None
    seconds: int = 0
    # Time on task is learning analytics: False when the student's learning_analytics consent does not hold, and
    # then ``seconds`` stays 0 whatever the library or a provider reported (shown as "—").
    time_allowed: bool = True
    seen: bool = False  # opened through the course (also when its time was not fetched)
    handed_in: bool = False
    # A library item's tracking (lms.library): played, completed, its score as 0–10.
    played: bool = False
    library_completed: bool = False
    # A test or practice set (a registered plan-item provider, lms.courses.providers): its status.
    provided_status: str = ""

    @property
    def started(self) -> bool:
        return bool(
            self.seen
            or self.opened_at
            or self.completed_at
            or self.submitted_at
            or self.handed_in
            or self.played
            or self.provided_status in ("in_progress", "done")
        )

    @property
    def finished(self) -> bool:
        return bool(
            self.completed_at
            or self.submitted_at
            or self.handed_in
            or self.library_completed
            or self.provided_status == "done"
        )

    @property
    def provided_done(self) -> bool:
        return self.provided_status == "done"

    @property
    def provided_in_progress(self) -> bool:
        return self.provided_status == "in_progress"

    def add_provider_result(self, result, *, released_only: bool = False) -> None:
        """A provider's result (status, score, time). ``released_only``: the student's and the parents' view, where a
        score the provider has not released yet (a test's review options) is not shown."""
        if result is None:
            return
        self.provided_status = result.status
        if result.score is not None and (result.released or not released_only):
            self.score = result.score
        self.seconds += result.seconds

    def add_library_result(self, result) -> None:
        from lms.courses.library import score_on_ten

        if result is None:
            return
        self.played = True
        self.library_completed = result.completed
        self.score = score_on_ten(result)
        self.seconds += result.seconds

    @property
    def score_text(self) -> str:
        return format_score(self.score)

    @property
    def minutes(self) -> int | None:
        """Minutes spent, rounded up; None without the learning_analytics consent."""
        return (self.seconds + 59) // 60 if self.time_allowed else None

    def hide_time(self) -> None:
        self.time_allowed, self.seconds = False, 0


@dataclass
class StudentRow:
    student: object
    cells: list[Cell] = field(default_factory=list)

    @property
    def time_allowed(self) -> bool:
        return getattr(self.student, "analytics_consent", True)

    @property
    def started(self) -> bool:
        return any(cell.started for cell in self.cells)

    @property
    def completed_count(self) -> int:
        return sum(1 for cell in self.cells if cell.finished)


@dataclass
class Dashboard:
    course: Course
    items: list[PlanItem]
    rows: list[StudentRow]

    @property
    def time_hidden(self) -> bool:
        return any(not row.time_allowed for row in self.rows)

    def item_totals(self) -> list[dict]:
        totals = []
        for index, item in enumerate(self.items):
            cells = [row.cells[index] for row in self.rows]
            totals.append(
                {
                    "item": item,
                    "opened": sum(1 for c in cells if c.started),
                    "done": sum(1 for c in cells if c.finished),
                    "students": len(cells),
                }
            )
        return totals


def get_dashboard(course: Course, *, not_started_only: bool = False, with_times: bool = True) -> Dashboard:
    """Per student × plan item. ``with_times=False`` (the page) skips the opening and hand-in times, which only the
    exports show: parsing thousands of timestamps is most of the cost for a large class."""
    from content.api import get_progress_for_people

    items = get_plan(course)
    students = _enrolled_students(course.school_class, with_analytics_consent=True)
    student_ids = [s.pk for s in students]
    # Plain tuples, not model instances: a class of 45 × 60 items has thousands of these rows.
    activities = ItemActivity.objects.filter(item__course=course, student_id__in=student_ids)
    if with_times:
        rows = activities.values_list("student_id", "item_id", "first_opened_at", "seconds_spent")
        activity = {(student_id, item_id): (opened, seconds) for student_id, item_id, opened, seconds in rows}
    else:
        rows = activities.values_list("student_id", "item_id", "seconds_spent")
        activity = {(student_id, item_id): (None, seconds) for student_id, item_id, seconds in rows}
    handed_in = Submission.objects.filter(assignment__item__course=course, student_id__in=student_ids)
    if with_times:
        rows = handed_in.values_list("student_id", "assignment_id", "submitted_at", "is_late", "score")
        submissions = {(s, a): (at, late, score) for s, a, at, late, score in rows}
    else:
        rows = handed_in.values_list("student_id", "assignment_id", "is_late", "score")
        submissions = {(s, a): (None, late, score) for s, a, late, score in rows}
    lesson_ids = {item.lesson_id for item in items if item.lesson_id}
    progress = get_progress_for_people(user_ids=student_ids, lesson_ids=lesson_ids) if lesson_ids else {}
    from lms.courses.library import get_results as get_library_results

    library_results = get_library_results(items, student_ids)
    provided = providers.get_results(items, student_ids)
    rows = []
    for student in students:
        row = StudentRow(student)
        for item in items:
            cell = Cell(item)
            seen = activity.get((student.pk, item.pk))
            if seen is not None:
                cell.opened_at, cell.seconds = seen
                cell.seen = True
            if item.lesson_id:
                lesson_progress = progress.get((student.pk, item.lesson_id))
                if lesson_progress is not None:
                    cell.opened_at = min(filter(None, [cell.opened_at, lesson_progress.first_opened_at]))
                    cell.completed_at = lesson_progress.completed_at
            if item.kind == ItemKind.ASSIGNMENT:
                submission = submissions.get((student.pk, item.assignment.pk))
                if submission is not None:
                    cell.submitted_at, cell.is_late, cell.score = submission
                    cell.handed_in = True
            elif item.kind == ItemKind.LIBRARY:
                cell.add_library_result(library_results.get((item.pk, student.pk)))
            elif (item.pk, student.pk) in provided:
                cell.add_provider_result(provided[(item.pk, student.pk)])
            if not student.analytics_consent:
                cell.hide_time()
            row.cells.append(cell)
        if not not_started_only or not row.started:
            rows.append(row)
    return Dashboard(course, items, rows)


# --------------------------------------------------------------------------------------------------------------------
# Student home and parents' view (R14)
# --------------------------------------------------------------------------------------------------------------------
@dataclass
class StudentOverview:
    student: object
    classes: list[SchoolClass]
    courses: list[Course]
    items: list[PlanItem]  # released items of those courses
    cells: dict[int, Cell]  # per item id
    due: list[PlanItem]
    continue_item: PlanItem | None
    self_study: list = field(default_factory=list)  # (lesson, progress) outside the plan
    sessions: list = field(default_factory=list)  # (live session, attendance status)


def get_student_overview(student, *, with_self_study: bool = False) -> StudentOverview:
    """What a student has to do and has done, in the current school years. Read by the student and (with
    ``with_self_study=False``) by their parents."""
    from content.api import get_progress

    now = timezone.now()
    classes = list(
        SchoolClass.objects.filter(enrollments__student=student, school_year__is_current=True).select_related(
            "school_year__school"
        )
    )
    courses = list(
        Course.objects.filter(school_class__in=classes)
        .select_related("subject", "school_class")
        .order_by("subject__sort_order")
    )
    items = list(
        PlanItem.objects.filter(course__in=courses, release_at__lte=now, archived_at__isnull=True)
        .select_related("assignment", "course__subject")
        .order_by("due_at", "position")
    )
    lesson_ids = {item.lesson_id for item in items if item.lesson_id}
    progress = get_progress(user=student, lesson_ids=lesson_ids)
    activity = {a.item_id: a for a in ItemActivity.objects.filter(student=student, item__in=items)}
    submissions = {s.assignment_id: s for s in Submission.objects.filter(student=student, assignment__item__in=items)}
    from lms.courses.library import get_results as get_library_results

    library_results = get_library_results(items, [student.pk])
    provided = providers.get_results(items, [student.pk])
    from lms.privacy.api import consent_holds

    time_allowed = consent_holds(student, LEARNING_ANALYTICS)
    cells = {}
    for item in items:
        cell = Cell(item)
        if item.pk in activity:
            cell.opened_at, cell.seconds = activity[item.pk].first_opened_at, activity[item.pk].seconds_spent
        lesson_progress = progress.get(item.lesson_id) if item.lesson_id else None
        if lesson_progress is not None:
            cell.opened_at = cell.opened_at or lesson_progress.first_opened_at
            cell.completed_at = lesson_progress.completed_at
        if item.kind == ItemKind.ASSIGNMENT and item.assignment.pk in submissions:
            submission = submissions[item.assignment.pk]
            cell.submitted_at, cell.is_late = submission.submitted_at, submission.is_late
            cell.score = submission.score if submission.scored_at else None
        if item.kind == ItemKind.LIBRARY:
            cell.add_library_result(library_results.get((item.pk, student.pk)))
        cell.add_provider_result(provided.get((item.pk, student.pk)), released_only=True)
        if not time_allowed:
            cell.hide_time()
        cells[item.pk] = cell
    due = [item for item in items if item.due_at is not None and not cells[item.pk].finished]
    # Continue where I left off: the item opened most recently and not finished yet.
    last_seen = {}
    for item in items:
        seen = activity.get(item.pk)
        lesson_progress = progress.get(item.lesson_id) if item.lesson_id else None
        moments = [m for m in (seen and seen.last_seen_at, lesson_progress and lesson_progress.last_opened_at) if m]
        cell = cells[item.pk]
        if moments and not cell.finished:
            last_seen[item.pk] = max(moments)
    by_id = {item.pk: item for item in items}
    continue_item = by_id[max(last_seen, key=last_seen.__getitem__)] if last_seen else None
    overview = StudentOverview(student, classes, courses, items, cells, due, continue_item)
    overview.sessions = get_student_sessions(student, courses)
    if with_self_study:
        overview.self_study = _self_study(student, classes, courses, exclude=lesson_ids)
    return overview


def _self_study(student, classes, courses, *, exclude, limit: int = 30) -> list:
    """Published lessons of the student's grade and subjects outside the plan, those already started first."""
    from content.api import LessonPage, get_progress, visible_lessons_q

    grades = {c.grade for c in classes}
    subjects = {c.subject_id for c in courses}
    if not grades or not subjects:
        return []
    lessons = list(
        LessonPage.objects.live()
        .filter(visible_lessons_q(student), grade__in=grades, subject_id__in=subjects)
        .exclude(pk__in=exclude)
        .select_related("subject")
        .order_by("subject__sort_order", "path")[:200]
    )
    progress = get_progress(user=student, lesson_ids=[lesson.pk for lesson in lessons])
    rows = [(lesson, progress.get(lesson.pk)) for lesson in lessons]
    rows.sort(key=lambda pair: (pair[1] is None, -(pair[1].last_opened_at.timestamp() if pair[1] else 0)))
    return rows[:limit]


def get_teaching_assignments(school_year: SchoolYear) -> QuerySet[TeachingAssignment]:
    return TeachingAssignment.objects.filter(school_class__school_year=school_year).order_by(
        "school_class__grade", "school_class__name", "subject__sort_order"
    )


# --------------------------------------------------------------------------------------------------------------------
# Live sessions
# --------------------------------------------------------------------------------------------------------------------
def get_sessions(course: Course) -> list[LiveSession]:
    return list(course.sessions.order_by("starts_at"))


def get_session(session_id: int) -> LiveSession:
    return LiveSession.objects.select_related("course__school_class__school_year__school", "course__subject").get(
        pk=session_id
    )


def get_session_attendance(session: LiveSession) -> list[tuple[object, Attendance | None, str]]:
    """(student, attendance row or None, status shown) for every student of the class; a student with no row is
    absent once the session has ended, and not yet recorded before."""
    rows = {a.student_id: a for a in session.attendance.all()}
    ended = session.ends_at <= timezone.now()
    result = []
    for student in _enrolled_students(session.course.school_class):
        row = rows.get(student.pk)
        status = row.status if row else (AttendanceStatus.ABSENT if ended else "")
        result.append((student, row, status))
    return result


def get_student_sessions(student, courses) -> list[tuple[LiveSession, str]]:
    """The sessions of the student's courses with the student's attendance ("" while not yet held)."""
    sessions = list(
        LiveSession.objects.filter(course__in=courses).select_related("course__subject").order_by("starts_at")
    )
    rows = {a.session_id: a.status for a in Attendance.objects.filter(student=student, session__in=sessions)}
    now = timezone.now()
    return [(s, rows.get(s.pk) or (AttendanceStatus.ABSENT if s.ends_at <= now else "")) for s in sessions]


def get_questions(course: Course, *, item_id: int | None = None) -> list:
    from django.db.models import Exists, OuterRef

    from lms.courses.models import Answer, Question

    questions = (
        Question.objects.filter(course=course)
        .select_related("author", "item")
        .annotate(
            answer_count=Count("answers"),
            settled=Exists(Answer.objects.filter(question=OuterRef("pk"), is_accepted=True)),
        )
    )
    if item_id is not None:
        questions = questions.filter(item_id=item_id)
    return list(questions)
