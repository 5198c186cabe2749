"""Demo lessons: published lessons of Toán 10 and Ngữ văn 10 in the demo school's repository, with formulas."""

from __future__ import annotations

from content import api as content_api
from curriculum.api import CognitiveLevel, TextbookSeries, get_outcomes, get_subject

# (subject code, topic title, outcome topic keyword, lesson title, summary, body)
LESSONS = [
    (
        "toan",
        "Chương I. Mệnh đề và tập hợp",
        "Mệnh đề",
        "Bài 1. Mệnh đề",
        "Mệnh đề, mệnh đề phủ định, mệnh đề kéo theo và mệnh đề tương đương; kí hiệu ∀ và ∃.",
        [
            ("heading", {"text": "1. Mệnh đề", "level": "h2"}),
            (
                "paragraph",
                "<p>Mệnh đề là một câu khẳng định đúng hoặc một câu khẳng định sai. "
                "Một mệnh đề không thể vừa đúng, vừa sai.</p>",
            ),
            (
                "callout",
                {
                    "kind": "example",
                    "title": "Ví dụ",
                    "text": "<p>“Hà Nội là thủ đô của Việt Nam” là một mệnh đề "
                    "đúng; “3 chia hết cho 2” là một mệnh đề sai.</p>",
                },
            ),
            ("heading", {"text": "2. Mệnh đề chứa kí hiệu ∀, ∃", "level": "h2"}),
            ("formula", {"latex": r"\forall x \in \mathbb{R},\ x^2 \ge 0", "display": "block"}),
            ("formula", {"latex": r"\exists n \in \mathbb{N},\ n^2 = n", "display": "block"}),
        ],
    ),
    (
        "toan",
        "Chương I. Mệnh đề và tập hợp",
        "tập hợp",
        "Bài 2. Tập hợp và các phép toán trên tập hợp",
        "Tập con, hai tập hợp bằng nhau; giao, hợp, hiệu và phần bù của hai tập hợp.",
        [
            ("heading", {"text": "Các phép toán trên tập hợp", "level": "h2"}),
            ("formula", {"latex": r"A \cap B = \{x \mid x \in A \text{ và } x \in B\}", "display": "block"}),
            ("formula", {"latex": r"A \cup B = \{x \mid x \in A \text{ hoặc } x \in B\}", "display": "block"}),
            (
                "callout",
                {"kind": "tip", "title": "Ghi nhớ", "text": "<p>Dùng biểu đồ Ven để minh hoạ các phép toán.</p>"},
            ),
        ],
    ),
    (
        "toan",
        "Chương III. Hàm số bậc hai và đồ thị",
        "bậc hai",
        "Bài 8. Hàm số bậc hai",
        "Định nghĩa hàm số bậc hai, đỉnh và trục đối xứng của parabol.",
        [
            ("heading", {"text": "Định nghĩa", "level": "h2"}),
            ("paragraph", "<p>Hàm số bậc hai là hàm số cho bởi công thức</p>"),
            ("formula", {"latex": r"y = ax^2 + bx + c \quad (a \ne 0)", "display": "block"}),
            ("paragraph", "<p>Đồ thị là một parabol có đỉnh</p>"),
            (
                "formula",
                {
                    "latex": r"I\left(-\frac{b}{2a};\ -\frac{\Delta}{4a}\right),\quad \Delta = b^2 - 4ac",
                    "display": "block",
                },
            ),
        ],
    ),
    (
        "toan",
        "Chương IV. Hệ thức lượng trong tam giác",
        "tam giác",
        "Bài 11. Định lí côsin và định lí sin",
        "Hệ thức giữa các cạnh và các góc của một tam giác; giải tam giác.",
        [
            (
                "callout",
                {
                    "kind": "theorem",
                    "title": "Định lí côsin",
                    "text": "<p>Trong tam giác ABC với BC = a, CA = b, AB = c:</p>",
                },
            ),
            ("formula", {"latex": r"a^2 = b^2 + c^2 - 2bc\cos A", "display": "block"}),
            (
                "callout",
                {"kind": "theorem", "title": "Định lí sin", "text": "<p>R là bán kính đường tròn ngoại tiếp:</p>"},
            ),
            ("formula", {"latex": r"\frac{a}{\sin A} = \frac{b}{\sin B} = \frac{c}{\sin C} = 2R", "display": "block"}),
        ],
    ),
    (
        "ngu-van",
        "Bài 1. Sức hấp dẫn của truyện kể",
        "văn học",
        "Thần thoại: Thần Trụ Trời",
        "Đọc hiểu một văn bản thần thoại: cốt truyện, nhân vật, không gian và thời gian.",
        [
            ("heading", {"text": "Trước khi đọc", "level": "h2"}),
            ("paragraph", "<p>Em đã từng nghe những câu chuyện nào giải thích nguồn gốc của trời đất, núi sông?</p>"),
            ("heading", {"text": "Đọc hiểu", "level": "h2"}),
            (
                "callout",
                {
                    "kind": "note",
                    "title": "Đặc trưng của thần thoại",
                    "text": "<ul><li>Nhân vật là các vị thần có sức mạnh phi thường.</li>"
                    "<li>Không gian vũ trụ, thời gian thuở hồng hoang.</li></ul>",
                },
            ),
        ],
    ),
    (
        "ngu-van",
        "Bài 2. Vẻ đẹp của thơ ca",
        "Viết",
        "Viết bài nghị luận phân tích, đánh giá một bài thơ",
        "Quy trình viết một bài văn nghị luận phân tích, đánh giá chủ đề và nét đặc sắc nghệ thuật của bài thơ.",
        [
            ("heading", {"text": "Các bước viết", "level": "h2"}),
            (
                "paragraph",
                "<ol><li>Chuẩn bị viết</li><li>Tìm ý và lập dàn ý</li><li>Viết bài</li>"
                "<li>Xem lại và chỉnh sửa</li></ol>",
            ),
        ],
    ),
]


def seed_lessons(*, school, author_by_subject: dict) -> int:
    """Publish the demo lessons (idempotent: a lesson with the same title under the same topic is kept)."""
    created = 0
    for subject_code, topic_title, keyword, title, summary, body in LESSONS:
        subject = get_subject(subject_code)
        topic = content_api.get_or_create_topic(school=school, subject=subject, grade=10, title=topic_title)
        if content_api.LessonPage.objects.child_of(topic).filter(title=title).exists():
            continue
        outcomes = get_outcomes(subject=subject, grade=10)
        chosen = [o for o in outcomes if keyword.lower() in (o.topic + " " + o.strand + " " + o.text).lower()][:2]
        if not chosen:
            raise LookupError(f"No {subject_code} 10 outcome mentions “{keyword}” for the demo lesson “{title}”.")
        author = author_by_subject[subject_code]
        lesson = content_api.create_lesson_draft(
            topic=topic,
            title=title,
            author=author,
            summary=summary,
            body=body,
            subject=subject,
            grade=10,
            textbook_series=TextbookSeries.KET_NOI,
            chapter=topic_title,
            outcomes=chosen,
            cognitive_level=CognitiveLevel.HIEU,
            duration_minutes=45,
            licence=content_api.Licence.SCHOOL,
            rights_confirmed=True,
        )
        # Published as the school would after review (the review workflow itself comes with the repository work).
        lesson.save_revision(user=author).publish()
        created += 1
    return created


# Lessons in the middle of review, so that every reviewer of the demo has something to do.
# (subject, topic, outcome keyword, title, state)
IN_REVIEW = [
    (
        "toan",
        "Chương IV. Hệ thức lượng trong tam giác",
        "tam giác",
        "Bài 12. Giải tam giác và ứng dụng thực tế",
        "submitted",
    ),
    ("toan", "Chương V. Vectơ", "vectơ", "Bài 13. Các khái niệm mở đầu về vectơ", "submitted"),
    ("toan", "Chương V. Vectơ", "vectơ", "Bài 14. Tổng và hiệu của hai vectơ", "awaiting_principal"),
    ("toan", "Chương VI. Thống kê", "thống kê", "Bài 15. Số gần đúng và sai số", "returned"),
    ("ngu-van", "Bài 1. Sức hấp dẫn của truyện kể", "văn học", "Sử thi: Đăm Săn đi bắt Nữ Thần Mặt Trời", "submitted"),
    (
        "ngu-van",
        "Bài 3. Nghệ thuật thuyết phục trong văn nghị luận",
        "nghị luận",
        "Hiền tài là nguyên khí của quốc gia",
        "draft",
    ),
    (
        "ngu-van",
        "Bài 3. Nghệ thuật thuyết phục trong văn nghị luận",
        "nghị luận",
        "Viết bài luận thuyết phục người khác",
        "rejected",
    ),
]


def seed_review_states(*, school, author_by_subject: dict, head_by_subject: dict) -> int:
    """Lessons submitted, returned, rejected, waiting for the principal, or still drafts (idempotent)."""
    created = 0
    for subject_code, topic_title, keyword, title, state in IN_REVIEW:
        subject = get_subject(subject_code)
        topic = content_api.get_or_create_topic(school=school, subject=subject, grade=10, title=topic_title)
        if content_api.LessonPage.objects.child_of(topic).filter(title=title).exists():
            continue
        outcomes = [
            o
            for o in get_outcomes(subject=subject, grade=10)
            if keyword.lower() in (o.topic + " " + o.strand + " " + o.text).lower()
        ][:1]
        if not outcomes:
            raise LookupError(f"No {subject_code} 10 outcome mentions “{keyword}” for the demo lesson “{title}”.")
        author, head = author_by_subject[subject_code], head_by_subject[subject_code]
        lesson = content_api.create_lesson_draft(
            topic=topic,
            title=title,
            author=author,
            subject=subject,
            grade=10,
            outcomes=outcomes,
            summary="Bài giảng mẫu đang trong quy trình duyệt.",
            licence=content_api.Licence.SCHOOL,
            rights_confirmed=True,
            body=[("paragraph", "<p>Nội dung bài giảng đang được tổ chuyên môn góp ý.</p>")],
        )
        created += 1
        if state == "draft":
            continue
        lesson.get_workflow().start(lesson, author)
        if state == "submitted":
            continue
        action, comment = {
            "awaiting_principal": ("approve", "Đạt yêu cầu, chuyển hiệu trưởng phê duyệt."),
            "returned": ("reject", "Bổ sung ví dụ thực tế và bài tập vận dụng."),
            "rejected": ("refuse", "Trùng với bài đã có trong kho, đề nghị dùng lại bài cũ."),
        }[state]
        content_api.review_lesson(lesson=lesson, user=head, action=action, comment=comment)
    return created
