"""Moodle XML export: every type Moodle has a core equivalent for, files embedded as base64. Đúng/Sai (TF4) is
written as a Cloze (multianswer) question with one true/false choice per statement, as Moodle sites do; groups are
written as a description followed by their sub-questions."""

from __future__ import annotations

import base64
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring

from lms.assessments.importers.cloze import to_cloze
from lms.assessments.ir import ANSWER_FORMATS, TOLERANCE_TYPES, Choice, QType, Question
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
    QType.CALCULATED: "calculated",
    QType.CALCULATED_MULTI: "calculatedmulti",
    QType.DRAG_IMAGE: "ddimageortext",
}
TOLERANCE_CODES = {v: k for k, v in TOLERANCE_TYPES.items()}
FORMAT_CODES = {v: k for k, v in ANSWER_FORMATS.items()}


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


def _file(parent: Element, name: str, data: bytes | None) -> None:
    if data is not None:
        f = SubElement(parent, "file", name=name.rsplit("/", 1)[-1], path="/", encoding="base64")
        f.text = base64.b64encode(data).decode()


def _calculated(el: Element, q: Question, media: dict) -> None:
    calc = q.calc
    SubElement(el, "synchronize").text = str(calc.synchronize)
    SubElement(el, "single").text = ("true" if calc.single else "false") if q.type == QType.CALCULATED_MULTI else "0"
    SubElement(el, "answernumbering").text = calc.answer_numbering
    SubElement(el, "shuffleanswers").text = "1" if q.shuffle else "0"
    for ans in calc.answers:
        a = _text(el, "answer", ans.formula, "moodle_auto_format", media)
        a.set("fraction", _pct(ans.fraction))
        SubElement(a, "tolerance").text = format(ans.tolerance, "f")
        SubElement(a, "tolerancetype").text = TOLERANCE_CODES[ans.tolerance_type]
        SubElement(a, "correctanswerformat").text = FORMAT_CODES[ans.answer_format]
        SubElement(a, "correctanswerlength").text = str(ans.answer_length)
        _text(a, "feedback", ans.feedback, "html", media)
    if calc.units:
        units = SubElement(el, "units")
        for u in calc.units:
            unit = SubElement(units, "unit")
            SubElement(unit, "multiplier").text = format(u.multiplier, "f")
            SubElement(unit, "unit_name").text = u.name
    SubElement(el, "unitgradingtype").text = str(calc.unit_grading)
    SubElement(el, "unitpenalty").text = format(calc.unit_penalty, "f")
    SubElement(el, "showunits").text = str(calc.show_units)
    SubElement(el, "unitsleft").text = "1" if calc.units_left else "0"
    definitions = SubElement(el, "dataset_definitions")
    for w in calc.wildcards:
        d = SubElement(definitions, "dataset_definition")
        SubElement(SubElement(d, "status"), "text").text = "shared" if w.shared else "private"
        SubElement(SubElement(d, "name"), "text").text = w.name
        SubElement(d, "type").text = "calculatedsimple" if calc.simple else "calculated"
        SubElement(SubElement(d, "distribution"), "text").text = w.distribution
        low = w.minimum if w.minimum is not None else min(w.values, default=Decimal(0))
        high = w.maximum if w.maximum is not None else max(w.values, default=Decimal(0))
        SubElement(SubElement(d, "minimum"), "text").text = format(low, "f")
        SubElement(SubElement(d, "maximum"), "text").text = format(high, "f")
        SubElement(SubElement(d, "decimals"), "text").text = str(w.decimals)
        SubElement(d, "itemcount").text = str(len(w.values))
        items = SubElement(d, "dataset_items")
        for n, value in enumerate(w.values, start=1):
            item = SubElement(items, "dataset_item")
            SubElement(item, "number").text = str(n)
            SubElement(item, "value").text = format(value, "f")
        SubElement(d, "number_of_items").text = str(len(w.values))


def _drag_image(el: Element, q: Question, media: dict) -> None:
    drag = q.drag
    if q.shuffle:
        SubElement(el, "shuffleanswers")
    if drag.show_misplaced:
        SubElement(el, "showmisplaced")
    _file(el, drag.background, media.get(drag.background))
    for item in drag.items:
        d = SubElement(el, "drag")
        SubElement(d, "no").text = str(item.no)
        SubElement(d, "text").text = item.text
        if drag.kind == "marker":
            SubElement(d, "noofdrags").text = str(item.count)
        else:
            SubElement(d, "draggroup").text = str(item.group)
        if item.infinite:
            SubElement(d, "infinite")
        if item.image:
            _file(d, item.image, media.get(item.image))
    for zone in drag.zones:
        z = SubElement(el, "drop")
        SubElement(z, "text").text = zone.label
        SubElement(z, "no").text = str(zone.no)
        if drag.kind == "marker":
            SubElement(z, "shape").text = zone.shape
            SubElement(z, "coords").text = zone.coords
        SubElement(z, "choice").text = str(zone.choice)
        if drag.kind != "marker":
            SubElement(z, "xleft").text = str(zone.x)
            SubElement(z, "ytop").text = str(zone.y)


def question_element(q: Question) -> Element:
    qtype = TYPES[q.type]
    if q.type == QType.DRAG_IMAGE and q.drag and q.drag.kind == "marker":
        qtype = "ddmarker"
    elif q.type == QType.CALCULATED and q.calc and q.calc.simple:
        qtype = "calculatedsimple"
    el = Element("question", type=qtype)
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
    if q.type == QType.DRAG_IMAGE and q.drag:  # the background and the drag pictures have their own places
        placed = {q.drag.background, *(i.image for i in q.drag.items if i.image)}
        unused = {n: d for n, d in unused.items() if n not in placed}
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
    elif q.type in (QType.CALCULATED, QType.CALCULATED_MULTI) and q.calc:
        _calculated(el, q, media)
    elif q.type == QType.DRAG_IMAGE and q.drag:
        _drag_image(el, q, media)
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
