"""GIFT export (Moodle's rules, read back by ``importers.gift``). Types GIFT cannot express (Đúng/Sai with four
statements, ordering, cloze, groups) are refused by name, never written lossily."""

from __future__ import annotations

from decimal import Decimal

from lms.assessments.ir import QType, Question
from lms.assessments.scoring import choice_fraction

SUPPORTED = {
    QType.SINGLE,
    QType.MULTIPLE,
    QType.TRUE_FALSE,
    QType.SHORT,
    QType.NUMERIC,
    QType.MATCHING,
    QType.ESSAY,
    QType.DESCRIPTION,
}


class ExportError(ValueError):
    pass


def escape(text: str) -> str:
    out = (text or "").replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _weight(fraction: Decimal | None) -> str:
    if fraction is None:
        return ""
    return f"%{_num(fraction * 100)}%"


def _fb(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def _fmt(q: Question) -> str:
    return f"[{q.text_format}]" if q.text_format in ("html", "markdown", "plain", "moodle") else ""


def question_to_gift(q: Question) -> str:
    if q.type not in SUPPORTED:
        raise ExportError(f"GIFT cannot hold a {q.type} question (question {q.number or q.name!r})")
    lines = []
    if q.idnumber:
        lines.append(f"// [id:{q.idnumber}]")
    if q.tags:
        lines.append("// " + " ".join(f"[tag:{t}]" for t in q.tags))
    head = f"::{escape(q.name)}::" if q.name else ""
    stem = _fmt(q) + escape(q.stem)
    if q.type == QType.DESCRIPTION:
        lines.append(head + stem)
        return "\n".join(lines)
    general = f"####{escape(q.solution)}" if q.solution else ""
    if q.type == QType.ESSAY:
        body = general
    elif q.type == QType.TRUE_FALSE:
        truth = "TRUE" if q.choices and q.choices[0].correct else "FALSE"
        body = truth
        if q.incorrect_feedback or q.correct_feedback:
            body += f"#{escape(q.incorrect_feedback)}#{escape(q.correct_feedback)}"
        body += general
    elif q.type == QType.SHORT:
        body = " ".join(
            f"={_weight(a.fraction) if a.fraction != 1 else ''}{escape(a.text)}{_fb(a.feedback)}" for a in q.answers
        )
        body += general
    elif q.type == QType.NUMERIC:
        items = []
        for a in q.numeric:
            tol = f":{_num(a.tolerance)}" if a.tolerance else ""
            items.append(f"={_weight(a.fraction) if a.fraction != 1 else ''}{_num(a.value)}{tol}{_fb(a.feedback)}")
        if q.incorrect_feedback:
            items.append(f"~{_fb(q.incorrect_feedback)}")
        body = "#\n    " + "\n    ".join(items) + general
    elif q.type == QType.MATCHING:
        body = " ".join(f"={escape(p.left)} -> {escape(p.right)}" for p in q.pairs) + general
    else:  # single / multiple
        items = []
        for c in q.choices:
            if q.type == QType.SINGLE and c.correct and (c.fraction is None or c.fraction == 1):
                prefix = "="
            else:
                fraction = (
                    c.fraction
                    if c.fraction is not None
                    else (Decimal(0) if q.type == QType.SINGLE else choice_fraction(c, q.choices))
                )
                prefix = "~" + (_weight(fraction) if fraction else "")
            items.append(f"{prefix}{escape(c.text)}{_fb(c.feedback)}")
        body = "\n    " + "\n    ".join(items) + "\n" + general
    lines.append(f"{head}{stem}{{{body}}}")
    return "\n".join(lines)


def export(questions: list[Question]) -> bytes:
    out = []
    category = None
    for q in questions:
        if q.category != category and (q.category or category is not None):
            out.append(f"$CATEGORY: $course$/{q.category}" if q.category else "$CATEGORY: ")
            category = q.category
        out.append(question_to_gift(q))
    return ("\n\n".join(out) + "\n").encode("utf-8")
