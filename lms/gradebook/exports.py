"""Exports of a class's gradebooks for one semester: the school mark book (sổ điểm) as Excel, and versioned CSV
records keyed by mã định danh for school management software (R36 exchange pattern)."""

from __future__ import annotations

import csv
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lms.courses.api import get_class_students
from lms.gradebook import rules, selectors
from lms.gradebook.models import ColumnKind, ExchangeEvent, ExchangeRecord, Gradebook, Method, Profile

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _books(school_class, semester: int) -> list[Gradebook]:
    return list(
        Gradebook.objects.filter(school_class=school_class, semester=semester)
        .select_related("subject", "school_class__school_year__school")
        .order_by("subject__sort_order", "subject__name")
    )


def _cell_value(column, mark):
    """Scores as numbers (shown with one decimal, so Excel in a Vietnamese locale writes 8,5), ratings as text."""
    if mark is None:
        return None
    if mark.score is not None:
        return float(mark.score) if column.kind != ColumnKind.TEST else int(mark.score)
    return str(rules.Rating.LABELS.get(mark.rating, mark.rating))


def excel_markbook(school_class, semester: int) -> bytes:
    """One sheet per subject in the layout of the paper sổ điểm: the heading (school, class, year, semester,
    subject), then STT, mã định danh, họ và tên, the ĐĐGtx, ĐĐGgk, ĐĐGck and ĐTBmhk columns."""
    school = school_class.school_year.school
    workbook = Workbook()
    workbook.remove(workbook.active)
    for book in _books(school_class, semester):
        table = selectors.get_table(book)
        sheet = workbook.create_sheet(title=book.subject.name[:31])
        sheet["A1"] = school.name.upper()
        sheet["A1"].font = Font(bold=True)
        sheet["A2"] = _("MARK BOOK")
        sheet["A2"].font = Font(bold=True, size=14)
        sheet["A3"] = _("Class: %(klass)s — School year: %(year)s — Semester %(semester)s") % {
            "klass": school_class.name,
            "year": school_class.school_year.name,
            "semester": semester,
        }
        sheet["A4"] = _("Subject: %(subject)s (%(rules)s)") % {"subject": book.subject.name, "rules": book.profile}
        headers = [_("No."), _("Identifier (mã định danh)"), _("Full name")] + [c.label for c in table.columns]
        if book.profile == Profile.TT22_2021:
            headers.append("ĐTBmhk" if book.method == Method.SCORE else pgettext_result())
        header_row = 6
        for index, header in enumerate(headers, start=1):
            cell = sheet.cell(row=header_row, column=index, value=header)
            cell.font, cell.border = Font(bold=True), _BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for number, row in enumerate(table.rows, start=1):
            values = [number, row.student.ma_dinh_danh or "", row.student.get_full_name()]
            values += [_cell_value(column, mark) for column, mark in row.cells]
            if book.profile == Profile.TT22_2021:
                if book.method == Method.SCORE:
                    values.append(float(row.average) if row.average is not None else None)
                else:
                    values.append(str(rules.Rating.LABELS[row.result]) if row.result else None)
            for index, value in enumerate(values, start=1):
                cell = sheet.cell(row=header_row + number, column=index, value=value)
                cell.border = _BOX
                if isinstance(value, float):
                    cell.number_format = "0.0"
        sheet.column_dimensions["B"].width = 16
        sheet.column_dimensions["C"].width = 28
        for index in range(4, len(headers) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 9
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=4)
    if not workbook.worksheets:
        workbook.create_sheet(title=_("Empty"))["A1"] = _("No gradebook has been opened for this class yet.")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pgettext_result() -> str:
    from django.utils.translation import pgettext

    return pgettext("gradebook column", "Result")


EXCHANGE_HEADER = [
    "idbanghi",
    "sukien",
    "phienban",
    "thoigiancapnhat",
    "ma_truong",
    "ma_lop",
    "ma_dinh_danh",
    "ho_ten",
    "ma_mon",
    "hoc_ky",
    "quy_dinh",
    "diem_tx",
    "diem_gk",
    "diem_ck",
    "ket_qua",
]


def _payload(book: Gradebook, row) -> dict:
    def shown(mark):
        if mark is None:
            return ""
        return rules.format_score(mark.score) if mark.score is not None else mark.rating

    tx = [shown(m) for c, m in row.cells if c.kind == ColumnKind.TX and m is not None]
    gk = next((shown(m) for c, m in row.cells if c.kind == ColumnKind.GK), "")
    ck = next((shown(m) for c, m in row.cells if c.kind == ColumnKind.CK), "")
    if book.profile == Profile.TT27_2020:
        tx = [f"{c.label}={shown(m)}" for c, m in row.cells if m is not None]
    result = rules.format_score(row.average) if row.average is not None else (row.result or "")
    return {"diem_tx": ";".join(tx), "diem_gk": gk, "diem_ck": ck, "ket_qua": result}


@transaction.atomic
def exchange_records(school_class, semester: int) -> list[ExchangeRecord]:
    """Bring the versioned records up to date and return them: NEW the first time a student's marks in a gradebook
    are exported, UPDATE with the next version when they changed since, CANCEL (soft) when the student has left
    the class. A record with no marks yet is not sent."""
    now = timezone.now()
    students = {s.pk for s in get_class_students(school_class)}
    records = []
    for book in _books(school_class, semester):
        existing = {r.student_id: r for r in ExchangeRecord.objects.select_for_update().filter(gradebook=book)}
        for row in selectors.get_table(book).rows:
            payload = _payload(book, row)
            record = existing.pop(row.student.pk, None)
            if record is None:
                if not any(payload.values()):
                    continue
                record = ExchangeRecord.objects.create(
                    gradebook=book, student=row.student, event=ExchangeEvent.NEW, payload=payload, changed_at=now
                )
            elif record.payload != payload or record.event == ExchangeEvent.CANCEL:
                record.version += 1
                record.event = ExchangeEvent.UPDATE
                record.payload, record.changed_at = payload, now
                record.save()
            records.append(record)
        for record in existing.values():
            if record.student_id not in students and record.event != ExchangeEvent.CANCEL:
                record.version += 1
                record.event = ExchangeEvent.CANCEL
                record.changed_at = now
                record.save()
            records.append(record)
    return records


def exchange_csv(school_class, semester: int) -> str:
    school = school_class.school_year.school
    records = exchange_records(school_class, semester)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXCHANGE_HEADER)
    for record in sorted(
        records, key=lambda r: (r.gradebook.subject.sort_order, r.gradebook.subject.code, r.student_id)
    ):
        student = record.student
        writer.writerow(
            [
                str(record.record_id),
                record.event,
                record.version,
                timezone.localtime(record.changed_at).isoformat(timespec="seconds"),
                school.code,
                school_class.name,
                student.ma_dinh_danh or "",
                student.get_full_name(),
                record.gradebook.subject.code,
                semester,
                record.gradebook.profile,
                record.payload.get("diem_tx", ""),
                record.payload.get("diem_gk", ""),
                record.payload.get("diem_ck", ""),
                record.payload.get("ket_qua", ""),
            ]
        )
    return buffer.getvalue()
