"""The authoring form: one Django form for every question type, turned into (and filled from) an ``ir.Question``.

Per type the teacher fills: options with a "correct" tick (single / multiple choice), the true/false key, the four
statements a)–d) with Đúng/Sai (TF4), accepted answers one per line (short answer, ``answer | 50`` for partial
credit), the number and tolerance with the THPT 2025 answer-sheet rule (numeric), ``left -> right`` lines
(matching), items in the right order (ordering), Moodle Cloze syntax ``{1:MC:=a~b}`` (gap fill), rubric lines
``criterion | points`` (essay), and sub-questions in GIFT (shared stem / câu chùm).

The question text, the options, the statements and the solution are rich text: ``static/assessments/js/bank.js``
turns their textareas into a small editor (bold, italic, lists, formulas, pictures) that writes HTML back into them;
without JavaScript the textareas take plain text (or HTML). Either way :func:`rich_text` stores HTML reduced to the
whitelist of ``rendering.safe_html``, pictures as ``@@PLUGINFILE@@/name``.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from curriculum.api import get_outcomes, get_subjects
from lms.assessments.importers import gift
from lms.assessments.importers.cloze import ClozeError, parse_cloze, to_cloze
from lms.assessments.ir import (
    CHOICE_LABELS,
    Choice,
    NumericAnswer,
    Pair,
    QType,
    Question,
    RubricCriterion,
    Statement,
    TextAnswer,
    format_decimal,
)
from lms.assessments.models import Difficulty, Level, QuestionType
from lms.assessments.rendering import clean_html, has_markup, plain_to_html

MAX_OPTIONS = 8
# imported from Moodle and shown read-only: this form has no editor for formulas, datasets or drop zones
READ_ONLY_TYPES = frozenset({QType.CALCULATED, QType.CALCULATED_MULTI, QType.DRAG_IMAGE})
READ_ONLY_MESSAGE = _(
    "Calculated and drag-onto-image questions cannot be edited here yet: edit them in Moodle and import them again."
)

RICH_TEXT = {"data-rich-text": "", "data-math-source": ""}
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)


def rich_text(text: str) -> str:
    """What a rich-text field stores: the editor's HTML through the whitelist (scripts, event handlers, styles and
    foreign pictures removed, ``@@PLUGINFILE@@/name`` kept), or plain text typed without the editor as escaped HTML
    with its line breaks."""
    text = (text or "").strip()
    # the editor's HTML of a text without tags still has entities ("2 &lt; 3"): it is HTML, not plain text
    if has_markup(text) or _ENTITY.search(text):
        return clean_html(text)
    return plain_to_html(text)


def as_html(text: str, text_format: str) -> str:
    """A stored text as the editor's HTML: plain and Markdown texts of imported questions (and Moodle auto-format
    ones without markup) are escaped with their line breaks. Importers differ on whether a plain text is already
    escaped (Aiken escapes it, GIFT does not), so it is unescaped first."""
    if text_format in ("plain", "markdown") or (text_format == "moodle" and not has_markup(text)):
        return plain_to_html(html.unescape(text or ""))
    return text or ""


def _decimal(text: str, field: str) -> Decimal:
    try:
        return Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({field: _("Write a number, e.g. 0,25.")}) from None


class QuestionForm(forms.Form):
    type = forms.ChoiceField(label=_("Question type"), choices=QuestionType.choices)
    stem = forms.CharField(
        label=_("Question text"),
        widget=forms.Textarea(attrs={"rows": 4, **RICH_TEXT}),
        help_text=_("Maths between \\( and \\) or $ and $, e.g. \\(\\frac{1}{2}\\)."),
    )
    upload_token = forms.CharField(widget=forms.HiddenInput, required=False)
    image = forms.ImageField(
        label=_("Add a picture to the question text"),
        required=False,
        help_text=_("PNG, JPEG or GIF; it is placed at the end of the question text."),
    )
    points = forms.CharField(label=_("Points"), initial="1")
    level = forms.ChoiceField(label=_("Cognitive level"), choices=[("", "—"), *Level.choices], required=False)
    difficulty = forms.ChoiceField(label=_("Difficulty"), choices=[("", "—"), *Difficulty.choices], required=False)
    subject = forms.ModelChoiceField(label=_("Subject"), queryset=get_subjects(), required=False, to_field_name="code")
    grade = forms.IntegerField(label=_("Grade"), min_value=1, max_value=12, required=False)
    outcome_codes = forms.CharField(
        label=_("Required outcomes (YCCĐ codes)"),
        required=False,
        help_text=_("Codes separated by commas, e.g. TOAN10.DS.MENHDE.1."),
    )
    topic = forms.CharField(label=_("Topic"), required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    source = forms.CharField(label=_("Source"), required=False)
    solution = forms.CharField(
        label=_("Solution (lời giải)"), widget=forms.Textarea(attrs={"rows": 3, **RICH_TEXT}), required=False
    )
    # true / false
    truth = forms.ChoiceField(
        label=_("The statement is"), choices=[("true", _("True (Đúng)")), ("false", _("False (Sai)"))], required=False
    )
    # short answer
    answers = forms.CharField(
        label=_("Accepted answers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One per line; “answer | 50” gives half the credit; * is a wildcard."),
    )
    case_sensitive = forms.BooleanField(label=_("Case matters"), required=False)
    ignore_diacritics = forms.BooleanField(label=_("Accept answers without diacritics"), required=False)
    # numeric
    number = forms.CharField(label=_("Correct number"), required=False)
    tolerance = forms.CharField(label=_("Tolerance (±)"), required=False, initial="0")
    answer_sheet = forms.BooleanField(
        label=_("THPT 2025 answer sheet (at most 4 characters from 0–9, “-” and “,”)"), required=False
    )
    # matching / ordering / cloze / essay / group
    pairs = forms.CharField(
        label=_("Pairs"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One per line: left -> right. A line “-> x” adds a distractor."),
    )
    items = forms.CharField(
        label=_("Items in the right order"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    rubric = forms.CharField(
        label=_("Rubric"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One criterion per line: criterion | points."),
    )
    subquestions = forms.CharField(
        label=_("Questions of the shared stem (GIFT)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("One GIFT question per paragraph, e.g. “Câu hỏi? {=đúng ~sai}”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(MAX_OPTIONS):
            label = CHOICE_LABELS[i]
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Option %(label)s") % {"label": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 1, **RICH_TEXT}),
            )
            self.fields[f"option_{i}_correct"] = forms.BooleanField(label=_("correct"), required=False)
        for label in "abcd":
            self.fields[f"statement_{label}"] = forms.CharField(
                label=_("Statement %(label)s)") % {"label": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 1, **RICH_TEXT}),
            )
            self.fields[f"statement_{label}_true"] = forms.BooleanField(label=_("true (Đúng)"), required=False)

    def clean_outcome_codes(self):
        codes = [c.strip().upper() for c in (self.cleaned_data.get("outcome_codes") or "").split(",") if c.strip()]
        outcomes = list(get_outcomes().filter(code__in=codes))
        unknown = sorted(set(codes) - {o.code for o in outcomes})
        if unknown:
            raise ValidationError(_("Unknown YCCĐ codes: %(codes)s") % {"codes": ", ".join(unknown)})
        return outcomes

    def option_rows(self):
        return [(self[f"option_{i}"], self[f"option_{i}_correct"]) for i in range(MAX_OPTIONS)]

    def statement_rows(self):
        return [(self[f"statement_{x}"], self[f"statement_{x}_true"]) for x in "abcd"]

    # ------------------------------------------------------------------ form → content
    def to_content(self, media: dict[str, bytes] | None = None) -> Question:
        """``media``: the question's stored pictures (name → bytes) that the texts may refer to."""
        d = self.cleaned_data
        qtype = QType(d["type"])
        if qtype in READ_ONLY_TYPES:
            raise ValidationError({"type": READ_ONLY_MESSAGE})
        q = Question(
            type=qtype,
            stem=rich_text(d["stem"]),
            text_format="html",
            points=_decimal(d["points"] or "1", "points"),
            solution=rich_text(d.get("solution", "")),
            level=d.get("level", ""),
            difficulty=d.get("difficulty", ""),
            tags=[t.strip() for t in (d.get("tags") or "").split(",") if t.strip()],
            source=d.get("source", ""),
        )
        if qtype in (QType.SINGLE, QType.MULTIPLE):
            for i in range(MAX_OPTIONS):
                text = rich_text(d.get(f"option_{i}") or "")
                if text:
                    q.choices.append(Choice(CHOICE_LABELS[len(q.choices)], text, bool(d.get(f"option_{i}_correct"))))
        elif qtype == QType.TRUE_FALSE:
            truth = d.get("truth") != "false"
            q.choices = [Choice("Đ", "Đúng", truth), Choice("S", "Sai", not truth)]
        elif qtype == QType.TF4:
            q.statements = [
                Statement(x, rich_text(d.get(f"statement_{x}") or ""), bool(d.get(f"statement_{x}_true")))
                for x in "abcd"
            ]
        elif qtype == QType.SHORT:
            q.case_sensitive = bool(d.get("case_sensitive"))
            q.ignore_diacritics = bool(d.get("ignore_diacritics"))
            for line in (d.get("answers") or "").splitlines():
                if line.strip():
                    text, _sep, pct = line.partition("|")
                    fraction = _decimal(pct, "answers") / 100 if pct.strip() else Decimal(1)
                    q.answers.append(TextAnswer(text.strip(), fraction))
        elif qtype == QType.NUMERIC:
            if (d.get("number") or "").strip():
                q.numeric = [
                    NumericAnswer(
                        _decimal(d["number"], "number"), abs(_decimal(d.get("tolerance") or "0", "tolerance"))
                    )
                ]
            q.answer_sheet = "THPT2025" if d.get("answer_sheet") else ""
        elif qtype == QType.MATCHING:
            for line in (d.get("pairs") or "").splitlines():
                if "->" in line:
                    left, right = line.split("->", 1)
                    q.pairs.append(Pair(left.strip(), right.strip()))
        elif qtype == QType.ORDERING:
            q.items = [line.strip() for line in (d.get("items") or "").splitlines() if line.strip()]
        elif qtype == QType.CLOZE:
            try:
                q.stem, q.parts = parse_cloze(q.stem)
            except ClozeError as exc:
                raise ValidationError({"stem": str(exc)}) from None
        elif qtype == QType.ESSAY:
            for line in (d.get("rubric") or "").splitlines():
                if line.strip():
                    text, _sep, pts = line.rpartition("|")
                    if not _sep:
                        text, pts = line, "0"
                    q.rubric.append(RubricCriterion(text.strip(), _decimal(pts, "rubric")))
        elif qtype == QType.GROUP:
            result = gift.parse(d.get("subquestions") or "")
            if result.errors:
                raise ValidationError(
                    {"subquestions": [f"{_('Question')} {e.question}: {e.message}" for e in result.errors]}
                )
            q.parts = [p.normalise() for p in result.questions]
        q.media = dict(media or {})
        upload = d.get("image")
        if upload:
            name = re.sub(r"[^A-Za-z0-9._-]", "_", upload.name.rsplit("/", 1)[-1]) or "hinh.png"
            while name in q.media:
                name = f"1_{name}"
            q.media[name] = upload.read()
            q.stem = f'{q.stem} <img src="@@PLUGINFILE@@/{name}" alt="">'
        return q.normalise()

    @classmethod
    def initial_from(cls, q: Question, question=None) -> dict:
        fmt = q.text_format
        data = {
            "type": str(q.type),
            "stem": as_html(q.stem, fmt),
            "points": format_decimal(q.points, comma=True),
            "solution": as_html(q.solution, fmt),
            "level": question.level if question else q.level,
            "difficulty": question.difficulty if question else q.difficulty,
            "grade": question.grade if question else None,
            "subject": question.subject.code if question and question.subject_id else None,
            "outcome_codes": ", ".join(o.code for o in question.outcomes.all()) if question else "",
            "topic": question.topic if question else "",
            "tags": ", ".join(question.tags if question else q.tags),
            "source": question.source if question else q.source,
        }
        for i, c in enumerate(q.choices[:MAX_OPTIONS]):
            data[f"option_{i}"] = as_html(c.text, fmt)
            data[f"option_{i}_correct"] = c.correct
        if q.type == QType.TRUE_FALSE:
            data["truth"] = "true" if q.choices and q.choices[0].correct else "false"
        for s in q.statements:
            data[f"statement_{s.label}"] = as_html(s.text, fmt)
            data[f"statement_{s.label}_true"] = s.true
        data["answers"] = "\n".join(
            a.text + (f" | {format_decimal(a.fraction * 100)}" if a.fraction != 1 else "") for a in q.answers
        )
        data["case_sensitive"] = q.case_sensitive
        data["ignore_diacritics"] = q.ignore_diacritics
        if q.numeric:
            data["number"] = format_decimal(q.numeric[0].value, comma=True)
            data["tolerance"] = format_decimal(q.numeric[0].tolerance, comma=True)
        data["answer_sheet"] = bool(q.answer_sheet)
        data["pairs"] = "\n".join(f"{p.left} -> {p.right}" for p in q.pairs)
        data["items"] = "\n".join(q.items)
        data["rubric"] = "\n".join(f"{r.text} | {format_decimal(r.points, comma=True)}" for r in q.rubric)
        if q.type == QType.CLOZE:
            data["stem"] = as_html(to_cloze(q.stem, q.parts), fmt)
        if q.type == QType.GROUP:
            from lms.assessments.exporters.gift import question_to_gift

            data["subquestions"] = "\n\n".join(question_to_gift(p) for p in q.parts)
        return data
