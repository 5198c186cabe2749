"""Gradebook entry, averages, locking and audit, access and refusals, exports (R16–R25, R36, R45)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from curriculum.api import get_subject
from lms.courses import api as courses_api
from lms.gradebook import exports, selectors, services
from lms.gradebook.models import AuditAction, AuditEntry, ColumnKind, Mark, RefusedAccess
from lms.privacy import api as privacy_api
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.gradebook.support import columns
from tests.support.factories import UserFactory
from tests.support.people import PASSWORD

pytestmark = pytest.mark.django_db


def _enter(gb, values: dict, student=None, actor=None):
    cols = columns(gb.book)
    student = student or gb.people.student
    entries = {(cols[label].pk, student.pk): value for label, value in values.items()}
    return services.record_marks(actor=actor or gb.people.teacher, gradebook=gb.book, entries=entries)


def test_columns_follow_periods_per_year_and_average_is_computed(gb):
    assert [c.label for c in selectors.get_table(gb.book).columns] == [
        "ĐĐGtx1", "ĐĐGtx2", "ĐĐGtx3", "ĐĐGtx4", "ĐĐGgk", "ĐĐGck"
    ]  # fmt: skip
    _enter(gb, {"ĐĐGtx1": "8", "ĐĐGtx2": "9", "ĐĐGgk": "7", "ĐĐGck": "8"})
    table = selectors.get_table(gb.book)
    row = next(r for r in table.rows if r.student == gb.people.student)
    assert row.average == Decimal("7.9")
    assert row.missing_tx == 2
    assert table.warnings == [("tx", 4, 2)]  # both students have fewer than four ĐĐGtx


def test_bad_values_are_reported_and_nothing_is_saved(gb):
    with pytest.raises(ValidationError) as error:
        _enter(gb, {"ĐĐGtx1": "8,5", "ĐĐGtx2": "8,55", "ĐĐGgk": "11"})
    text = " ".join(error.value.messages)
    assert "ĐĐGtx2" in text and "ĐĐGgk" in text
    assert not Mark.objects.exists()


def test_changes_after_entry_are_audited_and_locks_refuse_changes(gb):
    teacher, principal = gb.people.teacher, gb.people.principal
    _enter(gb, {"ĐĐGtx1": "6,5"})
    assert not AuditEntry.objects.exists()  # first entry: kept on the mark itself
    _enter(gb, {"ĐĐGtx1": "6.5"})  # the same value with a dot is no change
    assert not AuditEntry.objects.exists()
    services.record_marks(
        actor=teacher,
        gradebook=gb.book,
        entries={(columns(gb.book)["ĐĐGtx1"].pk, gb.people.student.pk): "7,5"},
        reason="Chấm phúc khảo",
    )
    change = AuditEntry.objects.get(action=AuditAction.CHANGE)
    assert (change.actor, change.old_value, change.new_value, change.reason) == (
        teacher,
        "6,5",
        "7,5",
        "Chấm phúc khảo",
    )

    column = columns(gb.book)["ĐĐGtx1"]
    services.lock_column(actor=teacher, column=column)
    with pytest.raises(ValidationError, match=r"khoá|khóa|locked"):
        _enter(gb, {"ĐĐGtx1": "9"})
    with pytest.raises(PermissionDenied):
        services.unlock_column(actor=teacher, column=column, reason="Nhập nhầm")
    with pytest.raises(ValidationError):
        services.unlock_column(actor=principal, column=column, reason="  ")
    services.unlock_column(actor=principal, column=column, reason="Nhập nhầm điểm")
    services.unlock_column(actor=gb.people.school_admin, column=column, reason="no-op when open")
    _enter(gb, {"ĐĐGtx1": "9"})

    services.lock_gradebook(actor=teacher, gradebook=gb.book)
    with pytest.raises(ValidationError):
        _enter(gb, {"ĐĐGgk": "9"})
    services.unlock_gradebook(actor=gb.people.school_admin, gradebook=gb.book, reason="Bổ sung điểm")
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "reason"))
    assert [a for a, _r in actions] == [
        AuditAction.CHANGE, AuditAction.LOCK_COLUMN, AuditAction.UNLOCK_COLUMN, AuditAction.CHANGE,
        AuditAction.LOCK_BOOK, AuditAction.UNLOCK_BOOK,
    ]  # fmt: skip
    assert ("unlock_column", "Nhập nhầm điểm") in actions


def test_comment_subject_accepts_only_dat_or_chua_dat(gb):
    gdtc = get_subject("giao-duc-the-chat")
    courses_api.set_subject_offering(school_year=gb.setup.year, grade=10, subject=gdtc, periods_per_year=70)
    courses_api.assign_teacher(school_class=gb.setup.klass, subject=gdtc, teacher=gb.people.teacher)
    book = services.open_gradebook(school_class=gb.setup.klass, subject=gdtc, semester=1)
    assert book.method == "comment"
    cols = columns(book)
    assert len([c for c in cols.values() if c.kind == ColumnKind.TX]) == 2
    s = gb.people.student
    with pytest.raises(ValidationError):
        services.record_marks(actor=gb.people.teacher, gradebook=book, entries={(cols["ĐĐGtx1"].pk, s.pk): "8"})
    entries = {(cols[label].pk, s.pk): "D" for label in ("ĐĐGtx1", "ĐĐGtx2", "ĐĐGgk", "ĐĐGck")}
    services.record_marks(actor=gb.people.teacher, gradebook=book, entries=entries)
    row = next(r for r in selectors.get_table(book).rows if r.student == s)
    assert row.result == "D"


def test_primary_profile_tt27(gb):
    toan = get_subject("toan")
    courses_api.set_subject_offering(school_year=gb.setup.year, grade=5, subject=toan, periods_per_year=175)
    klass = courses_api.create_class(school_year=gb.setup.year, name="5A", grade=5)
    courses_api.assign_teacher(school_class=klass, subject=toan, teacher=gb.people.teacher)
    pupil = UserFactory(username="hocsinh-5a", first_name="An", last_name="Phạm")
    schools_api.assign_role(user=pupil, school=gb.people.school, role=Role.STUDENT)
    courses_api.enroll_student(school_class=klass, student=pupil, number=1)
    book = services.open_gradebook(school_class=klass, subject=toan, semester=1)
    assert book.profile == "TT27_2020"
    labels = [c.label for c in selectors.get_table(book).columns]
    assert labels[0].startswith("GK1") and len(labels) == 4  # rating and test at GK1 and CK1 (grade 5, Toán)
    cols = {(c.checkpoint, c.kind): c for c in book.columns.all()}
    s = pupil
    services.record_marks(
        actor=gb.people.teacher, gradebook=book,
        entries={(cols[("CK1", "rating")].pk, s.pk): "HTT", (cols[("CK1", "test")].pk, s.pk): "9"},
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"whole|nguyên"):
        services.record_marks(
            actor=gb.people.teacher, gradebook=book, entries={(cols[("GK1", "test")].pk, s.pk): "8,5"}
        )
    assert Mark.objects.get(column=cols[("CK1", "test")]).score == Decimal(9)


def test_a_teacher_cannot_read_another_class_and_the_refusal_is_logged(gb, client):
    other_book = services.open_gradebook(school_class=gb.other_class, subject=get_subject("toan"), semester=1)
    client.login(username=gb.people.teacher.username, password=PASSWORD)
    assert client.get(f"/so-diem/{gb.book.pk}/").status_code == 200
    response = client.get(f"/so-diem/{other_book.pk}/", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 403
    refusal = RefusedAccess.objects.get()
    assert (refusal.user, refusal.what, refusal.ip) == (gb.people.teacher, "read gradebook", "10.0.0.7")
    assert refusal.object_ref == f"gradebook.Gradebook:{other_book.pk}"
    assert client.get(f"/so-diem/lop/{gb.other_class.pk}/hk1/so-diem.xlsx").status_code == 403
    assert client.get(f"/so-diem/lop/{gb.other_class.pk}/tong-ket/1/").status_code == 403
    assert RefusedAccess.objects.count() == 3
    # The other class's teacher cannot edit ours either; the principal reads both, the student neither.
    client.login(username=gb.other_teacher.username, password=PASSWORD)
    assert client.post(f"/so-diem/{gb.book.pk}/", {}).status_code == 403
    client.login(username=gb.people.principal.username, password=PASSWORD)
    assert client.get(f"/so-diem/{other_book.pk}/").status_code == 200
    assert client.get(f"/so-diem/{gb.book.pk}/").status_code == 200
    client.login(username=gb.people.student.username, password=PASSWORD)
    assert client.get(f"/so-diem/{gb.book.pk}/").status_code == 403
    assert RefusedAccess.objects.count() == 5
    # The same refusals reach the school-wide log the principal reads on the privacy pages.
    school_log = privacy_api.get_refusals(gb.people.school)
    assert len(school_log) == 5
    assert {(r.actor, r.ip) for r in school_log} >= {(gb.people.teacher, "10.0.0.7")}
    assert all(r.resource.startswith("gradebook: ") for r in school_log)


def test_homeroom_teacher_reads_every_subject_of_the_class(gb, client):
    van = get_subject("ngu-van")
    courses_api.set_subject_offering(school_year=gb.setup.year, grade=10, subject=van, periods_per_year=105)
    courses_api.assign_teacher(school_class=gb.setup.klass, subject=van, teacher=gb.other_teacher)
    van_book = services.open_gradebook(school_class=gb.setup.klass, subject=van, semester=1)
    client.login(username=gb.people.teacher.username, password=PASSWORD)  # homeroom teacher of 10A1
    response = client.get(f"/so-diem/{van_book.pk}/")
    assert response.status_code == 200
    assert b'name="m-' not in response.content  # reads, does not edit
    assert client.post(f"/so-diem/{van_book.pk}/", {}).status_code == 403


def test_page_saves_decimal_comma_and_shows_the_average(gb, client):
    cols = columns(gb.book)
    s = gb.people.student
    client.login(username=gb.people.teacher.username, password=PASSWORD)
    data = {f"m-{cols[k].pk}-{s.pk}": v for k, v in {"ĐĐGtx1": "8", "ĐĐGtx2": "9", "ĐĐGgk": "7", "ĐĐGck": "8"}.items()}
    assert client.post(f"/so-diem/{gb.book.pk}/", data).status_code == 302
    page = client.get(f"/so-diem/{gb.book.pk}/").content.decode()
    assert "7,9" in page
    bad = client.post(f"/so-diem/{gb.book.pk}/", {f"m-{cols['ĐĐGtx3'].pk}-{s.pk}": "12"})
    assert bad.status_code == 400 and "12" in bad.content.decode()


def test_excel_export_equals_the_screen(gb, client):
    s1, s2 = gb.people.student, gb.setup.student2
    _enter(gb, {"ĐĐGtx1": "8", "ĐĐGtx2": "9", "ĐĐGgk": "7", "ĐĐGck": "8"}, student=s1)
    _enter(gb, {"ĐĐGtx1": "6,5", "ĐĐGtx2": "7", "ĐĐGtx3": "5,5", "ĐĐGgk": "8,2", "ĐĐGck": "9"}, student=s2)
    client.login(username=gb.people.teacher.username, password=PASSWORD)
    screen = client.get(f"/so-diem/{gb.book.pk}/").content.decode()
    response = client.get(f"/so-diem/lop/{gb.setup.klass.pk}/hk1/so-diem.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Toán"]
    header = [c.value for c in sheet[6]]
    assert header[:3] == ["STT", "Mã định danh", "Họ và tên"] and header[-1] == "ĐTBmhk"
    table = selectors.get_table(gb.book)
    for offset, row in enumerate(table.rows, start=7):
        values = [c.value for c in sheet[offset]]
        assert values[1] == (row.student.ma_dinh_danh or None) or values[1] == (row.student.ma_dinh_danh or "")
        assert values[2] == row.student.get_full_name()
        shown = [(m and str(m.score).replace(".", ",")) or None for _c, m in row.cells]
        assert [None if v is None else f"{Decimal(str(v)):.1f}".replace(".", ",") for v in values[3:-1]] == shown
        average = f"{Decimal(str(values[-1])):.1f}".replace(".", ",")
        assert average == f"{row.average}".replace(".", ",")
        assert f">{average}<" in screen.replace(" ", "")


def test_csv_exchange_records_are_versioned(gb):
    s1 = gb.people.student
    _enter(gb, {"ĐĐGtx1": "8"}, student=s1)
    first = list(csv.DictReader(io.StringIO(exports.exchange_csv(gb.setup.klass, 1))))
    assert len(first) == 1  # the second student has no marks yet: nothing to send
    record = first[0]
    assert (record["sukien"], record["phienban"], record["ma_dinh_danh"]) == ("NEW", "1", s1.ma_dinh_danh)
    assert record["diem_tx"] == "8,0" and record["ma_mon"] == "toan" and record["quy_dinh"] == "TT22_2021"
    assert date.fromisoformat(record["thoigiancapnhat"][:10])
    again = list(csv.DictReader(io.StringIO(exports.exchange_csv(gb.setup.klass, 1))))
    assert again == first  # unchanged marks: same record and version
    _enter(gb, {"ĐĐGtx1": "8,5", "ĐĐGgk": "7"}, student=s1)
    [updated] = list(csv.DictReader(io.StringIO(exports.exchange_csv(gb.setup.klass, 1))))
    assert (updated["idbanghi"], updated["sukien"], updated["phienban"]) == (record["idbanghi"], "UPDATE", "2")
    assert updated["diem_tx"] == "8,5" and updated["diem_gk"] == "7,0"


def test_transferred_assignment_score_becomes_a_regular_assessment(gb, django_capture_on_commit_callbacks):
    from lms.courses import services as courses_services

    setup = gb.setup
    courses_api.create_semester(school_year=setup.year, number=1, starts_on=date(2026, 9, 5), ends_on=date(2027, 1, 15))
    from tests.courses.test_assignments import _assignment

    assignment = _assignment(setup, counts_as_regular_assessment=True)
    submission = courses_services.submit_assignment(student=gb.people.student, assignment=assignment, text="x")
    courses_services.score_submission(actor=gb.people.teacher, submission=submission, score="8,5")
    submission.refresh_from_db()
    if courses_api.get_semester_number_on(setup.year, timezone.localdate(submission.scored_at)) != 1:
        pytest.skip("today is outside the test's first semester")
    with django_capture_on_commit_callbacks(execute=True):
        courses_services.send_score_to_gradebook(actor=gb.people.teacher, submission=submission)
    mark = Mark.objects.get(column__gradebook=gb.book, student=gb.people.student)
    assert (mark.column.label, mark.score, mark.source) == (
        "ĐĐGtx1",
        Decimal("8.5"),
        f"courses.assignment:{assignment.pk}",
    )


SUBJECTS = ["toan", "ngu-van", "tieng-anh", "vat-li", "hoa-hoc", "sinh-hoc", "lich-su", "dia-li"]


def test_class_summary_suggests_the_adjusted_level_and_the_homeroom_teacher_confirms(gb, client):
    """R21's second worked example through real gradebooks: seven subjects at 8,0 and one at 3,0 → Đạt (raised)."""
    setup, teacher, s1 = gb.setup, gb.people.teacher, gb.people.student
    for code in SUBJECTS:
        subject = get_subject(code)
        if code != "toan":
            courses_api.set_subject_offering(school_year=setup.year, grade=10, subject=subject, periods_per_year=70)
            courses_api.assign_teacher(school_class=setup.klass, subject=subject, teacher=teacher)
        book = services.open_gradebook(school_class=setup.klass, subject=subject, semester=1)
        value = "3" if code == "dia-li" else "8"
        entries = {(c.pk, s1.pk): value for c in book.columns.all()}
        services.record_marks(actor=teacher, gradebook=book, entries=entries)
    summary = selectors.get_class_summary(setup.klass, "1")
    line = next(line for line in summary.lines if line.student == s1)
    assert [str(v) for _s, v in line.subjects].count("8.0") == 7
    assert (line.by_threshold, line.suggested, line.adjusted) == ("chua_dat", "dat", True)
    other = next(line for line in summary.lines if line.student == setup.student2)
    assert other.suggested is None and other.missing == 8  # no marks: no suggestion

    client.login(username=teacher.username, password=PASSWORD)  # the homeroom teacher of 10A1
    page = client.get(f"/so-diem/lop/{setup.klass.pk}/tong-ket/1/").content.decode()
    assert "nâng từ Chưa đạt" in page
    response = client.post(
        f"/so-diem/lop/{setup.klass.pk}/tong-ket/1/",
        {f"level-{s1.pk}": "dat", f"conduct-{s1.pk}": "tot", f"comment-{s1.pk}": "Chăm ngoan"},
    )
    assert response.status_code == 302
    result = selectors.get_class_summary(setup.klass, "1").lines[0].result
    assert (result.level, result.suggested_level, result.conduct, result.level_confirmed_by) == (
        "dat", "dat", "tot", teacher
    )  # fmt: skip
    assert AuditEntry.objects.filter(action=AuditAction.LEVEL, student=s1).exists()
    # The principal reads the summary but does not confirm it.
    client.login(username=gb.people.principal.username, password=PASSWORD)
    assert client.get(f"/so-diem/lop/{setup.klass.pk}/tong-ket/1/").status_code == 200
    assert client.post(f"/so-diem/lop/{setup.klass.pk}/tong-ket/1/", {}).status_code == 403


def test_a_subject_offered_but_never_opened_keeps_the_summary_incomplete(gb, client):
    """Toán is complete; Ngữ văn is offered to grade 10 but its gradebook was never opened: no level is suggested
    for anybody, and the page names the subject."""
    setup, teacher, s1 = gb.setup, gb.people.teacher, gb.people.student
    book = services.open_gradebook(school_class=setup.klass, subject=get_subject("toan"), semester=1)
    services.record_marks(actor=teacher, gradebook=book, entries={(c.pk, s1.pk): "8" for c in book.columns.all()})
    assert next(line for line in selectors.get_class_summary(setup.klass, "1").lines if line.student == s1).suggested
    ngu_van = get_subject("ngu-van")
    courses_api.set_subject_offering(school_year=setup.year, grade=10, subject=ngu_van, periods_per_year=105)
    summary = selectors.get_class_summary(setup.klass, "1")
    line = next(line for line in summary.lines if line.student == s1)
    assert summary.unopened == [ngu_van] and ngu_van in summary.subjects
    assert (line.suggested, line.missing) == (None, 1)
    client.login(username=teacher.username, password=PASSWORD)
    page = client.get(f"/so-diem/lop/{setup.klass.pk}/tong-ket/1/").content.decode()
    assert 'data-testid="unopened"' in page and "Ngữ văn" in page


def test_gradebook_page_query_count_does_not_grow_with_marks(gb, client, django_assert_max_num_queries):
    _enter(gb, {"ĐĐGtx1": "8", "ĐĐGtx2": "9", "ĐĐGgk": "7", "ĐĐGck": "8"})
    _enter(gb, {"ĐĐGtx1": "5", "ĐĐGgk": "6", "ĐĐGck": "6,5"}, student=gb.setup.student2)
    client.login(username=gb.people.teacher.username, password=PASSWORD)
    with django_assert_max_num_queries(25):
        assert client.get(f"/so-diem/{gb.book.pk}/").status_code == 200


def test_csv_cancels_the_record_of_a_student_who_left_the_class(gb):
    from lms.courses.models import Enrollment  # the class list itself; no API removes a student yet

    s2 = gb.setup.student2
    _enter(gb, {"ĐĐGtx1": "7"}, student=s2)
    [record] = list(csv.DictReader(io.StringIO(exports.exchange_csv(gb.setup.klass, 1))))
    Enrollment.objects.filter(student=s2).delete()
    [cancelled] = list(csv.DictReader(io.StringIO(exports.exchange_csv(gb.setup.klass, 1))))
    assert (cancelled["idbanghi"], cancelled["sukien"], cancelled["phienban"]) == (record["idbanghi"], "CANCEL", "2")
    [again] = list(csv.DictReader(io.StringIO(exports.exchange_csv(gb.setup.klass, 1))))
    assert again["phienban"] == "2"  # a cancelled record is not cancelled again


def test_a_students_data_export_includes_their_marks_and_only_theirs(gb):
    _enter(gb, {"ĐĐGtx1": "8,5", "ĐĐGgk": "7"})
    _enter(gb, {"ĐĐGtx1": "6"}, student=gb.setup.student2)
    provider = privacy_api.export_providers()["gradebook"]  # registered by GradebookConfig.ready()
    data = provider(gb.people.student, gb.people.school)
    assert {(m["column"], m["score"]) for m in data["marks"]} == {("ĐĐGtx1", "8.5"), ("ĐĐGgk", "7.0")}
    assert all(m["semester"] == 1 and m["class"] == gb.book.school_class.name for m in data["marks"])
