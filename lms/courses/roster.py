"""Roster import (R34, R36): a class list from CSV or XLSX keyed by the sector identifier (mã định danh).

The whole file is checked first and the result is a report (which row, which column, why) shown before anything is
saved. A file with any error changes nothing; a clean file is applied in one transaction, checked again at that
moment. Identifiers are never changed by an import: a row that looks like a known student with another identifier is
refused and must go through the audited correction in the people area.

Columns (header names in Vietnamese or English; order free): Mã trường, Mã khối, Mã lớp, Mã định danh, Họ và tên,
Ngày sinh, Giới tính; optionally STT, Họ tên phụ huynh, Quan hệ, Điện thoại phụ huynh. The grade code is the grade
number (1–12).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.courses.models import Enrollment, RosterImport, SchoolClass, SchoolYear
from lms.schools.api import (
    Gender,
    Relationship,
    Role,
    assign_role,
    create_person,
    fold_text,
    get_guardians,
    get_people,
    link_parent,
)

IDENTIFIER = re.compile(r"^[0-9A-Za-z]{6,20}$")
PHONE = re.compile(r"^\+?[0-9 .]{8,15}$")

COLUMNS = {
    "school_code": ("ma truong", "school code"),
    "grade_code": ("ma khoi", "khoi", "grade code", "grade"),
    "class_code": ("ma lop", "lop", "class code", "class"),
    "identifier": ("ma dinh danh", "ma hoc sinh", "ma dinh danh bgd", "student code", "identifier"),
    "full_name": ("ho va ten", "ho ten", "full name", "name"),
    "date_of_birth": ("ngay sinh", "date of birth"),
    "gender": ("gioi tinh", "gender"),
    "number": ("stt", "so thu tu", "number"),
    "parent_name": ("ho ten phu huynh", "phu huynh", "parent name", "parent"),
    "parent_relationship": ("quan he", "relationship"),
    "parent_phone": ("dien thoai phu huynh", "sdt phu huynh", "parent phone"),
}
REQUIRED = ("school_code", "grade_code", "class_code", "identifier", "full_name", "date_of_birth", "gender")
GENDERS = {"nam": Gender.MALE, "male": Gender.MALE, "nu": Gender.FEMALE, "female": Gender.FEMALE}
RELATIONSHIPS = {
    "bo": Relationship.FATHER,
    "cha": Relationship.FATHER,
    "father": Relationship.FATHER,
    "me": Relationship.MOTHER,
    "mother": Relationship.MOTHER,
    "": Relationship.GUARDIAN,
    "nguoi giam ho": Relationship.GUARDIAN,
    "guardian": Relationship.GUARDIAN,
}
MAX_ROWS = 5000


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all."""


@dataclass
class Problem:
    row: int  # the line in the file (the header is line 1); 0 for the whole file
    column: str
    value: str
    message: str


@dataclass
class Line:
    row: int
    identifier: str
    full_name: str
    school_class: str
    action: str  # "create", "enrol", "unchanged"
    parent: str = ""  # "", "create", "link", "unchanged"


@dataclass
class Report:
    file: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.lines)

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "enrol": 0, "unchanged": 0, "parents": 0}
        for line in self.lines:
            counts[line.action] += 1
            counts["parents"] += line.parent in {"create", "link"}
        return counts

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "rows": self.rows,
            "ok": self.ok,
            "counts": self.counts(),
            "problems": [asdict(p) for p in self.problems],
            "lines": [asdict(line) for line in self.lines],
        }


# --------------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------------
def read_rows(name: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column key: text}) for every non-empty row; ``RosterFileError`` if unreadable."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif lower.endswith(".csv"):
        table = _read_csv(data)
    else:
        raise RosterFileError(_("%(name)s is neither a CSV nor an XLSX file.") % {"name": name})
    if not table:
        raise RosterFileError(_("%(name)s is empty.") % {"name": name})
    header_row, header = table[0]
    keys = []
    for cell in header:
        folded = " ".join(fold_text(cell).replace("_", " ").split())
        key = next((k for k, names in COLUMNS.items() if folded in names), None)
        keys.append(key)
    missing = [k for k in REQUIRED if k not in keys]
    if missing:
        raise RosterFileError(
            _("Line %(row)s of %(name)s lacks the columns: %(columns)s.")
            % {"row": header_row, "name": name, "columns": ", ".join(_column_label(k) for k in missing)}
        )
    rows = []
    for number, cells in table[1:]:
        values = {k: (cells[i] if i < len(cells) else "").strip() for i, k in enumerate(keys) if k}
        if any(values.values()):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise RosterFileError(_("%(name)s has more than %(max)s rows.") % {"name": name, "max": MAX_ROWS})
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise RosterFileError(_("The XLSX file cannot be opened (%(error)s).") % {"error": error}) from error
    sheet = workbook.worksheets[0]
    table = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in row]
        if any(c.strip() for c in cells):
            table.append((number, cells))
    workbook.close()
    return table


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterFileError(
            _("The CSV file is not UTF-8 (byte %(position)s). Save it as “CSV UTF-8”.") % {"position": error.start}
        ) from error
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    table = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if any(c.strip() for c in cells):
            table.append((number, cells))
    return table


def _column_label(key: str) -> str:
    return {
        "school_code": _("School code"),
        "grade_code": _("Grade code"),
        "class_code": _("Class code"),
        "identifier": _("Sector identifier"),
        "full_name": _("Full name"),
        "date_of_birth": _("Date of birth"),
        "gender": _("Gender"),
        "number": _("Number"),
        "parent_name": _("Parent's name"),
        "parent_relationship": _("Relationship"),
        "parent_phone": _("Parent's phone"),
    }[key]


def _parse_date(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    return None


def split_name(full_name: str) -> tuple[str, str]:
    """ "Nguyễn Thị Mai" → ("Nguyễn Thị", "Mai"): last_name holds họ and tên đệm, first_name the tên."""
    words = full_name.split()
    return " ".join(words[:-1]), words[-1]


# --------------------------------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------------------------------
def check(school_year: SchoolYear, name: str, data: bytes) -> tuple[Report, list[dict]]:
    """The report, and the planned changes (used by :func:`apply`) when there is no problem."""
    report = Report(file=name)
    try:
        rows = read_rows(name, data)
    except RosterFileError as error:
        report.problems.append(Problem(0, "", "", str(error)))
        return report, []
    report.rows = len(rows)
    school = school_year.school
    classes = {fold_text(c.name).replace(" ", ""): c for c in SchoolClass.objects.filter(school_year=school_year)}
    identifiers = [values.get("identifier", "") for _n, values in rows]
    from django.contrib.auth import get_user_model

    User = get_user_model()
    known = {u.ma_dinh_danh: u for u in User.objects.filter(ma_dinh_danh__in=[i for i in identifiers if i])}
    students = list(
        get_people(school, Role.STUDENT).only("id", "first_name", "last_name", "date_of_birth", "ma_dinh_danh")
    )
    by_name_and_birth = {}
    for student in students:
        by_name_and_birth.setdefault((fold_text(student.get_full_name()), student.date_of_birth), []).append(student)
    enrolments = {
        e.student_id: e for e in Enrollment.objects.filter(school_year=school_year).select_related("school_class")
    }
    seen: dict[str, int] = {}
    plans = []
    today = timezone.localdate()

    for number, values in rows:
        problems: list[Problem] = []

        def problem(key, message, values=values, number=number, problems=problems):
            problems.append(Problem(number, _column_label(key), values.get(key, ""), message))

        for key in REQUIRED:
            if not values.get(key):
                problem(key, _("This column is empty."))
        identifier = values.get("identifier", "")
        if identifier and not IDENTIFIER.match(identifier):
            problem("identifier", _("A sector identifier has 6 to 20 letters or digits, without spaces."))
        elif identifier in seen:
            problem("identifier", _("The same identifier is on line %(row)s.") % {"row": seen[identifier]})
        elif identifier:
            seen[identifier] = number
        if values.get("school_code") and values["school_code"] != school.code:
            problem(
                "school_code",
                _("This file is for school %(code)s, not %(school)s (%(ours)s).")
                % {"code": values["school_code"], "school": school.name, "ours": school.code},
            )
        school_class = classes.get(fold_text(values.get("class_code", "")).replace(" ", ""))
        if values.get("class_code") and school_class is None:
            problem(
                "class_code",
                _("There is no class %(name)s in school year %(year)s.")
                % {"name": values["class_code"], "year": school_year.name},
            )
        grade_text = values.get("grade_code", "")
        if grade_text:
            if not grade_text.isdigit() or not 1 <= int(grade_text) <= 12:
                problem("grade_code", _("The grade code is a grade from 1 to 12."))
            elif school_class is not None and int(grade_text) != school_class.grade:
                problem(
                    "grade_code",
                    _("Class %(name)s is in grade %(grade)s.")
                    % {"name": school_class.name, "grade": school_class.grade},
                )
        birth = _parse_date(values.get("date_of_birth", "")) if values.get("date_of_birth") else None
        if values.get("date_of_birth") and birth is None:
            problem("date_of_birth", _("Not a date: write it as dd/mm/yyyy, e.g. 05/09/2010."))
        elif birth is not None and not (date(today.year - 30, 1, 1) <= birth <= date(today.year - 4, 12, 31)):
            problem("date_of_birth", _("This date of birth is not plausible for a student."))
        gender = GENDERS.get(fold_text(values.get("gender", "")))
        if values.get("gender") and gender is None:
            problem("gender", _("Write Nam or Nữ."))
        full_name = " ".join(values.get("full_name", "").split())
        if full_name and len(full_name.split()) < 2:
            problem("full_name", _("Give the family name and the given name."))
        parent_name = " ".join(values.get("parent_name", "").split())
        relationship = RELATIONSHIPS.get(fold_text(values.get("parent_relationship", "")))
        if parent_name and relationship is None:
            problem("parent_relationship", _("Write Bố, Mẹ or Người giám hộ."))
        if parent_name and len(parent_name.split()) < 2:
            problem("parent_name", _("Give the family name and the given name."))
        phone = values.get("parent_phone", "")
        if phone and not PHONE.match(phone):
            problem("parent_phone", _("Not a phone number."))
        number_text = values.get("number", "")
        if number_text and not number_text.isdigit():
            problem("number", _("The number in the class list is a whole number."))

        existing = known.get(identifier)
        if (
            not problems
            and existing is not None
            and (fold_text(existing.get_full_name()) != fold_text(full_name) or existing.date_of_birth != birth)
        ):
            problem(
                "identifier",
                _("This identifier belongs to %(name)s (born %(born)s): the name or date of birth differs.")
                % {"name": existing.get_full_name(), "born": _date_text(existing.date_of_birth)},
            )
        if not problems and existing is None:
            for twin in by_name_and_birth.get((fold_text(full_name), birth), []):
                if twin.ma_dinh_danh and twin.ma_dinh_danh != identifier:
                    problem(
                        "identifier",
                        _(
                            "%(name)s, born %(born)s, is already recorded with identifier %(old)s. An import never "
                            "changes an identifier: a school administrator corrects it in the people area."
                        )
                        % {"name": twin.get_full_name(), "born": _date_text(birth), "old": twin.ma_dinh_danh},
                    )
        action = "create"
        if not problems and existing is not None:
            enrolment = enrolments.get(existing.pk)
            if enrolment is None:
                action = "enrol"
            elif enrolment.school_class_id == school_class.pk:
                action = "unchanged"
            else:
                problem(
                    "class_code",
                    _("%(name)s is already in class %(class)s this school year; an import does not move students.")
                    % {"name": existing.get_full_name(), "class": enrolment.school_class.name},
                )
        parent_action = ""
        if not problems and parent_name:
            parent_action = "create"
            if existing is not None:
                for link in get_guardians(existing):
                    if fold_text(link.parent.get_full_name()) == fold_text(parent_name):
                        parent_action = "unchanged"
        report.problems.extend(problems)
        if problems:
            continue
        report.lines.append(Line(number, identifier, full_name, school_class.name, action, parent_action))
        plans.append(
            {
                "action": action,
                "user": existing,
                "identifier": identifier,
                "full_name": full_name,
                "birth": birth,
                "gender": gender,
                "class": school_class,
                "number": int(number_text) if number_text else None,
                "parent": parent_action,
                "parent_name": parent_name,
                "relationship": relationship,
                "phone": phone,
            }
        )
    if not rows:
        report.problems.append(Problem(0, "", "", _("%(name)s has no student rows.") % {"name": name}))
    return report, (plans if not report.problems else [])


def _date_text(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "?"


# --------------------------------------------------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------------------------------------------------
def _username(base: str) -> str:
    from lms.schools.api import username_taken

    candidate, suffix = base, 1
    while username_taken(candidate):
        suffix += 1
        candidate = f"{base}.{suffix}"
    return candidate


def upload(*, actor, school_year: SchoolYear, name: str, data: bytes) -> RosterImport:
    """Store the file and its report; nothing else changes."""
    from django.core.files.base import ContentFile

    from lms.courses import access

    if not access.can_manage_structure(actor, school_year.school):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    report, _plans = check(school_year, name, data)
    roster = RosterImport(school_year=school_year, uploaded_by=actor, original_name=name[:255], report=report.as_dict())
    roster.file.save(name.rsplit("/", 1)[-1][:100], ContentFile(data), save=False)
    roster.save()
    return roster


class _NoLongerValid(Exception):
    def __init__(self, report: Report) -> None:
        self.report = report


def apply(*, actor, roster: RosterImport) -> Report:
    """Apply a checked import: everything or, if the file no longer checks out, nothing (its new report is kept)."""
    try:
        return _apply(actor=actor, roster=roster)
    except _NoLongerValid as failure:
        RosterImport.objects.filter(pk=roster.pk).update(report=failure.report.as_dict())
        raise ValidationError(_("The file no longer checks out; nothing was imported. See the report.")) from None


@transaction.atomic
def _apply(*, actor, roster: RosterImport) -> Report:
    from django.core.exceptions import PermissionDenied

    from lms.courses import access
    from lms.courses.services import enroll_student

    school_year = roster.school_year
    school = school_year.school
    if not access.can_manage_structure(actor, school):
        raise PermissionDenied
    roster = RosterImport.objects.select_for_update().get(pk=roster.pk)
    if roster.status == RosterImport.Status.APPLIED:
        raise ValidationError(_("This file has already been imported."))
    with roster.file.open("rb") as handle:
        data = handle.read()
    report, plans = check(school_year, roster.original_name, data)
    roster.report = report.as_dict()
    if not report.ok:
        raise _NoLongerValid(report)
    for plan in plans:
        user = plan["user"]
        if user is None:
            last_name, first_name = split_name(plan["full_name"])
            user = create_person(
                username=_username(plan["identifier"].lower()),
                last_name=last_name,
                first_name=first_name,
                ma_dinh_danh=plan["identifier"],
                date_of_birth=plan["birth"],
                gender=plan["gender"],
            )
        assign_role(user=user, school=school, role=Role.STUDENT, actor=actor)
        if plan["action"] != "unchanged":
            enroll_student(school_class=plan["class"], student=user, number=plan["number"])
        if plan["parent"] == "create":
            last_name, first_name = split_name(plan["parent_name"])
            parent = create_person(
                username=_username(f"ph.{plan['identifier'].lower()}"),
                last_name=last_name,
                first_name=first_name,
                phone=plan["phone"],
            )
            assign_role(user=parent, school=school, role=Role.PARENT, actor=actor)
            link_parent(parent=parent, student=user, relationship=plan["relationship"])
    roster.status = RosterImport.Status.APPLIED
    roster.applied_at = timezone.now()
    roster.save(update_fields=["status", "applied_at", "report"])
    return report
