"""Forms. Consent boxes are never pre-ticked and every choice starts empty (NĐ 356/2025: no default consent)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.privacy import rules
from lms.privacy.models import Audience, Channel, PublicationKind, RequestKind, RequestStatus


class ConsentForm(forms.Form):
    agree = forms.BooleanField(required=True, initial=False)

    def __init__(self, *args, purpose: str, **kwargs):
        kwargs.setdefault("prefix", purpose)
        super().__init__(*args, **kwargs)
        self.purpose = purpose
        self.fields["agree"].label = _("I have read the notice (version %(version)s) and I consent.") % {
            "version": rules.current()["notice_version"]
        }
        self.fields["agree"].error_messages["required"] = _("Tick the box to consent; leaving it empty means no.")


def _empty_choice(choices):
    return [("", "---------"), *choices]


class PublicationForm(forms.Form):
    student = forms.ModelChoiceField(queryset=None, label=_("Student"))
    kind = forms.ChoiceField(label=_("Kind"), choices=_empty_choice(PublicationKind.choices))
    title = forms.CharField(label=_("Title"), max_length=200)
    audience = forms.ChoiceField(label=_("Who may see it"), choices=_empty_choice(Audience.choices))
    file = forms.FileField(label=_("File"), required=False)
    link = forms.URLField(label=_("Or a link"), required=False, assume_scheme="https")

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("link"):
            raise forms.ValidationError(_("Upload a file or give a link."))
        return data


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=_empty_choice(RequestKind.choices))
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AdminRequestForm(RequestForm):
    subject = forms.ModelChoiceField(queryset=None, label=_("Data subject"))
    channel = forms.ChoiceField(label=_("Received by"), choices=Channel.choices, initial=Channel.PAPER)
    received_at = forms.DateTimeField(
        label=_("Received at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = people


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Message to the person / note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = _empty_choice([(s.value, s.label) for s in RequestStatus if s in allowed])


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    detected_at = forms.DateTimeField(
        label=_("Detected at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 3}))
    categories = forms.CharField(label=_("Data categories affected"), max_length=300)
    records_affected = forms.IntegerField(label=_("Records affected"), required=False, min_value=0)
    actions = forms.CharField(label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PaperConsentForm(forms.Form):
    """A consent signed on paper, entered by the school administrator. Nothing is chosen or ticked in advance."""

    parent = forms.ModelChoiceField(queryset=None, label=_("Parent who signed"))
    purpose = forms.ChoiceField(label=_("Purpose"))
    reference = forms.CharField(
        label=_("Reference of the paper"),
        max_length=100,
        help_text=_("The number on the signed form, or where the scan is filed."),
    )
    agree = forms.BooleanField(
        required=True,
        initial=False,
        label=_("The paper is signed by this parent and says they consent to this purpose."),
        error_messages={"required": _("Tick the box only if the signed paper says yes; otherwise record nothing.")},
    )

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["purpose"].choices = _empty_choice(
            [(code, spec["label"]) for code, spec in rules.consent_purposes().items()]
        )


class PersonalIdForm(forms.Form):
    value = forms.CharField(
        label=_("Personal ID (12 digits)"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
