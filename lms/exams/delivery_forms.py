"""Forms of the delivery pages: scheduling a sitting, the principal's force-majeure decision, essay marks, key
corrections. Checks that need the database beyond the form are the services' (they raise ``ValidationError``)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.courses import api as courses_api
from lms.exams.models import ReviewOption, TestKind
from lms.exams.network import parse_networks


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


class SittingForm(forms.Form):
    course = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Course"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at"), widget=DateTimeLocal())
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at"), widget=DateTimeLocal())
    duration = forms.IntegerField(label=gettext_lazy("Duration (minutes)"), min_value=1, max_value=600)
    late_join_minutes = forms.IntegerField(
        label=gettext_lazy("Late join allowed for (minutes)"),
        min_value=0,
        max_value=600,
        required=False,
        help_text=gettext_lazy("Empty: students may start at any time while the window is open."),
    )
    access_code = forms.CharField(label=gettext_lazy("Access code"), max_length=20, required=False)
    review = forms.ChoiceField(label=gettext_lazy("Review"), choices=ReviewOption.choices)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of assessment"), choices=TestKind.choices)
    allowed_networks = forms.CharField(
        label=gettext_lazy("Allowed IP ranges"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One CIDR range a line, e.g. 203.113.10.0/24. Empty: any network (a mid-term or end-of-term test is "
            "still taken from the school's networks)."
        ),
    )
    extra_time = forms.CharField(
        label=gettext_lazy("Extra time per student"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One student a line: the username and the minutes, e.g. hs.an 15."),
    )

    def __init__(self, *args, test, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.test = test
        courses = courses_api.get_teacher_courses(user).filter(school_class__school_year__school=test.school)
        if test.subject_id:
            courses = courses.filter(subject=test.subject)
        self.fields["course"].queryset = courses
        self.fields["duration"].initial = test.minutes
        self.fields["kind"].initial = test.kind
        self.fields["review"].initial = ReviewOption.MARKS_AFTER_SUBMIT
        if test.is_periodic:
            self.fields["kind"].choices = [c for c in TestKind.choices if c[0] != TestKind.REGULAR]

    def clean_allowed_networks(self):
        text = self.cleaned_data["allowed_networks"]
        return "\n".join(str(n) for n in parse_networks(text))

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The window must close after it opens."))
        course = data.get("course")
        text = data.get("extra_time", "")
        if course is None or not text.strip():
            data["extra_minutes"] = {}
            return data
        students = {s.username: s for s in courses_api.get_class_students(course.school_class)}
        extra, errors = {}, []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            match = re.fullmatch(r"(\S+?)(?:\s*[:=,]\s*|\s+)(\d+)", line.strip())
            if not match:
                errors.append(_("Line %(n)s: write the username and the minutes, e.g. hs.an 15.") % {"n": number})
                continue
            username, minutes = match.group(1), int(match.group(2))
            if username not in students:
                errors.append(
                    _("Line %(n)s: %(username)s is not a student of %(class)s.")
                    % {"n": number, "username": username, "class": course.school_class.name}
                )
            elif minutes > 600:
                errors.append(_("Line %(n)s: extra time is between 0 and 600 minutes.") % {"n": number})
            else:
                extra[students[username].pk] = minutes
        if errors:
            self.add_error("extra_time", errors)
        data["extra_minutes"] = extra
        return data


class ForceMajeureForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Decision number"), max_length=50)
    decided_on = forms.DateField(label=gettext_lazy("Decision date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason (force majeure)"), widget=forms.Textarea(attrs={"rows": 3}))
    students = forms.MultipleChoiceField(label=gettext_lazy("Students"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(s.pk): s for s in students}
        self.fields["students"].choices = [
            (str(s.pk), f"{s.get_full_name() or s.username} ({s.username})") for s in students
        ]

    def clean_students(self):
        return [self.people[pk] for pk in self.cleaned_data["students"]]


class MoveSittingForm(forms.Form):
    """A sitting moved to a later time (``sitting_moves.reschedule_sitting`` checks the rest)."""

    opens_at = forms.DateTimeField(label=gettext_lazy("New start"), widget=DateTimeLocal())
    closes_at = forms.DateTimeField(
        label=gettext_lazy("New close"),
        widget=DateTimeLocal(),
        required=False,
        help_text=gettext_lazy("Empty: the window stays as long as it was."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("E.g. a power cut at school, the computer room not ready."),
    )
