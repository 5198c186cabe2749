"""Library items (H5P, SCORM, documents and media), the shared H5P library store and what students did with them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from content.api import Licence, SharingScope
from curriculum.api import GRADE_VALIDATORS


class ItemKind(models.TextChoices):
    H5P = "h5p", "H5P"
    SCORM = "scorm", "SCORM"
    DOCUMENT = "document", _("Document or media")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")


class ScorePolicy(models.TextChoices):
    BEST = "best", _("Best attempt")
    LAST = "last", _("Last attempt")
    FIRST = "first", _("First attempt")


class H5PLibrary(models.Model):
    """One H5P library version (machineName-major.minor), stored once under ``storage_prefix`` and shared by every
    package that needs it."""

    machine_name = models.CharField(max_length=127)
    major_version = models.PositiveIntegerField()
    minor_version = models.PositiveIntegerField()
    patch_version = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=255, blank=True)
    runnable = models.BooleanField(default=False)
    metadata = models.JSONField(default=dict)  # library.json
    storage_prefix = models.CharField(max_length=255)
    file_count = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major_version", "minor_version"], name="library_h5p_library_version_once"
            )
        ]
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major_version}.{self.minor_version}.{self.patch_version}"

    @property
    def key(self) -> str:
        return f"{self.machine_name}-{self.major_version}.{self.minor_version}"


class LibraryItem(models.Model):
    """A learning object a lesson can embed. ``uuid`` is the reference lesson blocks store."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+", null=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT)

    # Curriculum metadata and licence, as for lessons (the same publishing rules apply).
    subject = models.ForeignKey(
        "curriculum.Subject",
        verbose_name=_("subject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True, validators=GRADE_VALIDATORS)
    outcomes = models.ManyToManyField(
        "curriculum.Outcome", verbose_name=_("required outcomes (YCCĐ)"), blank=True, related_name="+"
    )
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, blank=True)
    source = models.CharField(_("source and attribution"), max_length=500, blank=True)
    third_party_licence = models.CharField(_("third-party licence"), max_length=200, blank=True)
    rights_confirmed = models.BooleanField(_("I confirm the school may publish this material"), default=False)
    # Which lessons may embed the approved item (as a lesson's sharing scope): its school's, its education
    # authority's, or every school's. Seeing an approved item is not limited by this (``access.can_play``).
    sharing = models.CharField(
        _("reuse in lessons"), max_length=10, choices=SharingScope.choices, default=SharingScope.SCHOOL
    )

    # The stored file(s).
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    storage_prefix = models.CharField(max_length=255, blank=True)  # extracted package (content/ or SCORM root)
    document = models.FileField(upload_to="library/documents/%Y/%m/", blank=True, max_length=255)
    media_type = models.CharField(max_length=20, blank=True)  # documents: pdf, video, audio, image, office, epub
    # The text layer of a PDF (pypdf), capped at ``limits.EXTRACTED_TEXT_MAX_CHARS``, for the search index.
    extracted_text = models.TextField(blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True)

    # What the package says about itself.
    version = models.CharField(max_length=10, blank=True)  # SCORM "1.2" / "2004"
    launch = models.CharField(max_length=1000, blank=True)  # SCORM launch href / H5P main library key
    toc = models.JSONField(default=list, blank=True)  # SCORM items: identifier, title, href, depth, is_sco, …
    package_metadata = models.JSONField(default=dict, blank=True)  # h5p.json
    libraries = models.ManyToManyField(H5PLibrary, through="ItemLibrary", related_name="items", blank=True)
    score_policy = models.CharField(
        _("score kept"), max_length=5, choices=ScorePolicy.choices, default=ScorePolicy.BEST
    )
    scan_status = models.CharField(max_length=20, default="not-scanned")  # virus-scan hook result
    review_step = models.PositiveSmallIntegerField(default=0)  # index into content's review steps while submitted
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("library item")
        verbose_name_plural = _("library items")

    def __str__(self) -> str:
        return self.title


class ReviewDecision(models.Model):
    """One reviewer's decision on a library item, with the role they reviewed in (as for lessons)."""

    class Decision(models.TextChoices):
        SUBMITTED = "submitted", _("Sent for review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="review_decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.decision} by {self.user_id}"


class ItemLibrary(models.Model):
    """The libraries an H5P item loads, in the order the player needs them."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="library_links")
    library = models.ForeignKey(H5PLibrary, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["item", "library"], name="library_item_library_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.library_id}"


class Attempt(models.Model):
    """One scored attempt of an H5P activity (a top-level xAPI statement) or a SCORM SCO."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sco = models.CharField(max_length=255, blank=True)
    verb = models.CharField(max_length=100, blank=True)
    score_raw = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    score_max = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    score_scaled = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    completed = models.BooleanField(default=False)
    success = models.BooleanField(null=True)
    duration = models.CharField(max_length=40, blank=True)
    statement_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "student", "statement_id"],
                name="library_attempt_statement_once",
                condition=models.Q(statement_id__isnull=False),
            )
        ]
        indexes = [models.Index(fields=["item", "student"])]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.student_id}: {self.score_raw}/{self.score_max}"


class Result(models.Model):
    """The score kept for a student and an item, under the item's policy (best / last / first attempt)."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="results")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey(Attempt, on_delete=models.SET_NULL, null=True, related_name="+")
    attempts = models.PositiveIntegerField(default=0)
    score_raw = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    score_max = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    score_scaled = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    completed = models.BooleanField(default=False)
    success = models.BooleanField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "student"], name="library_result_once")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.student_id}: {self.score_raw}/{self.score_max}"


class H5PUserData(models.Model):
    """H5P contentUserData (resume state), per student, item, data type and sub-content."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data_type = models.CharField(max_length=127)
    sub_content_id = models.CharField(max_length=127, default="0")
    data = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "student", "data_type", "sub_content_id"], name="library_h5p_user_data_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.student_id}: {self.data_type}"


class ScormRuntime(models.Model):
    """The CMI data of one SCO for one student (both SCORM versions), with the mapped status fields."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sco = models.CharField(max_length=255)
    cmi = models.JSONField(default=dict)
    completion_status = models.CharField(max_length=20, default="not attempted")
    success_status = models.CharField(max_length=20, default="unknown")
    score_raw = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    score_max = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    score_scaled = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    location = models.CharField(max_length=1000, blank=True)
    suspend_data = models.TextField(blank=True)
    total_time = models.CharField(max_length=40, blank=True)
    commits = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "student", "sco"], name="library_scorm_runtime_once")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.student_id}: {self.sco} {self.completion_status}"
