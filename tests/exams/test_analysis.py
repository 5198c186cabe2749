"""Item statistics against a hand-worked example (pure; no database).

Ten students, five 1-point items (1 = right). Item 5 is answered right by everyone.

    student  i1 i2 i3 i4 i5  total
       1      1  1  1  1  1    5
       2      1  1  1  0  1    4
       3      1  1  0  1  1    4
       4      1  0  1  0  1    3
       5      1  1  0  0  1    3
       6      1  0  0  1  1    3
       7      1  0  1  0  1    3
       8      0  1  0  0  1    2
       9      1  0  0  0  1    2
      10      0  0  0  0  1    1

Totals: mean 3,0; deviations² 4+1+1+0+0+0+0+1+1+4 = 12 → variance 1,2 (÷ N), SD √1,2 = 1,095445.
Facility p: 0,8 / 0,5 / 0,4 / 0,3 / 1,0; pq: 0,16 + 0,25 + 0,24 + 0,21 + 0 = 0,86.
KR-20 = 5/4 · (1 − 0,86/1,2) = 1,25 · 0,283333 = 0,354167; SEM = √(1,2 · 0,645833) = √0,775 = 0,880341.
27 % of 10 → 3: upper = students 1, 2, 3; lower = 8, 9, 10.
D: i1 1 − 1/3 = 0,666667; i2 1 − 1/3; i3 2/3 − 0; i4 2/3 − 0; i5 1 − 1 = 0 (flagged; p = 1 > 0,9 flagged).
Point-biserial r = (M₁ − M₀)/SD · √(pq) (totals without i5 shift nothing):
  i1: M₁ = (5+4+4+3+3+3+3+2)/8 = 3,375, M₀ = (2+1)/2 = 1,5 → 1,875 · 0,4 / 1,095445 = 0,684653
  i2: M₁ = 18/5 = 3,6, M₀ = 12/5 = 2,4 → 1,2 · 0,5 / 1,095445 = 0,547723
  i3: M₁ = 15/4 = 3,75, M₀ = 15/6 = 2,5 → 1,25 · 0,489898 / 1,095445 = 0,559017
  i4: M₁ = 12/3 = 4, M₀ = 18/7 = 2,571429 → 1,428571 · 0,458258 / 1,095445 = 0,597614
  i5: no variance → none.
"""

from decimal import Decimal

import pytest

from lms.exams.analysis import analyse

ROWS = [
    (1, 1, 1, 1, 1),
    (1, 1, 1, 0, 1),
    (1, 1, 0, 1, 1),
    (1, 0, 1, 0, 1),
    (1, 1, 0, 0, 1),
    (1, 0, 0, 1, 1),
    (1, 0, 1, 0, 1),
    (0, 1, 0, 0, 1),
    (1, 0, 0, 0, 1),
    (0, 0, 0, 0, 1),
]
ITEMS = [(f"i{n}", Decimal(1)) for n in range(1, 6)]


def _scores():
    return [{f"i{n + 1}": Decimal(v) for n, v in enumerate(row)} for row in ROWS]


def test_hand_worked_example():
    stats = analyse(ITEMS, _scores())
    assert stats.n == 10 and stats.k == 5 and stats.group_size == 3
    assert stats.mean == pytest.approx(3.0)
    assert stats.sd == pytest.approx(1.095445, abs=1e-6)
    assert stats.kr20 is True
    assert stats.alpha == pytest.approx(0.354167, abs=1e-6)
    assert stats.sem == pytest.approx(0.880341, abs=1e-6)
    by = {s.item: s for s in stats.items}
    assert [by[f"i{n}"].facility for n in range(1, 6)] == pytest.approx([0.8, 0.5, 0.4, 0.3, 1.0])
    assert [by[f"i{n}"].discrimination for n in range(1, 6)] == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2 / 3, 0.0])
    assert [by[f"i{n}"].point_biserial for n in range(1, 5)] == pytest.approx(
        [0.684653, 0.547723, 0.559017, 0.597614], abs=1e-6
    )
    assert by["i5"].point_biserial is None
    assert [by[f"i{n}"].flags for n in range(1, 6)] == [[], [], [], [], ["discrimination", "facility"]]


def test_flags_at_the_thresholds():
    # p = 0,2 and p = 0,9 are inside the range; D = 0,2 is not below the threshold
    rows = [[1 if i < k else 0 for i in range(10)] for k in (2, 9)]
    scores = [{"hard": Decimal(rows[0][s]), "easy": Decimal(rows[1][s])} for s in range(10)]
    stats = analyse([("hard", Decimal(1)), ("easy", Decimal(1))], scores)
    hard, easy = stats.items
    assert hard.facility == pytest.approx(0.2) and "facility" not in hard.flags
    assert easy.facility == pytest.approx(0.9) and "facility" not in easy.flags
    # easy: upper 3 all right, lower (students 8, 9, 10) 2 of 3 right → D = 1/3
    assert easy.discrimination == pytest.approx(1 / 3)


def test_distractor_table_in_original_labels():
    choices = [{"i1": "A"} for _ in range(10)]
    choices[7] = {"i1": "B"}  # student 8 (wrong)
    choices[9] = {}  # student 10 left it blank
    stats = analyse(ITEMS, _scores(), choices=choices, keys={"i1": "A"}, options={"i1": ["A", "B", "C", "D"]})
    table = {d["option"]: d for d in stats.items[0].distractors}
    assert table["A"] == {"option": "A", "key": True, "all": 8, "upper": 3, "lower": 1}
    assert table["B"] == {"option": "B", "key": False, "all": 1, "upper": 0, "lower": 1}
    assert table["C"]["all"] == table["D"]["all"] == 0
    assert table[None]["all"] == 1 and table[None]["lower"] == 1
    assert stats.items[1].distractors == []  # no options given for the other items


def test_cronbach_alpha_with_partial_credit():
    """Three students, two items worth 1: (1; 1), (0,5; 0,5), (0; 0,5). Totals 2 / 1 / 0,5, mean 7/6, variance
    (0,694444 + 0,027778 + 0,444444)/3 = 0,388889; item variances 0,166667 and 0,055556 → alpha = 2 · (1 −
    0,222222/0,388889) = 0,857143 (not KR-20: the items are not 0/1)."""
    scores = [
        {"a": Decimal(1), "b": Decimal(1)},
        {"a": Decimal("0.5"), "b": Decimal("0.5")},
        {"a": Decimal(0), "b": Decimal("0.5")},
    ]
    stats = analyse([("a", Decimal(1)), ("b", Decimal(1))], scores)
    assert stats.alpha == pytest.approx(0.857143, abs=1e-6) and stats.kr20 is False
    assert stats.items[0].facility == pytest.approx(0.5)


def test_points_are_compared_as_fractions_of_the_item():
    scores = [{"q": Decimal("0.25")}, {"q": Decimal(0)}, {"q": Decimal("0.25")}, {"q": Decimal(0)}]
    stats = analyse([("q", Decimal("0.25"))], scores)
    assert stats.items[0].facility == pytest.approx(0.5) and stats.items[0].dichotomous
    assert stats.alpha is None  # one item: no reliability


def test_empty_sitting():
    stats = analyse(ITEMS, [])
    assert stats.n == 0 and stats.mean is None and stats.alpha is None
    assert all(s.facility is None and not s.flags for s in stats.items)
