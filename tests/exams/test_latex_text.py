"""Simple LaTeX written as Unicode for the paper copies (``lms.exams.latex_text``, pure)."""

import pytest
from fontTools.ttLib import TTFont

from lib.pdf import FONT_DIR
from lms.exams import latex_text
from lms.exams.latex_text import latex_to_text, math_to_text


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\frac{1}{2}", "1/2"),
        (r"\dfrac{x+1}{2x}", "(x+1)/(2x)"),
        (r"\frac{x^2}{\pi}", "x²/π"),
        (r"x^2 + y^{10} - z^{-1}", "x² + y¹⁰ - z⁻¹"),
        (r"e^{x+y}", "e^(x+y)"),  # no superscript letters: written with ^
        (r"x_1 + x_{12}", "x₁ + x₁₂"),
        (r"a_{n}", "a_n"),
        (r"\sqrt{2}", "√2"),
        (r"\sqrt{x+1}", "√(x+1)"),
        (r"\sqrt[3]{8}", "∛8"),
        (r"\sqrt[5]{x}", "⁵√x"),
        (r"\alpha + \beta = \Delta", "α + β = Δ"),
        (r"a \le b \ge c \ne d", "a ≤ b ≥ c ≠ d"),
        (r"2 \cdot 3 \times 4 \pm \infty", "2 · 3 × 4 ± ∞"),
        (r"x \in \mathbb{R}", "x ∈ ℝ"),
        (r"v = 5\,\text{m/s}", "v = 5 m/s"),
        (r"\left(\frac{1}{2}\right)^2", "(1/2)²"),
        (r"\sin x + \cos x", "sin x + cos x"),
        (r"\mathfrak{g} + \boxed{x^2}", r"\mathfrak{g} + \boxed{x²}"),  # unknown commands kept, insides converted
        (r"\frac{1}", "1/"),  # a missing argument loses nothing typed
        # functions and big operators with their limits
        (r"\int_0^1 x^2\,dx = \frac{1}{3}", "∫₀¹ x² dx = 1/3"),
        (r"\int_a^b f(x)\,dx", "∫_a^b f(x) dx"),
        (r"\int_{0}^{\pi} \sin x\,dx", "∫₀^π sin x dx"),
        (r"\sum_{i=1}^{n} i", "∑_(i=1)ⁿ i"),
        (r"\prod_{k=1}^{3} k", "∏_(k=1)³ k"),
        (r"\lim_{x\to 0}\frac{\sin x}{x}=1", "lim_(x → 0) (sin x)/x=1"),
        (r"\lim\limits_{x \to +\infty} \frac{1}{x}", "lim_(x → +∞) 1/x"),
        (r"\log_2 8 = 3", "log₂ 8 = 3"),
        (r"\sin^2 x+\cos^2 x=1", "sin² x+cos² x=1"),
        # relations get a space either side
        (r"x\ge0 \Rightarrow x\in[0;+\infty)", "x ≥ 0 ⇒ x ∈ [0;+∞)"),
        (r"\mathbb{R}\setminus\{1\}", "ℝ∖{1}"),
        # nested roots and fractions
        (r"\sqrt{\sqrt{x}+1}", "√(√x+1)"),
        (r"\sqrt{\frac{1}{2}}", "√(1/2)"),
        (r"\frac{\sqrt{3}}{2}", "√3/2"),
        # accents: combining marks; \widehat is the Vietnamese angle
        (r"\overrightarrow{AB} \cdot \vec{u}", "AB\u20d7 · u\u20d7"),
        (r"\overline{AB}", "A\u0305B\u0305"),
        (r"\widehat{ABC} = 90^\circ", "∠ABC = 90°"),
        (r"\left.\frac{x}{2}\right|_0^1", "x/2|₀¹"),
        # environments, row by row
        (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", "(1 2; 3 4)"),
        (r"\begin{bmatrix} a & b \\ c & d \\ \end{bmatrix}", "[a b; c d]"),  # a trailing \\ adds no row
        (r"\det\begin{vmatrix}1&0\\0&1\end{vmatrix}=1", "det |1 0; 0 1|=1"),
        (r"\begin{pmatrix}\frac{1}{2} & \sqrt{2}\\ 0 & x^2\end{pmatrix}", "(1/2 √2; 0 x²)"),
        (r"\begin{array}{cc}1&2\\[2pt]3&4\end{array}", "1 2; 3 4"),
        (
            r"f(x)=\begin{cases} x & \text{khi } x\ge 0\\ -x & \text{khi } x<0\end{cases}",
            "f(x)={x, khi x ≥ 0; -x, khi x<0}",
        ),
        (r"\begin{cases}x+y=1\\x-y=3\end{cases}", "{x+y=1; x-y=3}"),
        (r"\begin{aligned} x &= 2\\ y &= 3\end{aligned}", "x = 2; y = 3"),
    ],
)
def test_math(tex, text):
    assert math_to_text(tex) == text


def test_only_the_maths_is_converted():
    assert latex_to_text(r"Tính \(\frac{1}{2}\) và \[x^2\], $\pi$, $$\le$$.") == "Tính 1/2 và x², π, ≤."
    assert latex_to_text(r"Giá 5\$ và 7\$") == r"Giá 5\$ và 7\$"  # escaped dollars are not maths
    assert latex_to_text(r"Không có công thức \frac{1}{2}") == r"Không có công thức \frac{1}{2}"
    assert latex_to_text("") == ""
    matrix = r"Cho \[A=\begin{pmatrix}1&2\\3&4\end{pmatrix}\], tìm \(A^{-1}\)."
    assert latex_to_text(matrix) == "Cho A=(1 2; 3 4), tìm A⁻¹."


def test_every_symbol_prints_in_the_pdf_font():
    cmap = TTFont(str(FONT_DIR / "DejaVuSans.ttf")).getBestCmap()
    tables = [latex_text.GREEK, latex_text.SYMBOLS, latex_text.BLACKBOARD, latex_text.SUPERSCRIPT]
    tables += [latex_text.SUBSCRIPT, latex_text.ROOTS, latex_text.OPERATORS]
    tables += [{k: mark for k, (mark, _each) in latex_text.ACCENTS.items()}]
    tables += [{k: o + c for k, (o, c, _between) in latex_text.ENVIRONMENTS.items()}]
    missing = {c for table in tables for value in table.values() for c in value if ord(c) not in cmap}
    assert not missing


@pytest.mark.parametrize(
    ("tex", "pieces"),
    [
        (r"\frac{1}{2} + x^2", [("1", "2"), " + x²"]),
        (r"\dfrac{x+1}{2x} = \frac{\pi}{4}", [("x+1", "2x"), " = ", ("π", "4")]),
        (r"\left(\frac{a}{b}\right)^2", ["(", ("a", "b"), ")²"]),
        (r"\lim_{x\to 0}\frac{\sin x}{x}", ["lim_(x → 0) ", ("sin x", "x")]),
        # not plain: stays Unicode text
        (r"x^2", None),
        (r"\sqrt{\frac{1}{2}}", None),  # inside braces
        (r"x^\frac{1}{2}", None),  # a script
        (r"\frac{\frac{1}{2}}{3}", None),  # a fraction in a fraction
        (r"\frac12", None),  # arguments without braces
        (r"\begin{pmatrix}\frac{1}{2}\end{pmatrix}", None),
    ],
)
def test_plain_fractions_for_word_equations(tex, pieces):
    assert latex_text.fraction_pieces(tex) == pieces
