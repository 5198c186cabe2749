from io import BytesIO

from pypdf import PdfReader

from lib.pdf import new_document, to_bytes


def test_vietnamese_text_round_trips_through_a_generated_pdf():
    pdf = new_document(title="Sổ điểm")
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(text="Sổ điểm lớp 10A1 — Toán")
    pdf.ln()
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, "Nguyễn Thị Ánh Dương: 7,9; Trần Đức Hữu: 8,25")
    data = to_bytes(pdf)
    assert data.startswith(b"%PDF-")
    text = PdfReader(BytesIO(data)).pages[0].extract_text()
    assert "Sổ điểm lớp 10A1" in text
    assert "Nguyễn Thị Ánh Dương" in text
    assert PdfReader(BytesIO(data)).metadata.title == "Sổ điểm"
