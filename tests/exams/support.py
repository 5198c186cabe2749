"""A class (tests.courses.support) with a Toán bank of ready questions in the THPT 2025 shape, built through the
apps' APIs: 14 single choice (levels biết / hiểu), 5 Đúng/Sai, 7 numeric with the THPT2025 answer sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from curriculum.api import get_subject
from lms.assessments import api as bank_api
from lms.assessments.api import QType, QuestionContent
from lms.assessments.ir import Choice, NumericAnswer, Statement
from lms.courses import api as courses_api
from lms.exams import services
from lms.schools.api import Role, assign_role
from tests.courses.support import ClassSetup, make_class
from tests.support.factories import UserFactory


def single(n: int, level: str = "biet") -> QuestionContent:
    return QuestionContent(
        type=QType.SINGLE,
        stem=f"Câu trắc nghiệm số {n}: \\(2+{n}\\) bằng bao nhiêu?",
        choices=[
            Choice("A", str(n + 2), True),
            Choice("B", str(n + 3), False),
            Choice("C", str(n + 4), False),
            Choice("D", str(n + 5), False),
        ],
        level=level,
    )


def tf4(n: int) -> QuestionContent:
    return QuestionContent(
        type=QType.TF4,
        stem=f"Câu Đúng/Sai số {n}: cho hàm số \\(y=x^2+{n}\\).",
        statements=[
            Statement("a", "Hàm số xác định trên ℝ.", True),
            Statement("b", "Hàm số nghịch biến trên ℝ.", False),
            Statement("c", f"Đồ thị đi qua điểm (0; {n}).", True),
            Statement("d", "Hàm số có cực đại.", False),
        ],
        level="hieu",
    )


def numeric(n: int) -> QuestionContent:
    return QuestionContent(
        type=QType.NUMERIC,
        stem=f"Câu trả lời ngắn số {n}: tính \\({n}+0,5\\).",
        numeric=[NumericAnswer(Decimal(n) + Decimal("0.5"))],
        answer_sheet="THPT2025",
        level="van_dung",
    )


def ready(bank, people, content: QuestionContent, category=None):
    version = bank_api.create_question(bank=bank, author=people.teacher, content=content, category=category)
    bank_api.submit_for_review(version=version, user=people.teacher)
    return bank_api.review_version(version=version, user=people.group_head, action="approve")


@dataclass
class ExamSetup:
    cls: ClassSetup
    bank: object
    singles: list
    tf4s: list
    numerics: list

    @property
    def people(self):
        return self.cls.people


def make_bank(cls: ClassSetup | None = None, *, singles=14, tf4s=5, numerics=7) -> ExamSetup:
    cls = cls or make_class()
    people = cls.people
    bank = bank_api.create_bank(subject_group=people.group, name="Ngân hàng Toán 10")
    dai_so = bank_api.get_or_create_category(bank=bank, path="Đại số")
    s = [ready(bank, people, single(i, "biet" if i % 2 else "hieu"), dai_so) for i in range(1, singles + 1)]
    t = [ready(bank, people, tf4(i)) for i in range(1, tf4s + 1)]
    n = [ready(bank, people, numeric(i)) for i in range(1, numerics + 1)]
    return ExamSetup(cls, bank, s, t, n)


def toan_test(setup: ExamSetup, *, variants: int = 4, seed: str = "de-thu"):
    """A THPT 2025 Toán test: Part I 12 fixed single-choice questions, Part II 4 drawn Đúng/Sai, Part III 6 drawn
    numeric; approved by the tổ trưởng with ``variants`` exam codes."""
    people = setup.people
    test = services.create_test_from_template(
        school=people.school,
        subject=get_subject("toan"),
        title="Kiểm tra giữa kì I – Toán 10",
        created_by=people.teacher,
    )
    part1, part2, part3 = test.parts.all()
    for version in setup.singles[:12]:
        services.add_item(part=part1, version=version)
    services.add_draw(part=part2, bank=setup.bank, count=4)
    services.add_draw(part=part3, bank=setup.bank, count=6)
    services.generate_variants(test=test, count=variants, seed=seed)
    return approve(test, people)


def approve(test, people, **kw):
    """The author sends ``test`` for review and the tổ trưởng approves it (the one approval path, R33)."""
    services.submit_for_review(test=test, user=test.created_by)
    return services.approve_test(test=test, user=people.group_head, **kw)


def schedule(setup: ExamSetup, test, *, minutes: float = 45, opens_in: float = -1, access_code: str = "", **kw):
    now = timezone.now()
    return services.schedule_sitting(
        test=test,
        course=setup.cls.course,
        opens_at=now + timedelta(minutes=opens_in),
        closes_at=now + timedelta(minutes=opens_in + minutes + 30),
        duration=timedelta(minutes=minutes),
        created_by=setup.people.teacher,
        access_code=access_code,
        **kw,
    )


def enrol_students(setup: ExamSetup, numbers) -> list:
    """More students of the school in the class (``hocsinh3`` … by class-list number), before a sitting is scheduled
    (it deals them codes)."""
    students = []
    for n in numbers:
        student = UserFactory(username=f"hocsinh{n}")
        assign_role(user=student, school=setup.people.school, role=Role.STUDENT)
        courses_api.enroll_student(school_class=setup.cls.klass, student=student, number=n)
        students.append(student)
    return students
