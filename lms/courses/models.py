"""School years and classes (lớp) with their students.

A class belongs to one school year; a student is enrolled in at most one class per school year. Course plans,
assignments and teaching assignments build on these.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SchoolYear(models.Model):
    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="school_years"
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 2026–2027."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_current = models.BooleanField(_("current school year"), default=False)

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["school", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="courses_year_name_unique"),
            models.UniqueConstraint(fields=["school"], condition=Q(is_current=True), name="courses_one_current_year"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="courses_year_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.CASCADE, related_name="classes"
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 10A1."))
    grade = models.PositiveSmallIntegerField(_("grade"), choices=[(g, str(g)) for g in range(1, 13)])
    homeroom_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("homeroom teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homeroom_classes",
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school_year", "grade", "name"]
        constraints = [models.UniqueConstraint(fields=["school_year", "name"], name="courses_class_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_year})"


class Enrollment(models.Model):
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="enrollments"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="enrollments"
    )
    # Denormalised from the class so the database can enforce one class per student per school year.
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+", editable=False)
    number = models.PositiveSmallIntegerField(_("number in class list"), null=True, blank=True)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["school_class", "number"]
        constraints = [
            models.UniqueConstraint(fields=["student", "school_year"], name="courses_one_class_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_class.name}"

    def clean(self) -> None:
        if self.school_class_id and self.school_year_id and self.school_class.school_year_id != self.school_year_id:
            raise ValidationError(_("The enrolment's school year must be the class's school year."))


# --------------------------------------------------------------------------------------------------------------------
# School structure: semesters, subjects per grade, teaching assignments
# --------------------------------------------------------------------------------------------------------------------
class Semester(models.Model):
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.CASCADE, related_name="semesters"
    )
    number = models.PositiveSmallIntegerField(_("semester"), choices=[(1, _("Semester 1")), (2, _("Semester 2"))])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        ordering = ["school_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="courses_semester_once"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="courses_semester_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_number_display()} {self.school_year}"


class AssessmentMethod(models.TextChoices):
    SCORE = "score", _("Score")
    COMMENT = "comment", _("Comment")


class SubjectOffering(models.Model):
    """A subject taught to one grade in one school year, with its periods per year and how it is assessed (R16)."""

    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.CASCADE, related_name="subject_offerings"
    )
    grade = models.PositiveSmallIntegerField(_("grade"), choices=[(g, str(g)) for g in range(1, 13)])
    subject = models.ForeignKey("curriculum.Subject", verbose_name=_("subject"), on_delete=models.PROTECT)
    periods_per_year = models.PositiveSmallIntegerField(_("periods per year"))
    assessment_method = models.CharField(_("assessment method"), max_length=10, choices=AssessmentMethod.choices)
    rules = models.CharField(_("assessment rules"), max_length=20, default="TT22_2021")

    class Meta:
        verbose_name = _("subject of a grade")
        verbose_name_plural = _("subjects of a grade")
        ordering = ["school_year", "grade", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "grade", "subject"], name="courses_offering_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.grade} ({self.school_year})"


class TeachingAssignment(models.Model):
    """Who teaches a subject to a class (phân công giảng dạy)."""

    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="teaching_assignments"
    )
    subject = models.ForeignKey("curriculum.Subject", verbose_name=_("subject"), on_delete=models.PROTECT)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="teaching_assignments",
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(fields=["school_class", "subject"], name="courses_one_teacher_per_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} – {self.subject} – {self.school_class.name}"


# --------------------------------------------------------------------------------------------------------------------
# Roster import (R36): a file is checked in full and shown as a report before anything is saved
# --------------------------------------------------------------------------------------------------------------------
class RosterImport(models.Model):
    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked")
        APPLIED = "applied", _("Applied")

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="courses/roster/%Y/%m/")
    original_name = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKED)
    report = models.JSONField(default=dict)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


# --------------------------------------------------------------------------------------------------------------------
# Courses and plans (TT 09/2021)
# --------------------------------------------------------------------------------------------------------------------
class Course(models.Model):
    """A subject taught to a class in a school year (the year is the class's)."""

    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="courses"
    )
    subject = models.ForeignKey("curriculum.Subject", verbose_name=_("subject"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["school_class", "subject"]
        constraints = [models.UniqueConstraint(fields=["school_class", "subject"], name="courses_course_once")]

    def __str__(self) -> str:
        return f"{self.subject} – {self.school_class.name}"


class DeliveryForm(models.TextChoices):
    """TT 09/2021 Art. 2, Art. 5(4) (R2)."""

    HO_TRO = "HO_TRO", _("Supports in-person teaching")
    THAY_THE = "THAY_THE", _("Replaces in-person teaching")


class ForceMajeureScope(models.TextChoices):
    SCHOOL = "school", _("Whole school")
    GRADE = "grade", _("One grade")
    CLASS = "class", _("One class")


class ForceMajeurePeriod(models.Model):
    """A principal's decision that students cannot come to school (R3): only inside it may online teaching replace
    in-person teaching."""

    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("scope"), max_length=10, choices=ForceMajeureScope.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.TextField(_("reason"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("force-majeure period")
        verbose_name_plural = _("force-majeure periods")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="courses_fm_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y})"

    def covers(self, school_class: SchoolClass, on) -> bool:
        if not (self.starts_on <= on <= self.ends_on):
            return False
        if self.scope == ForceMajeureScope.SCHOOL:
            return True
        if self.scope == ForceMajeureScope.GRADE:
            return self.grade == school_class.grade
        return self.school_class_id == school_class.pk


class ItemKind(models.TextChoices):
    LESSON = "lesson", _("Lesson")
    ASSIGNMENT = "assignment", _("Assignment")
    # Owned by lms.library / lms.assessments: stored as a typed reference until those apps are wired in.
    LIBRARY = "library", _("Library item (H5P, SCORM, document)")
    PRACTICE = "practice", _("Practice set")
    TEST = "test", _("Test")


REFERENCE_KINDS = frozenset({ItemKind.LIBRARY, ItemKind.PRACTICE, ItemKind.TEST})


class PlanItem(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=255)
    lesson = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("lesson"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The lesson revision live when the item was planned: the resource version used (R13).
    lesson_revision_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, help_text=_("Identifier of the library item, practice set or test.")
    )
    release_at = models.DateTimeField(_("released from"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    delivery_form = models.CharField(_("TT 09 form"), max_length=10, choices=DeliveryForm.choices)
    force_majeure = models.ForeignKey(
        ForceMajeurePeriod,
        verbose_name=_("force-majeure period"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Archived instead of deleted once students worked on it: hidden from students, kept for the teacher's
    # dashboard, the exports and the class records; a course teacher may restore it.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["course", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delivery_form="THAY_THE") | Q(force_majeure__isnull=False),
                name="courses_replaces_needs_force_majeure",
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=True) | Q(due_at__gte=models.F("release_at")),
                name="courses_due_after_release",
            ),
            models.CheckConstraint(condition=~Q(kind="lesson") | Q(lesson__isnull=False), name="courses_lesson_item"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class LatePolicy(models.TextChoices):
    ACCEPT = "accept", _("Accept late work and mark it late")
    REFUSE = "refuse", _("Refuse work after the due date")


class Assignment(models.Model):
    item = models.OneToOneField(PlanItem, on_delete=models.CASCADE, related_name="assignment")
    instructions = models.TextField(_("instructions"))
    late_policy = models.CharField(_("late work"), max_length=10, choices=LatePolicy.choices, default=LatePolicy.ACCEPT)
    counts_as_regular_assessment = models.BooleanField(_("score counts as a regular assessment (ĐĐGtx)"), default=False)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return self.item.title


class AssignmentAttachment(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="courses/assignments/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    text = models.TextField(_("answer"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    is_late = models.BooleanField(_("late"), default=False)
    score = models.DecimalField(_("score"), max_digits=3, decimal_places=1, null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="courses_one_submission"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=10)), name="courses_score_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.assignment}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="courses/submissions/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    is_photo = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")

    def __str__(self) -> str:
        return self.name


class GradebookTransfer(models.Model):
    """A score sent to the gradebook as a regular assessment (ĐĐGtx, R11). The gradebook app receives it through
    the ``regular_assessment_recorded`` signal; this row is the LMS's record that it was sent, and of what."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="gradebook_transfers")
    score = models.DecimalField(max_digits=3, decimal_places=1)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("score sent to the gradebook")
        verbose_name_plural = _("scores sent to the gradebook")

    def __str__(self) -> str:
        return f"{self.submission} → {self.score}"


class ItemActivity(models.Model):
    """Per student × item aggregate: when the student first and last opened a plan item through the course (a core
    learning record) and the seconds spent on its course page (learning analytics: added up only while the
    student's learning_analytics consent holds, cleared on withdrawal or deletion). The raw opens and heartbeats
    are behaviour events in lms.privacy (R42). Read by the item's teachers, the student and their parents."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="activity")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    seconds_spent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "student"], name="courses_activity_once")]

    def __str__(self) -> str:
        return f"{self.student} – {self.item}"


# --------------------------------------------------------------------------------------------------------------------
# Live sessions and attendance (R4: the video tool is external; attendance is recorded here)
# --------------------------------------------------------------------------------------------------------------------
class MeetingProvider(models.TextChoices):
    JITSI = "jitsi", "Jitsi Meet"
    BBB = "bbb", "BigBlueButton"
    MEET = "meet", "Google Meet"
    ZOOM = "zoom", "Zoom"


class LiveSession(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    provider = models.CharField(_("meeting tool"), max_length=10, choices=MeetingProvider.choices)
    meeting_url = models.URLField(_("meeting link"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="courses_session_ends_after")
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Absent with leave")


class Attendance(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "student"], name="courses_attendance_once")]

    def __str__(self) -> str:
        return f"{self.student} – {self.session}: {self.status}"


# --------------------------------------------------------------------------------------------------------------------
# Questions and answers (R6): per course, optionally about one plan item (a lesson)
# --------------------------------------------------------------------------------------------------------------------
class Question(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="questions")
    item = models.ForeignKey(
        PlanItem, verbose_name=_("about"), null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("question"), max_length=255)
    body = models.TextField(_("details"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("answer"))
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)
    is_accepted = models.BooleanField(_("marked by the teacher"), default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.body[:50]


# --------------------------------------------------------------------------------------------------------------------
# Notifications: in-app, and by e-mail through Celery
# --------------------------------------------------------------------------------------------------------------------
class NotificationKind(models.TextChoices):
    NEW_ITEM = "new_item", _("New in the plan")
    DUE_SOON = "due_soon", _("Due soon")
    FEEDBACK = "feedback", _("Feedback")
    ANSWER = "answer", _("Answer")
    QUESTION = "question", _("Question")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # What it is about, so that the periodic task never notifies twice.
    item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="courses_notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "item"],
                condition=Q(kind__in=["new_item", "due_soon"]),
                name="courses_notify_item_once",
            )
        ]

    def __str__(self) -> str:
        return self.text
