"""A safe evaluator for Moodle's calculated-question formulas: no ``eval``, a small recursive-descent parser.

Grammar (lowest precedence first; ``**`` and ``^`` both mean power, right-associative and binding tighter than a
unary minus, as PHP's ``**`` does, so ``-2**2`` is −4)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/" | "%") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom (("**" | "^") unary)?
    atom    := number | "{" name "}" | name "(" [expr ("," expr)*] ")" | "(" expr ")"

Numbers are ``12``, ``1.5``, ``.5``, ``2e-3``; ``{x}`` is a wildcard (dataset value); the functions are Moodle's
(``qtype_calculated_find_formula_errors``): see :data:`FUNCTIONS`. Values are floats, as in Moodle (PHP); the caller
turns the result into a ``Decimal``. Every failure is a :class:`FormulaError` that says where and why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal


class FormulaError(ValueError):
    """A formula that cannot be read or computed; ``str()`` says why (and where, as a character position)."""


def _round(x: float, digits: float = 0) -> float:
    # PHP's round(): half away from zero, to ``digits`` decimals (negative digits round to tens, hundreds…)
    q = Decimal(1).scaleb(-int(digits))
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP)) if int(digits) >= 0 else _round_neg(x, digits)


def _round_neg(x: float, digits: float) -> float:
    factor = 10 ** (-int(digits))
    return float((Decimal(repr(x)) / factor).quantize(Decimal(1), rounding=ROUND_HALF_UP) * factor)


def _log(x: float, base: float | None = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


def _minmax(fn):
    def run(*args: float) -> float:
        if len(args) < 2:
            raise FormulaError(f"{fn.__name__}() needs at least two arguments")
        return fn(args)

    return run


# name → (function, minimum arguments, maximum arguments or None for any number)
FUNCTIONS: dict[str, tuple[Callable[..., float], int, int | None]] = {
    "abs": (abs, 1, 1),
    "acos": (math.acos, 1, 1),
    "acosh": (math.acosh, 1, 1),
    "asin": (math.asin, 1, 1),
    "asinh": (math.asinh, 1, 1),
    "atan": (math.atan, 1, 1),
    "atanh": (math.atanh, 1, 1),
    "atan2": (math.atan2, 2, 2),
    "ceil": (lambda x: float(math.ceil(x)), 1, 1),
    "cos": (math.cos, 1, 1),
    "cosh": (math.cosh, 1, 1),
    "deg2rad": (math.radians, 1, 1),
    "exp": (math.exp, 1, 1),
    "expm1": (math.expm1, 1, 1),
    "floor": (lambda x: float(math.floor(x)), 1, 1),
    "fmod": (math.fmod, 2, 2),
    "is_finite": (lambda x: float(math.isfinite(x)), 1, 1),
    "is_infinite": (lambda x: float(math.isinf(x)), 1, 1),
    "is_nan": (lambda x: float(math.isnan(x)), 1, 1),
    "log": (_log, 1, 2),
    "log10": (math.log10, 1, 1),
    "log1p": (math.log1p, 1, 1),
    "max": (_minmax(max), 2, None),
    "min": (_minmax(min), 2, None),
    "pi": (lambda: math.pi, 0, 0),
    "pow": (math.pow, 2, 2),
    "rad2deg": (math.degrees, 1, 1),
    "round": (_round, 1, 2),
    "sin": (math.sin, 1, 1),
    "sinh": (math.sinh, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "tan": (math.tan, 1, 1),
    "tanh": (math.tanh, 1, 1),
}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<wild>\{[A-Za-z_][A-Za-z0-9_]*\})"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\*\*|[-+*/%^(),]))"
)
WILDCARD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_LENGTH = 2000


def _tokens(formula: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    text = formula.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            rest = text[pos:].lstrip()
            raise FormulaError(f"unexpected character {rest[:1]!r} at position {len(text) - len(rest) + 1}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind), m.start(kind) + 1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, formula: str, values: Mapping[str, float]):
        if len(formula) > MAX_LENGTH:
            raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
        self.tokens = _tokens(formula)
        self.i = 0
        self.values = values
        self.depth = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, op: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise FormulaError("the formula ends too early" + (f" (expected {op!r})" if op else ""))
        if op is not None and token[1] != op:
            raise FormulaError(f"expected {op!r} at position {token[2]}, found {token[1]!r}")
        self.i += 1
        return token

    def at(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] in ops

    def parse(self) -> float:
        if not self.tokens:
            raise FormulaError("the formula is empty")
        value = self.expr()
        token = self.peek()
        if token is not None:
            raise FormulaError(f"unexpected {token[1]!r} at position {token[2]}")
        return value

    def expr(self) -> float:
        self.depth += 1
        if self.depth > 200:
            raise FormulaError("the formula is nested too deeply")
        value = self.term()
        while self.at("+", "-"):
            op = self.take()[1]
            right = self.term()
            value = value + right if op == "+" else value - right
        self.depth -= 1
        return value

    def term(self) -> float:
        value = self.unary()
        while self.at("*", "/", "%"):
            _kind, op, pos = self.take()
            right = self.unary()
            if op == "*":
                value *= right
            elif right == 0:
                raise FormulaError(f"division by zero at position {pos}")
            elif op == "/":
                value /= right
            else:
                value = math.fmod(value, right)
        return value

    def unary(self) -> float:
        if self.at("-"):
            self.take()
            return -self.unary()
        if self.at("+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> float:
        base = self.atom()
        if self.at("**", "^"):
            pos = self.take()[2]
            exponent = self.unary()
            try:
                result = math.pow(base, exponent)
            except (OverflowError, ValueError):
                raise FormulaError(
                    f"{base:g} to the power {exponent:g} (position {pos}) is not a real number"
                ) from None
            return result
        return base

    def atom(self) -> float:
        kind, text, pos = self.take()
        if kind == "num":
            return float(text)
        if kind == "wild":
            name = text[1:-1]
            if name not in self.values:
                raise FormulaError(f"the wildcard {{{name}}} (position {pos}) has no value in the dataset")
            return float(self.values[name])
        if kind == "name":
            if text not in FUNCTIONS:
                raise FormulaError(f"unknown function {text!r} at position {pos}")
            fn, least, most = FUNCTIONS[text]
            self.take("(")
            args = []
            if not self.at(")"):
                args.append(self.expr())
                while self.at(","):
                    self.take()
                    args.append(self.expr())
            self.take(")")
            if len(args) < least or (most is not None and len(args) > most):
                wanted = str(least) if least == most else f"{least} or more" if most is None else f"{least}–{most}"
                raise FormulaError(f"{text}() takes {wanted} arguments, not {len(args)} (position {pos})")
            try:
                return float(fn(*args))
            except (ValueError, OverflowError, ZeroDivisionError):
                shown = ", ".join(f"{a:g}" for a in args)
                raise FormulaError(f"{text}({shown}) at position {pos} is not a real number") from None
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        raise FormulaError(f"unexpected {text!r} at position {pos}")


def evaluate(formula: str, values: Mapping[str, float | Decimal] | None = None) -> float:
    """The value of ``formula`` with the wildcards ``{name}`` taken from ``values``."""
    result = _Parser(formula, {k: float(v) for k, v in (values or {}).items()}).parse()
    if not math.isfinite(result):
        raise FormulaError("the result is not a finite number")
    return result


def wildcards(formula: str) -> list[str]:
    """The wildcard names a formula or text uses, in order of first use."""
    return list(dict.fromkeys(WILDCARD.findall(formula or "")))


def to_decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def round_answer(value: Decimal, *, answer_format: str, length: int) -> Decimal:
    """Moodle's display of the correct answer: ``length`` decimals, or ``length`` significant figures; half-up."""
    if answer_format == "significant":
        if value == 0:
            return Decimal(0)
        exponent = value.adjusted() - max(1, length) + 1
        return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    return value.quantize(Decimal(1).scaleb(-max(0, length)), rounding=ROUND_HALF_UP)


_INLINE = re.compile(r"\{=([^{}]*(?:\{[A-Za-z_][A-Za-z0-9_]*\}[^{}]*)*)\}")


def substitute(text: str, values: Mapping[str, Decimal], *, fmt: Callable[[Decimal], str]) -> str:
    """A text with every ``{=formula}`` replaced by its value and every known ``{name}`` by the dataset value (as
    Moodle shows the question). Unknown ``{…}`` (LaTeX groups such as ``\\frac{1}{2}``) are left alone."""

    def inline(m: re.Match) -> str:
        return fmt(to_decimal(evaluate(m.group(1), values)))

    text = _INLINE.sub(inline, text or "")
    return WILDCARD.sub(lambda m: fmt(Decimal(values[m.group(1)])) if m.group(1) in values else m.group(0), text)


def inline_formulas(text: str) -> list[str]:
    """The ``{=formula}`` expressions of a text."""
    return [m.group(1) for m in _INLINE.finditer(text or "")]
