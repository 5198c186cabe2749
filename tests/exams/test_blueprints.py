"""Blueprint arithmetic and validation (R30–R32), pure: hand-built blueprints and items, no database."""

from decimal import Decimal as D

import pytest

from lms.exams.blueprints import (
    ERROR,
    WARNING,
    BlueprintSpec,
    ItemFact,
    RowSpec,
    check_blueprint,
    round_score,
    totals,
    validate_test,
)
from lms.exams.rules import BLUEPRINT_FRAMEWORKS, blueprint_framework


def cv7991_spec(**kw) -> BlueprintSpec:
    """Two rows totalling 10 at 40/30/30: row A 8 MCQ biết (2,0) + 8 Đúng/Sai statements hiểu (2,0) + 2 short vận
    dụng (1,0); row B 4 MCQ biết (1,0) + 4 statements biết (1,0) + 1 essay hiểu (1,0) + 1 essay vận dụng (2,0)."""
    rows = (
        RowSpec(
            "Mệnh đề",
            frozenset({"T10.A1", "T10.A2"}),
            {("mcq", "biet"): (8, D("0.25")), ("tf", "hieu"): (8, D("0.25")), ("short", "van_dung"): (2, D("0.5"))},
        ),
        RowSpec(
            "Tập hợp",
            frozenset({"T10.B1"}),
            {
                ("mcq", "biet"): (4, D("0.25")),
                ("tf", "biet"): (4, D("0.25")),
                ("essay", "hieu"): (1, D("1")),
                ("essay", "van_dung"): (1, D("2")),
            },
        ),
    )
    return BlueprintSpec(framework=kw.pop("framework", "CV7991_2024"), total_points=D(10), rows=rows, **kw)


def items_matching() -> list[ItemFact]:
    out = []
    out += [ItemFact(f"I.{i}", "single_choice", "biet", frozenset({"T10.A1"}), D("0.25")) for i in range(8)]
    out += [ItemFact(f"II.{i}", "true_false_4", "hieu", frozenset({"T10.A2"}), D("1")) for i in range(2)]
    out += [ItemFact(f"III.{i}", "numeric", "van_dung", frozenset({"T10.A1"}), D("0.5")) for i in range(2)]
    out += [ItemFact(f"I.b{i}", "single_choice", "nb", frozenset({"T10.B1"}), D("0.25")) for i in range(4)]
    out += [ItemFact("II.b", "true_false_4", "biet", frozenset({"T10.B1"}), D("1"))]
    out += [ItemFact("IV.1", "essay", "hieu", frozenset({"T10.B1"}), D("1"))]
    out += [ItemFact("IV.2", "essay", "van_dung", frozenset({"T10.B1", "T10.A1"}), D("2"))]
    return out


def test_frameworks_are_versioned_with_levels_formats_and_targets():
    assert set(BLUEPRINT_FRAMEWORKS) == {"CV7991_2024", "LEGACY_4LEVEL", "TT27_2020"}
    cv = blueprint_framework("CV7991_2024")
    assert [lv.key for lv in cv.levels] == ["biet", "hieu", "van_dung"]
    assert [f.key for f in cv.formats] == ["mcq", "tf", "short", "essay"] and len(cv.columns) == 12
    assert cv.level_targets == {"biet": D(40), "hieu": D(30), "van_dung": D(30)}
    assert sum(cv.format_targets.values()) == D(10) and cv.format("tf").units_per_question == 4
    legacy = blueprint_framework("LEGACY_4LEVEL")
    assert [lv.label for lv in legacy.levels] == ["Nhận biết", "Thông hiểu", "Vận dụng", "Vận dụng cao"]
    assert len(legacy.columns) == 16 and sum(legacy.level_targets.values()) == D(100)
    tt27 = blueprint_framework("TT27_2020")
    assert [lv.label for lv in tt27.levels] == ["Mức 1", "Mức 2", "Mức 3"] and tt27.integer_scores
    assert tt27.level_of_bank_level("hieu") == "m2" and cv.level_of_bank_level("vdc") == "van_dung"
    with pytest.raises(LookupError, match="Unknown blueprint framework 'CV8773'"):
        blueprint_framework("CV8773")


def test_totals_per_cell_format_level_and_row():
    t = totals(cv7991_spec())
    assert t.total == D(10) and t.total_count == 28
    assert t.cell_count[(0, "tf", "hieu")] == 8 and t.cell_points[(0, "tf", "hieu")] == D(2)
    assert t.format_points == {"mcq": D(3), "tf": D(3), "short": D(1), "essay": D(3)}
    assert (t.level_points["biet"], t.level_points["hieu"], t.level_points["van_dung"]) == (D(4), D(3), D(3))
    assert (t.level_share("biet"), t.level_share("hieu"), t.format_share("short")) == (D(40), D(30), D(10))
    assert t.row_points[0] == D(5) and t.row_share(1) == D(50)
    assert t.row_level_count[(1, "biet")] == 8


def test_a_balanced_blueprint_has_no_deviation():
    assert check_blueprint(cv7991_spec()) == []


def test_blueprint_errors_name_the_row_and_cell():
    rows = (
        RowSpec("Hàm số", frozenset({"X.1"}), {("tf", "hieu"): (6, D("0.25")), ("mcq", "biet"): (4, D(0))}),
        RowSpec("Không YCCĐ", frozenset(), {("essay", "vdc"): (1, D(1))}),
    )
    found = check_blueprint(BlueprintSpec("CV7991_2024", D(10), rows))
    messages = [d.message for d in found if d.severity == ERROR]
    assert (
        "Row “Hàm số”, TNKQ Đúng – Sai – Hiểu: 6 statements is not a whole number of questions (4 statements each)."
        in messages
    )
    assert "Row “Hàm số”, TNKQ nhiều lựa chọn – Biết: the points per item must be positive." in messages
    assert "Row “Không YCCĐ” names no YCCĐ outcome." in messages
    assert "Row “Không YCCĐ”: essay / vdc is not a column of CV7991_2024." in messages
    assert "The blueprint totals 2,5 points, not 10." in messages


def test_level_shares_are_reported_against_the_targets():
    rows = (RowSpec("A", frozenset({"X.1"}), {("mcq", "biet"): (24, D("0.25")), ("essay", "hieu"): (4, D(1))}),)
    found = check_blueprint(BlueprintSpec("CV7991_2024", D(10), rows))
    warnings = {d.level: d for d in found if d.severity == WARNING}
    assert [d for d in found if d.severity == ERROR] == []
    assert warnings["biet"].message == "Biết: 60 % of the points, the target is 40 %."
    assert warnings["van_dung"].actual_points == 0 and warnings["van_dung"].expected_points == D(3)
    # the author's own targets replace the framework's
    own = BlueprintSpec("CV7991_2024", D(10), rows, level_targets={"biet": D(60), "hieu": D(40), "van_dung": D(0)})
    assert check_blueprint(own) == []


def test_tt27_needs_a_whole_total_and_rounds_scores_half_up():
    rows = (RowSpec("Số", frozenset({"X.1"}), {("mcq", "m1"): (19, D("0.5"))}),)
    found = [d.message for d in check_blueprint(BlueprintSpec("TT27_2020", D(10), rows))]
    assert "TT 27/2020 – Mức 1 / Mức 2 / Mức 3 scores are whole numbers: the total 9,5 is not." in found
    tt27, cv = blueprint_framework("TT27_2020"), blueprint_framework("CV7991_2024")
    assert round_score(tt27, D("8.5")) == D(9) and round_score(tt27, D("8.49")) == D(8)
    assert round_score(cv, D("8.125")) == D("8.13")


def test_a_test_that_matches_cell_by_cell():
    assert validate_test(cv7991_spec(), items_matching()) == []


def test_deviations_say_which_cell_expected_and_actual():
    items = items_matching()
    items = items[1:]  # one multiple-choice item fewer in row A
    items.append(ItemFact("II.x", "true_false_4", "hieu", frozenset({"T10.A1"}), D("1")))  # one Đúng/Sai too many
    found = validate_test(cv7991_spec(), items)
    cells = {(d.row, d.format, d.level): d for d in found if d.format}
    mcq = cells[("Mệnh đề", "mcq", "biet")]
    assert (mcq.expected_count, mcq.actual_count, mcq.expected_points, mcq.actual_points) == (8, 7, D(2), D("1.75"))
    tf = cells[("Mệnh đề", "tf", "hieu")]
    assert (tf.expected_count, tf.actual_count) == (8, 12)  # statements, four per question
    assert tf.message == (
        "Row “Mệnh đề”, TNKQ Đúng – Sai – Hiểu: the blueprint asks for 8 items (2 points), the test has 12 (3 points)."
    )
    assert "The test totals 10,75 points, not 10." in [d.message for d in found]


def test_items_without_level_or_yccd_or_outside_the_rows():
    items = [
        ItemFact("Câu 1", "single_choice", "", frozenset({"T10.A1"}), D(5)),
        ItemFact("Câu 2", "single_choice", "biet", frozenset(), D(3)),
        ItemFact("Câu 3", "single_choice", "biet", frozenset({"T11.Z9"}), D(1)),
        ItemFact("Câu 4", "matching", "biet", frozenset({"T10.A1"}), D(1)),
    ]
    messages = [d.message for d in validate_test(cv7991_spec(), items)]
    assert "Câu 1 has no cognitive level." in messages
    assert "Câu 2 has no YCCĐ outcome." in messages
    assert "Câu 3: none of its YCCĐ (T11.Z9) is in a row of the blueprint." in messages
    assert "Câu 4: questions of type matching fit no column of the blueprint." in messages
    # none of them is counted in a cell: every cell of the blueprint is short
    assert sum(1 for d in validate_test(cv7991_spec(), items) if d.format) == 7


def test_legacy_levels_map_bank_levels():
    rows = (RowSpec("A", frozenset({"X.1"}), {("mcq", "vdc"): (4, D("2.5"))}),)
    spec = BlueprintSpec("LEGACY_4LEVEL", D(10), rows)
    items = [ItemFact(f"{i}", "single_choice", "vdc", frozenset({"X.1"}), D("2.5")) for i in range(4)]
    assert validate_test(spec, items) == []
    items[0] = ItemFact("0", "single_choice", "van_dung", frozenset({"X.1"}), D("2.5"))  # counts as VD, not VDC
    found = validate_test(spec, items)
    assert {(d.level, d.expected_count, d.actual_count) for d in found} == {("vdc", 4, 3), ("vd", 0, 1)}
