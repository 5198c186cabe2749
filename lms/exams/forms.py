"""Forms of the authoring pages: a blueprint's header, its rows (one form per row with the format × level cells of
its framework), a new test (from a THPT 2025 template or blank), adding a question or a random draw."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.exams.models import TestKind
from lms.exams.rules import BLUEPRINT_FRAMEWORKS, blueprint_framework


class DecimalCommaField(forms.DecimalField):
    """Accepts 0,25 as well as 0.25."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


def _subject_choices(pairs):
    return [(f"{school.pk}:{subject.pk}", f"{subject.name} – {school.name}") for school, subject in pairs]


class BlueprintForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    subject = forms.ChoiceField(label=_("subject"))
    grade = forms.IntegerField(label=_("grade"), min_value=1, max_value=12)
    framework = forms.ChoiceField(label=_("framework"), choices=[(k, f.title) for k, f in BLUEPRINT_FRAMEWORKS.items()])
    kind = forms.ChoiceField(label=_("kind"), choices=TestKind.choices, initial=TestKind.MIDTERM)
    semester = forms.CharField(label=_("semester"), max_length=20, required=False)
    school_year = forms.CharField(label=_("school year"), max_length=20, required=False)
    minutes = forms.IntegerField(label=_("minutes"), min_value=1, max_value=600, initial=45)
    total_points = DecimalCommaField(label=_("total points"), max_digits=5, decimal_places=2, initial=Decimal(10))
    level_targets = forms.CharField(
        label=_("level targets (%)"),
        required=False,
        help_text=_("One share per level of the framework, e.g. 40 / 30 / 30; empty: the framework's defaults."),
    )

    def clean(self):
        data = super().clean()
        text = (data.get("level_targets") or "").strip()
        if not text or "framework" not in data:
            data["level_targets"] = {}
            return data
        levels = blueprint_framework(data["framework"]).levels
        try:
            values = [Decimal(v.replace(",", ".")) for v in text.replace("/", " ").replace(";", " ").split()]
        except ArithmeticError:
            values = []
        if len(values) != len(levels) or any(v < 0 for v in values):
            self.add_error(
                "level_targets",
                _("Give %(n)s shares, one per level (%(levels)s).")
                % {"n": len(levels), "levels": " / ".join(lv.label for lv in levels)},
            )
        elif sum(values) != 100:
            self.add_error("level_targets", _("The shares add up to %(sum)s, not 100.") % {"sum": sum(values)})
        else:
            data["level_targets"] = {lv.key: str(v) for lv, v in zip(levels, values, strict=True)}
        return data

    def __init__(self, *args, pairs=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = {f"{school.pk}:{subject.pk}": (school, subject) for school, subject in pairs}
        self.fields["subject"].choices = _subject_choices(pairs)
        if editing:
            del self.fields["subject"]

    def school_and_subject(self):
        return self.pairs[self.cleaned_data["subject"]]


class RowForm(forms.Form):
    chapter = forms.CharField(label=_("chapter / topic"), max_length=200, required=False)
    content_unit = forms.CharField(label=_("content unit"), max_length=200, required=False)
    outcomes = forms.CharField(
        label=_("YCCĐ outcome codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Codes separated by spaces or commas."),
    )

    def __init__(self, *args, framework: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = blueprint_framework(framework).columns
        for fmt, level in self.columns:
            self.fields[f"n_{fmt.key}_{level.key}"] = forms.IntegerField(
                label=f"{fmt.label} – {level.label}", min_value=0, max_value=200, required=False
            )
            self.fields[f"p_{fmt.key}_{level.key}"] = DecimalCommaField(
                label=_("points each"), min_value=0, max_digits=6, decimal_places=3, required=False
            )

    def cell_fields(self):
        return [
            (fmt, level, self[f"n_{fmt.key}_{level.key}"], self[f"p_{fmt.key}_{level.key}"])
            for fmt, level in self.columns
        ]

    def cells(self) -> dict:
        out = {}
        for fmt, level in self.columns:
            n = self.cleaned_data.get(f"n_{fmt.key}_{level.key}") or 0
            p = self.cleaned_data.get(f"p_{fmt.key}_{level.key}") or Decimal(0)
            if n:
                out[(fmt.key, level.key)] = (n, p)
        return out

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("chapter") or data.get("content_unit") or data.get("outcomes") or self.cells())


class BaseRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, framework: str, **kwargs):
        self.framework = framework
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "framework": self.framework}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            framework=self.framework,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


RowFormSet = forms.formset_factory(RowForm, formset=BaseRowFormSet, extra=2, can_delete=True)


class TestCreateForm(forms.Form):
    BLANK = "blank"

    title = forms.CharField(label=_("title"), max_length=200)
    subject = forms.ChoiceField(label=_("subject"))
    grade = forms.IntegerField(label=_("grade"), min_value=1, max_value=12, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=TestKind.choices)
    start = forms.ChoiceField(
        label=_("start from"),
        choices=[("thpt2025", _("the THPT 2025 template of the subject")), (BLANK, _("a blank test"))],
    )
    minutes = forms.IntegerField(
        label=_("minutes"), min_value=1, max_value=600, initial=45, help_text=_("A template sets its own time.")
    )

    def __init__(self, *args, pairs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = {f"{school.pk}:{subject.pk}": (school, subject) for school, subject in pairs}
        self.fields["subject"].choices = _subject_choices(pairs)

    def school_and_subject(self):
        return self.pairs[self.cleaned_data["subject"]]


class PartForm(forms.Form):
    code = forms.CharField(label=_("part"), max_length=10)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    question_type = forms.ChoiceField(label=_("question type"), required=False)

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_type"].choices = [("", _("any")), *list(types)]


class DrawForm(forms.Form):
    part = forms.IntegerField(widget=forms.HiddenInput)
    bank = forms.ChoiceField(label=_("bank"))
    count = forms.IntegerField(label=_("number of questions"), min_value=1, max_value=200)
    points = DecimalCommaField(
        label=_("points per question"), min_value=0, max_digits=5, decimal_places=2, required=False
    )
    level = forms.ChoiceField(label=_("cognitive level"), required=False)
    outcome = forms.CharField(label=_("YCCĐ outcome code"), max_length=60, required=False)
    tag = forms.CharField(label=_("tag"), max_length=100, required=False)

    def __init__(self, *args, banks=(), levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].choices = [(b.pk, str(b)) for b in banks]
        self.fields["level"].choices = [("", _("any")), *list(levels)]
