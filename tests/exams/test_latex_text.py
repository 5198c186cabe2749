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
        (r"\overrightarrow{AB} \cdot \vec{u}", r"\overrightarrow{AB} · \vec{u}"),  # unknown commands kept
        (r"\frac{1}", "1/"),  # a missing argument loses nothing typed
    ],
)
def test_math(tex, text):
    assert math_to_text(tex) == text


def test_only_the_maths_is_converted():
    assert latex_to_text(r"Tính \(\frac{1}{2}\) và \[x^2\], $\pi$, $$\le$$.") == "Tính 1/2 và x², π, ≤."
    assert latex_to_text(r"Giá 5\$ và 7\$") == r"Giá 5\$ và 7\$"  # escaped dollars are not maths
    assert latex_to_text(r"Không có công thức \frac{1}{2}") == r"Không có công thức \frac{1}{2}"
    assert latex_to_text("") == ""


def test_every_symbol_prints_in_the_pdf_font():
    cmap = TTFont(str(FONT_DIR / "DejaVuSans.ttf")).getBestCmap()
    tables = [latex_text.GREEK, latex_text.SYMBOLS, latex_text.BLACKBOARD, latex_text.SUPERSCRIPT]
    tables += [latex_text.SUBSCRIPT, latex_text.ROOTS]
    missing = {c for table in tables for value in table.values() for c in value if ord(c) not in cmap}
    assert not missing
