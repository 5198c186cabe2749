"""The online-teaching record (hồ sơ dạy học trực tuyến, TT 09/2021 Art. 8, R13) of one class and school year, as a
ZIP of CSV files (UTF-8 with BOM, so Excel opens them) and a printable HTML summary:

- ``ke-hoach.csv``: every plan item of every course with its TT 09 form, the force-majeure decision it relies on,
  release and due dates, and the resource version used (lesson page id and revision id, or the typed reference);
- ``diem-danh.csv``: attendance of every live session;
- ``bai-tap.csv``: assignments and results (score with a decimal comma, feedback, whether sent to the gradebook);
- ``hoi-dap.csv``: questions and answers with authors and times;
- ``hoc-lieu.csv``: results of the library items in the plan (H5P, SCORM) from the library's tracking;
- ``kiem-tra-luyen-tap.csv``: status, score (0–10) and minutes of the tests and practice sets in the plan, from
  their registered providers (``providers.py``);
- ``ho-so.html``: a summary to print;
- ``ho-so.pdf``: the same record as a PDF (``lib.pdf``: DejaVu Sans, so every Vietnamese letter prints): the plan
  with the TT 09 form and resource version of each item, attendance per session and student, assignments and
  results, and the Q&A.
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone

from lms.courses.models import Answer, Attendance, Course, LiveSession, PlanItem, Question, Submission
from lms.courses.rules import format_score
from lms.courses.selectors import _enrolled_students

LIBRARY_HEADER = ["Môn", "Học liệu", "Mã định danh", "Học sinh", "Hoàn thành", "Điểm", "Số lần làm", "Số phút"]
PROVIDED_HEADER = ["Môn", "Nội dung", "Loại", "Mã định danh", "Học sinh", "Trạng thái", "Điểm", "Số phút"]
STATUS_TEXT = {"not_started": "chưa làm", "in_progress": "đang làm", "done": "đã làm xong"}


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    # Text a spreadsheet would run as a formula gets an apostrophe first.
    writer.writerows(
        [["'" + v if isinstance(v, str) and v[:1] in {"=", "+", "-", "@"} else v for v in row] for row in rows]
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def build(school_class) -> bytes:
    courses = list(Course.objects.filter(school_class=school_class).select_related("subject"))
    items = list(
        PlanItem.objects.filter(course__in=courses)
        .select_related("course__subject", "force_majeure", "lesson")
        .order_by("course__subject__sort_order", "position")
    )
    plan_rows = [
        [
            item.course.subject.name,
            item.position,
            item.title,
            item.get_kind_display(),
            item.delivery_form,
            item.force_majeure.decision_number if item.force_majeure_id else "",
            _when(item.release_at),
            _when(item.due_at),
            item.lesson_id or "",
            item.lesson_revision_id or "",
            item.reference,
            _when(item.archived_at),
        ]
        for item in items
    ]
    # Minutes spent are learning analytics: only for students whose learning_analytics consent holds ("—" else).
    students = {s.pk: s for s in _enrolled_students(school_class, with_analytics_consent=True)}
    sessions = list(LiveSession.objects.filter(course__in=courses).select_related("course__subject"))
    attendance = {
        (a.session_id, a.student_id): a
        for a in Attendance.objects.filter(session__in=sessions).select_related("corrected_by")
    }
    now = timezone.now()
    attendance_rows = []
    for session in sessions:
        for student in students.values():
            row = attendance.get((session.pk, student.pk))
            status = row.get_status_display() if row else ("vắng" if session.ends_at <= now else "")
            attendance_rows.append(
                [
                    session.course.subject.name,
                    session.title,
                    _when(session.starts_at),
                    student.ma_dinh_danh or "",
                    student.get_full_name(),
                    status,
                    _when(row.joined_at) if row else "",
                    row.corrected_by.get_full_name() if row and row.corrected_by else "",
                    row.note if row else "",
                ]
            )
    submissions = list(
        Submission.objects.filter(assignment__item__course__in=courses)
        .select_related("assignment__item__course__subject", "student")
        .prefetch_related("gradebook_transfers")
        .order_by("assignment__item__position", "student__first_name")
    )
    result_rows = [
        [
            s.assignment.item.course.subject.name,
            s.assignment.item.title,
            s.student.ma_dinh_danh or "",
            s.student.get_full_name(),
            _when(s.submitted_at),
            "x" if s.is_late else "",
            format_score(s.score),
            s.feedback,
            _when(s.scored_at),
            "x" if s.gradebook_transfers.all() else "",
        ]
        for s in submissions
    ]
    from lms.courses import library

    library_items = [item for item in items if item.kind == "library"]
    tracked = library.get_results(library_items, list(students))
    library_rows = []
    for item in library_items:
        for student in students.values():
            result = tracked.get((item.pk, student.pk))
            if result is None:
                continue
            library_rows.append(
                [
                    item.course.subject.name,
                    item.title,
                    student.ma_dinh_danh or "",
                    student.get_full_name(),
                    "x" if result.completed else "",
                    format_score(library.score_on_ten(result)),
                    result.attempts,
                    (result.seconds + 59) // 60 if student.analytics_consent else "—",
                ]
            )
    from lms.courses import providers

    provided = providers.get_results(items, list(students))
    provided_rows = []
    for item in items:
        for student in students.values():
            result = provided.get((item.pk, student.pk))
            if result is None:
                continue
            provided_rows.append(
                [
                    item.course.subject.name,
                    item.title,
                    item.get_kind_display(),
                    student.ma_dinh_danh or "",
                    student.get_full_name(),
                    STATUS_TEXT.get(result.status, result.status),
                    format_score(result.score),
                    (result.seconds + 59) // 60 if student.analytics_consent else "—",
                ]
            )
    answers = list(
        Answer.objects.filter(question__course__in=courses).select_related("question__course__subject", "author")
    )
    by_question: dict[int, list] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    qa_rows = []
    for question in Question.objects.filter(course__in=courses).select_related("course__subject", "author", "item"):
        base = [
            question.course.subject.name,
            question.title,
            question.item.title if question.item else "",
            question.author.get_full_name(),
            _when(question.created_at),
        ]
        for answer in by_question.get(question.pk, []) or [None]:
            qa_rows.append(
                base
                + (
                    [
                        answer.body,
                        answer.author.get_full_name(),
                        _when(answer.created_at),
                        "x" if answer.is_accepted else "",
                    ]
                    if answer
                    else ["", "", "", ""]
                )
            )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "ke-hoach.csv",
            _csv(
                [
                    "Môn",
                    "STT",
                    "Nội dung",
                    "Loại",
                    "Hình thức TT09",
                    "QĐ bất khả kháng",
                    "Giao",
                    "Hạn",
                    "Bài học (id)",
                    "Phiên bản bài học",
                    "Mã tham chiếu",
                    "Đã lưu trữ lúc",
                ],
                plan_rows,
            ),
        )
        archive.writestr(
            "diem-danh.csv",
            _csv(
                [
                    "Môn",
                    "Buổi học",
                    "Bắt đầu",
                    "Mã định danh",
                    "Học sinh",
                    "Điểm danh",
                    "Vào lớp",
                    "Sửa bởi",
                    "Ghi chú",
                ],
                attendance_rows,
            ),
        )
        archive.writestr(
            "bai-tap.csv",
            _csv(
                [
                    "Môn",
                    "Bài tập",
                    "Mã định danh",
                    "Học sinh",
                    "Nộp lúc",
                    "Muộn",
                    "Điểm",
                    "Nhận xét",
                    "Chấm lúc",
                    "Đã chuyển sổ điểm",
                ],
                result_rows,
            ),
        )
        archive.writestr(
            "hoc-lieu.csv",
            _csv(LIBRARY_HEADER, library_rows),
        )
        archive.writestr("kiem-tra-luyen-tap.csv", _csv(PROVIDED_HEADER, provided_rows))
        archive.writestr(
            "hoi-dap.csv",
            _csv(
                [
                    "Môn",
                    "Câu hỏi",
                    "Về",
                    "Người hỏi",
                    "Hỏi lúc",
                    "Trả lời",
                    "Người trả lời",
                    "Trả lời lúc",
                    "Giáo viên chọn",
                ],
                qa_rows,
            ),
        )
        archive.writestr(
            "ho-so.pdf",
            build_pdf(
                school_class=school_class,
                plan_rows=plan_rows,
                attendance_rows=attendance_rows,
                result_rows=result_rows,
                library_rows=library_rows,
                provided_rows=provided_rows,
                qa_rows=qa_rows,
                generated_at=now,
            ),
        )
        archive.writestr(
            "ho-so.html",
            render_to_string(
                "courses/records.html",
                {
                    "school_class": school_class,
                    "courses": courses,
                    "items": items,
                    "sessions": sessions,
                    "submissions": len(submissions),
                    "questions": len(qa_rows),
                    "generated_at": now,
                },
            ),
        )
    return output.getvalue()


def _table(pdf, header: list[str], rows: list[list], widths: tuple[int, ...]) -> None:
    from lib.pdf import FONT_FAMILY

    if not rows:
        pdf.set_font(FONT_FAMILY, size=9)
        pdf.cell(0, 6, "(không có)", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(FONT_FAMILY, size=8)
    with pdf.table(col_widths=widths, line_height=4.5, text_align="LEFT", first_row_as_headings=True) as table:
        heading = table.row()
        for text in header:
            heading.cell(text)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell("" if value is None else str(value))
    pdf.ln(3)


def _heading(pdf, text: str) -> None:
    from lib.pdf import FONT_FAMILY

    pdf.set_font(FONT_FAMILY, "B", size=12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")


def build_pdf(
    *, school_class, plan_rows, attendance_rows, result_rows, qa_rows, generated_at, library_rows=(), provided_rows=()
) -> bytes:
    """The class's record as a landscape A4 PDF (the same rows as the CSV files)."""
    from lib.pdf import FONT_FAMILY, new_document, to_bytes

    year = school_class.school_year
    title = f"Hồ sơ dạy học trực tuyến lớp {school_class.name}, năm học {year.name}"
    pdf = new_document(orientation="landscape", title=title, author=year.school.name)
    pdf.set_font(FONT_FAMILY, "B", size=15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    homeroom = school_class.homeroom_teacher.get_full_name() if school_class.homeroom_teacher_id else "–"
    pdf.multi_cell(
        0,
        6,
        f"{year.school.name} · Giáo viên chủ nhiệm: {homeroom} · Lập lúc {_when(generated_at)} "
        "· Thông tư 09/2021/TT-BGDĐT, Điều 8",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    _heading(pdf, "1. Kế hoạch dạy học trực tuyến")
    _table(
        pdf,
        ["Môn", "STT", "Nội dung", "Loại", "Hình thức", "QĐ bất khả kháng", "Giao", "Hạn", "Phiên bản học liệu"],
        [
            [
                r[0],
                r[1],
                f"{r[2]} (đã lưu trữ {r[11]})" if r[11] else r[2],
                r[3],
                "Thay thế" if r[4] == "THAY_THE" else "Hỗ trợ",
                r[5],
                r[6],
                r[7],
                f"{r[8]}/r{r[9]}" if r[8] else r[10],
            ]
            for r in plan_rows
        ],
        (22, 10, 60, 28, 18, 26, 26, 26, 51),
    )
    _heading(pdf, "2. Điểm danh các buổi học trực tuyến")
    _table(
        pdf,
        ["Môn", "Buổi học", "Bắt đầu", "Mã định danh", "Học sinh", "Điểm danh", "Vào lớp", "Sửa bởi", "Ghi chú"],
        attendance_rows,
        (22, 40, 26, 28, 44, 22, 26, 30, 29),
    )
    _heading(pdf, "3. Bài tập và kết quả")
    _table(
        pdf,
        ["Môn", "Bài tập", "Mã định danh", "Học sinh", "Nộp lúc", "Muộn", "Điểm", "Nhận xét", "Chấm lúc", "Sổ điểm"],
        result_rows,
        (22, 40, 28, 44, 26, 12, 12, 45, 26, 12),
    )
    _heading(pdf, "4. Kết quả học liệu (H5P, SCORM)")
    _table(pdf, LIBRARY_HEADER, list(library_rows), (25, 70, 30, 50, 25, 20, 20, 27))
    _heading(pdf, "5. Bài kiểm tra và bài luyện tập trên máy")
    _table(pdf, PROVIDED_HEADER, list(provided_rows), (25, 65, 25, 30, 50, 25, 20, 27))
    _heading(pdf, "6. Hỏi đáp")
    _table(
        pdf,
        ["Môn", "Câu hỏi", "Về", "Người hỏi", "Hỏi lúc", "Trả lời", "Người trả lời", "Trả lời lúc", "GV chọn"],
        qa_rows,
        (22, 45, 30, 34, 26, 50, 34, 26, 10),
    )
    return to_bytes(pdf)
