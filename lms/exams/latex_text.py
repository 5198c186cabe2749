"""Simple LaTeX as readable Unicode text, for paper copies (pure, no Django).

``latex_to_text("Tính \\(\\frac{1}{2} + x^2\\)")`` → ``"Tính 1/2 + x²"``. The maths between ``\\(…\\)``, ``\\[…\\]``,
``$$…$$`` or ``$…$`` is converted: ``\\frac`` / ``\\dfrac`` / ``\\tfrac`` (a/b, brackets round a compound part),
``\\sqrt`` (√x, √(x+1), ∛x), ``^`` and ``_`` (Unicode super- / subscripts for digits and signs, else ``^(…)``),
Greek letters, relations and operators (``\\le \\ge \\ne \\cdot \\times \\pm \\infty`` …), ``\\mathbb{R}`` → ℝ,
``\\text{…}``; spacing commands become spaces. Functions and big operators take their limits as scripts
(``\\lim_{x\\to 0}`` → lim_(x → 0), ``\\int_0^1`` → ∫₀¹, ``\\log_2 x`` → log₂ x, ``\\sin^2 x`` → sin² x); accents are
combining marks (``\\vec{u}`` / ``\\overrightarrow{AB}`` → u⃗ / AB⃗, ``\\overline{AB}`` → A̅B̅, ``\\widehat{ABC}`` → ∠ABC,
the Vietnamese angle); matrices and other environments are written row by row, rows separated by "; " and cells by
a space (``pmatrix`` → (1 2; 3 4), ``bmatrix`` → [ … ], ``vmatrix`` → | … |, ``cases`` → {x, x ≥ 0; -x, x < 0},
``aligned`` → its rows). An unknown command is kept as it was typed (``\\mathfrak{g}``) so nothing is lost. Text outside
the delimiters is left alone."""

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
    "iff": "⇔",
    "implies": "⇒",
    "longrightarrow": "⟶",
    "mapsto": "↦",
    "uparrow": "↑",
    "downarrow": "↓",
    "partial": "∂",
    "nabla": "∇",
    "propto": "∝",
    "triangle": "△",
    "bot": "⊥",
    "setminus": "∖",
    "backslash": "\\",
    "vdots": "⋮",
    "ddots": "⋱",
    "ll": "≪",
    "gg": "≫",
    "cong": "≅",
    "simeq": "≃",
    "ni": "∋",
    "supseteq": "⊇",
    "neg": "¬",
    "land": "∧",
    "lor": "∨",
    "wedge": "∧",
    "vee": "∨",
    "langle": "⟨",
    "rangle": "⟩",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lceil": "⌈",
    "rceil": "⌉",
    "lbrace": "{",
    "rbrace": "}",
    "prime": "′",
}
# Relations and arrows are written with a space either side (``x\\ge0`` → x ≥ 0).
RELATIONS = {"le", "leq", "leqslant", "ge", "geq", "geqslant", "ne", "neq", "approx", "equiv", "sim", "to", "iff"}
RELATIONS |= {"rightarrow", "leftarrow", "Rightarrow", "Leftarrow", "Leftrightarrow", "implies", "longrightarrow"}
RELATIONS |= {"in", "notin", "ni", "subset", "subseteq", "supset", "supseteq", "cong", "simeq", "mapsto", "perp"}
RELATIONS |= {"parallel", "ll", "gg", "propto"}
# Big operators: their limits follow as scripts (∫₀¹, ∑_(i=1)^n).
OPERATORS = {
    "int": "∫",
    "iint": "∬",
    "iiint": "∭",
    "oint": "∮",
    "sum": "∑",
    "prod": "∏",
    "bigcup": "⋃",
    "bigcap": "⋂",
}
# Accents as combining marks after the text (``\\vec{AB}`` → AB⃗), ``each``: after every letter (an overline).
ACCENTS = {
    "vec": ("\u20d7", False),
    "overrightarrow": ("\u20d7", False),
    "overline": ("\u0305", True),
    "bar": ("\u0305", True),
    "hat": ("\u0302", False),
}
# Environments written row by row: (opening, closing, between the cells of a row).
ENVIRONMENTS = {
    "pmatrix": ("(", ")", " "),
    "bmatrix": ("[", "]", " "),
    "Bmatrix": ("{", "}", " "),
    "vmatrix": ("|", "|", " "),
    "Vmatrix": ("‖", "‖", " "),
    "matrix": ("", "", " "),
    "smallmatrix": ("", "", " "),
    "array": ("", "", " "),
    "cases": ("{", "}", ", "),
    "aligned": ("", "", " "),
    "align": ("", "", " "),
    "align*": ("", "", " "),
    "gathered": ("", "", " "),
    "split": ("", "", " "),
    "eqnarray": ("", "", " "),
    "eqnarray*": ("", "", " "),
}
SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": "  "}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}
TEXT_COMMANDS = {"text", "mathrm", "textrm", "mathbf", "textbf", "mathit", "textit", "operatorname", "mbox"}
FUNCTIONS = {"sin", "cos", "tan", "cot", "log", "ln", "lg", "exp", "lim", "max", "min", "sup", "inf", "det"}
FUNCTIONS |= {"arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "gcd", "arg", "deg", "dim", "ker"}
DROPPED = {"left", "right", "displaystyle", "textstyle", "limits", "nolimits", "big", "Big", "bigg", "Bigg"}
DROPPED |= {"bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr"}
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

    def limits(self) -> str:
        """The ``_…`` and ``^…`` right after a function or a big operator (``\\limits`` ignored), as scripts."""
        out = ""
        while True:
            start = self.i
            while (tok := self.peek()) is not None and (tok.isspace() or tok in ("\\limits", "\\nolimits")):
                self.take()
            if self.peek() not in ("^", "_"):
                self.i = start  # the space after ``\\sin`` stays where it was
                return out
            mark = self.take()
            out += _script(self.group(), SUPERSCRIPT if mark == "^" else SUBSCRIPT, mark)

    def environment(self, name: str) -> str:
        """``\\begin{name}`` … ``\\end{name}``: cells split at ``&``, rows at ``\\\\``, written on one line."""
        if name == "array" and self.peek() == "{":
            self.raw_group()  # the column specification
        opening, closing, between = ENVIRONMENTS.get(name, ("", "", " "))
        rows, cells, cell = [], [], []
        while (tok := self.peek()) is not None:
            if tok == "\\end":
                self.take()
                self.raw_group()
                break
            if tok in ("&", "\\\\"):
                self.take()
                cells.append(cell)
                cell = []
                if tok == "\\\\":
                    if self.peek() == "[":  # \\\\[2pt]: spacing only
                        self.take()
                        self.sequence("]")
                    rows.append(cells)
                    cells = []
                continue
            cell.append(self.atom())
        cells.append(cell)
        rows.append(cells)
        lines = [between.join(" ".join("".join(c).split()) for c in row) for row in rows]
        lines = [line for line in lines if line.strip(between.strip() + " ")]
        return opening + "; ".join(lines) + closing

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
        if name in ("left", "right", "bigl", "bigr", "Bigl", "Bigr") and self.peek() == ".":
            self.take()  # \\left. : no bracket on that side
            return ""
        if name == "begin":
            return self.environment(self.raw_group().strip())
        if name in OPERATORS:
            return OPERATORS[name] + self.limits()
        if name in ACCENTS:
            mark, each = ACCENTS[name]
            body = self.group().strip()
            return "".join(c + mark if each and not c.isspace() else c for c in body) + ("" if each else mark)
        if name == "widehat":
            return "∠" + self.group().strip()
        if name in GREEK:
            return GREEK[name]
        if name in SYMBOLS:
            return f" {SYMBOLS[name]} " if name in RELATIONS else SYMBOLS[name]
        if name in SPACES:
            return SPACES[name]
        if name in FUNCTIONS:
            return name + self.limits() + " "
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
    """A number, or one letter with its super- / subscripts, or the root of one: no brackets needed around it."""
    if text[:1] in ROOTS.values():
        text = text[1:]
    return bool(re.fullmatch(rf"\d+([.,]\d+)?|[^\W\d_][{SCRIPTS}′]*|[{SCRIPTS}]+", text))


def _bracket(text: str) -> str:
    text = text.strip()
    return text if not text or _simple(text) or (text.startswith("(") and text.endswith(")")) else f"({text})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    text = text.strip()
    if text in ("°", "′", "″"):  # 90^\\circ, f^\\prime
        return text
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{_bracket(text)}" if text else ""


FRACTIONS = {"\\frac", "\\dfrac", "\\tfrac"}


def fraction_pieces(source: str) -> list[str | tuple[str, str]] | None:
    """A maths expression with plain fractions (for a Word equation): text pieces (converted as by
    :func:`math_to_text`) and ``(numerator, denominator)`` pairs, in order. ``None`` when it has no fraction or one
    that is not plain: inside braces, a script or an environment, or holding another fraction (those stay text)."""
    tokens = TOKEN.findall(source)
    if "\\begin" in tokens or not FRACTIONS & set(tokens):
        return None
    pieces: list[str | tuple[str, str]] = []
    current: list[str] = []
    depth, i = 0, 0
    while i < len(tokens):
        tok = tokens[i]
        if tok not in FRACTIONS:
            depth += {"{": 1, "}": -1}.get(tok, 0)
            current.append(tok)
            i += 1
            continue
        before = "".join(current).rstrip()
        if depth or before.endswith(("^", "_")):
            return None
        args, i = [], i + 1
        for _ in range(2):
            while i < len(tokens) and tokens[i].isspace():
                i += 1
            if i >= len(tokens) or tokens[i] != "{":
                return None
            level, end = 0, i
            for end in range(i, len(tokens)):
                level += {"{": 1, "}": -1}.get(tokens[end], 0)
                if level == 0:
                    break
            inner = tokens[i + 1 : end]
            if level or FRACTIONS & set(inner):
                return None
            args.append(_converted(inner).strip())
            i = end + 1
        if current:
            pieces.append(_converted(current))
            current = []
        pieces.append((args[0], args[1]))
    if current:
        pieces.append(_converted(current))
    return pieces


def _converted(tokens: list[str]) -> str:
    return re.sub(r" {2,}", " ", _Parser(list(tokens)).sequence())
