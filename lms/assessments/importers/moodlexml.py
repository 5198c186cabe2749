"""Moodle XML: categories, every core question type we can represent, embedded base64 files, tags, idnumbers.

Supported: multichoice (single / multiple), truefalse, shortanswer, numerical, match, essay, description,
multianswer (Cloze), ordering, gapselect and ddwtos (as cloze with choice gaps), calculated / calculatedsimple
(formulas, tolerances, units, dataset items), calculatedmulti, ddimageortext and ddmarker (background picture,
drag items, drop zones). Types that draw from Moodle's own bank (randomsamatch, random) are reported per question,
never dropped.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from lms.assessments import calculated
from lms.assessments.formulas import FormulaError, evaluate, inline_formulas, wildcards
from lms.assessments.importers.cloze import ClozeError, parse_cloze
from lms.assessments.ir import (
    ANSWER_FORMATS,
    CHOICE_LABELS,
    TOLERANCE_TYPES,
    CalcAnswer,
    Calculated,
    Choice,
    DragImage,
    DragItem,
    DropZone,
    ImportResult,
    NumericAnswer,
    Pair,
    QType,
    Question,
    RubricCriterion,
    Statement,
    TextAnswer,
    Unit,
    Wildcard,
    regroup,
)

UNSUPPORTED = {
    "randomsamatch": "random short-answer matching draws from Moodle's own bank",
    "random": "a random question is a Moodle quiz slot, not a question",
}


FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}


class MoodleXmlError(ValueError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def _text(el: Element | None, path: str = "text") -> str:
    if el is None:
        return ""
    node = el.find(path) if path else el
    return (node.text or "").strip() if node is not None else ""


def _files(el: Element | None, media: dict[str, bytes], number: int) -> None:
    if el is None:
        return
    for f in el.findall("file"):
        name = f.get("name") or ""
        if (f.get("encoding") or "base64") != "base64" or not name:
            raise MoodleXmlError(f"embedded file {name!r} is not base64", "Export the question again from Moodle.")
        folder = (f.get("path") or "/").strip("/")
        try:
            media[f"{folder}/{name}" if folder else name] = base64.b64decode(
                re.sub(r"\s+", "", f.text or ""), validate=True
            )
        except (binascii.Error, ValueError):
            raise MoodleXmlError(f"embedded file {name!r} is not valid base64", "") from None


def _rich(parent: Element, tag: str, media: dict[str, bytes], number: int) -> str:
    el = parent.find(tag)
    _files(el, media, number)
    return _text(el)


def _decimal(value: str | None, default: str = "0") -> Decimal:
    try:
        return Decimal((value or default).strip().replace(",", "."))
    except InvalidOperation:
        raise MoodleXmlError(f"{value!r} is not a number", "") from None


def parse(data: bytes | str, *, result: ImportResult | None = None) -> ImportResult:
    result = result or ImportResult(format="moodlexml")
    try:
        root = fromstring(data if isinstance(data, bytes) else data.encode())
    except (ParseError, DefusedXmlException) as exc:
        result.error(None, f"The file is not well-formed XML: {exc}", "Open it in a browser to see where it breaks.")
        return result
    if root.tag != "quiz":
        result.error(None, f"The root element is <{root.tag}>, not <quiz>.", "Export the questions as Moodle XML.")
        return result
    category = ""
    number = 0
    for el in root.findall("question"):
        qtype = el.get("type") or ""
        if qtype == "category":
            category = _text(el.find("category")).removeprefix("$course$/").removeprefix("$system$/")
            category = category.removeprefix("$module$/").removeprefix("$cat1$/")
            result.categories.append(category)
            continue
        number += 1
        name = _text(el.find("name"))
        try:
            question = _question(el, qtype, number)
        except (MoodleXmlError, ClozeError) as exc:
            label = f"“{name}” ({qtype})" if name else qtype
            result.error(number, f"{label}: {exc}", getattr(exc, "hint", ""))
            continue
        question.category = category
        result.questions.append(question)
    if number == 0 and not result.categories:
        result.error(None, "The file holds no question.", "")
    result.questions = regroup(result.questions, _group_count, result)
    return result


GROUP_TAG = re.compile(r"^qbank-group:(\d+)$")


def _group_count(q: Question) -> int:
    """Our exporter writes a câu chùm as a description tagged ``qbank-group:n`` followed by its n questions (what a
    Moodle quiz shows as a shared passage); read back, they are one group again."""
    n = next((int(m.group(1)) for t in q.tags if (m := GROUP_TAG.match(t))), 0)
    if n:
        q.tags = [t for t in q.tags if not GROUP_TAG.match(t)]
    return n


def _question(el: Element, qtype: str, number: int) -> Question:
    if qtype in UNSUPPORTED:
        raise MoodleXmlError(
            f"type not supported: {UNSUPPORTED[qtype]}",
            "Convert it in Moodle to multiple choice or numerical with fixed values, then export again.",
        )
    media: dict[str, bytes] = {}
    qt = el.find("questiontext")
    q = Question(
        type=QType.DESCRIPTION,
        stem=_rich(el, "questiontext", media, number),
        number=number,
        name=_text(el.find("name")),
        text_format=FORMATS.get((qt.get("format") if qt is not None else "html") or "html", "html"),
        solution=_rich(el, "generalfeedback", media, number),
        points=_decimal(_text(el, "defaultgrade") or "1"),
        idnumber=_text(el, "idnumber"),
        tags=[_text(t) for t in el.findall("tags/tag")],
        correct_feedback=_rich(el, "correctfeedback", media, number),
        incorrect_feedback=_rich(el, "incorrectfeedback", media, number),
        media=media,
    )
    q.shuffle = _text(el, "shuffleanswers") not in ("0", "false")
    answers = el.findall("answer")
    if qtype == "multichoice":
        single = _text(el, "single").lower() in ("true", "1", "")
        q.type = QType.SINGLE if single else QType.MULTIPLE
        for index, a in enumerate(answers):
            fraction = _decimal(a.get("fraction")) / 100
            if index >= len(CHOICE_LABELS):
                raise MoodleXmlError("more than 26 options", "")
            _files(a, media, number)
            feedback = _rich(a, "feedback", media, number)
            correct = fraction > 0 if q.type == QType.MULTIPLE else fraction >= 1
            q.choices.append(Choice(CHOICE_LABELS[index], _text(a), correct, fraction, feedback))
        if not any(c.correct for c in q.choices):
            raise MoodleXmlError("no option earns credit", "Give the right option a positive fraction.")
    elif qtype == "truefalse":
        q.type = QType.TRUE_FALSE
        truth = None
        for a in answers:
            if _text(a).lower() == "true":
                truth = _decimal(a.get("fraction")) > 0
        if truth is None:
            raise MoodleXmlError("no <answer> with text “true”", "")
        q.choices = [Choice("Đ", "Đúng", truth), Choice("S", "Sai", not truth)]
    elif qtype == "shortanswer":
        q.type = QType.SHORT
        q.case_sensitive = _text(el, "usecase") == "1"
        q.answers = [
            TextAnswer(_text(a), _decimal(a.get("fraction")) / 100, _rich(a, "feedback", media, number))
            for a in answers
        ]
        if not any(a.fraction > 0 for a in q.answers):
            raise MoodleXmlError("no accepted answer", "Give one answer a positive fraction.")
    elif qtype == "numerical":
        q.type = QType.NUMERIC
        for a in answers:
            value = _text(a)
            if value == "*":
                q.incorrect_feedback = q.incorrect_feedback or _rich(a, "feedback", media, number)
                continue
            q.numeric.append(
                NumericAnswer(
                    _decimal(value),
                    abs(_decimal(_text(a, "tolerance") or "0")),
                    _decimal(a.get("fraction")) / 100,
                    _rich(a, "feedback", media, number),
                )
            )
        if not q.numeric:
            raise MoodleXmlError("no numeric answer", "")
    elif qtype == "matching":
        q.type = QType.MATCHING
        for sub in el.findall("subquestion"):
            _files(sub, media, number)
            q.pairs.append(Pair(_text(sub), _text(sub.find("answer"))))
        if sum(1 for p in q.pairs if p.left) < 2:
            raise MoodleXmlError("fewer than two pairs", "")
    elif qtype == "essay":
        q.type = QType.ESSAY
        grader = _rich(el, "graderinfo", media, number)
        if grader:
            q.rubric = [RubricCriterion(grader, q.points)]
    elif qtype == "description":
        q.type = QType.DESCRIPTION
    elif qtype == "multianswer":
        q.type = QType.CLOZE
        grade = q.points
        q.stem, q.parts = parse_cloze(q.stem)
        q.points = sum((p.points for p in q.parts), Decimal(0))
        _cloze_to_tf4(q)
        if q.type == QType.TF4:
            q.points = grade
    elif qtype == "ordering":
        q.type = QType.ORDERING
        ordered = sorted(answers, key=lambda a: _decimal(a.get("fraction")))
        q.items = [_text(a) for a in ordered]
        if len(q.items) < 2:
            raise MoodleXmlError("fewer than two items to order", "")
    elif qtype in ("gapselect", "ddwtos"):
        q.type = QType.CLOZE
        options = [(_text(s), int(_text(s, "group") or "1")) for s in el.findall("selectoption")]
        options += [(_text(s), int(_text(s, "group") or "1")) for s in el.findall("dragbox")]

        def gap(match: re.Match) -> str:
            index = int(match.group(1)) - 1
            if index >= len(options):
                raise MoodleXmlError(f"gap [[{index + 1}]] has no option", "")
            group = options[index][1]
            same = [(i, t) for i, (t, g) in enumerate(options) if g == group]
            part = Question(type=QType.SINGLE, stem="", shuffle=True)
            for n, (i, text) in enumerate(same):
                part.choices.append(Choice(CHOICE_LABELS[n], text, i == index, Decimal(int(i == index))))
            q.parts.append(part)
            return f"{{#{len(q.parts)}}}"

        q.stem = re.sub(r"\[\[(\d+)\]\]", gap, q.stem)
        if not q.parts:
            raise MoodleXmlError("no [[n]] gap in the text", "")
    elif qtype in ("calculated", "calculatedsimple", "calculatedmulti"):
        _calculated(el, qtype, q, media, number)
    elif qtype in ("ddimageortext", "ddmarker"):
        _drag_image(el, qtype, q, media, number)
    else:
        raise MoodleXmlError(f"unknown question type {qtype!r}", "Export a core Moodle question type.")
    return q


def _int(value: str, default: int, what: str) -> int:
    try:
        return int(Decimal((value or str(default)).strip()))
    except (InvalidOperation, ValueError):
        raise MoodleXmlError(f"{what} {value!r} is not a whole number", "") from None


def _calculated(el: Element, qtype: str, q: Question, media: dict[str, bytes], number: int) -> None:
    multi = qtype == "calculatedmulti"
    q.type = QType.CALCULATED_MULTI if multi else QType.CALCULATED
    calc = Calculated(
        simple=qtype == "calculatedsimple",
        single=_text(el, "single").lower() in ("true", "1", "") if multi else True,
        synchronize=_int(_text(el, "synchronize"), 0, "<synchronize>"),
        answer_numbering=_text(el, "answernumbering") or "abc",
        unit_grading=_int(_text(el, "unitgradingtype"), 0, "<unitgradingtype>"),
        unit_penalty=_decimal(_text(el, "unitpenalty") or "0.1"),
        show_units=_int(_text(el, "showunits"), 3, "<showunits>"),
        units_left=_text(el, "unitsleft") == "1",
    )
    for index, a in enumerate(el.findall("answer"), start=1):
        formula = _text(a)
        tolerance_type = _text(a, "tolerancetype") or "1"
        if tolerance_type not in TOLERANCE_TYPES:
            raise MoodleXmlError(f"answer {index}: tolerance type {tolerance_type!r} is not 1, 2 or 3", "")
        answer_format = _text(a, "correctanswerformat") or "1"
        if answer_format not in ANSWER_FORMATS:
            raise MoodleXmlError(f"answer {index}: correct answer format {answer_format!r} is not 1 or 2", "")
        calc.answers.append(
            CalcAnswer(
                formula=formula,
                fraction=_decimal(a.get("fraction")) / 100,
                tolerance=abs(_decimal(_text(a, "tolerance") or "0")),
                tolerance_type=TOLERANCE_TYPES[tolerance_type],
                answer_format=ANSWER_FORMATS[answer_format],
                answer_length=_int(_text(a, "correctanswerlength"), 2, "<correctanswerlength>"),
                feedback=_rich(a, "feedback", media, number),
            )
        )
    if not calc.answers:
        raise MoodleXmlError("no answer formula", "Give the question at least one answer formula.")
    if not any(a.fraction > 0 for a in calc.answers):
        raise MoodleXmlError("no answer formula earns credit", "Give the right answer a positive fraction.")
    for u in el.findall("units/unit"):
        calc.units.append(Unit(_text(u, "unit_name"), _decimal(_text(u, "multiplier") or "1")))
    for d in el.findall("dataset_definitions/dataset_definition"):
        name = _text(d.find("name"))
        items = sorted(
            (
                (_int(_text(i, "number"), 0, "<number>"), _decimal(_text(i, "value")))
                for i in d.findall("dataset_items/dataset_item")
            ),
            key=lambda pair: pair[0],
        )
        if [n for n, _v in items] != list(range(1, len(items) + 1)):
            raise MoodleXmlError(f"the dataset of {{{name}}} is not numbered 1, 2, 3…", "Export the question again.")
        calc.wildcards.append(
            Wildcard(
                name=name,
                values=[v for _n, v in items],
                minimum=_decimal(_text(d.find("minimum"))) if _text(d.find("minimum")) else None,
                maximum=_decimal(_text(d.find("maximum"))) if _text(d.find("maximum")) else None,
                decimals=_int(_text(d.find("decimals")), 1, "<decimals>"),
                distribution=_text(d.find("distribution")) or "uniform",
                shared=_text(d.find("status")) == "shared",
            )
        )
    q.calc = calc
    # as in Moodle, the wildcards are those of the answer formulas; a {name} of the text without a dataset (a LaTeX
    # group such as \begin{equation}) is text
    used: set[str] = set()
    for a in calc.answers:
        used |= set(wildcards(" ".join(inline_formulas(a.formula)) if multi else a.formula))
    known = {w.name for w in calc.wildcards}
    missing = sorted(used - known)
    if missing:
        raise MoodleXmlError(
            "no dataset for " + ", ".join(f"{{{m}}}" for m in missing),
            "Export the question from Moodle with its dataset items (the “wildcards” page).",
        )
    if calc.wildcards and calc.item_count == 0:
        raise MoodleXmlError("the datasets have no items", "Add dataset items in Moodle, then export again.")
    if len({len(w.values) for w in calc.wildcards}) > 1:
        raise MoodleXmlError("the wildcards have different numbers of dataset items", "")
    for a in calc.answers:
        formulas = inline_formulas(a.formula) if multi else [a.formula]
        for formula in formulas:
            try:
                evaluate(formula, calc.values(1) if calc.wildcards else {})
            except FormulaError as exc:
                raise MoodleXmlError(f"formula {formula.strip()!r}: {exc}", "Correct the formula in Moodle.") from None
    problems = calculated.check(q)
    if problems:
        raise MoodleXmlError(problems[0], "Correct the formula or the dataset in Moodle.")


def _drag_image(el: Element, qtype: str, q: Question, media: dict[str, bytes], number: int) -> None:
    marker = qtype == "ddmarker"
    q.type = QType.DRAG_IMAGE
    drag = DragImage(kind="marker" if marker else "image_or_text", show_misplaced=el.find("showmisplaced") is not None)
    q.shuffle = el.find("shuffleanswers") is not None and _text(el, "shuffleanswers") not in ("0", "false")
    background: dict[str, bytes] = {}
    _files(el, background, number)
    if not background:
        raise MoodleXmlError("no background picture", "Export the question again with its files.")
    drag.background = next(iter(background))
    media.update(background)
    for d in el.findall("drag"):
        item = DragItem(
            no=_int(_text(d, "no"), 0, "<drag><no>"),
            text=_text(d),
            group=_int(_text(d, "draggroup"), 1, "<draggroup>"),
            infinite=d.find("infinite") is not None,
            count=_int(_text(d, "noofdrags"), 1, "<noofdrags>"),
        )
        pictures: dict[str, bytes] = {}
        _files(d, pictures, number)
        if pictures:
            name = next(iter(pictures))
            stored = f"drag{item.no}/{name}"
            media[stored] = pictures[name]
            item.image = stored
        drag.items.append(item)
    for z in el.findall("drop"):
        zone = DropZone(no=_int(_text(z, "no"), 0, "<drop><no>"), choice=_int(_text(z, "choice"), 0, "<choice>"))
        zone.label = _text(z)
        if marker:
            zone.shape, zone.coords = _text(z, "shape"), _text(z, "coords")
            if zone.shape not in ("circle", "rectangle", "polygon"):
                raise MoodleXmlError(f"drop zone {zone.no}: unknown shape {zone.shape!r}", "")
            if not re.fullmatch(
                r"\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*(;\s*-?\d+(\.\d+)?\s*(,\s*-?\d+(\.\d+)?\s*)?)+", zone.coords
            ):
                raise MoodleXmlError(f"drop zone {zone.no}: coordinates {zone.coords!r} are not “x,y;…”", "")
        else:
            zone.x = _int(_text(z, "xleft"), 0, "<xleft>")
            zone.y = _int(_text(z, "ytop"), 0, "<ytop>")
        drag.zones.append(zone)
    if not drag.zones:
        raise MoodleXmlError("no drop zone", "")
    nos = {i.no for i in drag.items}
    for zone in drag.zones:
        if zone.choice not in nos:
            raise MoodleXmlError(f"drop zone {zone.no} expects item {zone.choice}, which does not exist", "")
    q.drag = drag


_TF4_LINE = re.compile(r"^([a-d])\)\s*(.*?)\s*\{#(\d)\}$", re.S)


def _cloze_to_tf4(q: Question) -> None:
    """A Đúng/Sai question as Moodle sites (and our exporter) write it: a Cloze with lines "a) … {#1}" whose
    sub-questions each offer exactly Đúng / Sai. Read it back as a TF4 question."""
    lines = q.stem.split("<br>")
    if len(q.parts) != 4 or len(lines) < 5:
        return
    statements = []
    for line, part in zip(lines[-4:], q.parts, strict=True):
        m = _TF4_LINE.match(line.strip())
        if not m or [c.text for c in part.choices] != ["Đúng", "Sai"] or part.type != QType.SINGLE:
            return
        statements.append(Statement(m.group(1), m.group(2), part.choices[0].correct))
    if [s.label for s in statements] != ["a", "b", "c", "d"]:
        return
    q.type = QType.TF4
    q.stem = "<br>".join(lines[:-4])
    q.statements = statements
    q.parts = []
