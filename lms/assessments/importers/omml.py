"""Office Math (OMML, ``m:oMath``) to LaTeX, for Word equations in imported exams.

Covers what exam papers use: fractions, scripts, radicals, delimiters, n-ary operators (∑ ∫ ∏), functions, accents,
bars, matrices, equation arrays, limits, boxes and group characters. Unicode maths symbols become LaTeX commands.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

SYMBOLS = {
    "α": r"\alpha ",
    "β": r"\beta ",
    "γ": r"\gamma ",
    "δ": r"\delta ",
    "ε": r"\varepsilon ",
    "ζ": r"\zeta ",
    "η": r"\eta ",
    "θ": r"\theta ",
    "λ": r"\lambda ",
    "μ": r"\mu ",
    "ν": r"\nu ",
    "ξ": r"\xi ",
    "π": r"\pi ",
    "ρ": r"\rho ",
    "σ": r"\sigma ",
    "τ": r"\tau ",
    "φ": r"\varphi ",
    "ϕ": r"\phi ",
    "χ": r"\chi ",
    "ψ": r"\psi ",
    "ω": r"\omega ",
    "Δ": r"\Delta ",
    "Γ": r"\Gamma ",
    "Λ": r"\Lambda ",
    "Ω": r"\Omega ",
    "Φ": r"\Phi ",
    "Π": r"\Pi ",
    "Σ": r"\Sigma ",
    "Θ": r"\Theta ",
    "∞": r"\infty ",
    "±": r"\pm ",
    "∓": r"\mp ",
    "×": r"\times ",
    "÷": r"\div ",
    "·": r"\cdot ",
    "⋅": r"\cdot ",
    "≤": r"\le ",
    "≥": r"\ge ",
    "≠": r"\ne ",
    "≈": r"\approx ",
    "≡": r"\equiv ",
    "→": r"\to ",
    "⇒": r"\Rightarrow ",
    "⇔": r"\Leftrightarrow ",
    "←": r"\leftarrow ",
    "∈": r"\in ",
    "∉": r"\notin ",
    "⊂": r"\subset ",
    "⊃": r"\supset ",
    "⊆": r"\subseteq ",
    "∪": r"\cup ",
    "∩": r"\cap ",
    "∅": r"\varnothing ",
    "∀": r"\forall ",
    "∃": r"\exists ",
    "∠": r"\angle ",
    "⊥": r"\perp ",
    "∥": r"\parallel ",
    "°": r"^{\circ}",
    "−": "-",
    "′": "'",
    "∆": r"\Delta ",
    "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}",
    "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}",
    "…": r"\ldots ",
    "⋯": r"\cdots ",
    "∘": r"\circ ",
    "∼": r"\sim ",
    "≅": r"\cong ",
    "∝": r"\propto ",
    "√": r"\sqrt ",
    "∂": r"\partial ",
    "∇": r"\nabla ",
}
NARY = {"∑": r"\sum", "∫": r"\int", "∬": r"\iint", "∭": r"\iiint", "∏": r"\prod", "∮": r"\oint", "⋃": r"\bigcup"}
ACCENTS = {"̂": r"\hat", "̃": r"\tilde", "̄": r"\bar", "⃗": r"\vec", "→": r"\overrightarrow", "̇": r"\dot"}
FUNCTIONS = {"sin", "cos", "tan", "cot", "log", "ln", "lim", "exp", "max", "min", "sinh", "cosh", "tanh", "arg"}
BRACES = {
    "(": "(",
    ")": ")",
    "[": "[",
    "]": "]",
    "{": r"\{",
    "}": r"\}",
    "|": "|",
    "‖": r"\|",
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "〈": r"\langle",
    "〉": r"\rangle",
    "": ".",
}


def _val(el: Element | None, name: str, default: str = "") -> str:
    if el is None:
        return default
    node = el.find(f"{M}{name}")
    if node is None:
        return default
    return node.get(f"{M}val", default)


def _text(text: str) -> str:
    out = []
    for ch in text:
        if ch in SYMBOLS:
            out.append(SYMBOLS[ch])
        elif ch in "{}" or ch in "%#&_$":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _children(el: Element | None) -> str:
    if el is None:
        return ""
    return "".join(convert(child) for child in el)


def _arg(el: Element, name: str) -> str:
    return _children(el.find(f"{M}{name}"))


def convert(el: Element) -> str:
    tag = el.tag.removeprefix(M)
    if el.tag.startswith(W):
        return ""
    if tag in ("oMath", "oMathPara", "e", "num", "den", "sub", "sup", "deg", "lim", "fName", "box", "argPr"):
        if tag == "oMathPara":
            return r" \\ ".join(convert(c) for c in el if c.tag == f"{M}oMath")
        return _children(el)
    if tag == "r":
        text = "".join(t.text or "" for t in el.iter(f"{M}t"))
        if _val(el.find(f"{M}rPr"), "sty") == "p" and text.strip() in FUNCTIONS:
            return f"\\{text.strip()} "
        return _text(text)
    if tag == "f":
        kind = _val(el.find(f"{M}fPr"), "type")
        num, den = _arg(el, "num"), _arg(el, "den")
        if kind == "lin":
            return f"{num}/{den}"
        if kind == "noBar":
            return rf"\binom{{{num}}}{{{den}}}"
        return rf"\frac{{{num}}}{{{den}}}"
    if tag == "sSup":
        return f"{{{_arg(el, 'e')}}}^{{{_arg(el, 'sup')}}}"
    if tag == "sSub":
        return f"{{{_arg(el, 'e')}}}_{{{_arg(el, 'sub')}}}"
    if tag == "sSubSup":
        return f"{{{_arg(el, 'e')}}}_{{{_arg(el, 'sub')}}}^{{{_arg(el, 'sup')}}}"
    if tag == "sPre":
        return f"{{}}_{{{_arg(el, 'sub')}}}^{{{_arg(el, 'sup')}}}{{{_arg(el, 'e')}}}"
    if tag == "rad":
        deg = _arg(el, "deg")
        hidden = _val(el.find(f"{M}radPr"), "degHide") in ("1", "on", "true")
        return rf"\sqrt[{deg}]{{{_arg(el, 'e')}}}" if deg and not hidden else rf"\sqrt{{{_arg(el, 'e')}}}"
    if tag == "d":
        pr = el.find(f"{M}dPr")
        beg, end = _val(pr, "begChr", "("), _val(pr, "endChr", ")")
        sep = _val(pr, "sepChr", ",")
        inner = sep.join(convert(e) for e in el.findall(f"{M}e"))
        return rf"\left{BRACES.get(beg, beg)} {inner} \right{BRACES.get(end, end)}"
    if tag == "nary":
        pr = el.find(f"{M}naryPr")
        op = NARY.get(_val(pr, "chr", "∫"), _val(pr, "chr", "∫"))
        sub, sup = _arg(el, "sub"), _arg(el, "sup")
        limits = (f"_{{{sub}}}" if sub else "") + (f"^{{{sup}}}" if sup else "")
        return f"{op}{limits} {_arg(el, 'e')}"
    if tag == "func":
        name = _arg(el, "fName").strip()
        if not name.startswith("\\") and name in FUNCTIONS:
            name = f"\\{name}"
        return f"{name} {_arg(el, 'e')}"
    if tag == "limLow":
        return f"{_arg(el, 'e')}_{{{_arg(el, 'lim')}}}"
    if tag == "limUpp":
        return f"{_arg(el, 'e')}^{{{_arg(el, 'lim')}}}"
    if tag == "acc":
        command = ACCENTS.get(_val(el.find(f"{M}accPr"), "chr", "̂"), r"\hat")
        return command + "{" + _arg(el, "e") + "}"
    if tag == "bar":
        pos = _val(el.find(f"{M}barPr"), "pos", "top")
        return (r"\overline{%s}" if pos == "top" else r"\underline{%s}") % _arg(el, "e")
    if tag == "groupChr":
        char = _val(el.find(f"{M}groupChrPr"), "chr", "⏟")
        return (r"\underbrace{%s}" if char == "⏟" else r"\overbrace{%s}") % _arg(el, "e")
    if tag == "borderBox":
        return r"\boxed{" + _arg(el, "e") + "}"
    if tag == "m":
        rows = [" & ".join(convert(e) for e in mr.findall(f"{M}e")) for mr in el.findall(f"{M}mr")]
        return r"\begin{matrix}" + r" \\ ".join(rows) + r"\end{matrix}"
    if tag == "eqArr":
        rows = [convert(e) for e in el.findall(f"{M}e")]
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"
    if tag.endswith("Pr") or tag in ("ctrlPr",):
        return ""
    return _children(el)


def to_latex(el: Element) -> str:
    return " ".join(convert(el).split())
