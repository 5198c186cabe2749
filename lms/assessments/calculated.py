"""Calculated questions (Moodle calculated, calculatedsimple, calculatedmulti) for one dataset item: the wildcard
values of item n, the correct answers the formulas give, Moodle's tolerance intervals, the stem and options as the
candidate sees them. Pure functions; every failure is a :class:`CalculatedError` naming the question and formula.

Tolerance (Moodle's ``qtype_numerical_answer::get_tolerance_interval``), for a correct value ``a`` and tolerance
``t``: relative ``a ± t·|a|``; nominal ``a ± t``; geometric ``[a / (1+t), a · (1+t)]`` (bounds swapped when a < 0).
A response is compared with the computed value itself, not with its rounded display (as Moodle does).
"""

from __future__ import annotations

from decimal import Decimal

from lms.assessments.formulas import FormulaError, evaluate, round_answer, substitute, to_decimal
from lms.assessments.ir import CHOICE_LABELS, CalcAnswer, Choice, QType, Question, format_decimal


class CalculatedError(ValueError):
    pass


def _where(q: Question) -> str:
    return f"question {q.number}" if q.number else (f"question “{q.name}”" if q.name else "the question")


def values(q: Question, item: int = 1) -> dict[str, Decimal]:
    if q.calc is None:
        raise CalculatedError(f"{_where(q)} has no formulas and dataset")
    try:
        return q.calc.values(item)
    except IndexError as exc:
        raise CalculatedError(f"{_where(q)}: {exc}") from None


def answer_value(q: Question, answer: CalcAnswer, item: int = 1) -> Decimal:
    """The exact value of a calculated answer's formula for dataset item ``item``."""
    try:
        return to_decimal(evaluate(answer.formula, values(q, item)))
    except FormulaError as exc:
        raise CalculatedError(f"{_where(q)}, formula {answer.formula.strip()!r}: {exc}") from None


def shown_answer(q: Question, answer: CalcAnswer, item: int = 1) -> Decimal:
    """The correct answer as Moodle shows it (rounded to the answer's decimals or significant figures)."""
    return round_answer(answer_value(q, answer, item), answer_format=answer.answer_format, length=answer.answer_length)


def tolerance_interval(value: Decimal, tolerance: Decimal, tolerance_type: str) -> tuple[Decimal, Decimal]:
    tolerance = abs(tolerance)
    if tolerance_type == "relative":
        spread = abs(value) * tolerance
        return value - spread, value + spread
    if tolerance_type == "nominal":
        return value - tolerance, value + tolerance
    if tolerance_type == "geometric":
        quotient = 1 + tolerance
        if value < 0:
            return value * quotient, value / quotient
        return value / quotient, value * quotient
    raise CalculatedError(f"unknown tolerance type {tolerance_type!r} (relative, nominal or geometric)")


def within(value: Decimal, response: Decimal, answer: CalcAnswer) -> bool:
    low, high = tolerance_interval(value, answer.tolerance, answer.tolerance_type)
    # the same tiny allowance Moodle adds for binary floating point (1e-14 of the bounds)
    slack = max(abs(low), abs(high), Decimal(1)) * Decimal("1e-14")
    return low - slack <= response <= high + slack


def _fmt(value: Decimal, comma: bool = False) -> str:
    exact = value.quantize(Decimal("1e-10")) if value.as_tuple().exponent < -10 else value
    return format_decimal(exact, comma=comma)


def stem(q: Question, item: int = 1, text: str | None = None, *, comma: bool = False) -> str:
    """The question text (or ``text``) with dataset item ``item`` substituted for the wildcards and ``{=…}``
    (``comma``: with a decimal comma, as the pages show numbers)."""
    text = q.stem if text is None else text
    try:
        return substitute(text, values(q, item), fmt=lambda v: _fmt(v, comma))
    except FormulaError as exc:
        raise CalculatedError(f"{_where(q)}, a {{=…}} formula of the text: {exc}") from None


def options(q: Question, item: int = 1, *, comma: bool = False) -> list[Choice]:
    """calculated_multi: the options with their ``{=formula}`` parts computed, labelled A, B, C…"""
    out = []
    for index, answer in enumerate(q.calc.answers if q.calc else []):

        def fmt(value: Decimal, answer: CalcAnswer = answer) -> str:
            text = format(round_answer(value, answer_format=answer.answer_format, length=answer.answer_length), "f")
            return text.replace(".", ",") if comma else text

        try:
            text = substitute(answer.formula, values(q, item), fmt=fmt)
        except FormulaError as exc:
            raise CalculatedError(
                f"{_where(q)}, option {CHOICE_LABELS[index]} {answer.formula.strip()!r}: {exc}"
            ) from None
        correct = answer.fraction > 0 if (q.calc and not q.calc.single) else answer.fraction >= 1
        out.append(Choice(CHOICE_LABELS[index], text.strip(), correct, answer.fraction, answer.feedback))
    return out


def check(q: Question) -> list[str]:
    """Every problem computing the question for every dataset item (empty: all items compute)."""
    if q.type not in (QType.CALCULATED, QType.CALCULATED_MULTI) or q.calc is None:
        return []
    problems = []
    for item in range(1, max(q.calc.item_count, 1) + 1):
        try:
            stem(q, item)
            if q.type == QType.CALCULATED:
                for answer in q.calc.answers:
                    answer_value(q, answer, item)
            else:
                options(q, item)
        except CalculatedError as exc:
            problems.append(f"dataset item {item}: {exc}")
            break
    return problems
