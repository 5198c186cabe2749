"""Essay marking queue (rubric criteria, Decimal, bounds, total recomputed, audit, the student's result) and key
corrections with regrading (typed or from a newer ready version, through each code's shuffle; idempotent; audit)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lms.assessments import api as bank_api
from lms.assessments.api import QType, QuestionContent
from lms.assessments.ir import RubricCriterion
from lms.exams import selectors, services
from lms.exams.models import Attempt, AuditEntry, EssayMark
from tests.exams.support import approve, make_bank, ready, schedule


def essay() -> QuestionContent:
    return QuestionContent(
        type=QType.ESSAY,
        stem="Chứng minh rằng tổng hai số chẵn là số chẵn.",
        rubric=[RubricCriterion("Lập luận đúng", D(3)), RubricCriterion("Trình bày rõ ràng", D(1))],
        points=D(4),
    )


@pytest.fixture
def built(db):
    setup = make_bank(singles=3, tf4s=0, numerics=0)
    people = setup.people
    essay_version = ready(setup.bank, people, essay())
    test = services.create_test(school=people.school, title="Kiểm tra 15 phút", created_by=people.teacher)
    part1 = services.add_part(test=test, code="I", question_type="single_choice", points_each=D("0.5"))
    part2 = services.add_part(test=test, code="II", question_type="essay")
    for version in setup.singles:
        services.add_item(part=part1, version=version)
    services.add_item(part=part2, version=essay_version, points=D(2))
    services.generate_variants(test=test, count=2, seed="tu-luan")
    test = approve(test, people)
    sitting = schedule(setup, test, review="after_submit")
    return setup, test, sitting


def _sit(sitting, student, answers):
    attempt = Attempt.objects.select_related("variant", "sitting").get(sitting=sitting, student=student)
    services.start_attempt(attempt=attempt, student=student)
    changes = []
    for seq, slot in enumerate(attempt.variant.slots(), start=1):
        response = answers(slot)
        if response is not None:
            changes.append({"seq": seq, "slot": slot["slot"], "response": response})
    services.save_changes(attempt_id=attempt.pk, student=student, changes=changes)
    return services.submit_attempt(attempt=attempt)


def _essay_slot(attempt):
    return next(s for s in attempt.variant.slots() if s["content"]["type"] == "essay")


def _right_or_text(slot):
    return "Gọi hai số chẵn là 2a và 2b…" if slot["content"]["type"] == "essay" else slot["key"]


def test_marking_by_rubric_recomputes_the_total_and_is_audited(built):
    setup, _test, sitting = built
    student, teacher = setup.people.student, setup.people.teacher
    attempt = _sit(sitting, student, _right_or_text)
    assert attempt.points == D("1.5") and attempt.needs_marking  # three singles right, the essay waits
    queue = selectors.essay_queue(sitting)
    assert [(r["attempt"].student, r["mark"]) for r in queue] == [(student, None)]
    assert [(c["text"], c["max"]) for c in queue[0]["criteria"]] == [
        ("Lập luận đúng", D(3)),
        ("Trình bày rõ ràng", D(1)),
    ]
    slot = _essay_slot(attempt)["slot"]
    with pytest.raises(ValidationError, match="Lập luận đúng: the points are between 0 and 3"):
        services.mark_essay(attempt=attempt, slot=slot, by=teacher, criteria={0: "3,5", 1: "1"})
    with pytest.raises(ValidationError, match="is not a number"):
        services.mark_essay(attempt=attempt, slot=slot, by=teacher, criteria={0: "ba", 1: "1"})
    with pytest.raises(PermissionDenied):
        services.mark_essay(attempt=attempt, slot=slot, by=student, criteria={0: "3", 1: "1"})
    with pytest.raises(ValidationError, match="not an essay"):
        services.mark_essay(attempt=attempt, slot=1 if slot != 1 else 2, by=teacher, criteria={0: "1"})
    assert not EssayMark.objects.exists()
    marked = services.mark_essay(attempt=attempt, slot=slot, by=teacher, criteria={0: "2,5", 1: "0.75"}, comment="Tốt")
    # (2,5 + 0,75) / 4 × 2 points = 1,625 → 1,63 (half-up); total 1,5 + 1,63
    assert EssayMark.objects.get().points == D("1.63")
    assert marked.points == D("3.13") and not marked.needs_marking
    entry = AuditEntry.objects.get(action="essay_marked")
    assert entry.by == teacher and entry.data["old_total"] == "1.50" and entry.data["new_total"] == "3.13"
    again = services.mark_essay(attempt=attempt, slot=slot, by=teacher, criteria={0: "3", 1: "1"})
    assert again.points == D("3.50") and EssayMark.objects.count() == 1
    assert AuditEntry.objects.filter(action="essay_marked").first().data["old_points"] == "1.63"


def test_marking_page_and_the_students_result(built, client, django_assert_max_num_queries):
    setup, _test, sitting = built
    student = setup.people.student
    attempt = _sit(sitting, student, _right_or_text)
    _sit(sitting, setup.cls.student2, lambda slot: None)
    client.force_login(setup.people.student)
    assert client.get(reverse("exams:marking", args=[sitting.pk])).status_code == 403
    result = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert "chưa chấm" in result
    client.force_login(setup.people.teacher)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("exams:marking", args=[sitting.pk]))
    text = page.content.decode()
    assert "Gọi hai số chẵn là 2a và 2b" in text and "Lập luận đúng" in text and 'name="c1"' in text
    slot = _essay_slot(attempt)["slot"]
    url = reverse("exams:marking", args=[sitting.pk])
    bad = client.post(url, {"attempt": attempt.pk, "slot": slot, "c0": "4", "c1": "1"}, follow=True)
    assert "Lập luận đúng: số điểm từ 0 đến 3" in bad.content.decode()
    client.post(url, {"attempt": attempt.pk, "slot": slot, "c0": "3", "c1": "1", "comment": "Lập luận chặt chẽ"})
    attempt.refresh_from_db()
    assert attempt.points == D("3.50")
    client.force_login(student)
    result = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert "Lập luận chặt chẽ" in result and "2 / 2" in result


def _wrong_key_test(setup):
    """Question 1 of the bank claims A; the teachers find that B is right."""
    return setup.singles[0]


def test_typed_key_correction_follows_each_codes_shuffle_and_regrades(built):
    setup, test, sitting = built
    student, other, teacher = setup.people.student, setup.cls.student2, setup.people.teacher
    version = _wrong_key_test(setup)

    def bank_b(slot):  # answer B (in the bank's labels) to question 1, the key elsewhere
        if slot["version"] == version.pk:
            return "ABCD"[slot["choice_order"].index("B")] if slot["choice_order"] else "B"
        return _right_or_text(slot)

    first = _sit(sitting, student, bank_b)
    second = _sit(sitting, other, _right_or_text)
    assert (first.points, second.points) == (D("1.0"), D("1.5"))
    with pytest.raises(ValidationError, match="one label among A, B, C, D"):
        services.correct_key(test=test, version_id=version.pk, by=teacher, reason="Sai đáp án", key="E")
    with pytest.raises(ValidationError, match="Say why"):
        services.correct_key(test=test, version_id=version.pk, by=teacher, reason=" ", key="B")
    with pytest.raises(PermissionDenied):
        services.correct_key(test=test, version_id=version.pk, by=student, reason="x", key="B")
    services.correct_key(test=test, version_id=version.pk, by=teacher, reason="Đáp án đúng là B", key="B")
    for variant in test.variants.all():
        slot = next(s for s in variant.slots() if s["version"] == version.pk)
        shown_b = "ABCD"[slot["choice_order"].index("B")] if slot["choice_order"] else "B"
        assert slot["key"] == shown_b == variant.key[str(slot["slot"])]
    assert [r["key"] for r in services.key_table(test) if r["version"] == version.pk] == ["B"]
    changed = services.regrade_test(test=test, by=teacher, reason="Sửa đáp án câu 1")
    assert sorted((c["student"], c["old"], c["new"]) for c in changed) == sorted(
        [(student.username, "1.00", "1.50"), (other.username, "1.50", "1.00")]
    )
    assert services.regrade_test(test=test, by=teacher, reason="Chạy lại") == []  # idempotent
    entries = AuditEntry.objects.filter(action="regraded").order_by("at", "pk")
    assert [e.reason for e in entries] == ["Sửa đáp án câu 1", "Chạy lại"] and entries[1].data == {
        "changed": [],
        "gradebook": {"updated": [], "not_updated": []},
    }
    assert AuditEntry.objects.get(action="key_corrected").data["version"] == version.pk


def test_key_from_a_newer_ready_version_and_the_page(built, client):
    setup, test, sitting = built
    people = setup.people
    version = _wrong_key_test(setup)
    _sit(sitting, people.student, _right_or_text)
    content = QuestionContent.from_content(version.content)
    for choice in content.choices:
        choice.correct = choice.label == "C"
    newer = bank_api.edit_question(question=version.question, user=people.teacher, content=content)
    bank_api.submit_for_review(version=newer, user=people.teacher)
    newer = bank_api.review_version(version=newer, user=people.group_head, action="approve")
    client.force_login(people.teacher)
    url = reverse("exams:regrade", args=[test.pk])
    page = client.get(url).content.decode()
    assert f'name="new_version" value="{newer.pk}"' in page
    client.post(url, {"action": "use_newer", "version": version.pk, "new_version": newer.pk, "reason": "Bản 2"})
    assert [r["key"] for r in services.key_table(test) if r["version"] == version.pk] == ["C"]
    client.post(url, {"action": "regrade", "reason": "Theo bản 2"})
    attempt = Attempt.objects.get(sitting=sitting, student=people.student)
    assert attempt.points == D("1.0")
    history = client.get(url).content.decode()
    assert "Theo bản 2" in history and "1,5 → 1" in history
    client.force_login(people.student)
    assert client.get(url).status_code == 403
