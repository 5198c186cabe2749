"""Simple LaTeX as readable Unicode text, for paper copies (pure, no Django).

``latex_to_text("Tính \\(\\frac{1}{2} + x^2\\)")`` → ``"Tính 1/2 + x²"``. The maths between ``\\(…\\)``, ``\\[…\\]``,
``$$…$$`` or ``$…$`` is converted: ``\\frac`` / ``\\dfrac`` / ``\\tfrac`` (a/b, brackets round a compound part),
``\\sqrt`` (√x, √(x+1), ∛x), ``^`` and ``_`` (Unicode super- / subscripts for digits and signs, else ``^(…)``),
Greek letters, relations and operators (``\\le \\ge \\ne \\cdot \\times \\pm \\infty`` …), ``\\mathbb{R}`` → ℝ,
``\\text{…}``; spacing commands become spaces. An unknown command is kept as it was typed (``\\overrightarrow{AB}``)
so nothing is lost. Text outside the delimiters is left alone."""

from __future__ import annotations

import re

GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}
SYMBOLS = {
    "le": "≤",
    "leq": "≤",
    "leqslant": "≤",
    "ge": "≥",
    "geq": "≥",
    "geqslant": "≥",
    "ne": "≠",
    "neq": "≠",
    "cdot": "·",
    "times": "×",
    "div": "÷",
    "pm": "±",
    "mp": "∓",
    "infty": "∞",
    "approx": "≈",
    "equiv": "≡",
    "sim": "∼",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "Rightarrow": "⇒",
    "Leftarrow": "⇐",
    "Leftrightarrow": "⇔",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "supset": "⊃",
    "cup": "∪",
    "cap": "∩",
    "emptyset": "∅",
    "varnothing": "∅",
    "forall": "∀",
    "exists": "∃",
    "perp": "⊥",
    "parallel": "∥",
    "angle": "∠",
    "circ": "°",
    "degree": "°",
    "ldots": "…",
    "dots": "…",
    "cdots": "⋯",
    "mid": "|",
    "lt": "<",
    "gt": ">",
    "{": "{",
    "}": "}",
    "%": "%",
    "$": "$",
    "&": "&",
    "#": "#",
    "_": "_",
    "|": "‖",
}
SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": "  "}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}
TEXT_COMMANDS = {"text", "mathrm", "textrm", "mathbf", "textbf", "mathit", "textit", "operatorname", "mbox"}
FUNCTIONS = {"sin", "cos", "tan", "cot", "log", "ln", "lg", "exp", "lim", "max", "min", "sup", "inf", "det"}
DROPPED = {"left", "right", "displaystyle", "limits", "big", "Big", "bigg", "Bigg"}
SUPERSCRIPT = dict(zip("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ", strict=True))
SUBSCRIPT = dict(zip("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎", strict=True))
ROOTS = {"2": "√", "3": "∛", "4": "∜"}

MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.DOTALL)
TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.DOTALL)


def latex_to_text(text: str) -> str:
    """Every maths span of ``text`` converted; the rest unchanged."""
    return MATH.sub(lambda m: math_to_text(next(g for g in m.groups() if g is not None)), text or "")


def math_to_text(source: str) -> str:
    """One maths expression (without delimiters) as Unicode text."""
    parser = _Parser(TOKEN.findall(source))
    return re.sub(r" {2,}", " ", parser.sequence()).strip()


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str | None:
        tok = self.peek()
        self.i += tok is not None
        return tok

    def sequence(self, stop: str | None = None) -> str:
        out = []
        while (tok := self.peek()) is not None and tok != stop:
            out.append(self.atom())
        if tok == stop and stop is not None:
            self.take()
        return "".join(out)

    def group(self) -> str:
        """A ``{…}`` group or the next single atom, converted."""
        while (tok := self.peek()) is not None and tok.isspace():
            self.take()
        if self.peek() == "{":
            self.take()
            return self.sequence("}")
        return self.atom() if self.peek() is not None else ""

    def raw_group(self) -> str:
        """A ``{…}`` group's text as typed (for ``\\text``)."""
        if self.peek() != "{":
            return self.take() or ""
        self.take()
        depth, out = 1, []
        while (tok := self.take()) is not None:
            depth += {"{": 1, "}": -1}.get(tok, 0)
            if depth == 0:
                break
            out.append(tok)
        return "".join(out)

    def atom(self) -> str:
        tok = self.take()
        if tok == "{":
            return self.sequence("}")
        if tok in ("^", "_"):
            return _script(self.group(), SUPERSCRIPT if tok == "^" else SUBSCRIPT, tok)
        if tok is None or not tok.startswith("\\"):
            return tok or ""
        name = tok[1:]
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            top, bottom = self.group(), self.group()
            return f"{_bracket(top)}/{_bracket(bottom)}"
        if name == "sqrt":
            degree = ""
            if self.peek() == "[":
                self.take()
                degree = self.sequence("]").strip()
            body = self.group()
            sign = ROOTS.get(degree or "2") or f"{_script(degree, SUPERSCRIPT, '^')}√"
            return f"{sign}{_bracket(body)}"
        if name in GREEK:
            return GREEK[name]
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in SPACES:
            return SPACES[name]
        if name in FUNCTIONS:
            return name + " "
        if name in DROPPED:
            return ""
        if name in TEXT_COMMANDS:
            return self.raw_group()
        if name == "mathbb":
            letter = self.raw_group()
            return BLACKBOARD.get(letter, letter)
        # Unknown: keep the command and its braces as typed, converting what is inside.
        out = tok
        while self.peek() == "{":
            self.take()
            out += "{" + self.sequence("}") + "}"
        return out


SCRIPTS = "".join(SUPERSCRIPT.values()) + "".join(SUBSCRIPT.values())


def _simple(text: str) -> bool:
    """A number, or one letter with its super- / subscripts: no brackets needed around it."""
    return bool(re.fullmatch(rf"\d+([.,]\d+)?|[^\W\d_][{SCRIPTS}′]*|[{SCRIPTS}]+", text))


def _bracket(text: str) -> str:
    text = text.strip()
    return text if not text or _simple(text) or (text.startswith("(") and text.endswith(")")) else f"({text})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    text = text.strip()
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{_bracket(text)}" if text else ""
