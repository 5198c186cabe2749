"""Paper copies: each exam code's PDF (questions + phiếu trả lời) read back with pypdf, the key table PDF, the .docx
through the bank's Word exporter; only the people who give the test download them."""

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from lms.exams import printing
from tests.exams.support import make_bank, toan_test


@pytest.fixture
def test(db):
    setup = make_bank()
    return setup, toan_test(setup, variants=2)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_variant_pdf_has_the_questions_in_the_codes_order_and_the_answer_sheet(test):
    _setup, t = test
    variant = t.variants.order_by("number").last()
    text = _text(printing.variant_pdf(variant))
    assert "Mã đề 102" in text and "KIỂM TRA GIỮA KÌ I – TOÁN 10" in text and "Thời gian làm bài: 90 phút" in text
    assert "PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn" in text and "PHẦN II. Câu trắc nghiệm đúng sai" in text
    first = variant.layout["parts"][0]["slots"][0]["content"]
    stem_start = first["stem"].split(":")[0]  # "Câu trắc nghiệm số n"
    assert f"Câu 1. {stem_start}" in text.replace("\n", " ")
    assert "Hàm số xác định trên ℝ." in text and "PHIẾU TRẢ LỜI" in text and "Họ và tên thí sinh" in text


def test_key_table_lists_every_codes_keys(test):
    _setup, t = test
    text = _text(printing.keys_pdf(t)).replace("\n", " ")
    assert "ĐÁP ÁN" in text
    for variant in t.variants.all():
        assert f"Mã đề {variant.code}" in text
        for part in variant.layout["parts"]:
            for number, slot in enumerate(part["slots"], start=1):
                assert f"{number}: {slot['key']}" in text


def test_docx_and_the_download_pages(test, client):
    setup, t = test
    variant = t.variants.order_by("number").first()
    document = zipfile.ZipFile(io.BytesIO(printing.variant_docx(variant))).read("word/document.xml").decode()
    assert "PHẦN I." in document and "Câu trắc nghiệm số" in document and "Đáp án" in document
    client.force_login(setup.people.student)
    assert client.get(reverse("exams:variant_file", args=[t.pk, variant.code, "pdf"])).status_code == 403
    client.force_login(setup.people.teacher)
    pdf = client.get(reverse("exams:variant_file", args=[t.pk, variant.code, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("exams:variant_file", args=[t.pk, variant.code, "docx"]))
    assert docx.content.startswith(b"PK")
    keys = client.get(reverse("exams:variant_file", args=[t.pk, "dap-an", "pdf"]))
    assert "ĐÁP ÁN" in _text(keys.content)
    assert client.get(reverse("exams:variant_file", args=[t.pk, "999", "pdf"])).status_code == 404
    page = client.get(reverse("exams:test", args=[t.pk])).content.decode()
    assert reverse("exams:variant_file", args=[t.pk, "dap-an", "pdf"]) in page
