"""Personal data: consents, publications, data-subject requests, sensitive logs, incidents, the personal ID.

Behaviour and usage logs (``BehaviourEvent``) and refusal logs (``RefusedAccess``) are their own tables, apart from
everything else (R42). The 12-digit personal ID lives only here, encrypted (R35).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.privacy import rules
from lms.privacy.crypto import EncryptedTextField

USER = settings.AUTH_USER_MODEL


class ConsentRole(models.TextChoices):
    STUDENT = "student", pgettext_lazy("who consented", "The student")
    REPRESENTATIVE = "representative", pgettext_lazy("who consented", "Parent or legal representative")


class Channel(models.TextChoices):
    WEB = "web", rules.CHANNEL_LABELS["web"]
    PAPER = "paper", rules.CHANNEL_LABELS["paper"]


class Consent(models.Model):
    """One consent of one person for one purpose about one student. Withdrawal keeps the row (R38, R40)."""

    student = models.ForeignKey(USER, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=40)
    legal_basis = models.CharField(_("legal basis"), max_length=30)
    rules_version = models.CharField(_("rules"), max_length=20, default=rules.CURRENT)
    given_by = models.ForeignKey(USER, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="+")
    given_as = models.CharField(_("given as"), max_length=20, choices=ConsentRole.choices)
    notice_version = models.CharField(_("notice version"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, verbose_name=_("withdrawn by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A consent signed on paper and entered by the school administrator on the parent's behalf.
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paper_reference = models.CharField(_("paper reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "purpose", "given_by"],
                condition=Q(withdrawn_at__isnull=True),
                name="privacy_one_active_consent",
            )
        ]
        indexes = [models.Index(fields=["student", "purpose"], name="privacy_consent_lookup")]

    def __str__(self) -> str:
        return f"{self.student} – {self.purpose} – {self.get_given_as_display()}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def purpose_label(self):
        return rules.purposes().get(self.purpose, {}).get("label", self.purpose)


class PublicationKind(models.TextChoices):
    WORK = "work", _("Student work")
    PHOTO = "photo", _("Photo")


class Audience(models.TextChoices):
    SCHOOL = "school", _("People of the school (logged in)")
    PUBLIC = "public", _("Everyone (public showcase)")


def _publication_path(instance, filename: str) -> str:
    return f"privacy/publications/{instance.uuid}/{filename}"


class Publication(models.Model):
    """A student's work or photo shown outside the class. Visible only while the consents it depends on hold."""

    PURPOSE = "publish_work"

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(USER, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=PublicationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_publication_path, blank=True, max_length=300)
    link = models.URLField(_("link"), blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.SCHOOL)
    published_by = models.ForeignKey(USER, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(link=""), name="privacy_publication_has_content")
        ]

    def __str__(self) -> str:
        return self.title


class ProcessingEvent(models.Model):
    """Audit trail of consent and processing changes (given, withdrawn, publications hidden, exports)."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    student = models.ForeignKey(USER, verbose_name=_("student"), null=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(USER, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=40)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("processing event")
        verbose_name_plural = _("processing events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access the data")
    CORRECT = "correct", _("Correct the data")
    DELETE = "delete", _("Delete the data")
    RESTRICT = "restrict", _("Restrict processing")
    OBJECT = "object", _("Object to processing")
    EXPORT = "export", _("Export the data")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused (with reasons)")


REQUEST_TRANSITIONS = {
    RequestStatus.RECEIVED: {RequestStatus.ACKNOWLEDGED, RequestStatus.REFUSED},
    RequestStatus.ACKNOWLEDGED: {RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED, RequestStatus.REFUSED},
    RequestStatus.IN_PROGRESS: {RequestStatus.COMPLETED, RequestStatus.REFUSED},
    RequestStatus.COMPLETED: set(),
    RequestStatus.REFUSED: set(),
}


class DataSubjectRequest(models.Model):
    """A request exercising a data-subject right (R41), with its 2-working-day acknowledgement deadline."""

    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(USER, verbose_name=_("data subject"), on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("request"), max_length=20, choices=RequestKind.choices)
    details = models.TextField(_("details"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    acknowledge_due = models.DateTimeField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["acknowledge_due", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.subject}"

    @property
    def is_overdue(self) -> bool:
        moment = self.acknowledged_at or timezone.now()
        return moment > self.acknowledge_due


class RequestEvent(models.Model):
    """Audit trail of a request: every state change with who, when and the note sent or kept."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(USER, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class BehaviourKind(models.TextChoices):
    LOGIN = "login", _("Login")
    VIEW = "view", _("Page or item viewed")
    TIME_ON_TASK = "time_on_task", _("Time on task")
    CLICK = "click", _("Click or interaction")


class BehaviourEvent(models.Model):
    """Behaviour and usage log: sensitive personal data under NĐ 356/2025 (R42). Stored apart, purged after the
    retention period, readable only by the school administrator and the principal, every read logged."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=BehaviourKind.choices)
    target = models.CharField(_("target"), max_length=200, blank=True)
    seconds = models.PositiveIntegerField(_("seconds"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("behaviour event")
        verbose_name_plural = _("behaviour events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="privacy_behaviour_user")]

    def __str__(self) -> str:
        return f"{self.user} – {self.kind}"


class RefusedAccess(models.Model):
    """A read of marks or personal records refused because it was outside the person's scope (R45)."""

    actor = models.ForeignKey(USER, verbose_name=_("who"), null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.ForeignKey(
        USER, verbose_name=_("whose data"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(_("resource"), max_length=200)
    path = models.CharField(_("address"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("refused access")
        verbose_name_plural = _("refused accesses")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor} – {self.resource}"


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident", "Open")
    NOTIFIED = "notified", pgettext_lazy("incident", "Authority notified")
    CLOSED = "closed", pgettext_lazy("incident", "Closed")


class Incident(models.Model):
    """A personal-data security incident, with the 72-hour notification deadline (R43)."""

    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    detected_at = models.DateTimeField(_("detected at"))
    scope = models.TextField(_("scope"), help_text=_("What happened and which systems are affected."))
    records_affected = models.PositiveIntegerField(_("records affected"), null=True, blank=True)
    categories = models.CharField(
        _("data categories affected"), max_length=300, help_text=_("For example: names, marks, photos, usage logs.")
    )
    actions = models.TextField(_("actions taken"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    notify_due = models.DateTimeField(_("notify the authority by"))
    notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    reported_by = models.ForeignKey(USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-detected_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def remaining(self) -> timedelta:
        return self.notify_due - timezone.now()

    @property
    def is_overdue(self) -> bool:
        return (self.notified_at or timezone.now()) > self.notify_due


class PersonalIdentifier(models.Model):
    """The 12-digit personal ID (số định danh cá nhân / CCCD), optional, encrypted at rest (R35).

    ``digest`` is a keyed hash (HMAC) so a duplicate can be refused without decrypting every row.
    """

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="+")
    value = EncryptedTextField(_("personal identification number"))
    digest = models.CharField(max_length=64, unique=True)
    last_digits = models.CharField(max_length=4)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("personal identification number")
        verbose_name_plural = _("personal identification numbers")

    def __str__(self) -> str:
        return f"••••••••{self.last_digits}"


def _delivery_path(instance, filename: str) -> str:
    return f"privacy/requests/{instance.token}.zip"


class RequestDelivery(models.Model):
    """What an access or export request produced: the ZIP of everything held about the student, for the person who
    asked to download until it expires (then the file is deleted by the daily purge)."""

    request = models.OneToOneField(DataSubjectRequest, on_delete=models.CASCADE, related_name="delivery")
    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    file = models.FileField(_("file"), upload_to=_delivery_path, max_length=300, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("available until"))
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    purged_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request delivery")
        verbose_name_plural = _("request deliveries")

    def __str__(self) -> str:
        return f"{self.request} ({self.size} B)"

    @property
    def available(self) -> bool:
        return bool(self.file) and self.purged_at is None and timezone.now() < self.expires_at


class ProcessingRestriction(models.Model):
    """A restriction of, or objection to, processing (PDPL rights to restrict and to object): while it is active the
    person's behaviour and usage are not logged and no new work or photo of theirs is published."""

    school = models.ForeignKey("schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(USER, verbose_name=_("data subject"), on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        DataSubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="restrictions"
    )
    kind = models.CharField(_("kind"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("from"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("processing restriction")
        verbose_name_plural = _("processing restrictions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject", "lifted_at"], name="privacy_restriction_active")]

    def __str__(self) -> str:
        return f"{self.subject} – {self.kind}"
