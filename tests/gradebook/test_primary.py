"""TT 27/2020 primary profile: qualities and competences per checkpoint, and the year-end HTXS/HTT/HT/CHT summary
suggested from the data and confirmed by the homeroom teacher (R24)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from curriculum.api import get_subject
from lms.courses import api as courses_api
from lms.gradebook import rules, selectors, services
from lms.gradebook.models import AuditAction, AuditEntry, PrimaryYearResult, QualityRating, RefusedAccess
from lms.gradebook.rules import Rating, YearLevel
from tests.gradebook.support import make_primary_class
from tests.support.people import PASSWORD

HTT, HT, CHT, T, D, C = Rating.HTT, Rating.HT, Rating.CHT, Rating.TOT, Rating.DAT, Rating.CAN_CO_GANG
ALL_T = [T] * len(rules.primary_quality_items())


# --- rule: TT 27 Art. 9 year-end summary, worked cases ---------------------------------------------------------


@pytest.mark.parametrize(
    ("subjects", "qualities", "tests", "expected"),
    [
        # Every subject HTT, every quality and competence Tốt, every end-of-year test ≥ 9 → Hoàn thành xuất sắc.
        ([HTT, HTT, HTT], ALL_T, [9, 10], YearLevel.HTXS),
        # The same with one test 8 → not xuất sắc, but ≥ 7 → Hoàn thành tốt.
        ([HTT, HTT, HTT], ALL_T, [9, 8], YearLevel.HTT),
        # One quality Đạt → not tốt (needs all Tốt) → Hoàn thành.
        ([HTT, HTT, HTT], [D, *ALL_T[1:]], [10, 10], YearLevel.HT),
        # One subject HT → Hoàn thành even with perfect tests.
        ([HTT, HT, HTT], ALL_T, [10, 10], YearLevel.HT),
        # A test of 5 is enough for Hoàn thành, 4 is not.
        ([HT, HT], [D] * len(ALL_T), [5, 6], YearLevel.HT),
        ([HT, HT], [D] * len(ALL_T), [4, 6], YearLevel.CHT),
        # One subject CHT, or one quality Cần cố gắng → Chưa hoàn thành.
        ([HTT, CHT], ALL_T, [10, 10], YearLevel.CHT),
        ([HTT, HTT], [C, *ALL_T[1:]], [10, 10], YearLevel.CHT),
        # Boundaries are inclusive: exactly 9 and exactly 7.
        ([HTT], ALL_T, [Decimal(9)], YearLevel.HTXS),
        ([HTT], ALL_T, [7], YearLevel.HTT),
        ([HTT], ALL_T, [6], YearLevel.HT),
    ],
)
def test_primary_year_level_worked_cases(subjects, qualities, tests, expected):
    assert rules.primary_year_level(subjects, qualities, tests) == expected


def test_primary_profile_lists_five_qualities_ten_competences_four_checkpoints():
    config = rules.PROFILES["TT27_2020"]
    assert len(config["qualities"]) == 5 and len(config["competences"]) == 10
    assert config["quality_checkpoints"] == ("GK1", "CK1", "GK2", "CN")
    assert set(rules.QUALITY_LABELS) == set(rules.primary_quality_items())


# --- pages and services on a real primary class -----------------------------------------------------------------


@pytest.fixture
def primary(gb):
    klass, pupils, books = make_primary_class(gb)
    return gb, klass, pupils, books


def _cn(book, kind):
    return book.columns.get(checkpoint="CN", kind=kind)


def _enter_year(gb, books, pupil, toan_rating, toan_test, dao_duc_rating):
    toan, dao_duc = books
    entries = {(_cn(toan, "rating").pk, pupil.pk): toan_rating, (_cn(toan, "test").pk, pupil.pk): toan_test}
    services.record_marks(actor=gb.people.teacher, gradebook=toan, entries=entries)
    services.record_marks(
        actor=gb.people.teacher, gradebook=dao_duc, entries={(_cn(dao_duc, "rating").pk, pupil.pk): dao_duc_rating}
    )


@pytest.mark.django_db
def test_quality_page_saves_all_or_nothing_and_audits_changes(primary, client):
    gb, klass, (an, binh), _books = primary
    url = f"/so-diem/lop/{klass.pk}/pham-chat-nang-luc/CN/"
    client.login(username=gb.people.teacher.username, password=PASSWORD)
    page = client.get(url)
    assert page.status_code == 200
    assert f'name="q-{an.pk}-yeu_nuoc"' in page.content.decode()
    # A bad value is reported by pupil and item and nothing is saved.
    response = client.post(url, {f"q-{an.pk}-yeu_nuoc": "T", f"q-{binh.pk}-tinh_toan": "Giỏi"})
    assert response.status_code == 400
    assert "Bình" in response.content.decode() and "Giỏi" in response.content.decode()
    assert not QualityRating.objects.exists()
    # A good sheet is saved; the labels are accepted as well as the codes.
    data = {f"q-{p.pk}-{item}": "T" for p in (an, binh) for item in rules.primary_quality_items()}
    data[f"q-{binh.pk}-tinh_toan"] = "Đạt"
    assert client.post(url, data).status_code == 302
    assert QualityRating.objects.count() == 30
    assert QualityRating.objects.get(student=binh, item="tinh_toan").rating == Rating.DAT
    assert not AuditEntry.objects.filter(action=AuditAction.QUALITY).exists()  # first entries are not audited
    # A change is audited with who, old, new and the reason.
    data[f"q-{binh.pk}-tinh_toan"] = "CCG"
    client.post(url, {**data, "reason": "Đánh giá lại"})
    entry = AuditEntry.objects.get(action=AuditAction.QUALITY)
    assert (entry.actor, entry.student, entry.reason) == (gb.people.teacher, binh, "Đánh giá lại")
    assert entry.old_value == "CN tinh_toan D" and entry.new_value == "CN tinh_toan CCG"
    # An unknown checkpoint is 404, a secondary class has no such page.
    assert client.get(f"/so-diem/lop/{klass.pk}/pham-chat-nang-luc/CK2/").status_code == 404
    assert client.get(f"/so-diem/lop/{gb.setup.klass.pk}/pham-chat-nang-luc/CN/").status_code == 404


@pytest.mark.django_db
def test_quality_and_summary_pages_access(primary, client):
    gb, klass, (an, _binh), _books = primary
    qualities = f"/so-diem/lop/{klass.pk}/pham-chat-nang-luc/GK1/"
    summary = f"/so-diem/lop/{klass.pk}/tong-ket-tieu-hoc/"
    # Another class's homeroom teacher reads neither page and cannot write; each refusal is logged.
    client.login(username=gb.other_teacher.username, password=PASSWORD)
    assert client.get(qualities).status_code == 403
    assert client.post(qualities, {f"q-{an.pk}-yeu_nuoc": "T"}).status_code == 403
    assert client.get(summary).status_code == 403
    assert client.post(summary, {f"level-{an.pk}": YearLevel.HT}).status_code == 403
    assert RefusedAccess.objects.filter(user=gb.other_teacher).count() == 4
    # The principal reads both pages but cannot rate or confirm (homeroom teacher only).
    client.login(username=gb.people.principal.username, password=PASSWORD)
    page = client.get(qualities)
    assert page.status_code == 200 and "<select" not in page.content.decode()
    assert client.get(summary).status_code == 200
    assert client.post(qualities, {f"q-{an.pk}-yeu_nuoc": "T"}).status_code == 403
    assert client.post(summary, {f"level-{an.pk}": YearLevel.HT}).status_code == 403
    # A pupil reads neither.
    client.login(username=an.username, password=PASSWORD)
    assert client.get(summary).status_code == 403
    assert not QualityRating.objects.exists() and not PrimaryYearResult.objects.exists()
    with pytest.raises(PermissionDenied):
        services.confirm_primary_year(actor=gb.other_teacher, school_class=klass, student=an, level=YearLevel.HT)


@pytest.mark.django_db
def test_year_summary_is_suggested_from_the_data_and_confirmed(primary, client, django_assert_max_num_queries):
    gb, klass, (an, binh), books = primary
    teacher = gb.people.teacher
    items = rules.primary_quality_items()
    _enter_year(gb, books, an, "HTT", "9", "HTT")
    _enter_year(gb, books, binh, "HTT", "10", "HT")
    # Only An's CN qualities are in: Bình's summary waits for them (15 missing).
    services.record_quality_ratings(
        actor=teacher, school_class=klass, checkpoint="CN", entries={(an.pk, i): "T" for i in items}
    )
    summary = selectors.get_primary_year_summary(klass)
    lines = {line.student: line for line in summary.lines}
    assert {s.code for s in summary.subjects} == {"toan", "dao-duc"}
    assert lines[an].suggested == YearLevel.HTXS
    assert lines[binh].suggested is None and lines[binh].missing == len(items)
    # GK2 ratings do not count for the year: Bình rated at GK2 only is still missing.
    services.record_quality_ratings(
        actor=teacher, school_class=klass, checkpoint="GK2", entries={(binh.pk, i): "T" for i in items}
    )
    assert {line.student: line for line in selectors.get_primary_year_summary(klass).lines}[binh].suggested is None
    services.record_quality_ratings(
        actor=teacher, school_class=klass, checkpoint="CN", entries={(binh.pk, i): "T" for i in items}
    )
    lines = {line.student: line for line in selectors.get_primary_year_summary(klass).lines}
    assert lines[binh].suggested == YearLevel.HT  # Đạo đức only Hoàn thành

    client.login(username=teacher.username, password=PASSWORD)
    url = f"/so-diem/lop/{klass.pk}/tong-ket-tieu-hoc/"
    home = client.get("/so-diem/").content.decode()
    assert url in home and f"/so-diem/lop/{klass.pk}/pham-chat-nang-luc/GK1/" in home
    assert f"/so-diem/lop/{gb.setup.klass.pk}/tong-ket-tieu-hoc/" not in home  # 10A1 is not primary
    with django_assert_max_num_queries(25):
        page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "Hoàn thành xuất sắc" in text
    # The teacher confirms An as suggested and raises Bình to HTT; each confirmation is audited.
    response = client.post(url, {f"level-{an.pk}": YearLevel.HTXS, f"level-{binh.pk}": YearLevel.HTT})
    assert response.status_code == 302
    result = PrimaryYearResult.objects.get(student=binh)
    assert (result.suggested_level, result.level, result.confirmed_by) == (YearLevel.HT, YearLevel.HTT, teacher)
    entries = AuditEntry.objects.filter(action=AuditAction.PRIMARY_LEVEL)
    assert {(e.student, e.new_value) for e in entries} == {(an, YearLevel.HTXS), (binh, YearLevel.HTT)}
    # Posting the same again changes nothing and writes no new audit row.
    client.post(url, {f"level-{an.pk}": YearLevel.HTXS, f"level-{binh.pk}": YearLevel.HTT})
    assert entries.count() == 2
    # A value outside HTXS/HTT/HT/CHT is refused by the service.
    with pytest.raises(ValidationError):
        services.confirm_primary_year(actor=teacher, school_class=klass, student=an, level="Tốt")


@pytest.mark.django_db
def test_a_subject_never_opened_is_missing_from_the_primary_summary(primary, client):
    """Tiếng Việt (tested at CN) is offered to grade 5 but has no semester-2 gradebook: the summary lists it, every
    pupil misses its rating and its test, and no level is suggested until it is opened and filled."""
    gb, klass, (an, _binh), books = primary
    items = rules.primary_quality_items()
    _enter_year(gb, books, an, "HTT", "9", "HTT")
    services.record_quality_ratings(
        actor=gb.people.teacher, school_class=klass, checkpoint="CN", entries={(an.pk, i): "T" for i in items}
    )
    assert {line.student: line for line in selectors.get_primary_year_summary(klass).lines}[an].suggested
    tieng_viet = get_subject("tieng-viet")
    courses_api.set_subject_offering(school_year=gb.setup.year, grade=5, subject=tieng_viet, periods_per_year=245)
    summary = selectors.get_primary_year_summary(klass)
    line = {line.student: line for line in summary.lines}[an]
    assert summary.unopened == [tieng_viet] and summary.subjects[-1] == tieng_viet
    assert (line.suggested, line.missing) == (None, 2)  # its CN rating and its CN test
    assert line.subjects[-1] == (tieng_viet, None, None)
    client.login(username=gb.people.teacher.username, password=PASSWORD)
    page = client.get(f"/so-diem/lop/{klass.pk}/tong-ket-tieu-hoc/").content.decode()
    assert 'data-testid="unopened"' in page and "Tiếng Việt" in page
