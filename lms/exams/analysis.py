"""Classical item analysis of one sitting: pure functions over a score matrix (no database).

Per item (fractions of the item's points, so a 0,25-point and a 1-point item are comparable):

- facility p = mean score / max;
- discrimination D = p(upper group) − p(lower group), groups = the top and bottom ``group_fraction`` (27 %) of
  candidates by total score, n = round(27 % × N), at least 1 (ties broken by the order given, which is stable);
- point-biserial r = Pearson correlation between the item score and the total score (for a 0/1 item this is the
  point-biserial coefficient; for partial-credit items it is the item–total correlation);
- distractors (single choice): how many chose each option, overall and in the upper / lower groups;
- Đúng/Sai (``true_false_4``) statements, each on its own: facility = share of candidates who judged it right (a blank
  counts as wrong), discrimination = that share in the upper group − in the lower group (the same groups, ranked by
  the total score), and how many answered Đ, S or left it blank; flagged by the same thresholds.

Test: k items, N candidates; Cronbach's alpha = k/(k−1) · (1 − Σ var(item) / var(total)), which is KR-20 when every
item is scored 0 or full marks (``kr20`` says so); SEM = SD(total) · √(1 − alpha). Population variances (÷ N)
throughout, as KR-20 is usually stated. Flags: D < min_discrimination, p < min_facility or p > max_facility.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from lms.exams.rules import ItemAnalysisRules, item_analysis_rules


@dataclass
class ItemStats:
    item: object
    max_points: Decimal
    n: int
    facility: float | None
    discrimination: float | None
    point_biserial: float | None
    dichotomous: bool
    distractors: list[dict] = field(default_factory=list)  # [{"option", "key", "all", "upper", "lower"}]
    flags: list[str] = field(default_factory=list)
    # Đúng/Sai: [{"label", "key", "facility", "discrimination", "true", "false", "blank", "flags"}]
    statements: list[dict] = field(default_factory=list)


@dataclass
class TestStats:
    n: int
    k: int
    mean: float | None
    sd: float | None
    alpha: float | None
    kr20: bool
    sem: float | None
    group_size: int
    items: list[ItemStats]


def _mean(values):
    return sum(values) / len(values) if values else None


def _pvar(values):
    if not values:
        return None
    m = _mean(values)
    return sum((v - m) ** 2 for v in values) / len(values)


def _pearson(xs, ys):
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if sx == 0 or sy == 0:
        return None
    return sxy / (sx * sy)


def analyse(
    items: list[tuple[object, Decimal]],
    scores: list[dict],
    *,
    choices: list[dict] | None = None,
    keys: dict | None = None,
    options: dict | None = None,
    judgements: list[dict] | None = None,
    statement_keys: dict | None = None,
    rules: ItemAnalysisRules | None = None,
) -> TestStats:
    """``items``: (item id, max points) in report order; ``scores``: one dict per candidate, item id → points
    (missing = 0); ``choices``: per candidate, item id → the option chosen (original label) for single-choice items;
    ``keys``: item id → right option; ``options``: item id → the option labels to list; ``judgements``: per
    candidate, item id → {statement label: "Đ" | "S"} for Đúng/Sai items; ``statement_keys``: item id →
    {statement label: "Đ" | "S"} (its order is the statements' order)."""
    rules = rules or item_analysis_rules()
    n, k = len(scores), len(items)
    totals = [float(sum((Decimal(s.get(item, 0) or 0) for item, _m in items), Decimal(0))) for s in scores]
    ranked = sorted(range(n), key=lambda i: -totals[i])
    g = max(1, int((Decimal(n) * rules.group_fraction).to_integral_value(rounding="ROUND_HALF_UP"))) if n else 0
    g = min(g, n // 2) if n >= 2 else g
    upper, lower = set(ranked[:g]), set(ranked[n - g :]) if g else set()

    out, item_vars = [], []
    for item, max_points in items:
        m = float(max_points) or 1.0
        fr = [float(Decimal(s.get(item, 0) or 0)) / m for s in scores]
        pts = [float(Decimal(s.get(item, 0) or 0)) for s in scores]
        item_vars.append(_pvar(pts) or 0.0)
        stats = ItemStats(
            item=item,
            max_points=max_points,
            n=n,
            facility=_mean(fr),
            discrimination=(_mean([fr[i] for i in upper]) - _mean([fr[i] for i in lower])) if g and n >= 2 else None,
            point_biserial=_pearson(fr, totals),
            dichotomous=all(v in (0.0, 1.0) for v in fr),
        )
        if choices is not None and options and item in options:
            counts = Counter(c.get(item) for c in choices)
            up = Counter(choices[i].get(item) for i in upper)
            low = Counter(choices[i].get(item) for i in lower)
            for option in [*options[item], None]:
                stats.distractors.append(
                    {
                        "option": option,
                        "key": keys is not None and keys.get(item) == option,
                        "all": counts.get(option, 0),
                        "upper": up.get(option, 0),
                        "lower": low.get(option, 0),
                    }
                )
        if judgements is not None and statement_keys and item in statement_keys:
            stats.statements = _statement_stats(
                [j.get(item) or {} for j in judgements], statement_keys[item], upper, lower, rules
            )
        if stats.discrimination is not None and stats.discrimination < float(rules.min_discrimination):
            stats.flags.append("discrimination")
        if stats.facility is not None and not (
            float(rules.min_facility) <= stats.facility <= float(rules.max_facility)
        ):
            stats.flags.append("facility")
        out.append(stats)

    var_total = _pvar(totals)
    alpha = None
    if k >= 2 and var_total:
        alpha = (k / (k - 1)) * (1 - sum(item_vars) / var_total)
    sd = math.sqrt(var_total) if var_total is not None else None
    sem = sd * math.sqrt(1 - alpha) if alpha is not None and sd is not None and alpha <= 1 and alpha >= 0 else None
    if alpha is not None and alpha < 0 and sd is not None:
        sem = sd  # a negative alpha means no measured reliability: the error is the whole spread
    return TestStats(
        n=n,
        k=k,
        mean=_mean(totals),
        sd=sd,
        alpha=alpha,
        kr20=all(s.dichotomous for s in out) and bool(out),
        sem=sem,
        group_size=g,
        items=out,
    )


def _flags(facility, discrimination, rules: ItemAnalysisRules) -> list[str]:
    flags = []
    if discrimination is not None and discrimination < float(rules.min_discrimination):
        flags.append("discrimination")
    if facility is not None and not (float(rules.min_facility) <= facility <= float(rules.max_facility)):
        flags.append("facility")
    return flags


def _statement_stats(judged: list[dict], key: dict, upper: set, lower: set, rules: ItemAnalysisRules) -> list[dict]:
    """Per statement of one Đúng/Sai item: ``judged`` holds each candidate's {label: "Đ" | "S"} (in the candidates'
    order), ``key`` the right judgement of each label."""
    out = []
    n = len(judged)
    for label, right in key.items():
        ok = [1.0 if (j.get(label) or None) == right else 0.0 for j in judged]
        facility = _mean(ok)
        discrimination = (
            _mean([ok[i] for i in upper]) - _mean([ok[i] for i in lower]) if upper and lower and n >= 2 else None
        )
        marks = Counter(j.get(label) or None for j in judged)
        out.append(
            {
                "label": label,
                "key": right,
                "facility": facility,
                "discrimination": discrimination,
                "true": marks.get("Đ", 0),
                "false": marks.get("S", 0),
                "blank": marks.get(None, 0),
                "flags": _flags(facility, discrimination, rules),
            }
        )
    return out
