"""Moodle XML: categories, every core question type we can represent, embedded base64 files, tags, idnumbers.

Supported: multichoice (single / multiple), truefalse, shortanswer, numerical, match, essay, description,
multianswer (Cloze), ordering, gapselect and ddwtos (as cloze with choice gaps). Types that need Moodle's own
runtime (calculated*, ddimageortext, ddmarker, randomsamatch, random) are reported per question, never dropped.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from lms.assessments.importers.cloze import ClozeError, parse_cloze
from lms.assessments.ir import (
    CHOICE_LABELS,
    Choice,
    ImportResult,
    NumericAnswer,
    Pair,
    QType,
    Question,
    RubricCriterion,
    Statement,
    TextAnswer,
    regroup,
)

UNSUPPORTED = {
    "calculated": "calculated questions need Moodle's formula datasets",
    "calculatedsimple": "calculated questions need Moodle's formula datasets",
    "calculatedmulti": "calculated multiple-choice questions need Moodle's formula datasets",
    "ddimageortext": "drag-and-drop onto an image is not a bank question type here",
    "ddmarker": "drag-and-drop markers are not a bank question type here",
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
    else:
        raise MoodleXmlError(f"unknown question type {qtype!r}", "Export a core Moodle question type.")
    return q


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
