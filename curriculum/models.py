"""The 2018 general-education programme as data: subjects, and the required learning outcomes (yêu cầu cần đạt,
YCCĐ) of each subject and grade, each with a stable code that lessons, questions and test blueprints point to.

The programme does not number its outcomes; codes such as ``TOAN10.DS.MENHDE.1`` are ours (see
``curriculum/data/yccd/README.md``). An outcome is never deleted once something may point to it: it is retired.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CognitiveLevel(models.TextChoices):
    """Levels of CV 7991/2024 (three), as lessons and questions are tagged."""

    BIET = "biet", _("Knowing (Biết)")
    HIEU = "hieu", _("Understanding (Hiểu)")
    VAN_DUNG = "van_dung", _("Applying (Vận dụng)")


class TextbookSeries(models.TextChoices):
    KET_NOI = "ket_noi", _("Kết nối tri thức với cuộc sống")
    CHAN_TROI = "chan_troi", _("Chân trời sáng tạo")
    CANH_DIEU = "canh_dieu", _("Cánh Diều")
    OTHER = "other", _("Other")


GRADE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class Subject(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("For example toan, ngu-van."))
    name = models.CharField(_("name"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


outcome_code_validator = RegexValidator(
    r"^[A-Z0-9]+(\.[A-Z0-9]+)+$", _("Use upper-case letters and digits separated by dots, e.g. TOAN10.DS.MENHDE.1.")
)


class Outcome(models.Model):
    """One required learning outcome (YCCĐ) of the programme for a subject and grade."""

    code = models.CharField(_("code"), max_length=60, unique=True, validators=[outcome_code_validator])
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="outcomes")
    grade = models.PositiveSmallIntegerField(_("grade"), validators=GRADE_VALIDATORS)
    strand = models.CharField(_("strand"), max_length=200, help_text=_("Mạch nội dung / kĩ năng."))
    topic = models.CharField(_("topic"), max_length=200, help_text=_("Chủ đề / nội dung."))
    text = models.TextField(_("required outcome"))
    level = models.CharField(_("cognitive level"), max_length=10, choices=CognitiveLevel.choices, blank=True)
    verified = models.BooleanField(
        _("checked against the programme text"),
        default=False,
        help_text=_("Off while the wording has not been checked against the official programme."),
    )
    optional = models.BooleanField(
        _("optional content"),
        default=False,
        help_text=_("Chuyên đề học tập, or practice the programme makes optional; not core content."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        verbose_name = _("required outcome (YCCĐ)")
        verbose_name_plural = _("required outcomes (YCCĐ)")
        ordering = ["subject", "grade", "sort_order", "code"]
        indexes = [models.Index(fields=["subject", "grade"], name="curriculum_outcome_subj_grade")]

    def __str__(self) -> str:
        return f"{self.code} – {self.text[:80]}"
