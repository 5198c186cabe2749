"""Tests (đề): THPT 2025 templates (R28), fixed and drawn questions, checks, exam codes stored with their keys,
approval before scheduling (R33), attempts built for the class before the start."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from curriculum.api import get_subject
from lms.assessments import api as bank_api
from lms.exams import services
from lms.exams.models import Attempt
from lms.exams.models import TestStatus as Status  # not "Test…": pytest would try to collect it
from lms.exams.rules import exam_template, template_for_subject
from tests.exams.support import make_bank, ready, schedule, single, toan_test


@pytest.mark.parametrize(
    ("subject", "counts", "points"),
    [
        ("toan", (12, 4, 6), ("0.25", "1.0", "0.5")),
        ("vat-li", (18, 4, 6), ("0.25", "1.0", "0.25")),
        ("hoa-hoc", (18, 4, 6), ("0.25", "1.0", "0.25")),
        ("sinh-hoc", (18, 4, 6), ("0.25", "1.0", "0.25")),
        ("dia-li", (18, 4, 6), ("0.25", "1.0", "0.25")),
        ("lich-su", (24, 4), ("0.25", "1.0")),
        ("gdktpl", (24, 4), ("0.25", "1.0")),
    ],
)
def test_thpt2025_templates_total_ten(subject, counts, points):
    spec = exam_template("THPT2025", template_for_subject("THPT2025", subject))
    assert tuple(p.count for p in spec.parts) == counts
    assert tuple(p.points_each for p in spec.parts) == tuple(D(p) for p in points)
    assert spec.total == D(10)


@pytest.fixture
def setup(db):
    return make_bank()


def test_template_test_with_fixed_and_drawn_questions(setup):
    test = toan_test(setup, variants=3)
    assert [(p.code, p.question_type, p.count, p.points_each) for p in test.parts.all()] == [
        ("I", "single_choice", 12, D("0.25")),
        ("II", "true_false_4", 4, D("1.00")),
        ("III", "numeric", 6, D("0.50")),
    ]
    assert test.minutes == 90 and services.test_total(test) == D(10) and services.check_test(test) == []
    variants = list(test.variants.all())
    assert [v.code for v in variants] == ["101", "102", "103"]
    drawn = [sorted(s["version"] for s in v.slots()) for v in variants]
    assert drawn[0] == drawn[1] == drawn[2]  # every code has the same questions
    assert len(drawn[0]) == 22 and len(variants[0].key) == 22
    ready_ids = {v.pk for v in setup.tf4s + setup.numerics}
    assert {s["version"] for s in variants[0].slots() if s["part"] != "I"} <= ready_ids
    assert sum(D(s["points"]) for s in variants[0].slots()) == D(10)
    # the versions are recorded as used by the test (the bank's "where used")
    assert bank_api.where_used(setup.singles[0].question)[0].used_in == f"test:{test.pk}"


def test_checks_name_the_part_and_the_numbers(setup):
    people = setup.people
    test = services.create_test_from_template(
        school=people.school, subject=get_subject("toan"), title="Đề thiếu", created_by=people.teacher
    )
    part1, part2, _part3 = test.parts.all()
    services.add_item(part=part1, version=setup.singles[0])
    problems = services.check_test(test)
    assert "Part I has 1 questions; the template asks for 12." in problems
    assert "Part III has no questions." in problems
    assert "The test totals 0,25 points, not 10." in problems
    with pytest.raises(ValidationError) as error:
        services.generate_variants(test=test, count=2)
    assert "Part II has no questions." in error.value.messages
    with pytest.raises(ValidationError, match="part II takes true_false_4 questions, not single_choice"):
        services.add_item(part=part2, version=setup.singles[1])
    with pytest.raises(ValidationError, match="already in this test"):
        services.add_item(part=part1, version=setup.singles[0])
    with pytest.raises(ValidationError, match="asks for 9 questions but only 5 ready questions match"):
        services.add_draw(part=part2, bank=setup.bank, count=9)
    draft = bank_api.create_question(bank=setup.bank, author=people.teacher, content=single(99))
    with pytest.raises(ValidationError, match="only a version approved by the subject group"):
        services.add_item(part=part1, version=draft)


def test_draw_filters_by_category_and_level(setup):
    people = setup.people
    test = services.create_test(school=people.school, title="Đề tự chọn", created_by=people.teacher)
    part = services.add_part(test=test, code="I", question_type="single_choice", points_each=D("0.5"))
    dai_so = bank_api.get_or_create_category(bank=setup.bank, path="Đại số")
    services.add_draw(part=part, bank=setup.bank, count=7, category=dai_so, level="biet")
    with pytest.raises(ValidationError, match="only 7 ready questions match"):
        services.add_draw(part=part, bank=setup.bank, count=8, level="biet")
    services.generate_variants(test=test, count=1, seed="lọc")
    versions = [s["version"] for s in test.variants.get().slots()]
    levels = {v.pk: v.question.level for v in setup.singles}
    assert sorted(versions) == sorted(v for v, level in levels.items() if level == "biet")
    # the same seed draws the same questions again
    services.generate_variants(test=test, count=1, seed="lọc")
    assert [s["version"] for s in test.variants.get().slots()] == versions


def test_approval_by_the_group_head_before_scheduling(setup):
    people = setup.people
    test = services.create_test_from_template(
        school=people.school, subject=get_subject("toan"), title="Đề", created_by=people.teacher
    )
    part1, part2, part3 = test.parts.all()
    for v in setup.singles[:12]:
        services.add_item(part=part1, version=v)
    services.add_draw(part=part2, bank=setup.bank, count=4)
    services.add_draw(part=part3, bank=setup.bank, count=6)
    with pytest.raises(ValidationError, match="must send it for review"):
        services.approve_test(test=test, user=people.group_head)  # never sent: no approval without the trail
    with pytest.raises(PermissionDenied):
        services.submit_for_review(test=test, user=people.group_head)  # only the author sends it
    services.submit_for_review(test=test, user=people.teacher, comment="Nhờ tổ duyệt")
    test.refresh_from_db()
    assert test.status == Status.IN_REVIEW
    with pytest.raises(ValidationError, match="waiting for review"):
        services.add_item(part=part1, version=setup.singles[12])  # locked while in review
    with pytest.raises(ValidationError, match="waiting for review"):
        services.generate_variants(test=test, count=2)
    with pytest.raises(PermissionDenied):
        services.approve_test(test=test, user=people.teacher)  # the author
    with pytest.raises(ValidationError, match="approved by the subject group before it is scheduled"):
        schedule(setup, test)
    services.approve_test(test=test, user=people.group_head, variants=2, seed="duyet")
    test.refresh_from_db()
    assert test.status == Status.APPROVED and test.approved_by == people.group_head
    assert test.variants.count() == 2  # the codes are made on approval when there are none
    assert [(r.action, r.by) for r in test.reviews.all()] == [
        ("submitted", people.teacher),
        ("approved", people.group_head),
    ]
    used = bank_api.QuestionVersion.objects.get(pk=test.variants.first().slots()[0]["version"])
    assert used.usages.filter(used_in=f"test:{test.pk}").exists()  # the use is recorded in the bank
    with pytest.raises(ValidationError, match="already approved"):
        services.approve_test(test=test, user=people.group_head)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.generate_variants(test=test, count=3)
    with pytest.raises(PermissionDenied):
        services.schedule_sitting(
            test=test,
            course=setup.cls.course,
            opens_at=test.created_at,
            closes_at=test.created_at.replace(year=2099),
            created_by=people.group_head,  # teaches no course of the class
        )


def test_returning_puts_the_test_back_to_draft(setup):
    people = setup.people
    test = services.create_test(school=people.school, title="Đề 15 phút", created_by=people.teacher)
    part = services.add_part(test=test, code="I", question_type="single_choice", points_each=D("0.5"))
    for version in setup.singles[:20]:
        services.add_item(part=part, version=version)
    services.generate_variants(test=test, count=2, seed="tra-lai")
    services.submit_for_review(test=test, user=people.teacher)
    with pytest.raises(PermissionDenied):
        services.return_test(test=test, user=people.teacher, comment="tự trả")  # the author is no reviewer
    services.return_test(test=test, user=people.group_head, comment="Câu 2 chưa rõ")
    test.refresh_from_db()
    assert test.status == Status.DRAFT
    with pytest.raises(ValidationError, match="not waiting for review"):
        services.approve_test(test=test, user=people.group_head)  # returned: must be sent again
    services.generate_variants(test=test, count=3, seed="lan-2")  # editable again
    services.submit_for_review(test=test, user=people.teacher)
    services.approve_test(test=test, user=people.group_head)
    test.refresh_from_db()
    assert test.status == Status.APPROVED and test.variants.count() == 3  # the codes made before are kept
    assert [r.action for r in test.reviews.all()] == ["submitted", "returned", "submitted", "approved"]


def test_attempts_are_built_for_the_class_before_the_start(setup):
    test = toan_test(setup, variants=2)
    sitting = schedule(setup, test, opens_in=30)
    attempts = list(Attempt.objects.filter(sitting=sitting))
    assert {a.student for a in attempts} == {setup.cls.people.student, setup.cls.student2}
    assert {a.variant.code for a in attempts} == {"101", "102"}  # neighbours get different codes
    assert all(a.status == "ready" and a.deadline is None for a in attempts)
    assert services.prepare_attempts(sitting) == 0  # idempotent


def test_variant_keys_are_scored_full_marks(setup):
    test = toan_test(setup, variants=2)
    for variant in test.variants.all():
        for slot in variant.slots():
            q = bank_api.QuestionContent.from_content(slot["content"])
            q.points = D(slot["points"])
            response = slot["key"]
            if q.type == "true_false_4":
                response = dict(zip("abcd", slot["key"], strict=True))
            assert bank_api.score(q, response).points == q.points, slot
    assert ready  # imported helper used by other modules


def test_messages_are_vietnamese_for_users(setup):
    people = setup.people
    test = services.create_test_from_template(
        school=people.school, subject=get_subject("toan"), title="Đề", created_by=people.teacher
    )
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.generate_variants(test=test, count=2)
    assert "Phần I chưa có câu nào." in error.value.messages
