"""Roster import (R34, R36): a report of every problem before anything is saved; a bad file changes nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from lms.courses import roster, services
from lms.courses.models import Enrollment, RosterImport
from lms.schools.api import Role, get_children, get_guardians, has_role

HEADER = [
    "STT",
    "Mã trường",
    "Mã khối",
    "Mã lớp",
    "Mã định danh",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Họ tên phụ huynh",
    "Quan hệ",
    "Điện thoại phụ huynh",
]


def _rows(school_code):
    return [
        [
            "3",
            school_code,
            "10",
            "10A1",
            "7901000301",
            "Lê Văn Cường",
            "12/03/2010",
            "Nam",
            "Lê Văn Hải",
            "Bố",
            "0912345678",
        ],
        ["4", school_code, "10", "10A2", "7901000302", "Phạm Thị Dung", "2010-07-21", "Nữ", "", "", ""],
    ]


def _csv(rows, header=HEADER, delimiter=",") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        cells = list(row)
        if "/" in cells[6]:
            day, month, year = (int(x) for x in cells[6].split("/"))
            cells[6] = date(year, month, day)  # Excel dates come as real dates
        cells[0] = int(cells[0])
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture
def year(setup):
    services.create_class(school_year=setup.year, name="10A2", grade=10)
    return setup.year


def _snapshot():
    User = get_user_model()
    return (
        User.objects.count(),
        Enrollment.objects.count(),
        sorted(User.objects.values_list("ma_dinh_danh", flat=True).exclude(ma_dinh_danh=None)),
    )


@pytest.mark.parametrize("fmt", ["csv", "csv;", "xlsx"])
def test_a_clean_file_is_reported_then_imported(setup, year, fmt):
    school = setup.people.school
    name, data = (
        ("lop.xlsx", _xlsx(_rows(school.code)))
        if fmt == "xlsx"
        else ("lop.csv", _csv(_rows(school.code), delimiter=";" if fmt == "csv;" else ","))
    )
    before = _snapshot()
    imported = roster.upload(actor=setup.people.school_admin, school_year=year, name=name, data=data)
    assert imported.report["ok"], imported.report["problems"]
    assert imported.report["counts"] == {"create": 2, "enrol": 0, "unchanged": 0, "parents": 1}
    assert _snapshot() == before  # checking saves nothing but the file and its report

    roster.apply(actor=setup.people.school_admin, roster=imported)
    User = get_user_model()
    cuong = User.objects.get(ma_dinh_danh="7901000301")
    assert (cuong.last_name, cuong.first_name, cuong.date_of_birth, cuong.gender) == (
        "Lê Văn",
        "Cường",
        date(2010, 3, 12),
        "male",
    )
    assert has_role(cuong, Role.STUDENT, school)
    assert Enrollment.objects.get(student=cuong).school_class.name == "10A1"
    assert Enrollment.objects.get(student__ma_dinh_danh="7901000302").school_class.name == "10A2"
    parent = get_guardians(cuong).get().parent
    assert parent.get_full_name() == "Lê Văn Hải" and parent.phone == "0912345678"
    assert list(get_children(parent)) == [cuong]
    assert has_role(parent, Role.PARENT, school)
    imported.refresh_from_db()
    assert imported.status == RosterImport.Status.APPLIED
    with pytest.raises(ValidationError):
        roster.apply(actor=setup.people.school_admin, roster=imported)


def test_reimporting_the_same_students_changes_nothing(setup, year):
    school = setup.people.school
    first = roster.upload(
        actor=setup.people.school_admin, school_year=year, name="a.csv", data=_csv(_rows(school.code))
    )
    roster.apply(actor=setup.people.school_admin, roster=first)
    before = _snapshot()
    again = roster.upload(
        actor=setup.people.school_admin, school_year=year, name="b.csv", data=_csv(_rows(school.code))
    )
    assert again.report["ok"]
    assert again.report["counts"]["unchanged"] == 2 and again.report["counts"]["parents"] == 0
    roster.apply(actor=setup.people.school_admin, roster=again)
    assert _snapshot() == before


def test_a_bad_file_reports_every_problem_and_changes_nothing(setup, year):
    school = setup.people.school
    known = setup.people.student  # already recorded with an identifier
    known.date_of_birth = date(2010, 1, 2)
    known.save()
    rows = [
        ["1", school.code, "10", "10A1", "7901000401", "Đỗ Minh Khoa", "01/02/2010", "Nam", "", "", ""],  # fine
        ["2", school.code, "10", "10A1", "7901000401", "Đỗ Minh Khôi", "03/04/2010", "Nam", "", "", ""],  # duplicate
        ["3", school.code, "10", "10A9", "7901000403", "Vũ Thu Hà", "05/06/2010", "Nữ", "", "", ""],  # unknown class
        ["4", school.code, "10", "10A1", "7901000404", "Ngô Bảo Anh", "31/02/2010", "Nữ", "", "", ""],  # bad date
        ["5", school.code, "11", "10A1", "7901000405", "Hồ Gia Bảo", "07/08/2010", "Nam", "", "", ""],  # wrong grade
        ["6", "00000000", "10", "10A1", "7901000406", "Mai Anh Thư", "09/10/2010", "Nữ", "", "", ""],  # other school
        [
            "7",
            school.code,
            "10",
            "10A1",
            "7901000407",
            known.get_full_name(),
            "02/01/2010",
            "Nam",
            "",
            "",
            "",
        ],  # id change
        ["8", school.code, "10", "10A1", "79-01", "Trịnh Công Sơn", "11/12/2010", "Khác", "", "", ""],  # id, gender
    ]
    before = _snapshot()
    imported = roster.upload(actor=setup.people.school_admin, school_year=year, name="sai.csv", data=_csv(rows))
    report = imported.report
    assert not report["ok"]
    by_row = {}
    for problem in report["problems"]:
        by_row.setdefault(problem["row"], []).append(problem)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]  # file lines: the header is line 1
    assert "dòng 2" in by_row[3][0]["message"] or "line 2" in by_row[3][0]["message"]
    assert by_row[4][0]["column"] in {"Mã lớp", "Class code"} and by_row[4][0]["value"] == "10A9"
    assert by_row[5][0]["value"] == "31/02/2010"
    assert by_row[6][0]["column"] in {"Mã khối", "Grade code"}
    assert by_row[7][0]["column"] in {"Mã trường", "School code"}
    assert known.ma_dinh_danh in by_row[8][0]["message"]
    assert len(by_row[9]) == 2  # the identifier and the gender
    with pytest.raises(ValidationError):
        roster.apply(actor=setup.people.school_admin, roster=imported)
    assert _snapshot() == before
    known.refresh_from_db()
    assert known.ma_dinh_danh != "7901000407"


def test_an_import_does_not_move_students_between_classes(setup, year):
    student = setup.people.student
    student.date_of_birth = date(2010, 5, 5)
    student.save()
    rows = [
        [
            "1",
            setup.people.school.code,
            "10",
            "10A2",
            student.ma_dinh_danh,
            student.get_full_name(),
            "05/05/2010",
            "Nam",
            "",
            "",
            "",
        ]
    ]
    imported = roster.upload(actor=setup.people.school_admin, school_year=year, name="x.csv", data=_csv(rows))
    assert not imported.report["ok"]
    assert "10A1" in imported.report["problems"][0]["message"]


def test_an_identifier_with_another_name_is_refused(setup, year):
    student = setup.people.student
    rows = [
        [
            "1",
            setup.people.school.code,
            "10",
            "10A1",
            student.ma_dinh_danh,
            "Tên Khác Hẳn",
            "05/05/2010",
            "Nam",
            "",
            "",
            "",
        ]
    ]
    imported = roster.upload(actor=setup.people.school_admin, school_year=year, name="x.csv", data=_csv(rows))
    assert not imported.report["ok"]
    assert student.get_full_name() in imported.report["problems"][0]["message"]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("lop.csv", "Họ và tên,Ngày sinh\nAn,01/01/2010\n".encode(), "Mã trường"),
        ("lop.csv", "Mã trường,Họ và tên\n".encode("cp1258", errors="replace") + b"\xff\xfe", "UTF-8"),
        ("lop.xlsx", b"not a zip file", "XLSX"),
        ("lop.pdf", b"%PDF-1.4", "CSV"),
        ("lop.csv", b"", "lop.csv"),
    ],
)
def test_unreadable_files_are_reported_with_their_reason(setup, year, name, data, fragment):
    before = _snapshot()
    imported = roster.upload(actor=setup.people.school_admin, school_year=year, name=name, data=data)
    assert not imported.report["ok"]
    assert fragment in imported.report["problems"][0]["message"]
    assert _snapshot() == before


def test_a_file_that_no_longer_checks_out_at_confirmation_imports_nothing(setup, year):
    school = setup.people.school
    imported = roster.upload(
        actor=setup.people.school_admin, school_year=year, name="a.csv", data=_csv(_rows(school.code))
    )
    assert imported.report["ok"]
    year.classes.get(name="10A2").delete()  # someone removes a class between the check and the confirmation
    before = _snapshot()
    with pytest.raises(ValidationError):
        roster.apply(actor=setup.people.school_admin, roster=imported)
    assert _snapshot() == before
    imported.refresh_from_db()
    assert not imported.report["ok"] and imported.status == RosterImport.Status.CHECKED


def test_the_import_pages_show_the_report_before_saving(client, setup, year):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(setup.people.school_admin)
    upload = SimpleUploadedFile("lop.csv", _csv(_rows(setup.people.school.code)), content_type="text/csv")
    response = client.post(reverse("courses:roster_upload", args=[year.pk]), {"file": upload})
    assert response.status_code == 302
    report_url = response["Location"]
    before = _snapshot()
    page = client.get(report_url).content.decode()
    assert "Lê Văn Cường" in page and "7901000301" in page
    assert _snapshot() == before
    response = client.post(report_url)
    assert response.status_code == 302
    assert get_user_model().objects.filter(ma_dinh_danh="7901000301").exists()
