"""Paper copies: each exam code's PDF (questions + phiếu trả lời) read back with pypdf, the key table PDF, the .docx
through the bank's Word exporter; only the people who give the test download them."""

import io
import zipfile
from decimal import Decimal as D

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
    students = client.get(reverse("exams:variant_file", args=[t.pk, variant.code, "docx"]))
    assert students["Content-Disposition"] == f'attachment; filename="de-{t.pk}-ma-{variant.code}.docx"'
    xml = zipfile.ZipFile(io.BytesIO(students.content)).read("word/document.xml").decode()
    assert "Câu trắc nghiệm số" in xml and "Đáp án" not in xml and "PHIẾU TRẢ LỜI" in xml
    teachers_url = reverse("exams:variant_teachers_docx", args=[t.pk, variant.code])
    assert teachers_url == f"/kiem-tra/de/{t.pk}/in/{variant.code}-giao-vien.docx"
    teachers = client.get(teachers_url)
    assert teachers["Content-Disposition"] == f'attachment; filename="de-{t.pk}-ma-{variant.code}-giao-vien.docx"'
    assert "Đáp án" in zipfile.ZipFile(io.BytesIO(teachers.content)).read("word/document.xml").decode()
    assert client.get(reverse("exams:variant_file", args=[t.pk, variant.code, "odt"])).status_code == 404
    keys = client.get(reverse("exams:variant_file", args=[t.pk, "dap-an", "pdf"]))
    assert "ĐÁP ÁN" in _text(keys.content)
    assert client.get(reverse("exams:variant_file", args=[t.pk, "999", "pdf"])).status_code == 404
    page = client.get(reverse("exams:test", args=[t.pk])).content.decode()
    assert reverse("exams:variant_file", args=[t.pk, "dap-an", "pdf"]) in page
    assert teachers_url in page and reverse("exams:variant_file", args=[t.pk, variant.code, "docx"]) in page


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _image_widths(data: bytes) -> list[float]:
    """The drawn width (pt) of every picture on every page, from the content streams' ``w 0 0 h x y cm`` before
    ``/I… Do``."""
    import re

    widths = []
    for page in PdfReader(io.BytesIO(data)).pages:
        stream = page.get_contents().get_data().decode("latin-1")
        widths += [float(w) for w in re.findall(r"([\d.]+) 0 0 [\d.]+ [\d.-]+ [\d.-]+ cm /I\d+ Do", stream)]
    return widths


def _xobject_images(data: bytes) -> list:
    images = []
    for page in PdfReader(io.BytesIO(data)).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        images += [x for x in xobjects.values() if x.get_object()["/Subtype"] == "/Image"]
    return images


def test_pictures_and_maths_are_printed(db, settings, tmp_path):
    from lms.assessments.api import QType, QuestionContent
    from lms.assessments.ir import Choice
    from lms.exams import services
    from tests.exams.support import approve, ready

    settings.MEDIA_ROOT = str(tmp_path)
    setup = make_bank(singles=0, tf4s=0, numerics=0)
    people = setup.people
    content = QuestionContent(
        type=QType.SINGLE,
        stem=(
            '<p>Cho hình vẽ:</p><p><img src="@@PLUGINFILE@@/hinh.png" alt=""></p>'
            "<p>Tính \\(\\frac{1}{2} + x^2\\) với \\(x \\le \\sqrt{2}\\) và \\(\\alpha \\ne \\pi\\).</p>"
        ),
        choices=[
            Choice("A", "\\(\\frac{3}{4}\\)", True),
            Choice("B", '<img src="@@PLUGINFILE@@/rong.png" alt="">', False),  # wider than the page
            Choice("C", "\\(2 \\times 3 \\pm \\infty\\)", False),
            Choice("D", "\\(\\mathfrak{g} + \\overrightarrow{AB}\\)", False),  # unknown command: kept as typed
        ],
        media={"hinh.png": _png(120, 60), "rong.png": _png(3000, 200)},
    )
    version = ready(setup.bank, people, content)
    test = services.create_test(school=people.school, title="Đề có hình", created_by=people.teacher)
    services.add_item(part=services.add_part(test=test, code="I"), version=version, points=D(10))
    test = approve(test, people, variants=1, seed="hinh")
    data = printing.variant_pdf(test.variants.get())
    assert len(_xobject_images(data)) == 2  # both pictures are embedded as image XObjects
    widths = sorted(_image_widths(data))
    page_width_pt = 210 / 25.4 * 72 - 2 * 10 / 25.4 * 72  # A4 less fpdf2's 1 cm margins
    assert widths[0] == pytest.approx(120 / 96 * 72, abs=0.1)  # its own size at 96 dpi
    assert widths[1] == pytest.approx(page_width_pt, abs=0.5)  # scaled down to the page width
    text = _text(data)
    assert "Tính 1/2 + x² với x ≤ √2 và α ≠ π." in text
    options = {line.strip()[3:] for line in text.splitlines() if line.strip()[:3] in ("A. ", "B. ", "C. ", "D. ")}
    assert {"3/4", "2 × 3 ± ∞", "\\mathfrak{g} + AB\u20d7"} <= options
    assert "\\frac" not in text and "\\(" not in text
    document = zipfile.ZipFile(io.BytesIO(printing.variant_docx(test.variants.get())))
    assert any(name.startswith("word/media/") for name in document.namelist())  # the Word copy has them too


def test_a_picture_that_cannot_be_read_is_named(db, settings, tmp_path):
    from lms.assessments.api import QType, QuestionContent
    from lms.exams import services
    from tests.exams.support import approve, ready

    settings.MEDIA_ROOT = str(tmp_path)
    setup = make_bank(singles=0, tf4s=0, numerics=0)
    content = QuestionContent(
        type=QType.ESSAY, stem='Xem <img src="@@PLUGINFILE@@/hong.png" alt=""> rồi trả lời.', media={"hong.png": b"x"}
    )
    version = ready(setup.bank, setup.people, content)
    test = services.create_test(school=setup.people.school, title="Đề", created_by=setup.people.teacher)
    services.add_item(part=services.add_part(test=test, code="I"), version=version, points=D(10))
    test = approve(test, setup.people, variants=1)
    data = printing.variant_pdf(test.variants.get())
    assert not _xobject_images(data)
    assert "[Hình hong.png: không in được]" in _text(data) and "rồi trả lời." in _text(data)


def test_the_teachers_word_copy_imports_back_into_the_bank_with_its_keys(test):
    """A teacher edits the code in Word and imports it again: every question comes back, with the key of the code."""
    from lms.assessments.importers import docx as word

    _setup, t = test
    variant = t.variants.order_by("number").last()
    imported = word.parse(printing.variant_docx(variant))
    slots = [slot for part in variant.layout["parts"] for slot in part["slots"]]
    assert not imported.errors
    assert [q.key for q in imported.questions] == [slot["key"] for slot in slots]
    assert [q.type for q in imported.questions] == [slot["content"]["type"] for slot in slots]
