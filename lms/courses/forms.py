"""Forms of the class pages. They only parse input; the services decide and validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.courses.models import (
    AssessmentMethod,
    AttendanceStatus,
    DeliveryForm,
    ForceMajeureScope,
    ItemKind,
    LatePolicy,
    MeetingProvider,
)

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class PlanItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, label) for k, label in ItemKind.choices if k != ItemKind.ASSIGNMENT],
        initial=ItemKind.LESSON,
    )
    lesson = forms.TypedChoiceField(label=_("Published lesson"), coerce=int, required=False, empty_value=None)
    library_item = forms.ChoiceField(label=_("Approved library item"), required=False)
    reference = forms.CharField(
        label=_("Identifier of the library item, practice set or test"), required=False, max_length=64
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=255)
    release_at = forms.DateTimeField(label=_("Released from"), widget=DATETIME_INPUT)
    due_at = forms.DateTimeField(label=_("Due"), widget=DATETIME_INPUT, required=False)
    delivery_form = forms.ChoiceField(label=_("TT 09 form"), choices=DeliveryForm.choices, initial=DeliveryForm.HO_TRO)

    def __init__(self, *args, lessons=(), library_items=(), provided=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = [("", "—")] + [(lesson.pk, lesson.title) for lesson in lessons]
        self.fields["library_item"].choices = [("", "—")] + [
            (str(item.uuid), f"{item.title} ({item.get_kind_display()})") for item in library_items
        ]
        # One list per registered plan-item provider (tests, practice sets): ``{kind: (label, [ProviderChoice])}``,
        # placed before the free-text reference.
        fields = dict(self.fields)
        self.fields.clear()
        for name, field in fields.items():
            if name == "reference":
                for kind, (label, choices) in (provided or {}).items():
                    self.fields[f"{kind}_choice"] = forms.ChoiceField(
                        label=label,
                        required=False,
                        choices=[("", "—")] + [(c.reference, c.label) for c in choices],
                    )
            self.fields[name] = field

    def chosen_reference(self) -> str:
        """The reference picked from the kind's list (library item, test sitting, practice set), else the typed one."""
        data = self.cleaned_data
        picked = data.get("library_item") if data["kind"] == ItemKind.LIBRARY else data.get(f"{data['kind']}_choice")
        return picked or data["reference"]


class PlanItemEditForm(forms.Form):
    """What can change on an item once planned (the kind and what it points at stay)."""

    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    release_at = forms.DateTimeField(label=_("Released from"), widget=DATETIME_INPUT)
    due_at = forms.DateTimeField(label=_("Due"), widget=DATETIME_INPUT, required=False)
    delivery_form = forms.ChoiceField(label=_("TT 09 form"), choices=DeliveryForm.choices)
    instructions = forms.CharField(label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    late_policy = forms.ChoiceField(label=_("Late work"), choices=LatePolicy.choices, required=False)
    counts_as_regular_assessment = forms.BooleanField(
        label=_("The score counts as a regular assessment (ĐĐGtx)"), required=False
    )

    def __init__(self, *args, is_assignment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_assignment:
            for name in ("instructions", "late_policy", "counts_as_regular_assessment"):
                del self.fields[name]


class AssignmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    instructions = forms.CharField(label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    release_at = forms.DateTimeField(label=_("Released from"), widget=DATETIME_INPUT)
    due_at = forms.DateTimeField(label=_("Due"), widget=DATETIME_INPUT)
    late_policy = forms.ChoiceField(label=_("Late work"), choices=LatePolicy.choices)
    delivery_form = forms.ChoiceField(label=_("TT 09 form"), choices=DeliveryForm.choices, initial=DeliveryForm.HO_TRO)
    counts_as_regular_assessment = forms.BooleanField(
        label=_("The score counts as a regular assessment (ĐĐGtx)"), required=False
    )


class SubmissionForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    files = MultipleFileField(label=_("Files or photos"), required=False)


class ScoreForm(forms.Form):
    score = forms.CharField(label=_("Score (0–10)"), max_length=5)
    feedback = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ForceMajeureForm(forms.Form):
    scope = forms.ChoiceField(label=_("Scope"), choices=ForceMajeureScope.choices)
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(g, g) for g in range(1, 13)],
    )
    school_class = forms.TypedChoiceField(label=_("Class"), coerce=int, required=False, empty_value=None)
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].choices = [("", "—")] + [(c.pk, c.name) for c in classes]


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Class list (CSV or XLSX)"))


GRADES = [(g, str(g)) for g in range(1, 13)]


class SemesterForm(forms.Form):
    number = forms.TypedChoiceField(
        label=_("Semester"), coerce=int, choices=[(1, _("Semester 1")), (2, _("Semester 2"))]
    )
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT)


class ClassForm(forms.Form):
    name = forms.CharField(label=_("Class"), max_length=20)
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, choices=GRADES)
    homeroom_teacher = forms.TypedChoiceField(label=_("Homeroom teacher"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, teachers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["homeroom_teacher"].choices = [("", "—")] + [(t.pk, t.get_full_name()) for t in teachers]


class OfferingForm(forms.Form):
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, choices=GRADES)
    subject = forms.TypedChoiceField(label=_("Subject"), coerce=int)
    periods_per_year = forms.IntegerField(label=_("Periods per year"), min_value=1, max_value=400)
    assessment_method = forms.ChoiceField(
        label=_("Assessment method"),
        required=False,
        choices=[("", _("As TT 22/2021 says for the subject")), *AssessmentMethod.choices],
    )

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [(s.pk, s.name) for s in subjects]


class TeachingForm(forms.Form):
    school_class = forms.TypedChoiceField(label=_("Class"), coerce=int)
    subject = forms.TypedChoiceField(label=_("Subject"), coerce=int)
    teacher = forms.TypedChoiceField(label=_("Teacher"), coerce=int)

    def __init__(self, *args, classes=(), subjects=(), teachers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].choices = [(c.pk, c.name) for c in classes]
        self.fields["subject"].choices = [(s.pk, s.name) for s in subjects]
        self.fields["teacher"].choices = [(t.pk, t.get_full_name()) for t in teachers]


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME_INPUT)
    provider = forms.ChoiceField(label=_("Meeting tool"), choices=MeetingProvider.choices)
    meeting_url = forms.URLField(label=_("Meeting link"), max_length=500, assume_scheme="https")


class AttendanceForm(forms.Form):
    student = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Attendance"), choices=AttendanceStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class QuestionForm(forms.Form):
    title = forms.CharField(label=_("Your question"), max_length=255)
    body = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    item = forms.TypedChoiceField(label=_("About"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("The course in general"))] + [(i.pk, i.title) for i in items]


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}))
