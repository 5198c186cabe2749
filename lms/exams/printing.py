"""Paper copies of the exam codes: a PDF per code (the questions, then the answer sheet, phiếu trả lời), a PDF of the
key table of every code (for the teachers), and a .docx per code through the bank's Word exporter
(``lms.assessments.api.export_ir``; that layout underlines the right answers, so it is the teachers' copy).

PDF text uses ``lib.pdf`` (fpdf2 with the vendored DejaVu Sans, so every Vietnamese letter prints). HTML in stems,
options and statements is reduced to text with simple LaTeX written as Unicode (``latex_text``: ``\\frac{1}{2}`` →
1/2, ``x^2`` → x², ``\\le`` → ≤); the question's pictures (``@@PLUGINFILE@@/name``, read from the default storage
through ``lms.assessments.api.media_for``) are embedded where they stand, at their size or scaled down to the page
width. A picture that cannot be read is named in the text instead. The .docx carries the pictures too.
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
from lms.exams.latex_text import latex_to_text
from lms.exams.models import Test, Variant

IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']*)[\"'][^>]*>", re.IGNORECASE)
PLUGINFILE = "@@PLUGINFILE@@/"
SCREEN_DPI = 96  # a picture without its own resolution is printed at the size it has on screen

PART_TITLES = {
    "single_choice": "Câu trắc nghiệm nhiều phương án lựa chọn",
    "true_false_4": "Câu trắc nghiệm đúng sai",
    "numeric": "Câu trắc nghiệm trả lời ngắn",
    "short_answer": "Câu trắc nghiệm trả lời ngắn",
    "essay": "Tự luận",
}


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


def _part_type(part: dict) -> str:
    types = {s["content"]["type"] for s in part["slots"]}
    return types.pop() if len(types) == 1 else ""


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


def _questions(pdf, variant: Variant) -> None:
    media = _media(variant)
    for part in variant.layout["parts"]:
        pdf.set_font(FONT_FAMILY, "B", 11)
        title = PART_TITLES.get(_part_type(part), "")
        pdf.multi_cell(0, 7, f"PHẦN {part['code']}. {title}".strip(), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 11)
        for number, slot in enumerate(part["slots"], start=1):
            content, files = slot["content"], media.get(slot["version"], {})
            pdf.set_font(FONT_FAMILY, "B", 11)
            pdf.write(6, f"Câu {number}. ")
            pdf.set_font(FONT_FAMILY, "", 11)
            pieces = _pieces(content.get("stem", ""))
            if pieces[0][0] == "text" and not _text(pieces[0][1]) and len(pieces) > 1:
                pdf.ln(6)  # the stem starts with a picture: below the number
            _flow(pdf, content.get("stem", ""), files)
            for choice in content.get("choices", []) if content["type"] != "true_false" else []:
                _flow(pdf, choice["text"], files, f"    {choice['label']}. ")
            for statement in content.get("statements", []):
                _flow(pdf, statement["text"], files, f"    {statement['label']}) ")
            pdf.ln(1)


def _answer_sheet(pdf, test: Test, variant: Variant) -> None:
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.multi_cell(0, 8, "PHIẾU TRẢ LỜI", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.multi_cell(0, 7, f"{test.title} · Mã đề {variant.code}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0, 8, "Họ và tên thí sinh: ..................................................", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.multi_cell(0, 8, "Lớp: ............  Số báo danh: ............", new_x="LMARGIN", new_y="NEXT")
    for part in variant.layout["parts"]:
        kind = _part_type(part)
        pdf.ln(2)
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.multi_cell(0, 7, f"PHẦN {part['code']}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 10)
        for number, slot in enumerate(part["slots"], start=1):
            content = slot["content"]
            pdf.cell(16, 7, f"Câu {number}", border=1)
            if kind in ("single_choice", "multiple_response") or content["type"] in (
                "single_choice",
                "multiple_response",
            ):
                for choice in content.get("choices", []):
                    pdf.cell(9, 7, choice["label"], border=1, align="C")
            elif content["type"] == "true_false_4":
                for statement in content.get("statements", []):
                    pdf.cell(22, 7, f"{statement['label']}) Đúng □ Sai □", border=1, align="C")
            elif content["type"] == "true_false":
                pdf.cell(22, 7, "Đúng □  Sai □", border=1, align="C")
            elif content["type"] == "essay":
                pdf.cell(60, 7, "(làm trên giấy thi)", border=1)
            else:
                for _box in range(4):
                    pdf.cell(9, 7, "", border=1)
            pdf.ln(7)


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
    """The key table: for every exam code and part, each question's key (ĐÁP ÁN), the questions' points."""
    pdf = new_document(orientation="landscape", title=f"{test.title} – ĐÁP ÁN", author=test.school.name)
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.multi_cell(0, 8, f"ĐÁP ÁN – {test.title}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    for variant in test.variants.order_by("number"):
        pdf.ln(2)
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.multi_cell(0, 7, f"Mã đề {variant.code}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 10)
        for part in variant.layout["parts"]:
            pdf.cell(20, 7, f"Phần {part['code']}", border=1)
            for number, slot in enumerate(part["slots"], start=1):
                if pdf.get_x() > pdf.w - pdf.r_margin - 24:
                    pdf.ln(7)
                    pdf.cell(20, 7, "", border=0)
                key = slot["key"] if slot["content"]["type"] != "essay" else "TL"
                pdf.cell(24, 7, f"{number}: {key}", border=1, align="C")
            pdf.ln(7)
    return to_bytes(pdf)


def variant_docx(variant: Variant) -> bytes:
    """The exam code in the bank's Vietnamese Word layout (PHẦN I/II/III in the code's order; right answers marked)."""
    questions, media = [], _media(variant)
    for part in variant.layout["parts"]:
        for slot in part["slots"]:
            q = bank_api.QuestionContent.from_content(slot["content"])
            q.media = dict(media.get(slot["version"], {}))
            q.exam_part = part["code"] if part["code"] in ("I", "II", "III", "IV") else q.exam_part
            questions.append(q)
    return bank_api.export_ir(questions, "docx")
