"""The intermediate representation every importer produces and every exporter consumes.

An importer turns a file into an :class:`ImportResult`: questions in this shape plus a per-question error list. The
same shape, serialised with :meth:`Question.to_content`, is what a :class:`~lms.assessments.models.QuestionVersion`
stores, so scoring, exporters and the authoring UI all read one structure.

Texts are HTML fragments (``text_format`` says what the source used); maths stays as LaTeX between ``\\(…\\)`` or
``$…$`` for KaTeX. Media are kept as bytes keyed by file name and referenced from the HTML as ``@@PLUGINFILE@@/name``
until they are saved to storage.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class QType(enum.StrEnum):
    SINGLE = "single_choice"
    MULTIPLE = "multiple_response"
    TRUE_FALSE = "true_false"
    TF4 = "true_false_4"  # Đúng/Sai with statements a)–d) (THPT 2025 Part II)
    SHORT = "short_answer"
    NUMERIC = "numeric"
    MATCHING = "matching"
    ORDERING = "ordering"
    CLOZE = "cloze"
    ESSAY = "essay"
    GROUP = "group"  # a shared stem (câu chùm) with several questions
    DESCRIPTION = "description"  # text only, not scored (GIFT/Moodle "description")
    CALCULATED = "calculated"  # Moodle calculated / calculatedsimple: a number computed from a formula and a dataset
    CALCULATED_MULTI = "calculated_multi"  # Moodle calculatedmulti: options whose texts hold {=formula}
    DRAG_IMAGE = "drag_image"  # Moodle ddimageortext / ddmarker: drag items or markers onto a background picture


SCORED_TYPES = frozenset(QType) - {QType.DESCRIPTION}
CHOICE_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATEMENT_LABELS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class Choice:
    label: str
    text: str
    correct: bool
    fraction: Decimal | None = None  # credit for choosing it, -1…1 (None: derived from ``correct``)
    feedback: str = ""


@dataclass
class Statement:
    label: str
    text: str
    true: bool
    feedback: str = ""


@dataclass
class TextAnswer:
    """One accepted short answer (``*`` is a wildcard, as in Moodle)."""

    text: str
    fraction: Decimal = Decimal(1)
    feedback: str = ""


@dataclass
class NumericAnswer:
    value: Decimal
    tolerance: Decimal = Decimal(0)
    fraction: Decimal = Decimal(1)
    feedback: str = ""


@dataclass
class Pair:
    left: str
    right: str


@dataclass
class RubricCriterion:
    text: str
    points: Decimal


TOLERANCE_TYPES = {"1": "relative", "2": "nominal", "3": "geometric"}  # Moodle's <tolerancetype> codes
ANSWER_FORMATS = {"1": "decimals", "2": "significant"}  # Moodle's <correctanswerformat> codes


@dataclass
class CalcAnswer:
    """One answer of a calculated question: a formula over the wildcards (calculatedmulti: an option text holding
    ``{=formula}`` parts), its credit and how a response is compared with it."""

    formula: str
    fraction: Decimal = Decimal(1)
    tolerance: Decimal = Decimal("0.01")
    tolerance_type: str = "relative"  # relative (± tol·|answer|) | nominal (± tol) | geometric (÷/× (1+tol))
    answer_format: str = "decimals"  # the correct answer is shown with ``answer_length`` decimals | significant
    answer_length: int = 2
    feedback: str = ""


@dataclass
class Wildcard:
    """A dataset: the values ``{name}`` takes, item 1 first (Moodle's dataset items), and how they were drawn."""

    name: str
    values: list[Decimal] = field(default_factory=list)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    decimals: int = 1
    distribution: str = "uniform"
    shared: bool = False  # Moodle "shared" status (a category-wide dataset) instead of "private"


@dataclass
class Unit:
    name: str
    multiplier: Decimal = Decimal(1)  # value in this unit = value in the base unit × multiplier (Moodle's rule)


@dataclass
class Calculated:
    answers: list[CalcAnswer] = field(default_factory=list)
    wildcards: list[Wildcard] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    unit_grading: int = 0  # Moodle unitgradingtype: 0 units optional, 1 penalty × response grade, 2 × question grade
    unit_penalty: Decimal = Decimal("0.1")
    show_units: int = 3  # Moodle showunits (3: no unit shown or asked for)
    units_left: bool = False
    synchronize: int = 0
    simple: bool = False  # came from Moodle's calculatedsimple
    single: bool = True  # calculated_multi: one option may be chosen
    answer_numbering: str = "abc"

    @property
    def item_count(self) -> int:
        return min((len(w.values) for w in self.wildcards), default=0)

    def values(self, item: int) -> dict[str, Decimal]:
        """The wildcard values of dataset item ``item`` (1-based)."""
        if item < 1 or item > (self.item_count if self.wildcards else 1):
            raise IndexError(f"dataset item {item} does not exist (the question has {self.item_count})")
        return {w.name: w.values[item - 1] for w in self.wildcards}


@dataclass
class DragItem:
    """Something to drag: a text or a picture (``image``: a media name), in a group; ``infinite`` may be used in
    several places; ddmarker markers have ``count`` copies."""

    no: int
    text: str = ""
    image: str = ""
    group: int = 1
    infinite: bool = False
    count: int = 1


@dataclass
class DropZone:
    """Where an item goes. ddimageortext: the top-left corner ``x``/``y`` on the background; ddmarker: a ``shape``
    (circle "x,y;r", rectangle "x,y;w,h", polygon "x1,y1;x2,y2;…" in ``coords``). ``choice`` is the DragItem.no."""

    no: int
    choice: int
    label: str = ""
    x: int = 0
    y: int = 0
    shape: str = ""
    coords: str = ""


@dataclass
class DragImage:
    kind: str = "image_or_text"  # image_or_text (ddimageortext) | marker (ddmarker)
    background: str = ""  # media name of the background picture
    items: list[DragItem] = field(default_factory=list)
    zones: list[DropZone] = field(default_factory=list)
    show_misplaced: bool = False


@dataclass
class Question:
    type: QType
    stem: str
    number: int | None = None
    name: str = ""
    text_format: str = "html"
    choices: list[Choice] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    answers: list[TextAnswer] = field(default_factory=list)
    numeric: list[NumericAnswer] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # ordering: in the right order
    parts: list[Question] = field(default_factory=list)  # cloze sub-answers / group sub-questions
    points: Decimal = Decimal(1)
    level: str = ""  # curriculum CognitiveLevel value (biet/hieu/van_dung) or legacy nb/th/vd/vdc
    difficulty: str = ""
    feedback: str = ""  # shown after any answer (unused by the file formats: their general feedback is the solution)
    correct_feedback: str = ""
    incorrect_feedback: str = ""
    solution: str = ""  # lời giải; Moodle's "general feedback" (GIFT ####) maps here
    rubric: list[RubricCriterion] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    category: str = ""  # "top/sub/subsub" as in GIFT $CATEGORY and Moodle XML
    idnumber: str = ""
    source: str = ""
    exam_part: str = ""  # "I" / "II" / "III" for the THPT 2025 layout
    case_sensitive: bool = False
    ignore_diacritics: bool = False
    shuffle: bool = True
    answer_sheet: str = ""  # scoring-rule key whose answer-sheet rule applies (e.g. "THPT2025")
    media: dict[str, bytes] = field(default_factory=dict)
    calc: Calculated | None = None  # calculated / calculated_multi
    drag: DragImage | None = None  # drag_image

    # ------------------------------------------------------------------ reading
    @property
    def key(self) -> str:
        """The answer key as a teacher writes it: "B", "AC", "ĐSĐS", "-1,5"."""
        if self.type in (QType.SINGLE, QType.MULTIPLE, QType.TRUE_FALSE):
            return "".join(c.label for c in self.choices if c.correct)
        if self.type == QType.TF4:
            return "".join("Đ" if s.true else "S" for s in self.statements)
        return self.answer_text or ""

    @property
    def answer_text(self) -> str | None:
        if self.type == QType.SHORT and self.answers:
            best = max(self.answers, key=lambda a: a.fraction)
            return best.text
        if self.type == QType.NUMERIC and self.numeric:
            best = max(self.numeric, key=lambda a: a.fraction)
            text = format_decimal(best.value, comma=self.answer_sheet != "")
            if best.tolerance:
                text += f":{format_decimal(best.tolerance)}"
            return text
        return None

    def to_summary(self) -> dict[str, Any]:
        """The per-question object of ``import_questions --json``."""
        return {
            "number": self.number,
            "type": str(self.type),
            "stem": self.stem,
            "choices": [{"label": c.label, "text": c.text, "correct": c.correct} for c in self.choices],
            "answer": self.answer_text,
            "statements": [{"label": s.label, "text": s.text, "true": s.true} for s in self.statements],
            "points": str(self.points),
            "level": self.level,
        } | ({"parts": [p.to_summary() for p in self.parts]} if self.type == QType.GROUP else {})

    def normalise(self) -> Question:
        """Make implicit credit explicit: every option of a single / multiple choice question gets its fraction
        (single: right 1, wrong 0; multiple: right 1/k, wrong −1/k), so every format writes the same scoring."""
        if self.type in (QType.SINGLE, QType.MULTIPLE):
            k = sum(1 for c in self.choices if c.correct) or 1
            for c in self.choices:
                if c.fraction is None:
                    if self.type == QType.SINGLE:
                        c.fraction = Decimal(1) if c.correct else Decimal(0)
                    else:
                        c.fraction = (Decimal(1) if c.correct else Decimal(-1)) / k
        for part in self.parts:
            part.normalise()
        return self

    def essence(self) -> dict[str, Any]:
        """What makes two questions the same question whatever file format carried them: type, texts, keys,
        credit, points and solution (not names, formats or feedback, which some formats cannot hold)."""
        return _jsonable(
            {
                "type": self.type,
                "stem": " ".join(self.stem.split()),
                "choices": [(c.label, " ".join(c.text.split()), c.correct, _norm(c.fraction)) for c in self.choices],
                "statements": [(s.label, " ".join(s.text.split()), s.true) for s in self.statements],
                "answers": [(a.text, _norm(a.fraction)) for a in self.answers],
                "numeric": [(_norm(a.value), _norm(a.tolerance), _norm(a.fraction)) for a in self.numeric],
                "pairs": [(p.left, p.right) for p in self.pairs],
                "items": list(self.items),
                "parts": [p.essence() for p in self.parts],
                "points": _norm(self.points),
                "solution": " ".join(self.solution.split()),
            }
            | ({"calc": _calc_essence(self.calc)} if self.calc else {})
            | ({"drag": _drag_essence(self.drag)} if self.drag else {})
        )

    # ------------------------------------------------------------------ (de)serialising
    def to_content(self, *, with_media: bool = False) -> dict[str, Any]:
        data = {name: _jsonable(value) for name, value in vars(self).items() if name not in ("media", "parts")}
        if with_media:
            data["media"] = dict.fromkeys(self.media)
        data["parts"] = [p.to_content(with_media=with_media) for p in self.parts]
        return data

    @classmethod
    def from_content(cls, data: dict[str, Any]) -> Question:
        data = dict(data)
        data.pop("media", None)
        data["type"] = QType(data["type"])
        data["choices"] = [Choice(**_dec(c, "fraction")) for c in data.get("choices", [])]
        data["statements"] = [Statement(**s) for s in data.get("statements", [])]
        data["answers"] = [TextAnswer(**_dec(a, "fraction")) for a in data.get("answers", [])]
        data["numeric"] = [NumericAnswer(**_dec(a, "value", "tolerance", "fraction")) for a in data.get("numeric", [])]
        data["pairs"] = [Pair(**p) for p in data.get("pairs", [])]
        data["rubric"] = [RubricCriterion(**_dec(r, "points")) for r in data.get("rubric", [])]
        data["parts"] = [cls.from_content(p) for p in data.get("parts", [])]
        if data.get("calc"):
            data["calc"] = _calc_from(data["calc"])
        if data.get("drag"):
            data["drag"] = _drag_from(data["drag"])
        if data.get("points") is not None:
            data["points"] = Decimal(str(data["points"]))
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class ImportIssue:
    """One problem with one question: its number in the file (or None for the whole file), why, and what to do."""

    question: int | None
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "message": self.message, "hint": self.hint}


@dataclass
class ImportResult:
    format: str
    questions: list[Question] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # categories the file declares, even if empty
    warnings: list[ImportIssue] = field(default_factory=list)

    def error(self, question: int | None, message: str, hint: str = "") -> None:
        self.errors.append(ImportIssue(question, message, hint))

    def warn(self, question: int | None, message: str, hint: str = "") -> None:
        self.warnings.append(ImportIssue(question, message, hint))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "questions": [q.to_summary() for q in self.questions],
            "errors": [e.to_dict() for e in self.errors],
        }


def regroup(questions: list[Question], count, result: ImportResult) -> list[Question]:
    """Formats without câu chùm get one from our exporters as a description (the passage) followed by its questions;
    ``count(description)`` says how many follow (0: a plain description). They become one ``group`` again."""
    out: list[Question] = []
    i = 0
    while i < len(questions):
        q = questions[i]
        n = count(q) if q.type == QType.DESCRIPTION else 0
        parts = questions[i + 1 : i + 1 + n]
        if n and (len(parts) < n or any(p.type in (QType.GROUP, QType.DESCRIPTION) for p in parts)):
            result.warn(
                q.number, f"the shared passage names {n} questions that do not follow it; kept as a description"
            )
            n = 0
        if not n:
            out.append(q)
            i += 1
            continue
        group = Question(type=QType.GROUP, stem=q.stem, number=q.number, name=q.name, text_format=q.text_format)
        group.tags, group.category, group.idnumber = q.tags, q.category, ""
        group.parts, group.media = parts, dict(q.media)
        group.points = sum((p.points for p in parts), Decimal(0))
        group.exam_part = parts[0].exam_part
        for p in parts:
            group.media.update(p.media)
        out.append(group)
        i += 1 + n
    return out


def _calc_from(data: dict) -> Calculated:
    data = _dec(data, "unit_penalty")
    data["answers"] = [CalcAnswer(**_dec(a, "fraction", "tolerance")) for a in data.get("answers", [])]
    data["wildcards"] = [
        Wildcard(**(_dec(w, "minimum", "maximum") | {"values": [Decimal(str(v)) for v in w.get("values", [])]}))
        for w in data.get("wildcards", [])
    ]
    data["units"] = [Unit(**_dec(u, "multiplier")) for u in data.get("units", [])]
    known = {f.name for f in dataclasses.fields(Calculated)}
    return Calculated(**{k: v for k, v in data.items() if k in known})


def _drag_from(data: dict) -> DragImage:
    data = dict(data)
    data["items"] = [DragItem(**i) for i in data.get("items", [])]
    data["zones"] = [DropZone(**z) for z in data.get("zones", [])]
    return DragImage(**data)


def _calc_essence(c: Calculated) -> dict:
    return {
        "answers": [
            (
                " ".join(a.formula.split()),
                _norm(a.fraction),
                _norm(a.tolerance),
                a.tolerance_type,
                a.answer_format,
                a.answer_length,
            )
            for a in c.answers
        ],
        "wildcards": sorted((w.name, [_norm(v) for v in w.values]) for w in c.wildcards),
        "units": [(u.name, _norm(u.multiplier)) for u in c.units],
        "unit_grading": c.unit_grading,
        "unit_penalty": _norm(c.unit_penalty) if c.unit_grading else None,
        "single": c.single,
    }


def _drag_essence(d: DragImage) -> dict:
    return {
        "kind": d.kind,
        "background": d.background,
        "items": [(i.no, i.text, i.image, i.group, i.infinite, i.count) for i in d.items],
        "zones": [(z.no, z.choice, z.label, z.x, z.y, z.shape, z.coords) for z in d.zones],
    }


def format_decimal(value: Decimal, *, comma: bool = False) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if comma else text


def _norm(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(Decimal(value).quantize(Decimal("1e-9")).normalize())


def _dec(data: dict, *names: str) -> dict:
    data = dict(data)
    for name in names:
        if data.get(name) is not None:
            data[name] = Decimal(str(data[name]))
    return data


def _jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str | int | bool | None):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in vars(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
