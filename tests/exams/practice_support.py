"""Practice sets for the practice tests."""

from __future__ import annotations

from decimal import Decimal

from lms.assessments.api import QType, QuestionContent
from lms.assessments.ir import Choice, TextAnswer
from lms.courses import services as course_services
from lms.courses.models import DeliveryForm, ItemKind
from lms.exams import practice
from tests.courses.support import yesterday
from tests.exams.support import make_bank, ready


def with_solution(setup):
    content = QuestionContent(
        type=QType.SINGLE,
        stem="\\(3 \\cdot 4\\) bằng bao nhiêu?",
        choices=[Choice("A", "7", False), Choice("B", "12", True), Choice("C", "34", False)],
        solution="Ba nhân bốn bằng mười hai.",
        incorrect_feedback="Xem lại bảng cửu chương.",
    )
    return ready(setup.bank, setup.people, content)


def short(setup):
    content = QuestionContent(type=QType.SHORT, stem="Thủ đô của Việt Nam?", answers=[TextAnswer("Hà Nội", Decimal(1))])
    return ready(setup.bank, setup.people, content)


def build(**bank):
    """A bank and three questions: single choice with solution and feedback (key B), Đúng/Sai (Đ S Đ S), short
    answer (Hà Nội)."""
    setup = make_bank(**({"singles": 2, "tf4s": 1, "numerics": 1} | bank))
    versions = [with_solution(setup), setup.tf4s[0], short(setup)]
    return setup, versions


def make_set(setup, versions, *, publish=True, **kw):
    made = practice.create_practice_set(
        author=setup.people.teacher,
        school=setup.people.school,
        title="Luyện tập: phép nhân",
        versions=versions,
        grade=10,
        **kw,
    )
    if publish:
        practice.set_published(practice_set=made, user=setup.people.teacher, published=True)
    return made


def plan_practice(setup, practice_set, *, actor=None):
    """The set as an item of the class's course plan, released yesterday, supporting in-person lessons (hỗ trợ)."""
    return course_services.add_plan_item(
        actor=actor or setup.people.teacher,
        course=setup.cls.course,
        kind=ItemKind.PRACTICE,
        reference=str(practice_set.pk),
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )
