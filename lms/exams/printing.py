"""Paper copies of the exam codes: a PDF per code (the questions, then the answer sheet, phiếu trả lời), a PDF of the
key table of every code (for the teachers), and a .docx per code through the bank's Word exporter
(``lms.assessments.api.export_ir``; that layout underlines the right answers, so it is the teachers' copy).

PDF text uses ``lib.pdf`` (fpdf2 with the vendored DejaVu Sans, so every Vietnamese letter prints). HTML in stems is
reduced to text; LaTeX stays as ``\\(…\\)`` text; pictures are not printed.
"""

from __future__ import annotations

import html
import re

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from lib.pdf import FONT_FAMILY, new_document, to_bytes
from lms.assessments import api as bank_api
from lms.exams.models import Test, Variant

PART_TITLES = {
    "single_choice": "Câu trắc nghiệm nhiều phương án lựa chọn",
    "true_false_4": "Câu trắc nghiệm đúng sai",
    "numeric": "Câu trắc nghiệm trả lời ngắn",
    "short_answer": "Câu trắc nghiệm trả lời ngắn",
    "essay": "Tự luận",
}


def _text(value: str) -> str:
    text = html.unescape(strip_tags(re.sub(r"<br\s*/?>|</p>", "\n", value or "")))
    return re.sub(r"[ \t]+", " ", text).strip()


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
    for part in variant.layout["parts"]:
        pdf.set_font(FONT_FAMILY, "B", 11)
        title = PART_TITLES.get(_part_type(part), "")
        pdf.multi_cell(0, 7, f"PHẦN {part['code']}. {title}".strip(), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 11)
        for number, slot in enumerate(part["slots"], start=1):
            content = slot["content"]
            pdf.set_font(FONT_FAMILY, "B", 11)
            pdf.write(6, f"Câu {number}. ")
            pdf.set_font(FONT_FAMILY, "", 11)
            pdf.multi_cell(0, 6, _text(content.get("stem", "")), new_x="LMARGIN", new_y="NEXT")
            for choice in content.get("choices", []) if content["type"] != "true_false" else []:
                pdf.multi_cell(0, 6, f"    {choice['label']}. {_text(choice['text'])}", new_x="LMARGIN", new_y="NEXT")
            for statement in content.get("statements", []):
                pdf.multi_cell(
                    0, 6, f"    {statement['label']}) {_text(statement['text'])}", new_x="LMARGIN", new_y="NEXT"
                )
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
    questions = []
    for part in variant.layout["parts"]:
        for slot in part["slots"]:
            q = bank_api.QuestionContent.from_content(slot["content"])
            q.exam_part = part["code"] if part["code"] in ("I", "II", "III", "IV") else q.exam_part
            questions.append(q)
    return bank_api.export_ir(questions, "docx")
