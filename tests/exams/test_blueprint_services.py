"""Blueprints in the database: rows and cells saved through the service, a test generated from the bank to the
blueprint (seeded, shortfalls reported), the check of a test against it, the Excel files, the test review trail."""

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from curriculum.api import get_subject
from lms.exams import authoring, blueprint_selectors, blueprint_xlsx, services
from lms.exams.authoring import RowInput
from lms.exams.models import BlueprintTest, ReviewAction
from lms.exams.models import TestItem as Item  # not "Test…": pytest would try to collect it
from lms.exams.models import TestStatus as Status
from tests.exams.blueprint_support import make_blueprint, make_tagged_bank, rows_10_points


@pytest.fixture
def setup(db):
    return make_tagged_bank()


def test_rows_and_cells_are_saved_and_add_up(setup):
    blueprint = make_blueprint(setup)
    rows = list(blueprint.rows.all())
    assert [(r.position, r.content_unit) for r in rows] == [(0, "Mệnh đề"), (1, "Tập hợp")]
    assert sorted(o.code for o in rows[0].outcomes.all()) == ["BP.T10.A1", "BP.T10.A2"]
    assert rows[1].cells.get(format="essay", level="van_dung").points_each == D(2)
    assert blueprint_selectors.check(blueprint) == []


def test_bad_rows_are_refused_and_nothing_is_lost(setup):
    blueprint = make_blueprint(setup)
    bad = [
        RowInput("", "x", ["BP.T10.A1"], {}),
        RowInput("Chương II", "", ["TOAN11.NOPE.1", "BP.T10.A1"], {("mcq", "nb"): (2, D(1))}),
        RowInput("Chương III", "", [], {("mcq", "biet"): (2, D(0))}),
    ]
    with pytest.raises(ValidationError) as error:
        authoring.save_rows(blueprint=blueprint, user=setup.people.teacher, rows=bad)
    assert error.value.messages == [
        "Row 1: write the chapter or topic.",
        "Row 2: TOAN11.NOPE.1 is not a YCCĐ of Toán, grade 10.",
        "Row 2: mcq / nb is not a column of CV7991_2024.",
        "Row 3: name at least one YCCĐ outcome code.",
        "Row 3, TNKQ nhiều lựa chọn – Biết: give the points per item.",
    ]
    assert blueprint.rows.count() == 2  # the saved rows are kept


def test_only_a_teacher_of_the_subject_group_writes_blueprints(setup):
    people = setup.people
    with pytest.raises(PermissionDenied):
        authoring.create_blueprint(
            school=people.school, subject=get_subject("ngu-van"), grade=10, title="x", created_by=people.teacher
        )
    blueprint = make_blueprint(setup)
    with pytest.raises(PermissionDenied):
        authoring.save_rows(blueprint=blueprint, user=people.student, rows=rows_10_points())
    with pytest.raises(PermissionDenied):
        authoring.approve_blueprint(blueprint=blueprint, user=people.teacher)  # the author
    authoring.approve_blueprint(blueprint=blueprint, user=people.group_head)
    with pytest.raises(ValidationError, match="approved"):
        authoring.save_rows(blueprint=blueprint, user=people.teacher, rows=rows_10_points())


def test_generate_a_test_that_matches_the_blueprint(setup):
    blueprint = make_blueprint(setup)
    test, shortfalls = authoring.generate_test(blueprint=blueprint, created_by=setup.people.teacher, seed="hk1")
    assert shortfalls == []
    parts = list(test.parts.all())
    assert [(p.code, p.title, p.question_type) for p in parts] == [
        ("I", "TNKQ nhiều lựa chọn", "single_choice"),
        ("II", "TNKQ Đúng – Sai", "true_false_4"),
        ("III", "TNKQ trả lời ngắn", ""),
        ("IV", "Tự luận", "essay"),
    ]
    assert [p.items.count() for p in parts] == [16, 2, 2, 2]
    assert services.test_total(test) == D(10) and services.check_test(test) == []
    assert {i.points for i in parts[1].items.all()} == {D(1)}  # 4 statements × 0,25
    assert blueprint_selectors.validate_test_against_blueprint(test, blueprint) == []
    items = Item.objects.filter(part__test=test).select_related("version__question")
    assert all(i.version.question.subject_id == blueprint.subject_id for i in items)
    # the same seed draws the same questions; another seed other ones from the same cells
    again, _ = authoring.generate_test(blueprint=blueprint, created_by=setup.people.teacher, seed="hk1")
    chosen = lambda t: sorted(Item.objects.filter(part__test=t).values_list("version_id", flat=True))  # noqa: E731
    assert chosen(again) == chosen(test)
    other = [authoring.generate_test(blueprint=blueprint, created_by=setup.people.teacher, seed=s)[0] for s in "abc"]
    assert any(chosen(t) != chosen(test) for t in other)
    assert BlueprintTest.objects.get(test=test).seed == "hk1"


def test_shortfalls_are_reported_per_cell(setup):
    rows = rows_10_points()
    rows[0].cells[("tf", "hieu")] = (16, D("0.125"))  # 4 Đúng/Sai questions; the bank has 3
    rows[1].cells[("mcq", "biet")] = (8, D("0.25"))
    blueprint = make_blueprint(setup, rows=rows)
    test, shortfalls = authoring.generate_test(blueprint=blueprint, created_by=setup.people.teacher, seed="x")
    assert [s.message() for s in shortfalls] == [
        "Row “Chương I. Mệnh đề và tập hợp – Mệnh đề”, TNKQ Đúng – Sai – Hiểu: 4 questions needed, only 3 ready "
        "questions in the bank match (subject, grade, YCCĐ of the row, level, format)."
    ]
    assert test.parts.get(code="II").items.count() == 3
    assert BlueprintTest.objects.get(test=test).shortfalls[0]["needed"] == 4
    deviations = blueprint_selectors.validate_test_against_blueprint(test, blueprint)
    tf = next(d for d in deviations if d.format == "tf")
    assert (tf.expected_count, tf.actual_count) == (16, 12)


def test_a_blueprint_that_does_not_add_up_generates_nothing(setup):
    rows = rows_10_points()[:1]
    blueprint = make_blueprint(setup, rows=rows)
    with pytest.raises(ValidationError, match=r"The blueprint totals 5 points, not 10\."):
        authoring.generate_test(blueprint=blueprint, created_by=setup.people.teacher)


def test_hand_built_test_with_draws_and_untagged_items(setup):
    blueprint = make_blueprint(setup)
    people = setup.people
    test = services.create_test(
        school=people.school, subject=get_subject("toan"), grade=10, title="Đề tự soạn", created_by=people.teacher
    )
    part = services.add_part(test=test, code="I", question_type="single_choice")
    untagged = setup.bank.questions.filter(outcomes=None).get().ready_version
    services.add_item(part=part, version=untagged, points=D(1))
    services.add_draw(part=part, bank=setup.bank, count=2, points=D("0.25"), level="biet")
    messages = [d.message for d in blueprint_selectors.validate_test_against_blueprint(test, blueprint)]
    assert f"Part I, question 1 (#{untagged.question_id}) has no YCCĐ outcome." in messages
    assert "Part I, random draw 1, question 2 has no YCCĐ outcome." in messages
    assert "The test totals 1,5 points, not 10." in messages


def test_excel_matrix_and_specification_follow_the_appendix(setup):
    blueprint = make_blueprint(setup)
    m = blueprint_selectors.matrix(blueprint, with_spec=True)
    ws = load_workbook(BytesIO(blueprint_xlsx.matrix_xlsx(m))).active
    assert ws["A1"].value == "MA TRẬN ĐỀ KIỂM TRA"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A4:A6", "B4:B6", "C4:C6", "D4:O4", "D5:F5", "G5:I5", "J5:L5", "M5:O5", "P4:R5", "S4:S6"} <= merged
    assert [ws.cell(row=5, column=c).value for c in (4, 7, 10, 13)] == [
        "TNKQ nhiều lựa chọn",
        "TNKQ Đúng – Sai",
        "TNKQ trả lời ngắn",
        "Tự luận",
    ]
    assert [ws.cell(row=6, column=c).value for c in range(4, 7)] == ["Biết", "Hiểu", "Vận dụng"]
    # row 1 (sheet row 7): 8 MCQ biết, 8 statements hiểu, 2 short vận dụng; totals per level; 50 % of the points
    assert [ws.cell(row=7, column=c).value for c in range(1, 4)] == [1, "Chương I. Mệnh đề và tập hợp", "Mệnh đề"]
    assert ws["D7"].value == 8 and ws["H7"].value == 8 and ws["L7"].value == 2 and ws["E7"].value is None
    assert [ws.cell(row=7, column=c).value for c in (16, 17, 18, 19)] == [8, 8, 2, 50]
    # footers: Tổng số câu / Tổng số điểm (per format, merged) / Tỉ lệ %
    assert ws["A9"].value == "Tổng số câu" and ws["A10"].value == "Tổng số điểm" and ws["A11"].value == "Tỉ lệ %"
    assert ws["D9"].value == 16 and ws["D10"].value == 4 and "D10:F10" in merged and ws["G11"].value == 20
    assert [ws.cell(row=10, column=c).value for c in (16, 17, 18, 19)] == [4, 3, 3, 10]
    assert [ws.cell(row=11, column=c).value for c in (16, 17, 18)] == [40, 30, 30]

    spec = load_workbook(BytesIO(blueprint_xlsx.specification_xlsx(m))).active
    assert spec["A1"].value == "BẢN ĐẶC TẢ ĐỀ KIỂM TRA" and spec["D4"].value == "Yêu cầu cần đạt"
    assert {"D4:D6", "E4:P4", "E5:G5"} <= {str(r) for r in spec.merged_cells.ranges}
    assert spec["D7"].value == (
        "- Biết: BP.T10.A1: Nhận biết được mệnh đề, mệnh đề phủ định.\n"
        "- Hiểu: BP.T10.A2: Thiết lập được mệnh đề kéo theo, mệnh đề đảo."
    )
    assert spec["D8"].value == "- Vận dụng: BP.T10.B1: Vận dụng được các phép toán trên tập hợp."
    assert spec["E8"].value == 8 and spec["P8"].value == 1 and spec["E9"].value == 16


def test_review_trail_send_return_send_approve(setup):
    people = setup.people
    blueprint = make_blueprint(setup)
    test, _ = authoring.generate_test(blueprint=blueprint, created_by=people.teacher, seed="r")
    item = Item.objects.filter(part__test=test).first()
    with pytest.raises(PermissionDenied):
        authoring.submit_test_for_review(test=test, user=people.group_head)  # not the author
    authoring.set_item_points(item=item, user=people.teacher, points=D(2))
    with pytest.raises(ValidationError) as error:
        authoring.submit_test_for_review(test=test, user=people.teacher)
    assert "The test totals 11,75 points, not 10." in error.value.messages
    authoring.set_item_points(item=item, user=people.teacher, points=item.version.points and D("0.25"))
    authoring.submit_test_for_review(test=test, user=people.teacher, comment="Nhờ tổ xem")
    assert authoring.review_state(test) == ReviewAction.SUBMITTED
    with pytest.raises(ValidationError, match="waiting for review"):
        authoring.remove_item(item=item, user=people.teacher)
    with pytest.raises(PermissionDenied):
        authoring.return_test(test=test, user=people.teacher, comment="x")
    with pytest.raises(ValidationError, match=r"Say what the author should change\."):
        authoring.return_test(test=test, user=people.group_head, comment=" ")
    authoring.return_test(test=test, user=people.group_head, comment="Câu 3 trùng ý")
    authoring.remove_item(item=item, user=people.teacher)  # editable again
    with pytest.raises(ValidationError):
        authoring.submit_test_for_review(test=test, user=people.teacher)  # one item short now
    with pytest.raises(ValidationError, match="not waiting for review"):
        authoring.approve_reviewed_test(test=test, user=people.group_head)
    version = item.version
    services.add_item(part=item.part, version=version, points=D("0.25"))
    authoring.submit_test_for_review(test=test, user=people.teacher)
    test = authoring.approve_reviewed_test(test=test, user=people.group_head, variants=2, seed="s")
    assert test.status == Status.APPROVED and test.variants.count() == 2
    assert [r.action for r in test.reviews.all()] == ["submitted", "returned", "submitted", "approved"]
