"""Tests (đề kiểm tra) built from the question bank, their exam codes, sittings for a class, attempts and answers.

- ``Test`` → ``TestPart`` (PHẦN I, II, III…) → fixed ``TestItem`` rows (a pinned, ready ``QuestionVersion``) and
  ``TestDraw`` rows (n questions drawn at random from a bank by category / level / YCCĐ / tag), each with points.
- ``Variant``: one exam code; its ``layout`` is the frozen, shuffled content (questions, options, points) and its
  ``key`` the answer key that follows that shuffle. All variants of a test share the same drawn questions.
- ``Sitting``: a test scheduled for a course (subject × class): window, duration, access code, review options.
- ``Attempt``: built for every student of the class before the start (variant assigned); the deadline is the
  server's; ``last_seq`` is the highest change number taken from the browser.
- ``Answer``: the current response per question slot, with the sequence number that wrote it; ``AnswerEvent``:
  every change received, once per (attempt, seq) — the idempotency key and the answer-change log (R12);
  ``AttemptEvent``: start, resume, focus loss, submit (who/when/IP).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TestKind(models.TextChoices):
    REGULAR = "regular", _("Regular assessment (thường xuyên)")
    MIDTERM = "midterm", _("Mid-term test (giữa kì)")
    FINAL = "final", _("End-of-term test (cuối kì)")


class TestStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("test status", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("test status", "In review")
    APPROVED = "approved", pgettext_lazy("test status", "Approved")


class BlueprintStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("test status", "Draft")
    APPROVED = "approved", pgettext_lazy("test status", "Approved")


class Test(models.Model):
    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "curriculum.Subject",
        verbose_name=_("subject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=TestKind.choices, default=TestKind.REGULAR)
    rule_set = models.CharField(_("scoring rules"), max_length=20, default="THPT2025")
    template = models.CharField(_("template"), max_length=20, blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=45)
    shuffle = models.BooleanField(_("shuffle questions and options"), default=True)
    seed = models.CharField(_("shuffle seed"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TestStatus.choices, default=TestStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("test")
        verbose_name_plural = _("tests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_periodic(self) -> bool:
        return self.kind in (TestKind.MIDTERM, TestKind.FINAL)


class TestPart(models.Model):
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="parts")
    code = models.CharField(_("part"), max_length=10)  # "I", "II", "III"
    title = models.CharField(_("title"), max_length=200, blank=True)
    question_type = models.CharField(_("question type"), max_length=20, blank=True)
    count = models.PositiveSmallIntegerField(_("number of questions"), null=True, blank=True)
    points_each = models.DecimalField(_("points per question"), max_digits=5, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["test", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["test", "code"], name="exams_part_code_unique")]

    def __str__(self) -> str:
        return f"{self.test} – {self.code}"


class TestItem(models.Model):
    """A fixed question: this exact (ready) version."""

    part = models.ForeignKey(TestPart, on_delete=models.CASCADE, related_name="items")
    version = models.ForeignKey("assessments.QuestionVersion", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["part", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["part", "version"], name="exams_item_version_unique")]

    def __str__(self) -> str:
        return f"{self.part.code}: {self.version}"


class TestDraw(models.Model):
    """``count`` questions drawn at random (seeded) from the ready questions of ``bank`` that match the filters."""

    part = models.ForeignKey(TestPart, on_delete=models.CASCADE, related_name="draws")
    bank = models.ForeignKey("assessments.QuestionBank", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "assessments.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    include_subcategories = models.BooleanField(default=True)
    level = models.CharField(_("cognitive level"), max_length=10, blank=True)
    outcome = models.ForeignKey("curriculum.Outcome", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tag = models.CharField(_("tag"), max_length=100, blank=True)
    question_type = models.CharField(_("question type"), max_length=20, blank=True)
    count = models.PositiveSmallIntegerField(_("number of questions"))
    points = models.DecimalField(_("points per question"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["part", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.part.code}: {self.count} × {self.bank}"


class Variant(models.Model):
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="variants")
    number = models.PositiveSmallIntegerField()
    code = models.CharField(_("exam code"), max_length=10)
    seed = models.CharField(max_length=60)
    layout = models.JSONField()
    key = models.JSONField()
    # Raised whenever ``layout`` changes (a key correction): the save path caches each code's question index by
    # (variant, revision) instead of reading the whole layout on every answer.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exam code")
        verbose_name_plural = _("exam codes")
        ordering = ["test", "number"]
        constraints = [
            models.UniqueConstraint(fields=["test", "number"], name="exams_variant_number_unique"),
            models.UniqueConstraint(fields=["test", "code"], name="exams_variant_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.test} – {self.code}"

    def slots(self) -> list[dict]:
        return [slot for part in self.layout["parts"] for slot in part["slots"]]


class ReviewOption(models.TextChoices):
    AFTER_SUBMIT = "after_submit", _("Marks and answers right after submitting")
    MARKS_AFTER_SUBMIT = "marks", _("Marks right after submitting, answers after the window closes")
    AFTER_CLOSE = "after_close", _("Marks and answers after the window closes")
    NEVER = "never", _("Not shown to students")


class Sitting(models.Model):
    test = models.ForeignKey(Test, verbose_name=_("test"), on_delete=models.PROTECT, related_name="sittings")
    course = models.ForeignKey("courses.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    duration = models.DurationField(_("duration"))
    late_join_minutes = models.PositiveSmallIntegerField(_("late join allowed for (minutes)"), null=True, blank=True)
    access_code = models.CharField(_("access code"), max_length=20, blank=True)
    review = models.CharField(
        _("review"), max_length=15, choices=ReviewOption.choices, default=ReviewOption.MARKS_AFTER_SUBMIT
    )
    delivery_rules = models.CharField(max_length=20, default="CBT2026")
    # Periodic (giữa kì / cuối kì) or regular for this sitting; a periodic test is never delivered as regular.
    kind = models.CharField(_("kind"), max_length=10, choices=TestKind.choices, default=TestKind.REGULAR)
    allowed_networks = models.TextField(
        _("allowed IP ranges"), blank=True, help_text=_("One CIDR range a line, e.g. 203.113.10.0/24.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("test sitting")
        verbose_name_plural = _("test sittings")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="exams_sitting_window")
        ]

    def __str__(self) -> str:
        return self.title or self.test.title

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at

    @property
    def is_periodic(self) -> bool:
        return self.kind in (TestKind.MIDTERM, TestKind.FINAL)

    def network_list(self) -> list[str]:
        return [line.strip() for line in self.allowed_networks.splitlines() if line.strip()]


class AttemptStatus(models.TextChoices):
    READY = "ready", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class Attempt(models.Model):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    extra_minutes = models.PositiveSmallIntegerField(_("extra time (minutes)"), default=0)
    status = models.CharField(max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.READY)
    started_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    last_seq = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    answered = models.PositiveSmallIntegerField(default=0)
    focus_losses = models.PositiveSmallIntegerField(default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    needs_marking = models.BooleanField(default=False)
    device = models.CharField(max_length=64, blank=True)  # the one browser that may save (its random id)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["sitting", "student__last_name", "student__first_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["sitting", "student"], name="exams_one_attempt_per_student")]
        indexes = [models.Index(fields=["status", "deadline"], name="exams_attempt_due")]

    def __str__(self) -> str:
        return f"{self.sitting} – {self.student}"

    def compute_deadline(self):
        extra = timedelta(minutes=self.extra_minutes)
        return min(self.started_at + self.sitting.duration + extra, self.sitting.closes_at + extra)

    def opens_later(self, now=None) -> bool:
        """Checked in from the waiting room before the test's start: in progress, its time running from
        ``started_at`` (the start), its paper not shown before then."""
        return (
            self.status == AttemptStatus.IN_PROGRESS
            and self.started_at is not None
            and self.started_at > (now or timezone.now())
        )

    def seconds_left(self) -> int:
        if not self.deadline:
            return int((self.sitting.duration + timedelta(minutes=self.extra_minutes)).total_seconds())
        running_since = max(timezone.now(), self.started_at) if self.started_at else timezone.now()
        return max(0, int((self.deadline - running_since).total_seconds()))


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    slot = models.PositiveSmallIntegerField()
    response = models.JSONField(null=True)
    seq = models.PositiveIntegerField()
    saved_at = models.DateTimeField()
    points = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["attempt", "slot"]
        constraints = [models.UniqueConstraint(fields=["attempt", "slot"], name="exams_answer_slot_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.slot} (seq {self.seq})"


class AnswerEvent(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answer_events")
    seq = models.PositiveIntegerField()
    slot = models.PositiveSmallIntegerField()
    response = models.JSONField(null=True)
    received_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "seq"]
        constraints = [models.UniqueConstraint(fields=["attempt", "seq"], name="exams_answer_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.seq} → {self.slot}"


class EventKind(models.TextChoices):
    START = "start", _("Started")
    RESUME = "resume", _("Opened again")
    FOCUS_LOST = "blur", _("Left the test window")
    FOCUS_BACK = "focus", _("Came back to the test window")
    SUBMIT = "submit", pgettext_lazy("attempt event", "Submitted")
    AUTO_SUBMIT = "auto_submit", _("Submitted by the server at time-up")
    EXTRA_TIME = "extra_time", _("Extra time given")
    TAKEOVER = "takeover", _("Continued on another device")
    NETWORK_REFUSED = "network_refused", _("Refused: not from an allowed network")


class AttemptEvent(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["attempt", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.kind}"


ZERO = Decimal(0)


# ------------------------------------------------------------------------- delivery rules, marking and regrading
class AuditAction(models.TextChoices):
    FORCE_MAJEURE = "force_majeure", _("Force-majeure decision recorded")
    ESSAY_MARKED = "essay_marked", _("Essay marked")
    KEY_CORRECTED = "key_corrected", _("Key corrected")
    REGRADED = "regraded", _("Attempts regraded")
    DEVIATIONS_ACCEPTED = "deviations_accepted", _("Deviations from the blueprint accepted")


class AuditEntry(models.Model):
    """Who did what to a sitting or test, when and why, with the before / after figures in ``data``."""

    action = models.CharField(max_length=20, choices=AuditAction.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    test = models.ForeignKey(Test, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries")
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("test audit entry")
        verbose_name_plural = _("test audit entries")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.by_id} at {self.at:%Y-%m-%d %H:%M}"


class ForceMajeureDecision(models.Model):
    """The principal's decision (TT 09/2021 Art. 6(2)) that the named students sit a periodic test off site."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="force_majeure")
    number = models.CharField(_("decision number"), max_length=50)
    decided_on = models.DateField(_("decision date"))
    reason = models.TextField(_("reason (force majeure)"))
    students = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("students"), related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("force-majeure decision")
        verbose_name_plural = _("force-majeure decisions")
        ordering = ["sitting", "decided_on", "pk"]

    def __str__(self) -> str:
        return self.number


class SittingMove(models.Model):
    """A sitting's window moved to a later time before anyone started (a power cut, the room not ready): who moved
    it, why, from when to when. ``services.reschedule_sitting`` writes it."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="moves")
    opens_at_before = models.DateTimeField(_("opened at (before)"))
    closes_at_before = models.DateTimeField(_("closed at (before)"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    reason = models.TextField(_("reason"))
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sitting moved")
        verbose_name_plural = _("sittings moved")
        ordering = ["sitting", "moved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.sitting_id}: {self.opens_at_before:%Y-%m-%d %H:%M} → {self.opens_at:%Y-%m-%d %H:%M}"


class EssayMark(models.Model):
    """A teacher's marks for one essay slot of an attempt: points per rubric criterion (index → points, text) and a
    comment. ``grade_attempt`` scores the slot from these."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="marks")
    slot = models.PositiveSmallIntegerField()
    criteria = models.JSONField(default=dict)
    points = models.DecimalField(max_digits=5, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempt", "slot"]
        constraints = [models.UniqueConstraint(fields=["attempt", "slot"], name="exams_essay_mark_slot_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.slot}: {self.points}"


class KeyCorrection(models.Model):
    """A corrected key for one question (``version``: the version pinned in the test's codes) — typed on the test, or
    taken from a newer ready version of the question (``new_version``). ``content`` is the corrected question in the
    bank's own labels; every exam code's slot is rebuilt from it through that code's shuffle."""

    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="key_corrections")
    version = models.ForeignKey("assessments.QuestionVersion", on_delete=models.PROTECT, related_name="+")
    new_version = models.ForeignKey(
        "assessments.QuestionVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content = models.JSONField()
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["test", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.test_id}: {self.version_id}"


# ---------------------------------------------------------------------------------------------------- blueprints
class Blueprint(models.Model):
    """A ma trận / bản đặc tả (CV 7991, R30): header fields, a framework key (``rules.BLUEPRINT_FRAMEWORKS``), rows."""

    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "curriculum.Subject", verbose_name=_("subject"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    framework = models.CharField(_("framework"), max_length=20, default="CV7991_2024")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=TestKind.choices, default=TestKind.MIDTERM)
    semester = models.CharField(_("semester"), max_length=20, blank=True)
    school_year = models.CharField(_("school year"), max_length=20, blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=45)
    total_points = models.DecimalField(_("total points"), max_digits=5, decimal_places=2, default=Decimal(10))
    # Level shares in percent set by the author ({level: "40"}); empty: the framework's defaults.
    level_targets = models.JSONField(_("level targets (%)"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BlueprintStatus.choices, default=BlueprintStatus.DRAFT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("blueprint")
        verbose_name_plural = _("blueprints")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class BlueprintRow(models.Model):
    """Chủ đề / chương × nội dung / đơn vị kiến thức, with the YCCĐ outcomes it assesses."""

    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveSmallIntegerField(default=0)
    chapter = models.CharField(_("chapter / topic"), max_length=200)
    content_unit = models.CharField(_("content unit"), max_length=200, blank=True)
    outcomes = models.ManyToManyField(
        "curriculum.Outcome", verbose_name=_("required outcomes (YCCĐ)"), related_name="+"
    )

    class Meta:
        ordering = ["blueprint", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.chapter} – {self.content_unit}" if self.content_unit else self.chapter


class BlueprintCell(models.Model):
    """One (item format × level) cell of a row: how many items (Đúng/Sai: statements) and the points of each."""

    row = models.ForeignKey(BlueprintRow, on_delete=models.CASCADE, related_name="cells")
    format = models.CharField(_("item format"), max_length=10)
    level = models.CharField(_("cognitive level"), max_length=10)
    count = models.PositiveSmallIntegerField(_("number of items"))
    points_each = models.DecimalField(_("points per item"), max_digits=6, decimal_places=3)

    class Meta:
        ordering = ["row", "pk"]
        constraints = [models.UniqueConstraint(fields=["row", "format", "level"], name="exams_blueprint_cell_unique")]

    def __str__(self) -> str:
        return f"{self.row}: {self.format}/{self.level} × {self.count}"


class BlueprintTest(models.Model):
    """A test generated from a blueprint: the seed it was drawn with and the cells the bank could not fill."""

    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="generated")
    test = models.OneToOneField(Test, on_delete=models.CASCADE, related_name="blueprint_link")
    seed = models.CharField(max_length=60)
    shortfalls = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.blueprint_id} → {self.test_id}"


class ReviewAction(models.TextChoices):
    SUBMITTED = "submitted", _("Sent for review")
    RETURNED = "returned", _("Returned to the author")
    APPROVED = "approved", pgettext_lazy("review action", "Approved")


class TestReview(models.Model):
    """The review trail of a test (R33): sent to the tổ chuyên môn, returned with a comment, approved."""

    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=10, choices=ReviewAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["test", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.test_id}: {self.action}"


# --------------------------------------------------------------------------------------------------------------------
# Practice mode (issue 7 item 8): published practice sets, self-tests with immediate feedback and unlimited retries
# --------------------------------------------------------------------------------------------------------------------
class PracticeSet(models.Model):
    """Ready questions of the bank picked by a teacher, in order; students of the school (and grade) practise on it
    once published."""

    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    subject = models.ForeignKey(
        "curriculum.Subject",
        verbose_name=_("subject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("practice set")
        verbose_name_plural = _("practice sets")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class PracticeQuestion(models.Model):
    practice_set = models.ForeignKey(PracticeSet, on_delete=models.CASCADE, related_name="questions")
    version = models.ForeignKey("assessments.QuestionVersion", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["practice_set", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["practice_set", "version"], name="exams_practice_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.practice_set} #{self.position}"


class PracticeAttempt(models.Model):
    """One go at a practice set. ``answers``: ``{position: {"response", "points", "max", "detail", "tries",
    "first"}}`` per question touched so far: the last checked answer and its result (absent while the student
    answers the question again after "try this question again"), how many times it was checked, and the first
    check's ``{"response", "points", "max"}``. ``score`` is the final result on 0–10, ``first_score`` the one counting
    each question's first try only (the honest one for the teacher)."""

    practice_set = models.ForeignKey(PracticeSet, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=3, decimal_places=1, null=True, blank=True)
    first_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    first_score = models.DecimalField(_("first-try score"), max_digits=3, decimal_places=1, null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("practice attempt")
        verbose_name_plural = _("practice attempts")
        ordering = ["practice_set", "student", "-started_at", "-pk"]
        indexes = [models.Index(fields=["practice_set", "student"], name="exams_practice_attempts")]

    def __str__(self) -> str:
        return f"{self.practice_set} – {self.student}"
