"""Assignments: instructions, attachments, due date and late policy; submissions as text, files or photos in the
default storage; teacher feedback and a Decimal score shown with a decimal comma (R17); sending a score to the
gradebook as a regular assessment (R11)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from curriculum.api import get_subject
from lms.courses import rules, services
from lms.courses.models import DeliveryForm, LatePolicy, Submission
from lms.courses.signals import regular_assessment_recorded
from tests.courses.support import in_days, yesterday

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _assignment(setup, **overrides):
    fields = {
        "actor": setup.people.teacher,
        "course": setup.course,
        "title": "Bài tập 1. Tập hợp",
        "instructions": "Làm bài 1.1 đến 1.5, chụp ảnh bài làm.",
        "release_at": yesterday(),
        "due_at": in_days(3),
        "delivery_form": DeliveryForm.HO_TRO,
        "attachments": [SimpleUploadedFile("de-bai.pdf", b"%PDF-1.4 de bai", content_type="application/pdf")],
    }
    fields.update(overrides)
    return services.create_assignment(**fields)


def test_an_assignment_is_a_plan_item_with_its_attachments_in_storage(setup):
    assignment = _assignment(setup, counts_as_regular_assessment=True)
    assert assignment.item.kind == "assignment" and assignment.item.course == setup.course
    attachment = assignment.attachments.get()
    assert attachment.name == "de-bai.pdf"
    assert default_storage.exists(attachment.file.name)


def test_an_assignment_needs_instructions_and_a_due_date(setup):
    with pytest.raises(ValidationError) as error:
        _assignment(setup, instructions=" ", due_at=None, attachments=[])
    assert {"instructions", "due_at"} <= set(error.value.message_dict)


def test_a_student_hands_in_text_files_and_photos(setup):
    assignment = _assignment(setup)
    submission = services.submit_assignment(
        student=setup.people.student,
        assignment=assignment,
        text="Bài 1.1: A ∪ B = {1; 2; 3}.",
        files=[
            SimpleUploadedFile("bai-lam.pdf", b"%PDF-1.4 bai lam", content_type="application/pdf"),
            SimpleUploadedFile("anh.png", PNG, content_type="image/png"),
        ],
    )
    assert not submission.is_late
    files = {f.name: f for f in submission.files.all()}
    assert set(files) == {"bai-lam.pdf", "anh.png"}
    assert files["anh.png"].is_photo and not files["bai-lam.pdf"].is_photo
    with default_storage.open(files["bai-lam.pdf"].file.name) as stored:
        assert stored.read() == b"%PDF-1.4 bai lam"
    # Handing in again before scoring adds to the same submission.
    services.submit_assignment(student=setup.people.student, assignment=assignment, text="Sửa bài 1.2")
    assert Submission.objects.get(pk=submission.pk).text == "Sửa bài 1.2"
    assert submission.files.count() == 2


def test_empty_work_unreleased_assignments_and_outsiders_are_refused(setup):
    assignment = _assignment(setup)
    with pytest.raises(ValidationError):
        services.submit_assignment(student=setup.people.student, assignment=assignment, text="  ")
    later = _assignment(setup, release_at=in_days(1), due_at=in_days(4))
    with pytest.raises(ValidationError, match=r"chưa|not open"):
        services.submit_assignment(student=setup.people.student, assignment=later, text="x")
    for outsider in (setup.people.parent, setup.people.teacher):
        with pytest.raises(PermissionDenied):
            services.submit_assignment(student=outsider, assignment=assignment, text="x")


def test_late_work_follows_the_late_policy(setup):
    accepting = _assignment(setup, release_at=yesterday() - timedelta(days=3), due_at=yesterday())
    submission = services.submit_assignment(student=setup.people.student, assignment=accepting, text="muộn")
    assert submission.is_late
    refusing = _assignment(
        setup,
        release_at=yesterday() - timedelta(days=3),
        due_at=yesterday(),
        late_policy=LatePolicy.REFUSE,
    )
    with pytest.raises(ValidationError, match=r"hạn|due date"):
        services.submit_assignment(student=setup.people.student, assignment=refusing, text="muộn")


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("8,5", Decimal("8.5"), "8,5"),
        ("10", Decimal("10.0"), "10,0"),
        ("0", Decimal("0.0"), "0,0"),
        (" 7.0 ", Decimal("7.0"), "7,0"),
    ],
)
def test_scores_are_decimals_shown_with_a_comma(setup, typed, stored, shown):
    assignment = _assignment(setup)
    submission = services.submit_assignment(student=setup.people.student, assignment=assignment, text="x")
    services.score_submission(actor=setup.people.teacher, submission=submission, score=typed, feedback="Tốt")
    submission.refresh_from_db()
    assert submission.score == stored and isinstance(submission.score, Decimal)
    assert rules.format_score(submission.score) == shown


@pytest.mark.parametrize("typed", ["10,5", "-1", "8,25", "tám", "nan", ""])
def test_invalid_scores_are_refused_with_a_reason(setup, typed):
    assignment = _assignment(setup)
    submission = services.submit_assignment(student=setup.people.student, assignment=assignment, text="x")
    with pytest.raises(ValidationError) as error:
        services.score_submission(actor=setup.people.teacher, submission=submission, score=typed)
    assert "score" in error.value.message_dict
    submission.refresh_from_db()
    assert submission.score is None


@pytest.mark.parametrize("who", ["student", "parent", "group_head", "principal", "school_admin"])
def test_only_the_course_teacher_scores(setup, who):
    submission = services.submit_assignment(student=setup.people.student, assignment=_assignment(setup), text="x")
    with pytest.raises(PermissionDenied):
        services.score_submission(actor=getattr(setup.people, who), submission=submission, score="9")


def test_scored_work_cannot_be_changed(setup):
    assignment = _assignment(setup)
    submission = services.submit_assignment(student=setup.people.student, assignment=assignment, text="x")
    services.score_submission(actor=setup.people.teacher, submission=submission, score="9")
    with pytest.raises(ValidationError):
        services.submit_assignment(student=setup.people.student, assignment=assignment, text="đổi")


def test_a_score_goes_to_the_gradebook_once_as_a_regular_assessment(setup, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    regular_assessment_recorded.connect(receiver)
    try:
        assignment = _assignment(setup, counts_as_regular_assessment=True)
        submission = services.submit_assignment(student=setup.people.student, assignment=assignment, text="x")
        with pytest.raises(ValidationError):
            services.send_score_to_gradebook(actor=setup.people.teacher, submission=submission)  # not scored yet
        services.score_submission(actor=setup.people.teacher, submission=submission, score="8,5")
        submission.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            transfer = services.send_score_to_gradebook(actor=setup.people.teacher, submission=submission)
        assert transfer.score == Decimal("8.5")
        assert received == [
            {
                "signal": regular_assessment_recorded,
                "transfer_id": transfer.pk,
                "student_id": setup.people.student.pk,
                "school_class_id": setup.klass.pk,
                "subject_id": setup.course.subject_id,
                "score": Decimal("8.5"),
                "recorded_on": timezone.localdate(submission.scored_at),
                "source": f"courses.assignment:{assignment.pk}",
                "sent_by_id": setup.people.teacher.pk,
            }
        ]
        with pytest.raises(ValidationError, match=r"đã|already"):
            services.send_score_to_gradebook(actor=setup.people.teacher, submission=submission)
        with pytest.raises(PermissionDenied):
            services.send_score_to_gradebook(actor=setup.people.principal, submission=submission)
    finally:
        regular_assessment_recorded.disconnect(receiver)


def test_comment_subjects_and_ordinary_assignments_send_no_score(setup):
    ordinary = _assignment(setup)
    submission = services.submit_assignment(student=setup.people.student, assignment=ordinary, text="x")
    services.score_submission(actor=setup.people.teacher, submission=submission, score="7")
    with pytest.raises(ValidationError):
        services.send_score_to_gradebook(actor=setup.people.teacher, submission=submission)
    services.set_subject_offering(
        school_year=setup.year, grade=10, subject=get_subject("toan"), periods_per_year=105, assessment_method="comment"
    )
    counted = _assignment(setup, counts_as_regular_assessment=True)
    submission = services.submit_assignment(student=setup.people.student, assignment=counted, text="x")
    services.score_submission(actor=setup.people.teacher, submission=submission, score="7")
    with pytest.raises(ValidationError, match=r"nhận xét|comment"):
        services.send_score_to_gradebook(actor=setup.people.teacher, submission=submission)
