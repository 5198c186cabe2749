"""Paper copies of the exam codes: a PDF per code (the questions, then the answer sheet, phiếu trả lời), a PDF of the
key table of every code (for the teachers), and two .docx per code (``printing_docx``): the teachers' copy, with the
right answers underlined and a key line under each question, and the students' copy, without them and with the answer
sheet. All three are written from the same printed model
(``paper``: every type the delivery takes, matching, ordering, cloze and câu chùm included, with the answer-sheet
cells and the keys of the order printed).

PDF text uses ``lib.pdf`` (fpdf2 with the vendored DejaVu Sans, so every Vietnamese letter prints). HTML in stems,
options and statements is reduced to text with LaTeX written as Unicode (``latex_text``: ``\\frac{1}{2}`` → 1/2,
``x^2`` → x², ``\\le`` → ≤, ``\\int_0^1`` → ∫₀¹, a pmatrix → (1 2; 3 4)); the question's pictures
(``@@PLUGINFILE@@/name``, read from the default storage through ``lms.assessments.api.media_for``) are embedded where
they stand, at their size or scaled down to the page width. A picture that cannot be read is named in the text
instead. The .docx carries the pictures too.
"""

from __future__ import annotations

import html
import io
import re

from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from lib.pdf import FONT_FAMILY, new_document, to_bytes
from lms.assessments import api as bank_api
from lms.exams import printing_docx
from lms.exams.latex_text import latex_to_text
from lms.exams.models import Test, Variant
from lms.exams.paper import CANDIDATE_LINES, ROW_LABEL, Printed, PrintedPart, paper

IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']*)[\"'][^>]*>", re.IGNORECASE)
PLUGINFILE = "@@PLUGINFILE@@/"
SCREEN_DPI = 96  # a picture without its own resolution is printed at the size it has on screen


def _text(value: str) -> str:
    text = html.unescape(strip_tags(re.sub(r"<br\s*/?>|</p>", "\n", value or "")))
    return re.sub(r"[ \t]+", " ", latex_to_text(text)).strip()


def _pieces(value: str) -> list[tuple[str, str]]:
    """The HTML split into ("text", html) and ("image", file name) pieces, in order."""
    out, start = [], 0
    for match in IMG.finditer(value or ""):
        out.append(("text", value[start : match.start()]))
        out.append(("image", match.group(1).removeprefix(PLUGINFILE)))
        start = match.end()
    out.append(("text", (value or "")[start:]))
    return out


def _image(pdf, data: bytes | None, name: str) -> None:
    """A picture at its own size (``SCREEN_DPI`` when it has no resolution), scaled down to the page's width (and
    height); one that cannot be read is named instead."""
    try:
        with Image.open(io.BytesIO(data or b"")) as picture:
            width_px, height_px = picture.size
            dpi = picture.info.get("dpi", (SCREEN_DPI, SCREEN_DPI))[0] or SCREEN_DPI
    except (UnidentifiedImageError, OSError, ValueError):
        pdf.multi_cell(0, 6, f"[Hình {name}: không in được]", new_x="LMARGIN", new_y="NEXT")
        return
    width = min(pdf.epw, width_px * 25.4 / float(dpi))
    height = width * height_px / width_px
    if height > pdf.eph:
        width, height = width * pdf.eph / height, pdf.eph
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(io.BytesIO(data), x=pdf.l_margin, y=top, w=width, h=height)
    pdf.set_xy(pdf.l_margin, top + height + 1)


def _flow(pdf, value: str, media: dict[str, bytes], prefix: str = "") -> None:
    """Text and pictures of one stem / option / statement; ``prefix`` ("    A. ") starts its first line."""
    first = True
    for kind, piece in _pieces(value):
        if kind == "image":
            if first and prefix:
                pdf.multi_cell(0, 6, prefix.rstrip(), new_x="LMARGIN", new_y="NEXT")
            _image(pdf, media.get(piece), piece)
            first = False
            continue
        text = _text(piece)
        if text or (first and prefix):
            pdf.multi_cell(0, 6, (prefix if first else "") + text, new_x="LMARGIN", new_y="NEXT")
            first = False


def _media(variant: Variant) -> dict[int, dict[str, bytes]]:
    """``{version id: {file name: bytes}}`` of the questions of the code that have pictures."""
    version_ids = {slot["version"] for slot in variant.slots()}
    questions = dict(bank_api.QuestionVersion.objects.filter(pk__in=version_ids).values_list("pk", "question_id"))
    return {pk: media for pk, question in questions.items() if (media := bank_api.media_for(question))}


def _header(pdf, test: Test, variant: Variant) -> None:
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.multi_cell(0, 6, test.school.name.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, test.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 11)
    subject = f"Môn: {test.subject.name} · " if test.subject_id else ""
    pdf.multi_cell(0, 6, f"{subject}Thời gian làm bài: {test.minutes} phút", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(0, 6, f"Mã đề {variant.code}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.ln(2)


def _paper(variant: Variant) -> list[PrintedPart]:
    return paper(variant.layout, f"{variant.seed}:{variant.number}")


def _question(pdf, q: Printed, files: dict[str, bytes]) -> None:
    """One question: "Câu n." and its stem, its lines (options, statements, items, a gap's options), then a câu
    chùm's sub-questions, each the same way."""
    if q.type != "description":
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.write(6, f"Câu {q.number}. ")
        pdf.set_font(FONT_FAMILY, "", 11)
    pieces = _pieces(q.stem)
    if q.intro:
        pdf.multi_cell(0, 6, q.intro, new_x="LMARGIN", new_y="NEXT")
    elif pieces[0][0] == "text" and not _text(pieces[0][1]) and len(pieces) > 1:
        pdf.ln(6)  # the stem starts with a picture: below the number
    _flow(pdf, q.stem, files)
    for line in q.lines:
        _flow(pdf, line.text, files, f"    {line.prefix}")
    for part in q.parts:
        _question(pdf, part, files)
    pdf.ln(1)


def _questions(pdf, variant: Variant) -> None:
    media = _media(variant)
    versions = {str(s["slot"]): s["version"] for s in variant.slots()}
    for part, printed_part in zip(variant.layout["parts"], _paper(variant), strict=True):
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.multi_cell(0, 7, f"PHẦN {printed_part.code}. {printed_part.title}".strip(), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 11)
        for slot, q in zip(part["slots"], printed_part.questions, strict=True):
            _question(pdf, q, media.get(versions[str(slot["slot"])], {}))


def _cells(pdf, label: str, label_width: float, cells: list[tuple[str, float]]) -> None:
    """A row of bordered cells after its label; cells that pass the right margin go on a new line under them."""
    pdf.cell(label_width, 7, label, border=1)
    for text, width in cells:
        width = max(width, pdf.get_string_width(text) + 2)
        if pdf.get_x() + width > pdf.w - pdf.r_margin + 0.01:
            pdf.ln(7)
            pdf.cell(label_width, 7, "", border=0)
        pdf.cell(width, 7, text, border=1, align="C" if width < 60 else "L")
    pdf.ln(7)


def _answer_sheet(pdf, test: Test, variant: Variant) -> None:
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.multi_cell(0, 8, "PHIẾU TRẢ LỜI", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.multi_cell(0, 7, f"{test.title} · Mã đề {variant.code}", align="C", new_x="LMARGIN", new_y="NEXT")
    for line in CANDIDATE_LINES:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    for printed_part in _paper(variant):
        pdf.ln(2)
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.multi_cell(0, 7, f"PHẦN {printed_part.code}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 10)
        for q in printed_part.questions:
            for row in q.rows():
                _cells(pdf, f"Câu {row.number}", ROW_LABEL, [(cell.text, cell.width) for cell in row.sheet])


def variant_pdf(variant: Variant) -> bytes:
    """The question paper of one exam code followed by its answer sheet (phiếu trả lời)."""
    test = variant.test
    pdf = new_document(title=f"{test.title} – {_('Exam code')} {variant.code}", author=test.school.name)
    _header(pdf, test, variant)
    _questions(pdf, variant)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(0, 8, "------ HẾT ------", align="C", new_x="LMARGIN", new_y="NEXT")
    _answer_sheet(pdf, test, variant)
    return to_bytes(pdf)


def keys_pdf(test: Test) -> bytes:
    """The key table: for every exam code and part, each question's key (ĐÁP ÁN) as derived from the code's printed
    content (a câu chùm: one key per sub-question, "5.1: A"; an essay: TL)."""
    pdf = new_document(orientation="landscape", title=f"{test.title} – ĐÁP ÁN", author=test.school.name)
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.multi_cell(0, 8, f"ĐÁP ÁN – {test.title}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    for variant in test.variants.order_by("number"):
        pdf.ln(2)
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.multi_cell(0, 7, f"Mã đề {variant.code}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 10)
        for printed_part in _paper(variant):
            keys = [f"{row.number}: {row.key}" for q in printed_part.questions for row in q.rows()]
            widest = pdf.epw - 20
            _cells(
                pdf,
                f"Phần {printed_part.code}",
                20,
                [(k, min(widest, max(24, pdf.get_string_width(k) + 4))) for k in keys],
            )
    return to_bytes(pdf)


def variant_docx(variant: Variant, *, teachers: bool = True) -> bytes:
    """The exam code as a Word document in the Vietnamese layout, with the same questions, lines and numbers as the
    PDF. The teachers' copy has the right options' labels underlined and a line "Đáp án: …" under each question; the
    students' copy (``teachers=False``) has no key, and the answer sheet at the end."""
    media = _media(variant)
    pictures = [[media.get(slot["version"], {}) for slot in part["slots"]] for part in variant.layout["parts"]]
    return printing_docx.document(variant.test, variant, _paper(variant), pictures, teachers=teachers)
