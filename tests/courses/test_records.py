"""The class's online-teaching record (R13): a ZIP with the plan (TT 09 form, resource version), attendance,
assignments and results, Q&A; for leadership and the homeroom teacher only."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lms.courses import services
from lms.courses.models import DeliveryForm, ItemKind
from tests.courses.support import in_days, yesterday
from tests.support.people import make_school_people


def _read(archive, name):
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_records_zip(client, setup):
    people = setup.people
    item = services.add_plan_item(
        actor=people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )
    assignment = services.create_assignment(
        actor=people.teacher,
        course=setup.course,
        title="Bài tập",
        instructions="Làm bài.",
        release_at=yesterday(),
        due_at=in_days(2),
        delivery_form=DeliveryForm.HO_TRO,
    )
    submission = services.submit_assignment(student=people.student, assignment=assignment, text="x")
    services.score_submission(actor=people.teacher, submission=submission, score="7,5", feedback="Khá")
    start = timezone.now() - timedelta(hours=3)
    session = services.schedule_session(
        actor=people.teacher,
        course=setup.course,
        title="Buổi 1",
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        provider="jitsi",
        meeting_url="https://meet.jit.si/buoi-1",
    )
    services.correct_attendance(actor=people.teacher, session=session, student=people.student, status="present")
    question = services.ask_question(author=setup.student2, course=setup.course, title="Hỏi về tập rỗng", item=item)
    services.answer_question(author=people.teacher, question=question, body="Xem ví dụ 2.")

    url = reverse("courses:class_records", args=[setup.klass.pk])
    client.force_login(people.principal)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {
        "ke-hoach.csv",
        "diem-danh.csv",
        "bai-tap.csv",
        "hoi-dap.csv",
        "hoc-lieu.csv",
        "kiem-tra-luyen-tap.csv",
        "ho-so.html",
        "ho-so.pdf",
    }
    plan = _read(archive, "ke-hoach.csv")
    assert plan[1][2] == setup.lesson.title and plan[1][4] == "HO_TRO"
    assert plan[1][9] == str(setup.lesson.live_revision_id)
    results = _read(archive, "bai-tap.csv")
    assert results[1][3] == people.student.get_full_name() and results[1][6] == "7,5"
    attendance = {row[4]: row[5] for row in _read(archive, "diem-danh.csv")[1:]}
    assert attendance[setup.student2.get_full_name()] == "vắng"
    assert attendance[people.student.get_full_name()] in {"Có mặt", "Present"}
    assert _read(archive, "hoi-dap.csv")[1][5] == "Xem ví dụ 2."
    assert setup.lesson.title in archive.read("ho-so.html").decode()

    # The PDF, read back: every Vietnamese letter survives (names, titles, headings, the feedback).
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(archive.read("ho-so.pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert pdf.metadata.title == "Hồ sơ dạy học trực tuyến lớp 10A1, năm học 2026–2027"
    for expected in (
        "Hồ sơ dạy học trực tuyến lớp 10A1",
        "Kế hoạch dạy học trực tuyến",
        setup.lesson.title,
        f"{setup.lesson.pk}/r{setup.lesson.live_revision_id}",
        "Điểm danh",
        people.student.get_full_name(),
        setup.student2.get_full_name(),
        "7,5",
        "Khá",
        "Hỏi về tập rỗng",
        "Xem ví dụ 2.",
        people.school.name,
    ):
        assert expected in text, expected

    client.force_login(people.teacher)  # the homeroom teacher of 10A1
    assert client.get(url).status_code == 200
    other = make_school_people(prefix="khac.")
    for outsider in (people.student, people.parent, people.group_head, people.school_admin, other.principal):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
