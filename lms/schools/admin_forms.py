"""Forms of the admin's people area ("Nhân sự"): filtering the list, adding a person, changing roles and groups.

The forms only validate; every change is made by the views through ``services``. Choices that refer to a school's
records (subject groups, people) are limited to that school, so a forged id from another school is a form error.
"""

from __future__ import annotations

from anyascii import anyascii
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from curriculum.api import get_subjects
from lms.schools import selectors
from lms.schools.models import Gender, Relationship, SubjectGroup, User, sector_identifier_validator
from lms.schools.roles import ASSIGNABLE_ROLES, LeadershipPosition, Role

_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in ASSIGNABLE_ROLES]


def _position_choices() -> list[tuple[str, str]]:
    return [("", _("— (not leadership)")), *LeadershipPosition.choices]


class SchoolChoiceForm(forms.Form):
    school = forms.ChoiceField(label=_("School"))

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(school.code, school.name) for school in schools]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name or username")}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    group = forms.ModelChoiceField(
        label=_("Subject group"), queryset=SubjectGroup.objects.none(), required=False, empty_label=_("All groups")
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *[(role.value, role.label) for role in Role]]
        self.fields["group"].queryset = selectors.get_subject_groups(school)


class PersonCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Used to log in, e.g. gv.nguyenvanan. Letters, digits and . _ - @ + only, no spaces."),
    )
    last_name = forms.CharField(label=_("Family and middle names (họ và tên đệm)"), max_length=150)
    first_name = forms.CharField(label=_("Given name (tên)"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        input_formats=_DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices])
    ma_dinh_danh = forms.CharField(
        label=_("Sector identifier (mã định danh)"),
        required=False,
        max_length=20,
        validators=[sector_identifier_validator],
        help_text=_("Optional. From the sector database; once saved it can only be corrected with a reason."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles at this school"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role: a person belongs to a school through their roles.")},
    )
    position = forms.ChoiceField(
        label=_("Leadership position"),
        required=False,
        help_text=_("Only with the school leadership role. Without one, the person is a vice-principal."),
    )
    password1 = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Optional. Leave it empty to create the account without a password: the person then sets one with "
            "“Forgot your password?” on the login page, which needs their e-mail address."
        ),
    )
    password2 = forms.CharField(
        label=_("Initial password (again)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["roles"].choices = _role_choices()
        self.fields["position"].choices = _position_choices()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if selectors.username_taken(username):
            raise forms.ValidationError(
                _("The username “%(username)s” is already taken. Choose another one, e.g. add a number."),
                code="duplicate_username",
                params={"username": username},
            )
        return username

    def clean_ma_dinh_danh(self):
        value = self.cleaned_data["ma_dinh_danh"].strip()
        if value and selectors.identifier_taken(value):
            raise forms.ValidationError(
                _("Another person already has the identifier %(value)s."),
                code="duplicate_identifier",
                params={"value": value},
            )
        return value or None

    def clean(self):
        cleaned = super().clean()
        roles = set(cleaned.get("roles") or [])
        position = cleaned.get("position")
        if position and Role.LEADERSHIP.value not in roles:
            self.add_error("position", _("Only school leadership has a position."))
        if Role.LEADERSHIP.value in roles and position == LeadershipPosition.PRINCIPAL:
            principal = selectors.get_principal(self.school)
            if principal is not None:
                self.add_error(
                    "position",
                    _("%(school)s already has a principal: %(name)s.") % {"school": self.school, "name": principal},
                )
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 or password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords do not match."))
            else:
                candidate = User(
                    username=cleaned.get("username") or "",
                    first_name=cleaned.get("first_name") or "",
                    last_name=cleaned.get("last_name") or "",
                    email=cleaned.get("email") or "",
                )
                try:
                    password_validation.validate_password(password1, candidate)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        elif "email" in cleaned and not cleaned.get("email"):
            self.add_error(
                "password1",
                _(
                    "Give an initial password or an e-mail address: without either, the person could never log in "
                    "(a password reset is sent by e-mail)."
                ),
            )
        return cleaned


class AssignRoleForm(forms.Form):
    prefix = "assign"

    role = forms.ChoiceField(label=_("Role"))
    position = forms.ChoiceField(label=_("Leadership position"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Choose a role")), *_role_choices()]
        self.fields["position"].choices = _position_choices()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("position") and cleaned.get("role") != Role.LEADERSHIP.value:
            self.add_error("position", _("Only school leadership has a position."))
        return cleaned


class RevokeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, actor, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.person = actor, person
        self.fields["role"].choices = _role_choices()

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role == Role.SCHOOL_ADMIN.value and self.actor.pk == self.person.pk and not self.actor.is_superuser:
            raise forms.ValidationError(
                _("You cannot remove your own administrator role. Ask another administrator of the school to do it."),
                code="own_admin_role",
            )
        return role


class GroupChoiceForm(forms.Form):
    """One subject group of the school (to leave it or to head it)."""

    group = forms.ModelChoiceField(
        label=_("Subject group"), queryset=SubjectGroup.objects.none(), empty_label=_("Choose a group")
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = selectors.get_subject_groups(school)
        self.fields["group"].error_messages["invalid_choice"] = _("Choose a subject group of this school.")


class GroupMemberForm(GroupChoiceForm):
    prefix = "member"

    is_head = forms.BooleanField(
        label=_("Head of the group (tổ trưởng)"),
        required=False,
        help_text=_("Replaces the group's current head, if any."),
    )


class LinkParentForm(forms.Form):
    prefix = "parent"

    parent_username = forms.CharField(
        label=_("Parent's username"),
        max_length=150,
        help_text=_("The parent must already be a person of this school: add them first, with the Parent role."),
    )
    relationship = forms.ChoiceField(label=_("Relationship"), choices=Relationship.choices)
    is_legal_representative = forms.BooleanField(
        label=_("Legal representative"),
        required=False,
        initial=True,
        help_text=_("Gives consent and exercises data rights for the child (Luật 91/2025)."),
    )

    def __init__(self, *args, school, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.student = school, student

    def clean_parent_username(self):
        username = self.cleaned_data["parent_username"].strip()
        parent = selectors.get_school_person_by_username(self.school, username)
        if parent is None:
            raise forms.ValidationError(
                _("There is no person with the username “%(username)s” at this school. Add them first."),
                code="unknown_parent",
                params={"username": username},
            )
        if parent.pk == self.student.pk:
            raise forms.ValidationError(_("A student cannot be their own parent."), code="own_parent")
        self.parent = parent
        return username


class CorrectIdentifierForm(forms.Form):
    prefix = "identifier"

    ma_dinh_danh = forms.CharField(
        label=_("Correct sector identifier"),
        max_length=20,
        validators=[sector_identifier_validator],
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit log with the old and new values, e.g. “Typing error at import”."),
        error_messages={"required": _("Give the reason for correcting the identifier.")},
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_ma_dinh_danh(self):
        value = self.cleaned_data["ma_dinh_danh"].strip()
        if value == (self.person.ma_dinh_danh or ""):
            raise forms.ValidationError(_("This is already the person's identifier."), code="unchanged")
        if selectors.identifier_taken(value, exclude=self.person):
            raise forms.ValidationError(
                _("Another person already has the identifier %(value)s."),
                code="duplicate_identifier",
                params={"value": value},
            )
        return value

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for correcting the identifier."), code="no_reason")
        return reason


class SubjectGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("E.g. Tổ Toán – Tin."))
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Short code without spaces or diacritics, e.g. toan-tin. Made from the name if left empty."),
    )
    subjects = forms.ModelMultipleChoiceField(
        label=_("Subjects"),
        queryset=get_subjects(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Subjects the group is responsible for, e.g. Toán, Tin học."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("name") or "").strip()
        if not name:
            return cleaned
        code = cleaned.get("code") or slugify(anyascii(name))[:40].strip("-")
        if not code:
            self.add_error("code", _("Give the group a code."))
            return cleaned
        cleaned["name"], cleaned["code"] = name, code
        existing = selectors.get_subject_groups(self.school)
        if existing.filter(name__iexact=name).exists():
            self.add_error("name", _("This school already has a subject group with this name."))
        if existing.filter(code=code).exists():
            self.add_error(
                "code", _("This school already has a subject group with the code “%(code)s”.") % {"code": code}
            )
        return cleaned


class ReviewStepsForm(forms.Form):
    principal_approval_required = forms.TypedChoiceField(
        label=_("Review of lessons"),
        choices=[
            ("0", _("One step: the head of the lesson's subject group approves and the lesson is published")),
            ("1", _("Two steps: the head of the subject group, then the principal approves")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        help_text=_("Lessons already under review finish the steps they started with."),
    )


class ExamNetworksForm(forms.Form):
    exam_networks = forms.CharField(
        label=_("School networks for tests"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("IP ranges of the school's computer rooms, one CIDR range a line (e.g. 203.113.10.0/24)."),
    )
