"""The authoring form: one Django form for every question type, turned into (and filled from) an ``ir.Question``.

Per type the teacher fills: options with a "correct" tick (single / multiple choice), the true/false key, the four
statements a)–d) with Đúng/Sai (TF4), accepted answers one per line (short answer, ``answer | 50`` for partial
credit), the number and tolerance with the THPT 2025 answer-sheet rule (numeric), ``left -> right`` lines
(matching), items in the right order (ordering), Moodle Cloze syntax ``{1:MC:=a~b}`` (gap fill), rubric lines
``criterion | points`` (essay), and sub-questions in GIFT (shared stem / câu chùm).

Feedback too: general, for a correct / a wrong answer, per option, per statement (rich text), per accepted answer
(``answer | credit | feedback`` lines) and per number; each option has a "credit %" box for partial or negative
credit. What the form has no field for (name, ID number, category, shuffle, exam part, the same of sub-questions)
travels through the signed hidden ``carry`` field, so saving an imported question unchanged keeps it.

The question text, the options, the statements, the solution and the feedback texts are rich text:
``static/assessments/js/bank.js`` turns their textareas into a small editor (bold, italic, lists, formulas,
pictures) that writes HTML back into them; without JavaScript the textareas take plain text (or HTML). Either way
:func:`rich_text` stores HTML reduced to the whitelist of ``rendering.safe_html``, pictures as
``@@PLUGINFILE@@/name``.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core import signing
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

MAX_OPTIONS = 8  # option rows of a new question; an imported one gets a row per option (at most 26)
CARRY_SALT = "assessments.authoring.carry"
# what the form has no field for and keeps unchanged through a signed hidden field (see QuestionForm.carry)
CARRIED = ("name", "number", "idnumber", "category", "exam_part", "shuffle")
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


NEWLINE_MARK = "⏎"  # ⏎ stands for a line break inside a value of an "a | b | c" line


def _escape_line(text: str) -> str:
    """A value inside an ``a | b | c`` line: "|" written "\\|", a line break "⏎" (backslashes stay: LaTeX)."""
    return (text or "").replace("|", "\\|").replace("\r\n", "\n").replace("\n", NEWLINE_MARK)


def _split_line(line: str) -> list[str]:
    """The inverse of :func:`_escape_line` over a whole line: its ``|``-separated values, unescaped and stripped."""
    values = re.split(r"(?<!\\)\|", line)
    return [v.replace("\\|", "|").replace(NEWLINE_MARK, "\n").strip(" \t") for v in values]


def _percent(fraction: Decimal) -> str:
    return format_decimal(fraction * 100, comma=True)


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
    carry = forms.CharField(widget=forms.HiddenInput, required=False)
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
    feedback = forms.CharField(
        label=_("General feedback"),
        widget=forms.Textarea(attrs={"rows": 2, **RICH_TEXT}),
        required=False,
        help_text=_("Shown to the student after any answer."),
    )
    correct_feedback = forms.CharField(
        label=_("Feedback for a correct answer"), widget=forms.Textarea(attrs={"rows": 2, **RICH_TEXT}), required=False
    )
    incorrect_feedback = forms.CharField(
        label=_("Feedback for a wrong answer"), widget=forms.Textarea(attrs={"rows": 2, **RICH_TEXT}), required=False
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
        help_text=_(
            "One per line; “answer | 50” gives half the credit; * is a wildcard; “answer | 100 | feedback” adds "
            "the feedback for that answer (write \\| for a “|” inside a value)."
        ),
    )
    case_sensitive = forms.BooleanField(label=_("Case matters"), required=False)
    ignore_diacritics = forms.BooleanField(label=_("Accept answers without diacritics"), required=False)
    # numeric
    number = forms.CharField(label=_("Correct number"), required=False)
    tolerance = forms.CharField(label=_("Tolerance (±)"), required=False, initial="0")
    number_feedback = forms.CharField(
        label=_("Feedback for the correct number"),
        widget=forms.Textarea(attrs={"rows": 1, **RICH_TEXT}),
        required=False,
    )
    other_numbers = forms.CharField(
        label=_("Other accepted numbers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One per line: number | tolerance | credit in % | feedback, e.g. “1822 | 2 | 50 | Almost”."),
    )
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
        self.option_count = _option_count(self.data, self.initial)
        for i in range(self.option_count):
            label = CHOICE_LABELS[i]
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Option %(label)s") % {"label": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 1, **RICH_TEXT}),
            )
            self.fields[f"option_{i}_correct"] = forms.BooleanField(label=_("correct"), required=False)
            self.fields[f"option_{i}_credit"] = forms.CharField(
                label=_("credit %"),
                required=False,
                widget=forms.TextInput(attrs={"size": 5, "inputmode": "decimal"}),
                help_text=_("Empty: all of it for a correct option, none (or a share of −100 %) for a wrong one."),
            )
            self.fields[f"option_{i}_feedback"] = forms.CharField(
                label=_("Feedback for option %(label)s") % {"label": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 1, **RICH_TEXT}),
            )
        for label in "abcd":
            self.fields[f"statement_{label}"] = forms.CharField(
                label=_("Statement %(label)s)") % {"label": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 1, **RICH_TEXT}),
            )
            self.fields[f"statement_{label}_true"] = forms.BooleanField(label=_("true (Đúng)"), required=False)
            self.fields[f"statement_{label}_feedback"] = forms.CharField(
                label=_("Feedback for statement %(label)s") % {"label": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 1, **RICH_TEXT}),
            )

    def clean_carry(self):
        """The signed parts of the question the form has no field for (see :meth:`initial_from`); a value that was
        not signed by this server is refused, so nobody can slip content in through it."""
        raw = self.cleaned_data.get("carry") or ""
        if not raw:
            return {}
        try:
            data = signing.loads(raw, salt=CARRY_SALT)
        except signing.BadSignature:
            raise ValidationError(_("The form was changed outside this page; open the question again.")) from None
        return data if isinstance(data, dict) else {}

    def clean_outcome_codes(self):
        codes = [c.strip().upper() for c in (self.cleaned_data.get("outcome_codes") or "").split(",") if c.strip()]
        outcomes = list(get_outcomes().filter(code__in=codes))
        unknown = sorted(set(codes) - {o.code for o in outcomes})
        if unknown:
            raise ValidationError(_("Unknown YCCĐ codes: %(codes)s") % {"codes": ", ".join(unknown)})
        return outcomes

    def option_rows(self):
        return [
            (self[f"option_{i}"], self[f"option_{i}_correct"], self[f"option_{i}_credit"], self[f"option_{i}_feedback"])
            for i in range(self.option_count)
        ]

    def statement_rows(self):
        return [(self[f"statement_{x}"], self[f"statement_{x}_true"], self[f"statement_{x}_feedback"]) for x in "abcd"]

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
            feedback=rich_text(d.get("feedback", "")),
            correct_feedback=rich_text(d.get("correct_feedback", "")),
            incorrect_feedback=rich_text(d.get("incorrect_feedback", "")),
            level=d.get("level", ""),
            difficulty=d.get("difficulty", ""),
            tags=[t.strip() for t in (d.get("tags") or "").split(",") if t.strip()],
            source=d.get("source", ""),
        )
        carry = d.get("carry") or {}
        if qtype in (QType.SINGLE, QType.MULTIPLE):
            kept_empty = set(carry.get("empty_options") or [])
            for i in range(self.option_count):
                text = rich_text(d.get(f"option_{i}") or "")
                correct = bool(d.get(f"option_{i}_correct"))
                credit = (d.get(f"option_{i}_credit") or "").strip()
                feedback = rich_text(d.get(f"option_{i}_feedback") or "")
                if text or correct or credit or feedback or i in kept_empty:
                    fraction = _decimal(credit, f"option_{i}_credit") / 100 if credit else None
                    q.choices.append(Choice(CHOICE_LABELS[len(q.choices)], text, correct, fraction, feedback))
        elif qtype == QType.TRUE_FALSE:
            truth = d.get("truth") != "false"
            # the two choices' own feedback (an imported question's; rows 0 and 1 are Đúng and Sai) is kept
            q.choices = [
                Choice("Đ", "Đúng", truth, feedback=rich_text(d.get("option_0_feedback") or "")),
                Choice("S", "Sai", not truth, feedback=rich_text(d.get("option_1_feedback") or "")),
            ]
        elif qtype == QType.TF4:
            q.statements = [
                Statement(
                    x,
                    rich_text(d.get(f"statement_{x}") or ""),
                    bool(d.get(f"statement_{x}_true")),
                    rich_text(d.get(f"statement_{x}_feedback") or ""),
                )
                for x in "abcd"
            ]
        elif qtype == QType.SHORT:
            q.case_sensitive = bool(d.get("case_sensitive"))
            q.ignore_diacritics = bool(d.get("ignore_diacritics"))
            for line in (d.get("answers") or "").splitlines():
                if line.strip():
                    text, pct, feedback = [*_split_line(line), "", ""][:3]
                    fraction = _decimal(pct, "answers") / 100 if pct.strip() else Decimal(1)
                    q.answers.append(TextAnswer(text, fraction, rich_text(feedback)))
        elif qtype == QType.NUMERIC:
            if (d.get("number") or "").strip():
                q.numeric = [
                    NumericAnswer(
                        _decimal(d["number"], "number"),
                        abs(_decimal(d.get("tolerance") or "0", "tolerance")),
                        feedback=rich_text(d.get("number_feedback") or ""),
                    )
                ]
            for line in (d.get("other_numbers") or "").splitlines():
                if line.strip():
                    value, tol, pct, feedback = [*_split_line(line), "", "", ""][:4]
                    q.numeric.append(
                        NumericAnswer(
                            _decimal(value, "other_numbers"),
                            abs(_decimal(tol or "0", "other_numbers")),
                            _decimal(pct, "other_numbers") / 100 if pct else Decimal(1),
                            rich_text(feedback),
                        )
                    )
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
        _apply_carry(q, carry)
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
            "feedback": as_html(q.feedback, fmt),
            "correct_feedback": as_html(q.correct_feedback, fmt),
            "incorrect_feedback": as_html(q.incorrect_feedback, fmt),
            "carry": signing.dumps(_carry(q), salt=CARRY_SALT),
            "level": question.level if question else q.level,
            "difficulty": question.difficulty if question else q.difficulty,
            "grade": question.grade if question else None,
            "subject": question.subject.code if question and question.subject_id else None,
            "outcome_codes": ", ".join(o.code for o in question.outcomes.all()) if question else "",
            "topic": question.topic if question else "",
            "tags": ", ".join(question.tags if question else q.tags),
            "source": question.source if question else q.source,
        }
        defaults = _default_fractions(q)
        for i, c in enumerate(q.choices[: len(CHOICE_LABELS)]):
            data[f"option_{i}"] = as_html(c.text, fmt)
            data[f"option_{i}_correct"] = c.correct
            data[f"option_{i}_feedback"] = as_html(c.feedback, fmt)
            if c.fraction is not None and defaults and c.fraction != defaults[i]:
                data[f"option_{i}_credit"] = _percent(c.fraction)
        if q.type == QType.TRUE_FALSE:
            data["truth"] = "true" if q.choices and q.choices[0].correct else "false"
        for s in q.statements:
            data[f"statement_{s.label}"] = as_html(s.text, fmt)
            data[f"statement_{s.label}_true"] = s.true
            data[f"statement_{s.label}_feedback"] = as_html(s.feedback, fmt)
        data["answers"] = "\n".join(
            _escape_line(a.text)
            + (f" | {format_decimal(a.fraction * 100)}" if a.fraction != 1 or a.feedback else "")
            + (f" | {_escape_line(as_html(a.feedback, fmt))}" if a.feedback else "")
            for a in q.answers
        )
        data["case_sensitive"] = q.case_sensitive
        data["ignore_diacritics"] = q.ignore_diacritics
        if q.numeric and q.numeric[0].fraction == 1:
            data["number"] = format_decimal(q.numeric[0].value, comma=True)
            data["tolerance"] = format_decimal(q.numeric[0].tolerance, comma=True)
            data["number_feedback"] = as_html(q.numeric[0].feedback, fmt)
            data["other_numbers"] = _number_lines(q.numeric[1:], fmt)
        elif q.numeric:  # the first number does not take all the credit: every number is an "other" one
            data["tolerance"] = ""
            data["other_numbers"] = _number_lines(q.numeric, fmt)
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


def _option_count(data, initial) -> int:
    """Option rows: 8, or as many as the question (or the posted form) has, at most 26."""
    used = [
        int(m.group(1))
        for key in [*(data or {}), *(initial or {})]
        if (m := re.fullmatch(r"option_(\d+)", key)) and int(m.group(1)) < len(CHOICE_LABELS)
    ]
    return max(MAX_OPTIONS, max(used, default=-1) + 1)


def _default_fractions(q: Question) -> list[Decimal] | None:
    """The credit :meth:`Question.normalise` gives each option of ``q`` (None when it is not a choice question)."""
    if q.type not in (QType.SINGLE, QType.MULTIPLE):
        return None
    probe = Question(type=q.type, stem="", choices=[Choice(c.label, "", c.correct) for c in q.choices]).normalise()
    return [c.fraction for c in probe.choices]


def _meta(q: Question) -> dict:
    return {name: getattr(q, name) for name in CARRIED}


def _carry(q: Question) -> dict:
    """What :meth:`QuestionForm.initial_from` signs into the hidden ``carry`` field: the question's metadata the form
    has no field for, its sub-questions' metadata, and which options the editor shows empty (an empty QTI choice,
    or one whose only content is a picture missing from the imported package, which no page can show) so that
    saving keeps them in place."""
    return {
        "meta": _meta(q),
        "parts": [_meta(p) | {"type": str(p.type)} for p in q.parts],
        "empty_options": [i for i, c in enumerate(q.choices) if not rich_text(as_html(c.text, q.text_format))],
    }


def _apply_carry(q: Question, carry: dict) -> None:
    meta = carry.get("meta") or {}
    for name in CARRIED:
        if name in meta:
            setattr(q, name, meta[name])
    parts = carry.get("parts") or []
    if len(parts) == len(q.parts):
        for part, saved in zip(q.parts, parts, strict=True):
            if saved.get("type") != str(part.type):
                continue
            for name in CARRIED:
                # a Cloze choice gap says in its syntax whether it shuffles ({1:MCS:…}); keep what it says
                if name in saved and not (name == "shuffle" and q.type == QType.CLOZE and part.choices):
                    setattr(part, name, saved[name])


def _number_lines(answers: list[NumericAnswer], fmt: str) -> str:
    return "\n".join(
        " | ".join(
            [format_decimal(a.value, comma=True), format_decimal(a.tolerance, comma=True), _percent(a.fraction)]
            + ([_escape_line(as_html(a.feedback, fmt))] if a.feedback else [])
        )
        for a in answers
    )
