from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from content.api import Licence, SharingScope
from curriculum.api import GRADE_VALIDATORS, Outcome, Subject
from lms.library.models import ScorePolicy


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An H5P package (.h5p), a SCORM package (.zip), or a document, image, audio or video file."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=255, required=False, help_text=_("Leave empty to use the package's own title.")
    )
    school = forms.ChoiceField(label=_("School"))
    subject = forms.ModelChoiceField(label=_("Subject"), queryset=Subject.objects.all(), required=False)
    grade = forms.IntegerField(label=_("Grade"), required=False, validators=GRADE_VALIDATORS)
    outcomes = forms.ModelMultipleChoiceField(
        label=_("Required outcomes (YCCĐ)"), queryset=Outcome.objects.all(), required=False
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=[("", "—"), *Licence.choices], required=False)
    source = forms.CharField(label=_("Source and attribution"), max_length=500, required=False)
    third_party_licence = forms.CharField(label=_("Third-party licence"), max_length=200, required=False)
    rights_confirmed = forms.BooleanField(label=_("I confirm the school may publish this material"), required=False)
    sharing = forms.ChoiceField(
        label=_("Reuse in lessons"),
        choices=SharingScope.choices,
        initial=SharingScope.SCHOOL,
        required=False,
        help_text=_("Whose teachers may embed the item in their lessons once it is approved."),
    )
    score_policy = forms.ChoiceField(label=_("Score kept"), choices=ScorePolicy.choices, initial=ScorePolicy.BEST)

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {str(s.pk): s for s in schools}
        self.fields["school"].choices = [(str(s.pk), s.name) for s in schools]

    def clean_sharing(self):
        return self.cleaned_data.get("sharing") or SharingScope.SCHOOL

    def clean_school(self):
        return self.schools[self.cleaned_data["school"]]


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
