"""PDF output with a font that has every Vietnamese letter.

fpdf2's core fonts are Latin-1 only, so ``ạ`` or ``ữ`` would fail; every PDF the platform writes (records, exam
variants, mark books) starts from :func:`new_document`, which registers the vendored DejaVu Sans (regular and bold,
licence in ``lib/fonts/LICENSE-DejaVu.txt``) under the family name ``"DejaVu"``.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVu"


def new_document(*, orientation: str = "portrait", title: str = "", author: str = "") -> FPDF:
    """An A4 document with DejaVu Sans registered and selected at 11 pt, one page added."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FONT_FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.set_auto_page_break(auto=True, margin=15)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.add_page()
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
