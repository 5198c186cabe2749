"""Moodle XML export: every type Moodle has a core equivalent for, files embedded as base64. Đúng/Sai (TF4) is
written as a Cloze (multianswer) question with one true/false choice per statement, as Moodle sites do; groups are
written as a description followed by their sub-questions."""

from __future__ import annotations

import base64
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring

from lms.assessments.importers.cloze import to_cloze
from lms.assessments.ir import Choice, QType, Question
from lms.assessments.scoring import choice_fraction

TYPES = {
    QType.SINGLE: "multichoice",
    QType.MULTIPLE: "multichoice",
    QType.TRUE_FALSE: "truefalse",
    QType.SHORT: "shortanswer",
    QType.NUMERIC: "numerical",
    QType.MATCHING: "matching",
    QType.ORDERING: "ordering",
    QType.CLOZE: "multianswer",
    QType.ESSAY: "essay",
    QType.DESCRIPTION: "description",
    QType.TF4: "multianswer",
}


def _pct(fraction: Decimal) -> str:
    return format((fraction * 100).normalize(), "f")


def _text(parent: Element, tag: str, value: str, fmt: str | None = "html", media: dict | None = None) -> Element:
    el = SubElement(parent, tag)
    if fmt:
        el.set("format", fmt)
    SubElement(el, "text").text = value or ""
    for name, data in (media or {}).items():
        if data is not None and f"@@PLUGINFILE@@/{name}" in (value or ""):
            f = SubElement(
                el,
                "file",
                name=name.rsplit("/", 1)[-1],
                path="/" + (name.rsplit("/", 1)[0] + "/" if "/" in name else ""),
                encoding="base64",
            )
            f.text = base64.b64encode(data).decode()
    return el


def _fmt(q: Question) -> str:
    return {"moodle": "moodle_auto_format", "plain": "plain_text"}.get(q.text_format, q.text_format or "html")


def _tf4_as_cloze(q: Question) -> tuple[str, list[Question]]:
    parts = []
    lines = [q.stem]
    for s in q.statements:
        part = Question(
            type=QType.SINGLE,
            stem="",
            shuffle=False,
            choices=[
                Choice("A", "Đúng", s.true, Decimal(int(s.true))),
                Choice("B", "Sai", not s.true, Decimal(int(not s.true))),
            ],
        )
        parts.append(part)
        lines.append(f"{s.label}) {s.text} {{#{len(parts)}}}")
    return "<br>".join(lines), parts


def question_element(q: Question) -> Element:
    el = Element("question", type=TYPES[q.type])
    SubElement(SubElement(el, "name"), "text").text = q.name
    media = q.media
    stem = q.stem
    if q.type == QType.CLOZE:
        stem = to_cloze(q.stem, q.parts)
    elif q.type == QType.TF4:
        stem = to_cloze(*_tf4_as_cloze(q))
    # every picture goes into the question's file area: those of the text, then any other (e.g. in a matching
    # answer, where Moodle allows none)
    unused = {n: d for n, d in media.items() if f"@@PLUGINFILE@@/{n}" not in stem}
    qt = _text(el, "questiontext", stem, _fmt(q), media)
    for name, data in unused.items():
        if data is not None:
            f = SubElement(qt, "file", name=name.rsplit("/", 1)[-1], path="/", encoding="base64")
            f.text = base64.b64encode(data).decode()
    _text(el, "generalfeedback", q.solution, "html", media)
    SubElement(el, "defaultgrade").text = format(q.points, "f")
    SubElement(el, "idnumber").text = q.idnumber
    if q.type in (QType.SINGLE, QType.MULTIPLE):
        SubElement(el, "single").text = "true" if q.type == QType.SINGLE else "false"
        SubElement(el, "shuffleanswers").text = "1" if q.shuffle else "0"
        SubElement(el, "answernumbering").text = "ABCD"
        for c in q.choices:
            fraction = (
                c.fraction
                if c.fraction is not None
                else (Decimal(int(c.correct)) if q.type == QType.SINGLE else choice_fraction(c, q.choices))
            )
            a = _text(el, "answer", c.text, "html", media)
            a.set("fraction", _pct(fraction))
            _text(a, "feedback", c.feedback, "html")
    elif q.type == QType.TRUE_FALSE:
        truth = bool(q.choices and q.choices[0].correct)
        for value, right in (("true", truth), ("false", not truth)):
            a = _text(el, "answer", value, "moodle_auto_format")
            a.set("fraction", "100" if right else "0")
            _text(a, "feedback", q.correct_feedback if right else q.incorrect_feedback, "html")
    elif q.type == QType.SHORT:
        SubElement(el, "usecase").text = "1" if q.case_sensitive else "0"
        for ans in q.answers:
            a = _text(el, "answer", ans.text, "moodle_auto_format")
            a.set("fraction", _pct(ans.fraction))
            _text(a, "feedback", ans.feedback, "html")
    elif q.type == QType.NUMERIC:
        for ans in q.numeric:
            a = _text(el, "answer", format(ans.value, "f"), "moodle_auto_format")
            a.set("fraction", _pct(ans.fraction))
            SubElement(a, "tolerance").text = format(ans.tolerance, "f")
            _text(a, "feedback", ans.feedback, "html")
        if q.incorrect_feedback:
            a = _text(el, "answer", "*", "moodle_auto_format")
            a.set("fraction", "0")
            SubElement(a, "tolerance").text = "0"
            _text(a, "feedback", q.incorrect_feedback, "html")
    elif q.type == QType.MATCHING:
        SubElement(el, "shuffleanswers").text = "1" if q.shuffle else "0"
        for p in q.pairs:
            sub = _text(el, "subquestion", p.left, "html", media)
            SubElement(SubElement(sub, "answer"), "text").text = p.right
    elif q.type == QType.ORDERING:
        for index, item in enumerate(q.items, start=1):
            a = _text(el, "answer", item, "html", media)
            a.set("fraction", str(index))
    elif q.type == QType.ESSAY:
        SubElement(el, "responseformat").text = "editor"
        _text(el, "graderinfo", "<br>".join(r.text for r in q.rubric), "html", media)
    if q.type not in (QType.SINGLE, QType.MULTIPLE, QType.MATCHING):
        pass
    if q.correct_feedback and q.type != QType.TRUE_FALSE:
        _text(el, "correctfeedback", q.correct_feedback, "html")
    if q.incorrect_feedback and q.type not in (QType.TRUE_FALSE, QType.NUMERIC):
        _text(el, "incorrectfeedback", q.incorrect_feedback, "html")
    if q.tags:
        tags = SubElement(el, "tags")
        for t in q.tags:
            SubElement(SubElement(tags, "tag"), "text").text = t
    return el


def export(questions: list[Question]) -> bytes:
    quiz = Element("quiz")
    category = None
    for q in questions:
        if q.category and q.category != category:
            cat = SubElement(quiz, "question", type="category")
            SubElement(SubElement(cat, "category"), "text").text = f"$course$/{q.category}"
            category = q.category
        if q.type == QType.GROUP:
            tags = [*q.tags, f"qbank-group:{len(q.parts)}"]  # read back as one group by importers.moodlexml
            passage = Question(type=QType.DESCRIPTION, stem=q.stem, name=q.name, media=q.media, tags=tags)
            quiz.append(question_element(passage))
            for part in q.parts:
                quiz.append(question_element(part))
            continue
        quiz.append(question_element(q))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="unicode").encode("utf-8")
