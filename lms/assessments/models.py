"""Question bank: banks per subject group with nested categories, versioned questions, review decisions, comments,
"where used", files, and import jobs.

A :class:`Question` is the stable identity (metadata: subject, grade, topic, YCCĐ, level…); its content lives in
:class:`QuestionVersion` rows. A version that has been approved (``READY``) is immutable: tests and attempts point
at it, and an edit makes a new draft version. The version's ``content`` is the ``ir.Question`` serialisation shared
by importers, exporters and scoring.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from content.api import Licence, SharingScope
from curriculum.api import GRADE_VALIDATORS, CognitiveLevel
from lms.assessments.ir import QType
from lms.assessments.ir import Question as IRQuestion


class QuestionType(models.TextChoices):
    SINGLE = QType.SINGLE.value, _("Single choice")
    MULTIPLE = QType.MULTIPLE.value, _("Multiple response")
    TRUE_FALSE = QType.TRUE_FALSE.value, _("True / false")
    TF4 = QType.TF4.value, _("True/false with four statements (Đúng/Sai)")
    SHORT = QType.SHORT.value, _("Short answer")
    NUMERIC = QType.NUMERIC.value, _("Numeric")
    MATCHING = QType.MATCHING.value, _("Matching")
    ORDERING = QType.ORDERING.value, _("Ordering")
    CLOZE = QType.CLOZE.value, _("Gap fill (cloze)")
    ESSAY = QType.ESSAY.value, _("Essay")
    GROUP = QType.GROUP.value, _("Shared stem (câu chùm)")
    DESCRIPTION = QType.DESCRIPTION.value, _("Text only (not scored)")
    CALCULATED = QType.CALCULATED.value, _("Calculated (formula with a dataset)")
    CALCULATED_MULTI = QType.CALCULATED_MULTI.value, _("Calculated multiple choice")
    DRAG_IMAGE = QType.DRAG_IMAGE.value, _("Drag and drop onto an image")


class Level(models.TextChoices):
    """CV 7991 levels (from the curriculum app) plus the legacy four levels still found in older banks."""

    BIET = CognitiveLevel.BIET.value, CognitiveLevel.BIET.label
    HIEU = CognitiveLevel.HIEU.value, CognitiveLevel.HIEU.label
    VAN_DUNG = CognitiveLevel.VAN_DUNG.value, CognitiveLevel.VAN_DUNG.label
    NB = "nb", _("Legacy: Nhận biết (NB)")
    TH = "th", _("Legacy: Thông hiểu (TH)")
    VD = "vd", _("Legacy: Vận dụng (VD)")
    VDC = "vdc", _("Legacy: Vận dụng cao (VDC)")


class Difficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


class QuestionBank(models.Model):
    """A subject group's bank. Shared with other schools as lessons are (``SharingScope``)."""

    subject_group = models.ForeignKey(
        "schools.SubjectGroup", verbose_name=_("subject group"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    sharing = models.CharField(
        _("shared with"), max_length=10, choices=SharingScope.choices, default=SharingScope.SCHOOL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["subject_group", "name"]
        constraints = [models.UniqueConstraint(fields=["subject_group", "name"], name="assessments_bank_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def school(self):
        return self.subject_group.school


class Category(models.Model):
    bank = models.ForeignKey(QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["bank", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "parent", "name"], name="assessments_category_unique"),
            models.UniqueConstraint(
                fields=["bank", "name"], condition=models.Q(parent=None), name="assessments_top_category_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "/".join(reversed(names))

    def clean(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk:
                raise ValidationError(_("A category cannot be inside itself."))
            if node.bank_id != self.bank_id:
                raise ValidationError(_("The parent category belongs to another bank."))
            node = node.parent


class Question(models.Model):
    bank = models.ForeignKey(QuestionBank, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="questions")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    subject = models.ForeignKey(
        "curriculum.Subject",
        verbose_name=_("subject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True, validators=GRADE_VALIDATORS)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    outcomes = models.ManyToManyField(
        "curriculum.Outcome", verbose_name=_("required outcomes (YCCĐ)"), blank=True, related_name="+"
    )
    level = models.CharField(_("cognitive level"), max_length=10, choices=Level.choices, blank=True)
    difficulty = models.CharField(_("difficulty"), max_length=10, choices=Difficulty.choices, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=Licence.SCHOOL)
    idnumber = models.CharField(_("ID number"), max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["bank", "pk"]
        indexes = [models.Index(fields=["bank", "type"], name="assessments_q_bank_type")]

    def __str__(self) -> str:
        latest = self.latest_version
        return f"#{self.pk} {latest.title if latest else ''}"

    @property
    def latest_version(self) -> QuestionVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def ready_version(self) -> QuestionVersion | None:
        return self.versions.filter(status=VersionStatus.READY).order_by("-number").first()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Waiting for review")
    RETURNED = "returned", _("Returned with comments")
    READY = "ready", _("Ready for tests")


class ImmutableVersionError(Exception):
    """Raised on an attempt to change a version that is no longer a draft."""


class QuestionVersion(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    content = models.JSONField(_("content"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=Decimal(1))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="assessments_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = QuestionVersion.objects.filter(pk=self.pk).values("status", "content", "points").first()
            if (
                stored
                and stored["status"] == VersionStatus.READY
                and (
                    stored["content"] != self.content
                    or Decimal(stored["points"]) != Decimal(self.points)
                    or self.status != VersionStatus.READY
                )
            ):
                raise ImmutableVersionError(
                    f"Version {self.number} of question {self.question_id} is ready: edit it to make a new version."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == VersionStatus.READY:
            raise ImmutableVersionError("A ready version cannot be deleted.")
        return super().delete(*args, **kwargs)

    def as_ir(self) -> IRQuestion:
        return IRQuestion.from_content(self.content)

    @property
    def title(self) -> str:
        import re

        text = re.sub(r"<[^>]+>", " ", self.content.get("name") or self.content.get("stem") or "")
        return " ".join(text.split())[:80]


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("Sent for review")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned with comments")


class ReviewDecision(models.Model):
    """Every step of a version's review: who, in which role, what, with which comment, when."""

    version = models.ForeignKey(
        QuestionVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="decisions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("decision"), max_length=10, choices=ReviewAction.choices)
    role = models.CharField(_("role"), max_length=40, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question review decision")
        verbose_name_plural = _("question review decisions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.actor} – {self.created_at:%d/%m/%Y %H:%M}"


class QuestionComment(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(QuestionVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question comment")
        verbose_name_plural = _("question comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:60]}"


class QuestionUsage(models.Model):
    """Where a version is used (a test, a lesson practice block…): recorded by the using app through api.py."""

    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="usages")
    used_in = models.CharField(_("used in"), max_length=100, help_text=_("For example test:12 or lesson:40."))
    label = models.CharField(_("label"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question use")
        verbose_name_plural = _("question uses")
        constraints = [models.UniqueConstraint(fields=["version", "used_in"], name="assessments_usage_unique")]

    def __str__(self) -> str:
        return f"{self.version} → {self.label or self.used_in}"


class QuestionFile(models.Model):
    """A picture or file of a question, in the default storage; content refers to it as ``@@PLUGINFILE@@/name``."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to="questions/%Y/%m/")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "name"], name="assessments_file_unique")]

    def __str__(self) -> str:
        return self.name


class PendingQuestionFile(models.Model):
    """A picture a teacher put into the rich-text editor before saving the question (the temporary upload area).

    Bound to the uploader, the bank and the authoring form (``token``, one per opened form) and, when editing, to the
    question. Saving the form turns the pictures its texts refer to into :class:`QuestionFile` rows (the stored file
    stays where it is) and deletes the form's other uploads; uploads of forms never saved are deleted after
    ``services.PENDING_UPLOAD_DAYS`` days (on the author's next upload and by ``purge_pending_uploads``)."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to="questions/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "name"], name="assessments_pending_file_unique")]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    upload = models.FileField(upload_to="question-imports/%Y/%m/")
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=20, default="auto")
    per_item = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)
