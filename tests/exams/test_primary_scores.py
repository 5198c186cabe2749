"""TT 27/2020 (grades 1–5): a sitting's score is a whole number on the 10-point scale, rounded half up, on the
result page, in the class report, in the course plan and in what the gradebook takes over (7,5 → 8; 7,49 → 7)."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.urls import reverse

from curriculum.api import get_subject
from lms.assessments import api as bank_api
from lms.courses import api as courses_api
from lms.exams import plan_items, selectors, services
from lms.exams.models import Attempt
from lms.exams.rules import SCORE_RULES, score_rules_for
from lms.gradebook import services as gradebook
from lms.gradebook.models import ColumnKind, Mark, Profile
from lms.gradebook.selectors import get_exam_preview
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.courses.support import make_class
from tests.exams.support import approve, ready, schedule, single
from tests.support.factories import UserFactory
from tests.support.people import PASSWORD


@pytest.mark.parametrize(
    ("points", "primary", "secondary"),
    [
        ("7.5", "8", "7.50"),
        ("7.49", "7", "7.49"),
        ("8.5", "9", "8.50"),  # half up, not to the even number
        ("6.5", "7", "6.50"),
        ("0.49", "0", "0.49"),
        ("10", "10", "10.00"),
    ],
)
def test_whole_numbers_half_up_under_tt27(points, primary, secondary):
    tt27 = score_rules_for(grades=(3, None))
    assert tt27 is SCORE_RULES["TT27_2020"] and tt27.whole_numbers
    assert str(tt27.score_10(D(points), D(10))) == primary
    assert str(score_rules_for(grades=(10, 10)).score_10(D(points), D(10))) == secondary
    # 15 / 20 points is 7,5 on the 10-point scale → 8
    assert tt27.score_10(D(15), D(20)) == D(8)


def test_which_rules_apply():
    assert score_rules_for(grades=(None, 4)).whole_numbers  # a primary class, a test without a grade
    assert score_rules_for(grades=(None, None), framework="TT27_2020").whole_numbers  # a TT 27 blueprint
    assert not score_rules_for(grades=(6, 6), framework="CV7991_2024").whole_numbers
    assert score_rules_for(grades=()).score_10(None, D(10)) is None
    assert score_rules_for(grades=(2,)).score_10(D(3), D(0)) is None


@pytest.fixture
def primary(db):
    """A 3A class (Toán 3) with two pupils who sat a grade 3 end-of-term test of three questions worth 7,49 + 0,01 +
    2,5 points: An answers the first two (7,50 → 8), Bình only the first (7,49 → 7)."""
    cls = make_class()
    people = cls.people
    toan = get_subject("toan")
    courses_api.set_subject_offering(school_year=cls.year, grade=3, subject=toan, periods_per_year=175)
    klass = courses_api.create_class(school_year=cls.year, name="3A", grade=3, homeroom_teacher=people.teacher)
    courses_api.assign_teacher(school_class=klass, subject=toan, teacher=people.teacher)
    pupils = []
    for number, (username, first) in enumerate((("hs3a.an", "An"), ("hs3a.binh", "Bình")), start=1):
        pupil = UserFactory(username=username, first_name=first, last_name="Nguyễn")
        schools_api.assign_role(user=pupil, school=people.school, role=Role.STUDENT)
        courses_api.enroll_student(school_class=klass, student=pupil, number=number)
        pupils.append(pupil)
    course = courses_api.get_or_create_course(school_class=klass, subject=toan)
    bank = bank_api.create_bank(subject_group=people.group, name="Ngân hàng Toán 3")
    versions = [ready(bank, people, single(n)) for n in (1, 2, 3)]
    test = services.create_test(
        school=people.school, subject=toan, grade=3, title="Kiểm tra cuối học kì I – Toán 3", created_by=people.teacher
    )
    part = services.add_part(test=test, code="I", question_type="single_choice")
    for version, points in zip(versions, ("7.49", "0.01", "2.5"), strict=True):
        services.add_item(part=part, version=version, points=D(points))
    test = approve(test, people, variants=1, seed="tt27")
    sitting = schedule(SimpleNamespace(cls=SimpleNamespace(course=course), people=people), test, access_code="K3")
    for pupil, answered in zip(pupils, (2, 1), strict=True):
        attempt = Attempt.objects.select_related("variant", "sitting").get(sitting=sitting, student=pupil)
        attempt = services.start_attempt(attempt=attempt, student=pupil, access_code="K3")
        slots = sorted(attempt.variant.slots(), key=lambda s: D(s["points"]), reverse=True)  # 7,49 · 2,5 · 0,01
        chosen = [slots[0], slots[2]][:answered]
        changes = [{"seq": n, "slot": s["slot"], "response": s["key"]} for n, s in enumerate(chosen, start=1)]
        services.save_changes(attempt_id=attempt.pk, student=pupil, changes=changes)
        services.submit_attempt(attempt=attempt)
    return SimpleNamespace(people=people, klass=klass, course=course, sitting=sitting, pupils=pupils, toan=toan)


def test_report_result_and_plan_show_whole_numbers(client, primary):
    an, binh = primary.pupils
    attempts = {a.student_id: a for a in primary.sitting.attempts.all()}
    assert attempts[an.pk].points == D("7.50") and attempts[binh.pk].points == D("7.49")
    report = selectors.class_report(primary.sitting)
    assert {a.student_id: s for a, s in report["attempts"]} == {an.pk: D(8), binh.pk: D(7)}
    assert report["mean"] == D("7.50")
    client.force_login(primary.people.teacher)
    html = client.get(reverse("exams:report", args=[primary.sitting.pk])).content.decode()
    assert "<td>8</td>" in html and "<td>7</td>" in html and "7,49" in html  # raw points keep their decimals
    client.login(username=an.username, password=PASSWORD)
    attempt = attempts[an.pk]
    html = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert '<strong data-testid="score">8</strong>' in html
    item = SimpleNamespace(pk=1, reference=str(primary.sitting.pk))
    results = plan_items.SittingProvider().results([item], [an.pk, binh.pk])
    assert results[(1, an.pk)].score == D(8) and results[(1, binh.pk)].score == D(7)


def test_the_gradebook_takes_the_whole_numbers(primary):
    an, binh = primary.pupils
    book = gradebook.open_gradebook(school_class=primary.klass, subject=primary.toan, semester=1)
    assert book.profile == Profile.TT27_2020
    column = book.columns.get(kind=ColumnKind.TEST, checkpoint="CK1")
    rows = {r.student.pk: r for r in get_exam_preview(book, primary.sitting, column)}
    assert rows[an.pk].score == D(8) and rows[an.pk].shown == "8"
    assert rows[binh.pk].score == D(7) and rows[binh.pk].shown == "7"
    result = gradebook.transfer_exam_scores(
        actor=primary.people.teacher, gradebook=book, sitting=primary.sitting, column=column
    )
    assert result["changed"] == 2
    assert {m.student_id: m.score for m in Mark.objects.filter(column=column)} == {an.pk: D(8), binh.pk: D(7)}
    again = gradebook.transfer_exam_scores(
        actor=primary.people.teacher, gradebook=book, sitting=primary.sitting, column=column
    )
    assert again["changed"] == 0 and again["unchanged"] == 2


def test_the_gradebook_pages_offer_the_periodic_test_column(client, primary):
    book = gradebook.open_gradebook(school_class=primary.klass, subject=primary.toan, semester=1)
    column = book.columns.get(kind=ColumnKind.TEST, checkpoint="CK1")
    client.force_login(primary.people.teacher)
    assert 'data-testid="from-exam"' in client.get(reverse("gradebook:book", args=[book.pk])).content.decode()
    url = reverse("gradebook:from_exam", args=[book.pk])
    html = client.get(url, {"sitting": primary.sitting.pk, "column": column.pk}).content.decode()
    assert f'value="{column.pk}"' in html and "<td>8</td>" in html.replace(" ", "")
    client.post(url, {"sitting": primary.sitting.pk, "column": column.pk})
    assert sorted(Mark.objects.filter(column=column).values_list("score", flat=True)) == [D(7), D(8)]
