"""Scores of a graded computer-based test (lms.exams) moved into a gradebook column: preview, all-or-nothing
transfer, audit of changed marks, locked columns, access."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from curriculum.api import get_subject
from lms.exams import services as exams
from lms.exams.models import Answer, Attempt
from lms.gradebook import services
from lms.gradebook.models import AuditEntry, Mark, RefusedAccess
from lms.gradebook.selectors import get_exam_preview
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.exams.support import make_bank, schedule, toan_test
from tests.gradebook.support import columns
from tests.support.factories import UserFactory


def _right(slot):
    if slot["content"]["type"] == "true_false_4":
        return dict(zip("abcd", slot["key"], strict=True))
    return slot["key"]


def _wrong_single(slot):
    return next(label for label in "ABCD" if label != slot["key"])


@pytest.fixture
def graded(db):
    """A Toán sitting of 10A1: the first student answers everything right but one Part I question (9,75 → 9,8);
    the second never starts."""
    setup = make_bank()
    test = toan_test(setup, variants=2)
    sitting = schedule(setup, test, access_code="K12")
    student = setup.people.student
    attempt = Attempt.objects.select_related("variant", "sitting").get(sitting=sitting, student=student)
    attempt = exams.start_attempt(attempt=attempt, student=student, access_code="K12")
    slots = attempt.variant.slots()
    first_single = next(s for s in slots if s["content"]["type"] == "single_choice")
    changes = [
        {
            "seq": n,
            "slot": s["slot"],
            "response": _wrong_single(s) if s is first_single else _right(s),
        }
        for n, s in enumerate(slots, start=1)
    ]
    exams.save_changes(attempt_id=attempt.pk, student=student, changes=changes)
    attempt = exams.submit_attempt(attempt=attempt)
    assert attempt.points == D("9.75") and attempt.max_points == D(10)
    book = services.open_gradebook(school_class=setup.cls.klass, subject=get_subject("toan"), semester=1)
    return {"setup": setup, "sitting": sitting, "attempt": attempt, "slot": first_single, "book": book}


def test_preview_and_transfer_into_a_column(graded, client):
    setup, sitting, book = graded["setup"], graded["sitting"], graded["book"]
    teacher, student, student2 = setup.people.teacher, setup.people.student, setup.cls.student2
    gk = columns(book)["ĐĐGgk"]
    rows = {r.student.pk: r for r in get_exam_preview(book, sitting, gk)}
    assert rows[student.pk].score == D("9.8")  # 9,75 half-up
    assert rows[student2.pk].score is None and rows[student2.pk].missing

    client.force_login(teacher)
    url = reverse("gradebook:from_exam", args=[book.pk])
    page = client.get(url, {"sitting": sitting.pk, "column": gk.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "9,8" in html and 'data-testid="transfer"' in html

    response = client.post(url, {"sitting": sitting.pk, "column": gk.pk})
    assert response.status_code == 302
    mark = Mark.objects.get(column=gk, student=student)
    assert mark.score == D("9.8") and mark.entered_by == teacher
    assert mark.source.startswith(f"exams.sitting:{sitting.pk} ") and str(sitting) in mark.source
    assert not Mark.objects.filter(column=gk, student=student2).exists()
    assert not AuditEntry.objects.filter(column=gk).exists()  # a first entry is kept on the mark

    again = services.transfer_exam_scores(actor=teacher, gradebook=book, sitting=sitting, column=gk)
    assert again["changed"] == 0 and again["unchanged"] == 1
    assert [s.pk for s, _why in again["missing"]] == [student2.pk]


def test_re_transfer_after_a_regrade_audits_the_change(graded):
    setup, sitting, book, attempt = graded["setup"], graded["sitting"], graded["book"], graded["attempt"]
    teacher, student = setup.people.teacher, setup.people.student
    tx1 = columns(book)["ĐĐGtx1"]
    services.record_mark(actor=teacher, column=tx1, student=student, value="7")
    services.transfer_exam_scores(actor=teacher, gradebook=book, sitting=sitting, column=tx1)
    assert Mark.objects.get(column=tx1, student=student).score == D("9.8")
    entry = AuditEntry.objects.get(column=tx1, student=student)
    assert (entry.old_value, entry.new_value) == ("7,0", "9,8")
    assert entry.reason == f"Chuyển từ bài kiểm tra {sitting}"

    # Regrade: the teacher accepts the first Part I answer (the attempt is scored again by the exams grading).
    Answer.objects.filter(attempt=attempt, slot=graded["slot"]["slot"]).update(response=graded["slot"]["key"])
    exams.grade_attempt(Attempt.objects.select_related("variant").get(pk=attempt.pk))
    result = services.transfer_exam_scores(actor=teacher, gradebook=book, sitting=sitting, column=tx1)
    assert result["changed"] == 1
    assert Mark.objects.get(column=tx1, student=student).score == D(10)
    latest = AuditEntry.objects.filter(column=tx1, student=student).order_by("-pk").first()
    assert (latest.old_value, latest.new_value, latest.actor) == ("9,8", "10,0", teacher)


def test_a_locked_column_refuses_the_transfer_and_nothing_is_written(graded, client):
    setup, sitting, book = graded["setup"], graded["sitting"], graded["book"]
    teacher = setup.people.teacher
    ck = columns(book)["ĐĐGck"]
    services.lock_column(actor=teacher, column=ck)
    with pytest.raises(ValidationError, match="ĐĐGck"):
        services.transfer_exam_scores(actor=teacher, gradebook=book, sitting=sitting, column=ck)
    client.force_login(teacher)
    url = reverse("gradebook:from_exam", args=[book.pk])
    assert 'data-testid="transfer"' not in client.get(url, {"sitting": sitting.pk, "column": ck.pk}).content.decode()
    client.post(url, {"sitting": sitting.pk, "column": ck.pk})
    assert not Mark.objects.filter(column=ck).exists()


def test_another_teacher_is_refused_and_the_refusal_is_logged(graded, client):
    setup, sitting, book = graded["setup"], graded["sitting"], graded["book"]
    other = UserFactory(username="giaovien_khac")
    schools_api.assign_role(user=other, school=setup.people.school, role=Role.TEACHER)
    gk = columns(book)["ĐĐGgk"]
    with pytest.raises(PermissionDenied):
        services.transfer_exam_scores(actor=other, gradebook=book, sitting=sitting, column=gk)
    client.force_login(other)
    url = reverse("gradebook:from_exam", args=[book.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"sitting": sitting.pk, "column": gk.pk}).status_code == 403
    refusals = RefusedAccess.objects.filter(user=other, what="transfer test scores")
    assert refusals.count() == 2
    assert not Mark.objects.filter(column=gk).exists()
