"""Gradebooks (sổ điểm) per subject × class × semester, their columns and marks, class results per semester and
year, the audit of every change and lock, refused reads, and the versioned exchange records of the CSV export."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.gradebook.rules import Level, YearLevel


class Profile(models.TextChoices):
    TT22_2021 = "TT22_2021", _("TT 22/2021 (lower and upper secondary)")
    TT27_2020 = "TT27_2020", _("TT 27/2020 (primary)")


class Method(models.TextChoices):
    SCORE = "score", _("Score")
    COMMENT = "comment", _("Comment")


class Gradebook(models.Model):
    school_class = models.ForeignKey(
        "courses.SchoolClass", verbose_name=_("class"), on_delete=models.CASCADE, related_name="gradebooks"
    )
    subject = models.ForeignKey("curriculum.Subject", verbose_name=_("subject"), on_delete=models.PROTECT)
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, _("Semester 1")), (2, _("Semester 2"))])
    profile = models.CharField(_("assessment rules"), max_length=20, choices=Profile.choices)
    method = models.CharField(_("assessment method"), max_length=10, choices=Method.choices)
    periods_per_year = models.PositiveSmallIntegerField(_("periods per year"))
    is_locked = models.BooleanField(_("locked"), default=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gradebook")
        verbose_name_plural = _("gradebooks")
        ordering = ["school_class", "semester", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "subject", "semester"], name="gradebook_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} – {self.school_class.name} – HK{self.semester}"


class ColumnKind(models.TextChoices):
    TX = "tx", _("Regular assessment (ĐĐGtx)")
    GK = "gk", _("Mid-term assessment (ĐĐGgk)")
    CK = "ck", _("End-of-term assessment (ĐĐGck)")
    # TT 27/2020: a checkpoint rating (HTT/HT/CHT) and a periodic test (integer) at GK1, CK1, GK2, CN.
    RATING = "rating", _("Checkpoint rating")
    TEST = "test", _("Periodic test")


class Column(models.Model):
    gradebook = models.ForeignKey(Gradebook, on_delete=models.CASCADE, related_name="columns")
    kind = models.CharField(_("kind"), max_length=10, choices=ColumnKind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    checkpoint = models.CharField(_("checkpoint"), max_length=4, blank=True)
    is_locked = models.BooleanField(_("locked"), default=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("gradebook column")
        verbose_name_plural = _("gradebook columns")
        ordering = ["gradebook", "kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["gradebook", "kind", "checkpoint", "position"], name="gradebook_column_once"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == ColumnKind.TX:
            return f"ĐĐGtx{self.position}"
        if self.kind == ColumnKind.GK:
            return "ĐĐGgk"
        if self.kind == ColumnKind.CK:
            return "ĐĐGck"
        return f"{self.checkpoint} {self.get_kind_display()}"

    @property
    def is_score(self) -> bool:
        return self.kind in (ColumnKind.TX, ColumnKind.GK, ColumnKind.CK, ColumnKind.TEST) and (
            self.kind == ColumnKind.TEST or self.gradebook.method == Method.SCORE
        )


class Mark(models.Model):
    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("score"), max_digits=3, decimal_places=1, null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=4, blank=True)
    source = models.CharField(
        _("source"), max_length=80, blank=True, help_text=_("Typed, or the LMS item it came from.")
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["column", "student"], name="gradebook_mark_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=10) | Q(score__isnull=True), name="gradebook_mark_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.column}: {self.score if self.score is not None else self.rating}"


class Period(models.TextChoices):
    HK1 = "1", _("Semester 1")
    HK2 = "2", _("Semester 2")
    YEAR = "year", _("School year")


class StudentResult(models.Model):
    """A student's level for a semester or the year: the computed suggestion and what the homeroom teacher confirmed,
    conduct (rèn luyện, R22) and the award."""

    school_class = models.ForeignKey("courses.SchoolClass", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=4, choices=Period.choices)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    suggested_level = models.CharField(_("suggested level"), max_length=10, choices=Level.CHOICES, blank=True)
    level = models.CharField(_("confirmed level"), max_length=10, choices=Level.CHOICES, blank=True)
    level_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level_confirmed_at = models.DateTimeField(null=True, blank=True)
    conduct = models.CharField(pgettext_lazy("rèn luyện", "conduct"), max_length=10, choices=Level.CHOICES, blank=True)
    conduct_comment = models.TextField(_("conduct comment"), blank=True)
    award = models.CharField(_("award"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("student result")
        verbose_name_plural = _("student results")
        constraints = [
            models.UniqueConstraint(fields=["school_class", "period", "student"], name="gradebook_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.period}"


class QualityRating(models.Model):
    """A primary pupil's rating of one quality or competence at one checkpoint (TT 27/2020 Art. 7(2), R24), entered
    by the homeroom teacher: Tốt / Đạt / Cần cố gắng."""

    school_class = models.ForeignKey("courses.SchoolClass", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    checkpoint = models.CharField(_("checkpoint"), max_length=4)
    item = models.CharField(_("quality or competence"), max_length=30)
    rating = models.CharField(_("rating"), max_length=4)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quality or competence rating")
        verbose_name_plural = _("quality and competence ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "student", "checkpoint", "item"], name="gradebook_quality_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.checkpoint} {self.item}: {self.rating}"


class PrimaryYearResult(models.Model):
    """A primary pupil's year-end summary (TT 27/2020 Art. 9): the suggestion and what the homeroom teacher
    confirmed."""

    school_class = models.ForeignKey("courses.SchoolClass", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    suggested_level = models.CharField(_("suggested level"), max_length=4, choices=YearLevel.CHOICES, blank=True)
    level = models.CharField(_("confirmed level"), max_length=4, choices=YearLevel.CHOICES, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("primary year-end summary")
        verbose_name_plural = _("primary year-end summaries")
        constraints = [
            models.UniqueConstraint(fields=["school_class", "student"], name="gradebook_primary_year_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.level or self.suggested_level}"


class AuditAction(models.TextChoices):
    CHANGE = "change", _("Mark changed")
    LOCK_COLUMN = "lock_column", _("Column locked")
    UNLOCK_COLUMN = "unlock_column", _("Column unlocked")
    LOCK_BOOK = "lock_book", _("Gradebook locked")
    UNLOCK_BOOK = "unlock_book", _("Gradebook unlocked")
    LEVEL = "level", _("Level confirmed")
    CONDUCT = "conduct", _("Conduct recorded")
    QUALITY = "quality", _("Quality or competence rating changed")
    PRIMARY_LEVEL = "primary_level", _("Year-end summary confirmed")
    REGRADE_REFUSED = "regrade_refused", _("Regrade of a test not applied to a mark")


class AuditEntry(models.Model):
    """Every change after first entry, and every lock and unlock (R23): who, when, old, new, reason."""

    gradebook = models.ForeignKey(Gradebook, null=True, blank=True, on_delete=models.CASCADE, related_name="audit")
    school_class = models.ForeignKey("courses.SchoolClass", on_delete=models.CASCADE, related_name="+")
    column = models.ForeignKey(Column, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    old_value = models.CharField(_("old value"), max_length=40, blank=True)
    new_value = models.CharField(_("new value"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("gradebook audit entry")
        verbose_name_plural = _("gradebook audit entries")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class RefusedAccess(models.Model):
    """A read or write of marks refused because it is outside the person's scope (R45)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(_("what"), max_length=60)
    object_ref = models.CharField(_("object"), max_length=200)
    path = models.CharField(_("path"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("refused access")
        verbose_name_plural = _("refused accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.what} {self.object_ref}"


class ExchangeEvent(models.TextChoices):
    NEW = "NEW", "NEW"
    UPDATE = "UPDATE", "UPDATE"
    CANCEL = "CANCEL", "CANCEL"


class ExchangeRecord(models.Model):
    """One student's marks in one gradebook as last exported for school management software: a stable record id,
    and a version that increases whenever the exported values change (NEW, then UPDATE; CANCEL when withdrawn)."""

    record_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    gradebook = models.ForeignKey(Gradebook, on_delete=models.CASCADE, related_name="exchange_records")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1)
    event = models.CharField(max_length=6, choices=ExchangeEvent.choices)
    payload = models.JSONField(default=dict)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gradebook", "student"], name="gradebook_exchange_once")]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version} {self.event}"
