"""A regrade of a computer-based test (lms.exams ``regrade_test``) updates the marks already moved from its sitting
into the gradebook, in the same transaction, where the gradebook's rules allow: locked columns or gradebooks,
confirmed levels, marks typed over by hand and regraders who do not teach the class are reported and audited, never
overwritten."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from curriculum.api import get_subject
from lms.exams import services as exams
from lms.exams.models import Attempt
from lms.exams.models import AuditEntry as ExamAudit
from lms.gradebook import services
from lms.gradebook.models import AuditEntry, Mark, StudentResult
from lms.gradebook.rules import Level
from tests.exams.support import make_bank, schedule, toan_test
from tests.gradebook.support import columns


def _right(slot):
    if slot["content"]["type"] == "true_false_4":
        return dict(zip("abcd", slot["key"], strict=True))
    return slot["key"]


def _bank_label(slot, shown):
    return slot["choice_order"]["ABCD".index(shown)] if slot.get("choice_order") else shown


@pytest.fixture
def moved(db):
    """The student answers all right but one Part I question (9,75 → 9,8), and the teacher moves the score into
    ĐĐGtx1, ĐĐGtx2, ĐĐGgk and ĐĐGck. ``accept()`` corrects that question's key to the student's answer (→ 10),
    ``restore()`` puts the first key back (→ 9,8 again)."""
    setup = make_bank()
    test = toan_test(setup, variants=2)
    sitting = schedule(setup, test, access_code="K12")
    student, teacher = setup.people.student, setup.people.teacher
    attempt = Attempt.objects.select_related("variant", "sitting").get(sitting=sitting, student=student)
    attempt = exams.start_attempt(attempt=attempt, student=student, access_code="K12")
    slots = attempt.variant.slots()
    first = next(s for s in slots if s["content"]["type"] == "single_choice")
    wrong = next(label for label in "ABCD" if label != first["key"])
    changes = [
        {"seq": n, "slot": s["slot"], "response": wrong if s is first else _right(s)} for n, s in enumerate(slots, 1)
    ]
    exams.save_changes(attempt_id=attempt.pk, student=student, changes=changes)
    exams.submit_attempt(attempt=attempt)
    book = services.open_gradebook(school_class=setup.cls.klass, subject=get_subject("toan"), semester=1)
    cols = columns(book)
    for label in ("ĐĐGtx1", "ĐĐGtx2", "ĐĐGgk", "ĐĐGck"):
        services.transfer_exam_scores(actor=teacher, gradebook=book, sitting=sitting, column=cols[label])

    def accept(by=teacher):
        exams.correct_key(
            test=test, version_id=first["version"], by=by, reason="Chấp nhận", key=_bank_label(first, wrong)
        )
        return exams.regrade_test(test=test, by=by, reason="Sửa đáp án câu 1")

    def restore(by=teacher):
        exams.correct_key(
            test=test, version_id=first["version"], by=by, reason="Trả lại", key=_bank_label(first, first["key"])
        )
        return exams.regrade_test(test=test, by=by, reason="Trả lại đáp án cũ")

    return {
        "setup": setup,
        "test": test,
        "sitting": sitting,
        "book": book,
        "cols": cols,
        "accept": accept,
        "restore": restore,
    }


def _score(moved, label):
    return Mark.objects.get(column=moved["cols"][label], student=moved["setup"].people.student).score


def test_a_regrade_updates_the_moved_marks_and_audits_them(moved):
    teacher, student = moved["setup"].people.teacher, moved["setup"].people.student
    assert _score(moved, "ĐĐGgk") == D("9.8")
    result = moved["accept"]()
    assert [c["student"] for c in result] == [student.username]
    assert result.gradebook["not_updated"] == []
    assert sorted(r["column"] for r in result.gradebook["updated"]) == ["ĐĐGck", "ĐĐGgk", "ĐĐGtx1", "ĐĐGtx2"]
    assert {(r["old"], r["new"], r["username"]) for r in result.gradebook["updated"]} == {
        ("9,8", "10,0", student.username)
    }
    assert all(_score(moved, label) == D(10) for label in ("ĐĐGtx1", "ĐĐGtx2", "ĐĐGgk", "ĐĐGck"))
    entry = AuditEntry.objects.get(column=moved["cols"]["ĐĐGgk"], student=student)
    assert (entry.old_value, entry.new_value, entry.actor) == ("9,8", "10,0", teacher)
    assert entry.reason == f"Chấm lại bài kiểm tra {moved['sitting']}: Sửa đáp án câu 1"
    assert ExamAudit.objects.filter(action="regraded").latest("pk").data["gradebook"] == result.gradebook
    # running the regrade again changes nothing, in the tests or in the gradebook
    assert exams.regrade_test(test=moved["test"], by=teacher, reason="Chạy lại") == []
    assert AuditEntry.objects.filter(student=student).count() == 4
    # back to the first key: the marks follow again
    result = moved["restore"]()
    assert len(result.gradebook["updated"]) == 4 and _score(moved, "ĐĐGck") == D("9.8")


def test_locked_and_hand_typed_marks_are_reported_and_not_overwritten(moved):
    teacher, student = moved["setup"].people.teacher, moved["setup"].people.student
    cols = moved["cols"]
    services.lock_column(actor=teacher, column=cols["ĐĐGck"])
    services.record_mark(actor=teacher, column=cols["ĐĐGtx2"], student=student, value="7", reason="Gõ lại")
    result = moved["accept"]()
    assert sorted(r["column"] for r in result.gradebook["updated"]) == ["ĐĐGgk", "ĐĐGtx1"]
    why = {r["column"]: r for r in result.gradebook["not_updated"]}
    assert set(why) == {"ĐĐGck", "ĐĐGtx2"}
    assert why["ĐĐGck"]["why"] == "cột ĐĐGck đã khoá"
    assert why["ĐĐGtx2"]["why"].startswith("điểm không còn là điểm bài kiểm tra trước khi chấm lại (9,8)")
    assert (why["ĐĐGtx2"]["old"], why["ĐĐGtx2"]["new"]) == ("7,0", "10,0")
    assert (_score(moved, "ĐĐGck"), _score(moved, "ĐĐGtx2"), _score(moved, "ĐĐGtx1")) == (D("9.8"), D(7), D(10))
    refused = AuditEntry.objects.filter(action="regrade_refused", student=student)
    assert {a.column.label for a in refused} == {"ĐĐGck", "ĐĐGtx2"}
    assert all(a.actor == teacher and "Sửa đáp án câu 1" in a.reason for a in refused)


def test_a_confirmed_level_or_a_locked_gradebook_keeps_the_marks(moved):
    setup, teacher, student = moved["setup"], moved["setup"].people.teacher, moved["setup"].people.student
    StudentResult.objects.create(school_class=setup.cls.klass, period="1", student=student, level=Level.KHA)
    result = moved["accept"]()
    assert result.gradebook["updated"] == [] and len(result.gradebook["not_updated"]) == 4
    assert {r["why"] for r in result.gradebook["not_updated"]} == {
        "giáo viên chủ nhiệm đã xác nhận mức đánh giá Học kì I"
    }
    assert _score(moved, "ĐĐGgk") == D("9.8")
    assert AuditEntry.objects.filter(action="regrade_refused").count() == 4
    StudentResult.objects.all().delete()
    services.lock_gradebook(actor=teacher, gradebook=moved["book"])
    result = moved["restore"]()  # the attempt goes back to 9,75; the marks still hold 9,8 and stay
    assert result.gradebook == {"updated": [], "not_updated": []}  # 9,8 is already the score: nothing to change
    result = moved["accept"]()
    assert result.gradebook["updated"] == [] and len(result.gradebook["not_updated"]) == 4
    assert {r["why"] for r in result.gradebook["not_updated"]} == {"sổ điểm đã khoá"}
    assert _score(moved, "ĐĐGgk") == D("9.8")


def test_a_regrader_who_does_not_teach_the_class_leaves_the_marks_to_its_teacher(moved):
    head = moved["setup"].people.group_head
    result = moved["accept"](by=head)
    assert result.gradebook["updated"] == [] and len(result.gradebook["not_updated"]) == 4
    assert _score(moved, "ĐĐGgk") == D("9.8")
    assert {r["why"] for r in result.gradebook["not_updated"]} == {
        "thầy/cô không dạy môn này ở lớp này: giáo viên bộ môn sẽ chuyển lại điểm"
    }
    assert AuditEntry.objects.filter(action="regrade_refused", actor=head).count() == 4


def test_the_regrade_and_the_gradebook_are_one_transaction(moved, monkeypatch):
    student = moved["setup"].people.student

    def broken(**kwargs):
        raise RuntimeError("gradebook down")

    monkeypatch.setattr(services, "apply_exam_regrade", broken)
    with pytest.raises(RuntimeError):
        moved["accept"]()
    attempt = Attempt.objects.get(sitting=moved["sitting"], student=student)
    assert attempt.points == D("9.75")  # the regrade was rolled back with the gradebook's failure
    assert not ExamAudit.objects.filter(action="regraded").exists()


def test_the_regrade_page_says_what_happened_in_the_gradebook(moved, client, settings):
    teacher, student = moved["setup"].people.teacher, moved["setup"].people.student
    services.lock_column(actor=teacher, column=moved["cols"]["ĐĐGck"])
    test = moved["test"]
    first = next(
        s
        for s in Attempt.objects.get(sitting=moved["sitting"], student=student).variant.slots()
        if s["content"]["type"] == "single_choice"
    )
    wrong = next(label for label in "ABCD" if label != first["key"])
    exams.correct_key(test=test, version_id=first["version"], by=teacher, reason="x", key=_bank_label(first, wrong))
    client.force_login(teacher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("exams:regrade", args=[test.pk])
    html = client.post(url, {"action": "regrade", "reason": "Sửa đáp án"}, follow=True).content.decode()
    assert "Gradebook: 3 marks moved from this test were updated." in html
    assert "Gradebook not updated for" in html and "ĐĐGck" in html and "locked" in html
    history = html.split('data-testid="history"')[1]
    assert 'data-testid="gradebook-report"' in history and "Gradebook: 3 marks updated." in history
