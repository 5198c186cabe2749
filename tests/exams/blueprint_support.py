"""A Toán 10 bank tagged for blueprints (subject, grade, YCCĐ, level), built through the apps' APIs, and a CV 7991
blueprint of two rows that the bank can fill exactly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

from curriculum.api import Outcome, get_subject
from lms.assessments import api as bank_api
from lms.assessments.api import QType, QuestionContent
from lms.exams import authoring
from lms.exams.authoring import RowInput
from tests.courses.support import ClassSetup, make_class
from tests.exams.support import numeric, single, tf4


def outcome(code: str, text: str, level: str = "") -> Outcome:
    return Outcome.objects.create(
        code=code, subject=get_subject("toan"), grade=10, strand="Số và Đại số", topic="Mệnh đề", text=text, level=level
    )


def essay(n: int, level: str) -> QuestionContent:
    return QuestionContent(type=QType.ESSAY, stem=f"Câu tự luận số {n}: chứng minh mệnh đề.", level=level)


@dataclass
class BlueprintSetup:
    cls: ClassSetup
    bank: object
    outcomes: dict

    @property
    def people(self):
        return self.cls.people


def ready_tagged(setup_bank, people, content, outcomes):
    version = bank_api.create_question(
        bank=setup_bank,
        author=people.teacher,
        content=content,
        outcomes=outcomes,
        subject=get_subject("toan"),
        grade=10,
    )
    bank_api.submit_for_review(version=version, user=people.teacher)
    return bank_api.review_version(version=version, user=people.group_head, action="approve")


def make_tagged_bank(cls: ClassSetup | None = None) -> BlueprintSetup:
    """Row A (BP.T10.A1, BP.T10.A2): 10 single choice biết, 3 Đúng/Sai hiểu, 3 numeric vận dụng.
    Row B (BP.T10.B1): 8 single choice biết, 2 essays (hiểu, vận dụng). Plus decoys: a Toán 11 question, an untagged
    one, a single choice hiểu of row A."""
    cls = cls or make_class()
    people = cls.people
    bank = bank_api.create_bank(subject_group=people.group, name="Ngân hàng Toán 10 theo YCCĐ")
    o = {
        "A1": outcome("BP.T10.A1", "Nhận biết được mệnh đề, mệnh đề phủ định.", "biet"),
        "A2": outcome("BP.T10.A2", "Thiết lập được mệnh đề kéo theo, mệnh đề đảo.", "hieu"),
        "B1": outcome("BP.T10.B1", "Vận dụng được các phép toán trên tập hợp.", "van_dung"),
    }
    for i in range(10):
        ready_tagged(bank, people, single(100 + i, "biet"), [o["A1"]])
    for i in range(3):
        ready_tagged(bank, people, tf4(100 + i), [o["A2"]])  # level hiểu
    for i in range(3):
        ready_tagged(bank, people, numeric(100 + i), [o["A1"]])  # level vận dụng
    for i in range(8):
        ready_tagged(bank, people, single(200 + i, "biet"), [o["B1"]])
    ready_tagged(bank, people, essay(1, "hieu"), [o["B1"]])
    ready_tagged(bank, people, essay(2, "van_dung"), [o["B1"]])
    ready_tagged(bank, people, single(300, "hieu"), [o["A1"]])  # a level no cell asks for
    untagged = bank_api.create_question(bank=bank, author=people.teacher, content=single(301, "biet"))
    bank_api.submit_for_review(version=untagged, user=people.teacher)
    bank_api.review_version(version=untagged, user=people.group_head, action="approve")
    return BlueprintSetup(cls, bank, o)


def rows_10_points() -> list[RowInput]:
    """Row A: 8 MCQ biết × 0,25; 8 Đúng/Sai statements hiểu × 0,25; 2 short vận dụng × 0,5 (5 points).
    Row B: 8 MCQ biết × 0,25; 1 essay hiểu × 1; 1 essay vận dụng × 2 (5 points). 4 / 3 / 3 by level."""
    return [
        RowInput(
            "Chương I. Mệnh đề và tập hợp",
            "Mệnh đề",
            ["BP.T10.A1", "BP.T10.A2"],
            {("mcq", "biet"): (8, D("0.25")), ("tf", "hieu"): (8, D("0.25")), ("short", "van_dung"): (2, D("0.5"))},
        ),
        RowInput(
            "Chương I. Mệnh đề và tập hợp",
            "Tập hợp",
            ["BP.T10.B1"],
            {("mcq", "biet"): (8, D("0.25")), ("essay", "hieu"): (1, D(1)), ("essay", "van_dung"): (1, D(2))},
        ),
    ]


def make_blueprint(setup: BlueprintSetup, rows=None, **kw):
    people = setup.people
    blueprint = authoring.create_blueprint(
        school=people.school,
        subject=get_subject("toan"),
        grade=10,
        title="Ma trận giữa kì I – Toán 10",
        created_by=people.teacher,
        **kw,
    )
    authoring.save_rows(blueprint=blueprint, user=people.teacher, rows=rows if rows is not None else rows_10_points())
    return blueprint
