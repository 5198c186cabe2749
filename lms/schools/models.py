"""Schools and people.

The hierarchy is Organisation (Sở GD&ĐT, Phòng GD&ĐT) → School → people. A person is one ``User`` whatever they do;
what they may do comes from ``RoleAssignment`` rows (one per role per school) and from ``SubjectGroupMembership``
(heading a tổ chuyên môn makes them a group head). Parents are linked to their children by ``Guardianship``.

The sector identifier (mã định danh, TT 42/2021 Art. 10) is an immutable external key: it is imported, never
generated here, and once set it changes only through ``services.correct_identifier`` which writes an audit entry.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.schools.roles import ASSIGNABLE_ROLES, LeadershipPosition, Role


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry (Bộ GD&ĐT)")
    DEPARTMENT = "department", _("Provincial department (Sở GD&ĐT)")
    DIVISION = "division", _("District division (Phòng GD&ĐT)")


class Organisation(models.Model):
    """An education authority above schools. Since the 2025 reform most schools report straight to a Sở."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("Code in the sector database."))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("education authority")
        verbose_name_plural = _("education authorities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed_parent = {
            OrganisationKind.MINISTRY: set(),
            OrganisationKind.DEPARTMENT: {OrganisationKind.MINISTRY},
            OrganisationKind.DIVISION: {OrganisationKind.DEPARTMENT},
        }[OrganisationKind(self.kind)]
        if self.parent_id and self.parent.kind not in allowed_parent:
            raise ValidationError(
                {
                    "parent": _("A %(kind)s cannot be placed under a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                }
            )


class SchoolLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary (tiểu học)")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary (THCS)")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary (THPT)")
    MULTI_LEVEL = "multi_level", _("Multi-level school (nhiều cấp học)")


class School(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    code = models.CharField(
        _("school code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z]+$", _("Use letters and digits only."))],
        help_text=_("The school code (mã trường) used by the sector database."),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=SchoolLevel.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("managing authority"), on_delete=models.PROTECT, related_name="schools"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # Review workflow setting read by the content repository: one step (group head) or two (then the principal).
    principal_approval_required = models.BooleanField(
        _("principal approval required"),
        default=False,
        help_text=_("When on, lessons approved by the subject group also need the principal's approval."),
    )
    # The school's own networks (one CIDR range a line): periodic computer-based tests run from these (TT 09 Art. 6).
    exam_networks = models.TextField(
        _("school networks for tests"),
        blank=True,
        help_text=_("IP ranges of the school's computer rooms, one CIDR range a line (e.g. 203.113.10.0/24)."),
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        permissions = [
            ("manage_people", _("Can manage the people and roles of their school")),
            ("view_people", _("Can view the people of their school")),
        ]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


_UNKNOWN = object()

sector_identifier_validator = RegexValidator(
    r"^[0-9A-Za-z]{6,20}$", _("A sector identifier has 6 to 20 letters or digits, without spaces.")
)


class User(AbstractUser):
    """Anyone who logs in. Vietnamese names: ``last_name`` holds họ and tên đệm, ``first_name`` holds tên."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    ma_dinh_danh = models.CharField(
        _("sector identifier (mã định danh)"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[sector_identifier_validator],
        help_text=_("Issued by the sector database (TT 42/2021). Imported once and never changed here."),
    )
    # NĐ 88/2026 Art. 9: a lifelong learning-record code will be issued; kept for when it exists (R37).
    lifelong_record_code = models.CharField(
        _("lifelong learning-record code"), max_length=30, unique=True, null=True, blank=True
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")
        swappable = "AUTH_USER_MODEL"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Read from __dict__ so a deferred field is not loaded just to remember it.
        self._stored_ma_dinh_danh = self.__dict__.get("ma_dinh_danh", _UNKNOWN)

    def save(self, *args, **kwargs) -> None:
        if "ma_dinh_danh" in self.__dict__:
            if self.ma_dinh_danh == "":
                self.ma_dinh_danh = None
            stored = self._stored_ma_dinh_danh
            if self.pk and stored is _UNKNOWN:
                stored = type(self)._base_manager.filter(pk=self.pk).values_list("ma_dinh_danh", flat=True).first()
            if self.pk and stored and self.ma_dinh_danh != stored:
                raise ImmutableIdentifierError(stored)
        super().save(*args, **kwargs)
        self._stored_ma_dinh_danh = self.__dict__.get("ma_dinh_danh", _UNKNOWN)

    def get_full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name) if part).strip() or self.username

    def __str__(self) -> str:
        return self.get_full_name()


class ImmutableIdentifierError(ValidationError):
    def __init__(self, current: str) -> None:
        super().__init__(
            _(
                "The sector identifier %(current)s cannot be changed. An administrator can correct it with a reason, "
                "which is recorded."
            )
            % {"current": current},
            code="immutable_identifier",
        )


class RoleAssignment(models.Model):
    """One role of one person at one school."""

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="role_assignments")
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=[(r.value, r.label) for r in ASSIGNABLE_ROLES])
    position = models.CharField(
        _("position"),
        max_length=20,
        choices=LeadershipPosition.choices,
        blank=True,
        help_text=_("For school leadership: principal or vice-principal."),
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="schools_role_once_per_school"),
            models.CheckConstraint(
                condition=Q(position="") | Q(role=Role.LEADERSHIP), name="schools_position_only_for_leadership"
            ),
            models.UniqueConstraint(
                fields=["school"], condition=Q(position=LeadershipPosition.PRINCIPAL), name="schools_one_principal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.school}"


class SubjectGroup(models.Model):
    """A tổ chuyên môn: teachers of related subjects who review each other's lessons."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="subject_groups"
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40)
    # The subjects whose lessons, questions and tests this group reviews (the reviewer of a lesson in Toán is the
    # head of the group that has Toán here).
    subjects = models.ManyToManyField(
        "curriculum.Subject",
        verbose_name=_("subjects"),
        blank=True,
        related_name="subject_groups",
        help_text=_("Subjects the group is responsible for, e.g. Toán, Tin học."),
    )

    class Meta:
        verbose_name = _("subject group")
        verbose_name_plural = _("subject groups")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="schools_group_code_unique"),
            models.UniqueConstraint(fields=["school", "name"], name="schools_group_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class SubjectGroupMembership(models.Model):
    group = models.ForeignKey(
        SubjectGroup, verbose_name=_("subject group"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        User, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="group_memberships"
    )
    is_head = models.BooleanField(_("group head"), default=False)

    class Meta:
        verbose_name = _("subject group member")
        verbose_name_plural = _("subject group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="schools_member_once"),
            models.UniqueConstraint(fields=["group"], condition=Q(is_head=True), name="schools_one_head_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.group}"


class Relationship(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GUARDIAN = "guardian", _("Guardian")


class Guardianship(models.Model):
    """A parent or guardian's link to a child; the basis of the parent's read-only view and of consent."""

    parent = models.ForeignKey(User, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="children_links")
    student = models.ForeignKey(
        User, verbose_name=_("student"), on_delete=models.CASCADE, related_name="guardian_links"
    )
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    is_legal_representative = models.BooleanField(
        _("legal representative"),
        default=True,
        help_text=_("Gives consent and exercises data rights for the child (Luật 91/2025)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.UniqueConstraint(fields=["parent", "student"], name="schools_guardian_once"),
            models.CheckConstraint(condition=~Q(parent=models.F("student")), name="schools_not_own_guardian"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.student}"
