"""Writes for school years, classes and enrolments."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.courses import access, providers, rules
from lms.courses.models import (
    Answer,
    AssessmentMethod,
    Assignment,
    AssignmentAttachment,
    Attendance,
    AttendanceStatus,
    Course,
    DeliveryForm,
    Enrollment,
    ForceMajeurePeriod,
    ForceMajeureScope,
    GradebookTransfer,
    ItemActivity,
    ItemKind,
    LatePolicy,
    LiveSession,
    PlanItem,
    Question,
    SchoolClass,
    SchoolYear,
    Semester,
    SubjectOffering,
    Submission,
    SubmissionFile,
    TeachingAssignment,
)
from lms.courses.signals import regular_assessment_recorded
from lms.privacy import api as privacy_api
from lms.schools.api import Role, has_role


@transaction.atomic
def create_school_year(*, school, name: str, starts_on: date, ends_on: date, is_current: bool = False) -> SchoolYear:
    if is_current:
        SchoolYear.objects.filter(school=school, is_current=True).update(is_current=False)
    year = SchoolYear(school=school, name=name, starts_on=starts_on, ends_on=ends_on, is_current=is_current)
    year.full_clean()
    year.save()
    return year


def get_or_create_school_year(
    *, school, name: str, starts_on: date, ends_on: date, is_current: bool = False
) -> SchoolYear:
    existing = SchoolYear.objects.filter(school=school, name=name).first()
    return existing or create_school_year(
        school=school, name=name, starts_on=starts_on, ends_on=ends_on, is_current=is_current
    )


@transaction.atomic
def create_class(*, school_year: SchoolYear, name: str, grade: int, homeroom_teacher=None) -> SchoolClass:
    if homeroom_teacher is not None and not has_role(homeroom_teacher, Role.TEACHER, school_year.school):
        raise ValidationError(
            _("%(name)s is not a teacher at %(school)s.") % {"name": homeroom_teacher, "school": school_year.school}
        )
    school_class = SchoolClass(school_year=school_year, name=name, grade=grade, homeroom_teacher=homeroom_teacher)
    school_class.full_clean()
    school_class.save()
    return school_class


@transaction.atomic
def enroll_student(
    *, school_class: SchoolClass, student, number: int | None = None, enrolled_on: date | None = None
) -> Enrollment:
    school = school_class.school_year.school
    if not has_role(student, Role.STUDENT, school):
        raise ValidationError(_("%(name)s is not a student at %(school)s.") % {"name": student, "school": school})
    existing = Enrollment.objects.filter(student=student, school_year=school_class.school_year).first()
    if existing and existing.school_class_id != school_class.pk:
        raise ValidationError(
            _("%(name)s is already in class %(class)s this school year.")
            % {"name": student, "class": existing.school_class.name}
        )
    if existing:
        return existing
    enrollment = Enrollment(
        school_class=school_class,
        student=student,
        school_year=school_class.school_year,
        number=number,
        enrolled_on=enrolled_on,
    )
    enrollment.full_clean()
    enrollment.save()
    return enrollment


def get_or_create_class(*, school_year: SchoolYear, name: str, grade: int, homeroom_teacher=None) -> SchoolClass:
    existing = SchoolClass.objects.filter(school_year=school_year, name=name).first()
    return existing or create_class(school_year=school_year, name=name, grade=grade, homeroom_teacher=homeroom_teacher)


# --------------------------------------------------------------------------------------------------------------------
# School structure
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def create_semester(*, school_year: SchoolYear, number: int, starts_on: date, ends_on: date) -> Semester:
    if starts_on < school_year.starts_on or ends_on > school_year.ends_on:
        raise ValidationError(_("A semester must lie inside its school year."))
    semester = Semester(school_year=school_year, number=number, starts_on=starts_on, ends_on=ends_on)
    semester.full_clean()
    semester.save()
    return semester


@transaction.atomic
def set_subject_offering(
    *, school_year: SchoolYear, grade: int, subject, periods_per_year: int, assessment_method: str | None = None
) -> SubjectOffering:
    """Create or update the subject of a grade; the assessment method defaults from TT 22/2021 (R16)."""
    method = assessment_method or rules.default_assessment_method(subject.code)
    offering, _created = SubjectOffering.objects.update_or_create(
        school_year=school_year,
        grade=grade,
        subject=subject,
        defaults={"periods_per_year": periods_per_year, "assessment_method": method},
    )
    offering.full_clean()
    return offering


@transaction.atomic
def assign_teacher(*, school_class: SchoolClass, subject, teacher) -> TeachingAssignment:
    """Give a subject of a class to a teacher (replacing the previous teacher) and make sure its course exists."""
    school = school_class.school_year.school
    if not has_role(teacher, Role.TEACHER, school):
        raise ValidationError(_("%(name)s is not a teacher at %(school)s.") % {"name": teacher, "school": school})
    if not SubjectOffering.objects.filter(
        school_year=school_class.school_year, grade=school_class.grade, subject=subject
    ).exists():
        raise ValidationError(
            _("%(subject)s is not a subject of grade %(grade)s this school year.")
            % {"subject": subject, "grade": school_class.grade}
        )
    assignment, _created = TeachingAssignment.objects.update_or_create(
        school_class=school_class, subject=subject, defaults={"teacher": teacher}
    )
    Course.objects.get_or_create(school_class=school_class, subject=subject)
    return assignment


def get_or_create_course(*, school_class: SchoolClass, subject) -> Course:
    course, _created = Course.objects.get_or_create(school_class=school_class, subject=subject)
    return course


# --------------------------------------------------------------------------------------------------------------------
# Force majeure (R3) and plans (R2, R5)
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def declare_force_majeure(
    *,
    actor,
    school,
    scope: str,
    starts_on: date,
    ends_on: date,
    reason: str,
    decision_number: str,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
) -> ForceMajeurePeriod:
    if not access.can_declare_force_majeure(actor, school):
        raise PermissionDenied(_("Only the principal can declare a force-majeure period."))
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Give the reason (e.g. the storm or epidemic that keeps students at home).")
    if not decision_number.strip():
        errors["decision_number"] = _("Give the number of the principal's decision.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The period must end on or after its first day.")
    if scope == ForceMajeureScope.GRADE and not grade:
        errors["grade"] = _("Choose the grade the period applies to.")
    if scope == ForceMajeureScope.CLASS and school_class is None:
        errors["school_class"] = _("Choose the class the period applies to.")
    if school_class is not None and school_class.school_year.school_id != school.pk:
        errors["school_class"] = _("That class belongs to another school.")
    if errors:
        raise ValidationError(errors)
    period = ForceMajeurePeriod(
        school=school,
        scope=scope,
        grade=grade if scope == ForceMajeureScope.GRADE else None,
        school_class=school_class if scope == ForceMajeureScope.CLASS else None,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        decision_number=decision_number.strip(),
        declared_by=actor,
    )
    period.full_clean()
    period.save()
    log(
        instance=period,
        action="courses.force_majeure_declared",
        user=actor,
        data={
            "school": school.code,
            "scope": scope,
            "grade": period.grade,
            "class": school_class.name if period.school_class else None,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "reason": period.reason,
            "decision_number": period.decision_number,
        },
    )
    return period


def _covering_period(school_class: SchoolClass, release_at, due_at) -> ForceMajeurePeriod | None:
    first = timezone.localdate(release_at)
    last = timezone.localdate(due_at) if due_at else first
    for period in ForceMajeurePeriod.objects.filter(
        school=school_class.school_year.school, starts_on__lte=first, ends_on__gte=last
    ):
        if period.covers(school_class, first):
            return period
    return None


def _check_item(course: Course, *, kind, release_at, due_at, delivery_form) -> ForceMajeurePeriod | None:
    if delivery_form not in DeliveryForm.values:
        raise ValidationError({"delivery_form": _("Choose the TT 09 form of the item.")})
    if due_at is not None and due_at < release_at:
        raise ValidationError({"due_at": _("The due date is before the release date.")})
    if delivery_form != DeliveryForm.THAY_THE:
        return None
    period = _covering_period(course.school_class, release_at, due_at)
    if period is None:
        raise ValidationError(
            {
                "delivery_form": _(
                    "Online teaching may replace in-person teaching only inside a force-majeure period declared by "
                    "the principal for this class, covering the item from its release to its due date."
                )
            }
        )
    return period


def _next_position(course: Course) -> int:
    last = course.items.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def add_plan_item(
    *,
    actor,
    course: Course,
    kind: str,
    release_at,
    delivery_form: str,
    due_at=None,
    title: str = "",
    lesson=None,
    reference: str = "",
) -> PlanItem:
    """Add a lesson or a typed reference (library item, practice set, test) to a course's plan. Assignments are
    added with :func:`create_assignment`."""
    if not access.can_edit_course(actor, course):
        raise PermissionDenied(_("Only the course's teacher can change its plan."))
    if kind == ItemKind.ASSIGNMENT:
        raise ValidationError({"kind": _("Create assignments with their instructions.")})
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("Unknown kind of plan item.")})
    period = _check_item(course, kind=kind, release_at=release_at, due_at=due_at, delivery_form=delivery_form)
    revision_id = None
    if kind == ItemKind.LESSON:
        lesson = _published_lesson(actor, course, lesson)
        title = title.strip() or lesson.title
        revision_id = lesson.live_revision_id
        reference = ""
    elif kind == ItemKind.LIBRARY:
        from lms.courses import library

        lesson = None
        library_item = library.check_reference(course, reference)
        reference = str(library_item.uuid)
        title = title.strip() or library_item.title
    elif providers.get_provider(kind) is not None:
        # A test or practice set of a higher app (lms.exams), through its registered provider.
        lesson = None
        if not str(reference or "").strip():
            raise ValidationError({"reference": _("Choose what to plan.")})
        choice = providers.get_provider(kind).check(course, str(reference).strip(), actor=actor)
        reference = choice.reference
        title = title.strip() or choice.title
    else:
        lesson = None
        if not reference.strip():
            raise ValidationError({"reference": _("Give the identifier of the item to plan.")})
        if not title.strip():
            raise ValidationError({"title": _("Give the item a title.")})
    item = PlanItem(
        course=course,
        position=_next_position(course),
        kind=kind,
        title=title.strip(),
        lesson=lesson,
        lesson_revision_id=revision_id,
        reference=reference.strip(),
        release_at=release_at,
        due_at=due_at,
        delivery_form=delivery_form,
        force_majeure=period,
        created_by=actor,
    )
    item.full_clean()
    item.save()
    return item


def _published_lesson(actor, course: Course, lesson):
    from content.api import LessonPage, SharingScope, can_view_lesson

    if lesson is None:
        raise ValidationError({"lesson": _("Choose a published lesson.")})
    lesson = LessonPage.objects.live().filter(pk=getattr(lesson, "pk", lesson)).first()
    if lesson is None:
        raise ValidationError({"lesson": _("Only published lessons can be planned.")})
    school = course.school_class.school_year.school
    # The class must be able to open it: the lesson is its school's own or shared with it.
    shared = lesson.sharing == SharingScope.PUBLIC or (
        lesson.sharing == SharingScope.DISTRICT
        and lesson.school is not None
        and lesson.school.organisation_id == school.organisation_id
    )
    if not can_view_lesson(actor, lesson) or not (lesson.school_id == school.pk or shared):
        raise ValidationError({"lesson": _("The students of this class cannot open that lesson.")})
    return lesson


@transaction.atomic
def create_assignment(
    *,
    actor,
    course: Course,
    title: str,
    instructions: str,
    release_at,
    due_at,
    delivery_form: str,
    late_policy: str = LatePolicy.ACCEPT,
    counts_as_regular_assessment: bool = False,
    attachments=(),
) -> Assignment:
    if not access.can_edit_course(actor, course):
        raise PermissionDenied(_("Only the course's teacher can change its plan."))
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the assignment a title.")
    if not instructions.strip():
        errors["instructions"] = _("Write the instructions for the students.")
    if due_at is None:
        errors["due_at"] = _("An assignment needs a due date.")
    if late_policy not in LatePolicy.values:
        errors["late_policy"] = _("Choose what happens to late work.")
    if errors:
        raise ValidationError(errors)
    period = _check_item(
        course, kind=ItemKind.ASSIGNMENT, release_at=release_at, due_at=due_at, delivery_form=delivery_form
    )
    item = PlanItem(
        course=course,
        position=_next_position(course),
        kind=ItemKind.ASSIGNMENT,
        title=title.strip(),
        release_at=release_at,
        due_at=due_at,
        delivery_form=delivery_form,
        force_majeure=period,
        created_by=actor,
    )
    item.full_clean()
    item.save()
    assignment = Assignment.objects.create(
        item=item,
        instructions=instructions.strip(),
        late_policy=late_policy,
        counts_as_regular_assessment=counts_as_regular_assessment,
    )
    for upload in attachments:
        _check_upload(upload)
        AssignmentAttachment.objects.create(assignment=assignment, file=upload, name=_file_name(upload))
    return assignment


@transaction.atomic
def move_item(*, actor, item: PlanItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) in its plan."""
    if not access.can_edit_course(actor, item.course):
        raise PermissionDenied
    items = list(item.course.items.order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for position, other in enumerate(items, start=1):
        if other.position != position:
            PlanItem.objects.filter(pk=other.pk).update(position=position)


@transaction.atomic
def update_plan_item(
    *,
    actor,
    item: PlanItem,
    title: str,
    release_at,
    delivery_form: str,
    due_at=None,
    instructions: str | None = None,
    late_policy: str | None = None,
    counts_as_regular_assessment: bool | None = None,
) -> PlanItem:
    """Change an item's title, dates and TT 09 form (and an assignment's instructions and late policy). The kind and
    what the item points at stay: a different lesson or library item is a new item. Moving the due date re-marks
    handed-in work as late or on time against the new date."""
    item = PlanItem.objects.select_for_update().select_related("course__school_class__school_year").get(pk=item.pk)
    course = item.course
    if not access.can_edit_course(actor, course):
        raise PermissionDenied(_("Only the course's teacher can change its plan."))
    errors = {}
    title = (title or "").strip() or (item.lesson.title if item.kind == ItemKind.LESSON and item.lesson else "")
    if not title:
        errors["title"] = _("Give the item a title.")
    if item.kind == ItemKind.ASSIGNMENT:
        if due_at is None:
            errors["due_at"] = _("An assignment needs a due date.")
        if instructions is not None and not instructions.strip():
            errors["instructions"] = _("Write the instructions for the students.")
        if late_policy is not None and late_policy not in LatePolicy.values:
            errors["late_policy"] = _("Choose what happens to late work.")
    if errors:
        raise ValidationError(errors)
    period = _check_item(course, kind=item.kind, release_at=release_at, due_at=due_at, delivery_form=delivery_form)
    due_changed = item.due_at != due_at
    item.title = title
    item.release_at = release_at
    item.due_at = due_at
    item.delivery_form = delivery_form
    item.force_majeure = period
    item.full_clean()
    item.save(update_fields=["title", "release_at", "due_at", "delivery_form", "force_majeure"])
    if item.kind == ItemKind.ASSIGNMENT:
        assignment = item.assignment
        if instructions is not None:
            assignment.instructions = instructions.strip()
        if late_policy is not None:
            assignment.late_policy = late_policy
        if counts_as_regular_assessment is not None:
            assignment.counts_as_regular_assessment = counts_as_regular_assessment
        assignment.save(update_fields=["instructions", "late_policy", "counts_as_regular_assessment"])
        if due_changed:
            submissions = assignment.submissions
            submissions.filter(submitted_at__gt=due_at).update(is_late=True)
            submissions.filter(submitted_at__lte=due_at).update(is_late=False)
    log(
        instance=item,
        action="courses.plan_item_changed",
        user=actor,
        data={"course": course.pk, "title": item.title, "kind": item.kind},
    )
    return item


def student_work_on_item(item: PlanItem) -> dict[str, int]:
    """What the class has done on an item (how many students opened it, handed in work, completed the lesson,
    played the library item or worked on its test or practice set): an item with any of it is archived rather than
    deleted, so no student's work is lost."""
    work = {
        "opened": ItemActivity.objects.filter(item=item).count(),
        "submissions": Submission.objects.filter(assignment__item=item).count(),
        "questions": item.questions.count(),
        "completed": 0,
    }
    students = list(
        Enrollment.objects.filter(school_class_id=item.course.school_class_id).values_list("student_id", flat=True)
    )
    if item.kind == ItemKind.LESSON and item.lesson_id and students:
        from content.api import get_progress_for_people

        progress = get_progress_for_people(user_ids=students, lesson_ids=[item.lesson_id])
        work["completed"] = sum(1 for p in progress.values() if p.completed_at)
    elif item.kind == ItemKind.LIBRARY and item.reference and students:
        from lms.courses import library

        work["completed"] = library.students_with_results(item, students)
    elif item.reference and students and providers.get_provider(item.kind) is not None:
        work["completed"] = providers.get_provider(item.kind).students_with_work(item, students)
    return work


class ItemHasStudentWork(ValidationError):
    pass


def describe_work(work: dict[str, int]) -> str:
    parts = []
    if work["submissions"]:
        parts.append(_("%(n)d handed-in work(s)") % {"n": work["submissions"]})
    if work["completed"]:
        parts.append(_("%(n)d student(s) completed it") % {"n": work["completed"]})
    if work["opened"]:
        parts.append(_("%(n)d student(s) opened it") % {"n": work["opened"]})
    if work["questions"]:
        parts.append(_("%(n)d question(s) about it") % {"n": work["questions"]})
    return ", ".join(parts)


@transaction.atomic
def delete_plan_item(*, actor, item: PlanItem) -> str:
    """Take an item out of the plan. Once a student of the class has opened it, handed in work, completed it,
    worked on its test or practice set or asked about it, the item is **archived** instead: hidden from the students'
    plan and home, kept (marked archived) in the dashboard, the exports and the class records, restorable by a
    course teacher. A never-used item is deleted. Returns ``"archived"`` or ``"deleted"``; both are audit-logged."""
    item = PlanItem.objects.select_for_update().select_related("course__school_class").get(pk=item.pk)
    if not access.can_edit_course(actor, item.course):
        raise PermissionDenied(_("Only the course's teacher can change its plan."))
    work = student_work_on_item(item)
    if any(work.values()):
        if item.archived_at is None:
            item.archived_at, item.archived_by = timezone.now(), actor
            item.save(update_fields=["archived_at", "archived_by"])
            log(
                instance=item,
                action="courses.plan_item_archived",
                user=actor,
                data={"course": item.course_id, "title": item.title, "kind": item.kind, "work": work},
            )
        return "archived"
    log(
        instance=item,
        action="courses.plan_item_deleted",
        user=actor,
        data={"course": item.course_id, "title": item.title, "kind": item.kind, "reference": item.reference},
    )
    course = item.course
    item.delete()
    for position, pk in enumerate(course.items.order_by("position", "pk").values_list("pk", flat=True), start=1):
        PlanItem.objects.filter(pk=pk).exclude(position=position).update(position=position)
    return "deleted"


@transaction.atomic
def restore_plan_item(*, actor, item: PlanItem) -> PlanItem:
    """Bring an archived item back into the students' plan (course teachers only, audit-logged)."""
    item = PlanItem.objects.select_for_update().select_related("course__school_class").get(pk=item.pk)
    if not access.can_edit_course(actor, item.course):
        raise PermissionDenied(_("Only the course's teacher can change its plan."))
    if item.archived_at is None:
        raise ValidationError(_("“%(title)s” is not archived.") % {"title": item.title})
    item.archived_at, item.archived_by = None, None
    item.save(update_fields=["archived_at", "archived_by"])
    log(
        instance=item,
        action="courses.plan_item_restored",
        user=actor,
        data={"course": item.course_id, "title": item.title, "kind": item.kind},
    )
    return item


# --------------------------------------------------------------------------------------------------------------------
# Submissions and scores (R5, R11, R17)
# --------------------------------------------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/heic", "image/webp"})


def _file_name(upload) -> str:
    return (getattr(upload, "name", "") or "tep").rsplit("/", 1)[-1][:255]


def _check_upload(upload) -> None:
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s MB.") % {"name": _file_name(upload), "limit": MAX_UPLOAD_BYTES >> 20}
        )
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": _file_name(upload)})


@transaction.atomic
def submit_assignment(*, student, assignment: Assignment, text: str = "", files=()) -> Submission:
    """Hand in (or add to) a student's work. Work already scored cannot be changed."""
    item = assignment.item
    now = timezone.now()
    if not access.is_enrolled(student, item.course.school_class):
        raise PermissionDenied(_("Only students of the class can hand in this assignment."))
    if item.release_at > now:
        raise ValidationError(_("This assignment is not open yet."))
    late = item.due_at is not None and now > item.due_at
    if late and assignment.late_policy == LatePolicy.REFUSE:
        raise ValidationError(_("The due date has passed and this assignment does not accept late work."))
    files = list(files)
    if not text.strip() and not files:
        raise ValidationError(_("Write an answer or attach at least one file or photo."))
    for upload in files:
        _check_upload(upload)
    submission = Submission.objects.select_for_update().filter(assignment=assignment, student=student).first()
    if submission is not None and submission.scored_at is not None:
        raise ValidationError(_("Your work has been scored; it can no longer be changed."))
    if submission is None:
        submission = Submission(assignment=assignment, student=student)
    if text.strip():
        submission.text = text.strip()
    submission.submitted_at = now
    submission.is_late = late
    submission.full_clean()
    submission.save()
    for upload in files:
        SubmissionFile.objects.create(
            submission=submission,
            file=upload,
            name=_file_name(upload),
            is_photo=getattr(upload, "content_type", "") in PHOTO_TYPES,
        )
    return submission


@transaction.atomic
def score_submission(*, actor, submission: Submission, score, feedback: str = "") -> Submission:
    """Record the teacher's score (0–10, one decimal; "8,5" accepted) and feedback; they are released to the
    student and the parents at once."""
    if not access.can_edit_course(actor, submission.assignment.item.course):
        raise PermissionDenied(_("Only the course's teacher can score this work."))
    try:
        value = rules.parse_score(score)
    except rules.ScoreError as error:
        raise ValidationError({"score": str(error)}) from error
    submission.score = value
    submission.feedback = feedback.strip()
    submission.scored_by = actor
    submission.scored_at = timezone.now()
    submission.full_clean()
    submission.save(update_fields=["score", "feedback", "scored_by", "scored_at"])
    from lms.courses.notifications import feedback_given

    feedback_given(submission)
    return submission


@transaction.atomic
def send_score_to_gradebook(*, actor, submission: Submission) -> GradebookTransfer:
    """Send a scored assignment to the gradebook as a regular assessment (ĐĐGtx, R11).

    The gradebook app (not built yet) receives ``regular_assessment_recorded``; the transfer row records what was
    sent, by whom and when, so a score is never sent twice unchanged.
    """
    assignment = submission.assignment
    course = assignment.item.course
    if not access.can_edit_course(actor, course):
        raise PermissionDenied(_("Only the course's teacher can send this score."))
    if not assignment.counts_as_regular_assessment:
        raise ValidationError(_("This assignment does not count as a regular assessment."))
    if submission.score is None:
        raise ValidationError(_("Score the work before sending it to the gradebook."))
    offering = SubjectOffering.objects.filter(
        school_year=course.school_class.school_year, grade=course.school_class.grade, subject=course.subject
    ).first()
    if offering is not None and offering.assessment_method == AssessmentMethod.COMMENT:
        raise ValidationError(
            _("%(subject)s is assessed by comment: a score cannot be sent.") % {"subject": course.subject}
        )
    last = submission.gradebook_transfers.order_by("-sent_at").first()
    if last is not None and last.score == submission.score:
        raise ValidationError(_("This score has already been sent to the gradebook."))
    transfer = GradebookTransfer.objects.create(submission=submission, score=submission.score, sent_by=actor)
    transaction.on_commit(
        lambda: regular_assessment_recorded.send(
            sender=GradebookTransfer,
            transfer_id=transfer.pk,
            student_id=submission.student_id,
            school_class_id=course.school_class_id,
            subject_id=course.subject_id,
            score=transfer.score,
            recorded_on=timezone.localdate(submission.scored_at),
            source=f"courses.assignment:{assignment.pk}",
            sent_by_id=actor.pk,
        )
    )
    return transfer


# --------------------------------------------------------------------------------------------------------------------
# Activity (R7)
# --------------------------------------------------------------------------------------------------------------------
def _item_target(item: PlanItem) -> str:
    return f"courses.plan_item:{item.pk}"


def _item_school(item: PlanItem):
    return item.course.school_class.school_year.school


def record_item_opened(*, student, item: PlanItem) -> None:
    """A student opened an item through the course. The raw event goes to the behaviour log (lms.privacy, R42); the
    course keeps when the item was first opened (a core learning record, see README "Core records and learning
    analytics")."""
    privacy_api.record_behaviour(
        user=student, kind=privacy_api.BehaviourKind.VIEW, school=_item_school(item), target=_item_target(item)
    )
    now = timezone.now()
    with transaction.atomic():
        if not ItemActivity.objects.filter(item=item, student=student).update(last_seen_at=now):
            ItemActivity.objects.get_or_create(
                item=item, student=student, defaults={"first_opened_at": now, "last_seen_at": now}
            )


def record_time_spent(*, student, item: PlanItem, seconds: int) -> None:
    """One heartbeat of time on an item's course page (capped). Each ping is a behaviour event (lms.privacy, R42);
    the per-item total of seconds is learning analytics, added up only while the student's ``learning_analytics``
    consent holds and processing is not restricted. Without it nothing about time is stored here."""
    seconds = max(0, min(int(seconds), rules.HEARTBEAT_MAX_SECONDS))
    event = privacy_api.record_behaviour(
        user=student,
        kind=privacy_api.BehaviourKind.TIME_ON_TASK,
        school=_item_school(item),
        target=_item_target(item),
        seconds=seconds,
    )
    if event is None or not privacy_api.consent_holds(student, rules.LEARNING_ANALYTICS):
        return  # restricted (record_behaviour kept nothing) or no consent to learning analytics
    now = timezone.now()
    with transaction.atomic():
        updated = ItemActivity.objects.filter(item=item, student=student).update(
            last_seen_at=now, seconds_spent=F("seconds_spent") + seconds
        )
        if not updated:
            ItemActivity.objects.get_or_create(
                item=item,
                student=student,
                defaults={"first_opened_at": now, "last_seen_at": now, "seconds_spent": seconds},
            )


def clear_learning_analytics(*, student, school=None) -> int:
    """Erase the stored time on task of a student (in one school, or everywhere): the seconds go, the opening times
    (core records) stay. Returns how many item rows had time."""
    rows = ItemActivity.objects.filter(student=student, seconds_spent__gt=0)
    if school is not None:
        rows = rows.filter(item__course__school_class__school_year__school=school)
    with transaction.atomic():
        return ItemActivity.objects.filter(pk__in=list(rows.values_list("pk", flat=True))).update(seconds_spent=0)


# --------------------------------------------------------------------------------------------------------------------
# Live sessions and attendance (R4, R13)
# --------------------------------------------------------------------------------------------------------------------
def _check_meeting_url(provider: str, url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError({"meeting_url": _("The meeting link must be an https:// address.")})
    hosts = rules.MEETING_HOSTS.get(provider)
    if hosts is None:
        raise ValidationError({"provider": _("Choose the meeting tool.")})
    if hosts and not any(parts.hostname == h or parts.hostname.endswith("." + h) for h in hosts):
        raise ValidationError(
            {
                "meeting_url": _("This is not a %(tool)s link (expected %(hosts)s).")
                % {"tool": provider, "hosts": ", ".join(hosts)}
            }
        )


@transaction.atomic
def schedule_session(*, actor, course: Course, title: str, starts_at, ends_at, provider: str, meeting_url: str):
    if not access.can_edit_course(actor, course):
        raise PermissionDenied(_("Only the course's teacher can schedule its sessions."))
    if not title.strip():
        raise ValidationError({"title": _("Give the session a title.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    _check_meeting_url(provider, meeting_url.strip())
    session = LiveSession(
        course=course,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        provider=provider,
        meeting_url=meeting_url.strip(),
        created_by=actor,
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def join_session(*, student, session, now=None) -> Attendance:
    """Record that a student of the class joined (present, or late after the threshold); the first join counts."""
    from datetime import timedelta

    config = rules.SESSIONS["SCHOOL_DEFAULT"]
    now = now or timezone.now()
    if not access.is_enrolled(student, session.course.school_class):
        raise PermissionDenied(_("Only students of the class can join this session."))
    if now < session.starts_at - timedelta(minutes=config["join_early_minutes"]):
        raise ValidationError(_("The session has not opened yet."))
    if now > session.ends_at:
        raise ValidationError(_("The session is over."))
    late = now > session.starts_at + timedelta(minutes=config["late_after_minutes"])
    attendance, created = Attendance.objects.select_for_update().get_or_create(
        session=session,
        student=student,
        defaults={"joined_at": now, "status": AttendanceStatus.LATE if late else AttendanceStatus.PRESENT},
    )
    if not created and attendance.joined_at is None and attendance.corrected_at is None:
        attendance.joined_at = now
        attendance.status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
        attendance.save(update_fields=["joined_at", "status"])
    return attendance


@transaction.atomic
def correct_attendance(*, actor, session, student, status: str, note: str = "") -> Attendance:
    """The teacher's correction (a student who joined by phone, a leave of absence); who and when are kept."""
    if not access.can_edit_course(actor, session.course):
        raise PermissionDenied(_("Only the course's teacher can correct attendance."))
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Choose an attendance status.")})
    if not access.is_enrolled(student, session.course.school_class):
        raise ValidationError(_("%(name)s is not a student of this class.") % {"name": student})
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        session=session, student=student, defaults={"status": status}
    )
    attendance.status = status
    attendance.note = note.strip()
    attendance.corrected_by = actor
    attendance.corrected_at = timezone.now()
    attendance.save()
    return attendance


# --------------------------------------------------------------------------------------------------------------------
# Questions and answers (R6)
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def ask_question(*, author, course: Course, title: str, body: str = "", item: PlanItem | None = None) -> Question:
    if not access.can_discuss(author, course):
        raise PermissionDenied(_("Only the class and its teachers can ask here."))
    if not title.strip():
        raise ValidationError({"title": _("Write the question.")})
    if item is not None and item.course_id != course.pk:
        raise ValidationError({"item": _("That item belongs to another course.")})
    question = Question(course=course, item=item, author=author, title=title.strip(), body=body.strip())
    question.full_clean()
    question.save()
    from lms.courses.notifications import question_asked

    question_asked(question)
    return question


@transaction.atomic
def answer_question(*, author, question: Question, body: str) -> Answer:
    if not access.can_discuss(author, question.course):
        raise PermissionDenied(_("Only the class and its teachers can answer here."))
    if not body.strip():
        raise ValidationError({"body": _("Write the answer.")})
    answer = Answer.objects.create(question=question, author=author, body=body.strip())
    from lms.courses.notifications import answer_posted

    answer_posted(answer)
    return answer


@transaction.atomic
def mark_answer(*, actor, answer: Answer, accepted: bool = True) -> Answer:
    """The teacher marks the answer that settles the question (one per question)."""
    if not access.can_edit_course(actor, answer.question.course):
        raise PermissionDenied(_("Only the course's teacher can mark an answer."))
    if accepted:
        Answer.objects.filter(question=answer.question_id, is_accepted=True).exclude(pk=answer.pk).update(
            is_accepted=False
        )
    answer.is_accepted = accepted
    answer.save(update_fields=["is_accepted"])
    return answer
