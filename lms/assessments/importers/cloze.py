"""Moodle's embedded-answer (Cloze) syntax: ``{1:MULTICHOICE:=right#fb~wrong}``, ``{2:SHORTANSWER_C:=Paris}``,
``{1:NUMERICAL:=3.14:0.01}``, with every sub-type variant (MC, MCV, MCH, MCS, MR, MRH, MRS, SA, SAC, NM, …).

The text keeps a ``{#n}`` placeholder where sub-answer n sits; each sub-answer becomes a part (an ``ir.Question``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lms.assessments.ir import CHOICE_LABELS, Choice, NumericAnswer, QType, Question, TextAnswer

_SUB = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^}\\])*)\}")
_TYPES = {
    **dict.fromkeys(["MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH"], (QType.SINGLE, True)),
    **dict.fromkeys(["MULTICHOICE_S", "MCS", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"], (QType.SINGLE, True)),
    **dict.fromkeys(["MULTIRESPONSE", "MR", "MULTIRESPONSE_H", "MRH"], (QType.MULTIPLE, True)),
    **dict.fromkeys(["MULTIRESPONSE_S", "MRS", "MULTIRESPONSE_HS", "MRHS"], (QType.MULTIPLE, True)),
    **dict.fromkeys(["SHORTANSWER", "SA", "MW"], (QType.SHORT, False)),
    **dict.fromkeys(["SHORTANSWER_C", "SAC", "MWC"], (QType.SHORT, True)),
    **dict.fromkeys(["NUMERICAL", "NM"], (QType.NUMERIC, False)),
}


class ClozeError(ValueError):
    pass


def _unescape(text: str) -> str:
    return re.sub(r"\\([}#~/\"\\=])", r"\1", text).strip()


def _split(body: str) -> list[str]:
    """Split on unescaped ``~``."""
    return re.split(r"(?<!\\)~", body)


def parse_subquestion(code: str, body: str) -> Question:
    try:
        qtype, flag = _TYPES[code]
    except KeyError:
        raise ClozeError(f"unknown embedded answer type {code}") from None
    part = Question(type=qtype, stem="", case_sensitive=qtype == QType.SHORT and flag, shuffle=code.endswith("S"))
    for index, raw in enumerate(p for p in _split(body) if p.strip()):
        raw = raw.strip()
        m = re.match(r"^%(-?\d+(?:\.\d+)?)%", raw)
        if m:
            weight = Decimal(m.group(1)) / 100
            raw = raw[m.end() :]
        elif raw.startswith("="):
            weight = Decimal(1)
            raw = raw[1:]
        else:
            weight = Decimal(0)
        pieces = re.split(r"(?<!\\)#", raw, maxsplit=1)
        value, feedback = pieces[0], (pieces[1] if len(pieces) > 1 else "")
        # an unescaped "#" ends the value; escaped ones stay
        value, feedback = _unescape(value), _unescape(feedback)
        if qtype in (QType.SINGLE, QType.MULTIPLE):
            if index >= len(CHOICE_LABELS):
                raise ClozeError("more than 26 options")
            correct = weight > 0 if qtype == QType.MULTIPLE else weight >= 1
            part.choices.append(Choice(CHOICE_LABELS[index], value, correct, weight, feedback))
        elif qtype == QType.SHORT:
            part.answers.append(TextAnswer(value, weight, feedback))
        else:
            if value == "*" or not value:
                part.incorrect_feedback = feedback
                continue
            number, _, tolerance = value.partition(":")
            try:
                part.numeric.append(
                    NumericAnswer(Decimal(number.replace(",", ".")), Decimal(tolerance or 0), weight, feedback)
                )
            except InvalidOperation:
                raise ClozeError(f"{value!r} is not a number") from None
    if qtype in (QType.SINGLE, QType.MULTIPLE) and not any(c.correct for c in part.choices):
        raise ClozeError("an embedded choice without a right option")
    if qtype == QType.SHORT and not any(a.fraction > 0 for a in part.answers):
        raise ClozeError("an embedded short answer without a right answer")
    if qtype == QType.NUMERIC and not part.numeric:
        raise ClozeError("an embedded number without a right answer")
    return part


def parse_cloze(text: str) -> tuple[str, list[Question]]:
    """Return the text with ``{#n}`` placeholders and the sub-answers, or raise ClozeError."""
    parts: list[Question] = []

    def replace(match: re.Match) -> str:
        part = parse_subquestion(match.group(2), match.group(3))
        part.points = Decimal(match.group(1) or 1)
        parts.append(part)
        return f"{{#{len(parts)}}}"

    stem = _SUB.sub(replace, text)
    if not parts:
        raise ClozeError("no embedded answer such as {1:SHORTANSWER:=…}")
    return stem, parts


def _escape(text: str) -> str:
    return re.sub(r"([}#~/\"\\=])", r"\\\1", text)


def to_cloze(stem: str, parts: list[Question]) -> str:
    """The inverse of :func:`parse_cloze` (for the Moodle XML exporter)."""

    def sub(part: Question) -> str:
        weight = format(part.points.normalize(), "f")
        if part.type in (QType.SINGLE, QType.MULTIPLE):
            code = "MULTICHOICE" if part.type == QType.SINGLE else "MULTIRESPONSE"
            if part.shuffle:
                code += "_S"
            answers = "~".join(
                f"%{_pct(c.fraction if c.fraction is not None else Decimal(int(c.correct)))}%{_escape(c.text)}"
                + (f"#{_escape(c.feedback)}" if c.feedback else "")
                for c in part.choices
            )
        elif part.type == QType.SHORT:
            code = "SHORTANSWER_C" if part.case_sensitive else "SHORTANSWER"
            answers = "~".join(
                f"%{_pct(a.fraction)}%{_escape(a.text)}" + (f"#{_escape(a.feedback)}" if a.feedback else "")
                for a in part.answers
            )
        else:
            code = "NUMERICAL"
            answers = "~".join(
                f"%{_pct(a.fraction)}%{a.value}:{a.tolerance}" + (f"#{_escape(a.feedback)}" if a.feedback else "")
                for a in part.numeric
            )
        return f"{{{weight}:{code}:{answers}}}"

    out = stem
    for index, part in enumerate(parts, start=1):
        out = out.replace(f"{{#{index}}}", sub(part), 1)
    return out


def _pct(fraction: Decimal) -> str:
    value = (fraction * 100).normalize()
    return format(value, "f")
