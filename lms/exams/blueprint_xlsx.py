"""Excel files of a blueprint in the layout of the CV 7991 appendix (openpyxl): the matrix (Phụ lục 1: TT | Chủ đề |
Nội dung | 4 formats × levels | Tổng per level | Tỉ lệ % điểm; footers Tổng số câu / Tổng số điểm / Tỉ lệ %) and the
specification (Phụ lục 2: TT | Chủ đề | Nội dung | Yêu cầu cần đạt | the same cells). Header cells are merged as in
the appendix."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lms.exams.blueprint_selectors import Matrix

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
BOLD = Font(bold=True)


def _num(value):
    """Numbers as numbers (Excel shows the decimal comma by the reader's locale)."""
    return float(value) if value is not None else None


def _write(ws, row, col, value, *, bold=False, align=CENTRE):
    cell = ws.cell(row=row, column=col, value=value)
    cell.border = BOX
    cell.alignment = align
    if bold:
        cell.font = BOLD
    return cell


def _merge(ws, r1, c1, r2, c2, value, *, bold=True):
    _write(ws, r1, c1, value, bold=bold)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            ws.cell(row=r, column=c).border = BOX
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _title(ws, m: Matrix, heading: str, width: int) -> None:
    bp = m.blueprint
    ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = CENTRE
    line = f"{bp.title} – {bp.subject.name} {bp.grade} – {m.rules.title} – {bp.minutes} phút"
    ws.cell(row=2, column=1, value=line).alignment = CENTRE
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _cell_header(ws, m: Matrix, first_col: int, top: int = 4) -> int:
    """'Mức độ đánh giá' over the format × level cells: row ``top`` the group, ``top+1`` the formats, ``top+2`` the
    levels. Returns the next free column."""
    n_levels = len(m.levels)
    last = first_col + len(m.columns) - 1
    _merge(ws, top, first_col, top, last, "Mức độ đánh giá")
    col = first_col
    for fmt in m.formats:
        _merge(ws, top + 1, col, top + 1, col + n_levels - 1, fmt.label)
        for lv in m.levels:
            _write(ws, top + 2, col, lv.label, bold=True)
            col += 1
    return col


def _footer(ws, m: Matrix, row: int, first_col: int, label_cols: int, *, with_totals: bool) -> None:
    n_levels = len(m.levels)
    labels = ("Tổng số câu", "Tổng số điểm", "Tỉ lệ %")
    for k, label in enumerate(labels):
        _merge(ws, row + k, 1, row + k, label_cols, label)
    for j, count in enumerate(m.column_counts):
        _write(ws, row, first_col + j, count, bold=True)
    for i, _fmt in enumerate(m.formats):
        start = first_col + i * n_levels
        _merge(ws, row + 1, start, row + 1, start + n_levels - 1, _num(m.format_points[i]))
        _merge(ws, row + 2, start, row + 2, start + n_levels - 1, _num(m.format_shares[i]))
    if with_totals:
        col = first_col + len(m.columns)
        for i in range(n_levels):
            _write(ws, row, col + i, m.level_counts[i], bold=True)
            _write(ws, row + 1, col + i, _num(m.level_points[i]), bold=True)
            _write(ws, row + 2, col + i, _num(m.level_shares[i]), bold=True)
        share_col = col + n_levels
        _write(ws, row, share_col, m.total_count, bold=True)
        _write(ws, row + 1, share_col, _num(m.total_points), bold=True)
        _write(ws, row + 2, share_col, 100 if m.total_points else 0, bold=True)


def matrix_xlsx(m: Matrix) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ma trận"
    n_levels = len(m.levels)
    first = 4
    total_col = first + len(m.columns)
    share_col = total_col + n_levels
    _title(ws, m, "MA TRẬN ĐỀ KIỂM TRA", share_col)
    _merge(ws, 4, 1, 6, 1, "TT")
    _merge(ws, 4, 2, 6, 2, "Chủ đề/Chương")
    _merge(ws, 4, 3, 6, 3, "Nội dung/đơn vị kiến thức")
    _cell_header(ws, m, first)
    _merge(ws, 4, total_col, 5, total_col + n_levels - 1, "Tổng")
    for i, lv in enumerate(m.levels):
        _write(ws, 6, total_col + i, lv.label, bold=True)
    _merge(ws, 4, share_col, 6, share_col, "Tỉ lệ % điểm")
    r = 7
    for row in m.rows:
        _write(ws, r, 1, row.number)
        _write(ws, r, 2, row.chapter, align=WRAP)
        _write(ws, r, 3, row.content_unit, align=WRAP)
        for j, count in enumerate(row.cells):
            _write(ws, r, first + j, count)
        for i, count in enumerate(row.level_counts):
            _write(ws, r, total_col + i, count)
        _write(ws, r, share_col, _num(row.share))
        r += 1
    _footer(ws, m, r, first, 3, with_totals=True)
    _widths(ws, {1: 5, 2: 24, 3: 28}, share_col)
    return _bytes(wb)


def specification_xlsx(m: Matrix) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Bản đặc tả"
    first = 5
    last = first + len(m.columns) - 1
    _title(ws, m, "BẢN ĐẶC TẢ ĐỀ KIỂM TRA", last)
    _merge(ws, 4, 1, 6, 1, "TT")
    _merge(ws, 4, 2, 6, 2, "Chủ đề/Chương")
    _merge(ws, 4, 3, 6, 3, "Nội dung/đơn vị kiến thức")
    _merge(ws, 4, 4, 6, 4, "Yêu cầu cần đạt")
    _cell_header(ws, m, first)
    ws.cell(row=4, column=first, value="Số câu hỏi ở các mức độ đánh giá")
    r = 7
    for row in m.rows:
        _write(ws, r, 1, row.number)
        _write(ws, r, 2, row.chapter, align=WRAP)
        _write(ws, r, 3, row.content_unit, align=WRAP)
        text = "\n".join(f"- {label}: " + "; ".join(texts) for label, texts in row.yccd)
        _write(ws, r, 4, text, align=WRAP)
        for j, count in enumerate(row.cells):
            _write(ws, r, first + j, count)
        r += 1
    _footer(ws, m, r, first, 4, with_totals=False)
    _widths(ws, {1: 5, 2: 22, 3: 24, 4: 60}, last)
    return _bytes(wb)


def _widths(ws, fixed: dict[int, int], last: int) -> None:
    for col in range(1, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = fixed.get(col, 9)


def _bytes(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
