"""Classical item analysis of one sitting: pure functions over a score matrix (no database).

Per item (fractions of the item's points, so a 0,25-point and a 1-point item are comparable):

- facility p = mean score / max (for a partial-credit item the mean share of its points);
- discrimination D = p(upper group) − p(lower group), groups = the top and bottom ``group_fraction`` (27 %) of
  candidates by total score, n = round(27 % × N), at least 1 (ties broken by the order given, which is stable);
- point-biserial r = Pearson correlation between the item score and the total score (for a 0/1 item this is the
  point-biserial coefficient; for partial-credit items it is the item–total correlation);
- item–rest r = Pearson correlation between the item score and the rest of the test (total − the item's points):
  the corrected item–total correlation, the discrimination index of partial-credit items (shown beside D);
- distractors (single choice): how many chose each option, overall and in the upper / lower groups;
- Đúng/Sai (``true_false_4``) statements, each on its own: facility = share of candidates who judged it right (a blank
  counts as wrong), discrimination = that share in the upper group − in the lower group (the same groups, ranked by
  the total score), and how many answered Đ, S or left it blank; flagged by the same thresholds.

Parts (``ItemStats.parts``, themselves ``ItemStats``; the same groups, ranked by the whole test's total; a part's
"rest" is the total minus the part's share of the item's points):

- matching: one part per left item (pair): facility = share who matched it right (compared as the bank's scoring
  does), D, item–rest r, and a distractor table of the right-hand texts chosen for it (all / upper / lower, blank);
- ordering: one part per position (the share who put that item there) and the three commonest wrong orders;
- cloze: one part per gap, scored by the bank's scoring of that gap; a dropdown gap has the distractor table of its
  options, a short-answer or numeric gap the five commonest wrong entries;
- câu chùm (group): one part per sub-question, analysed by its own type with the same functions (so a sub-question
  that is a matching has its pairs, a Đúng/Sai its statements…); the item itself is the group total.

A question goes back to the bank when it or any of its parts is flagged (``ItemStats.review_reasons``).

Test: k items, N candidates; Cronbach's alpha = k/(k−1) · (1 − Σ var(item) / var(total)) over the items' points (a
partial-credit item's variance is that of its scores, never of a right / wrong split), which is KR-20 when every
item is scored 0 or full marks (``kr20`` says so; a matching, ordering, cloze, câu chùm or Đúng/Sai item is partial
credit by rule, so a test holding one is reported as alpha even when every candidate scored 0 or full);
SEM = SD(total) · √(1 − alpha). A câu chùm counts as one item in alpha. Population variances (÷ N) throughout, as
KR-20 is usually stated. Flags: D < min_discrimination, p < min_facility or p > max_facility.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from lms.assessments import api as bank_api
from lms.exams.delivery import matching_rights
from lms.exams.rules import ItemAnalysisRules, item_analysis_rules


@dataclass
class ItemStats:
    """The figures of one question, or of one part of a composite question (a pair, a position, a gap, a
    sub-question: ``kind`` and ``label`` say which; ``number`` counts from 1 inside the parent)."""

    item: object
    max_points: Decimal
    n: int
    facility: float | None
    discrimination: float | None
    point_biserial: float | None
    dichotomous: bool
    item_rest: float | None = None  # corrected item–total: r(item score, total − item score)
    kind: str = "question"  # "question" | "pair" | "position" | "gap" | "sub"
    label: str = ""
    number: int = 0
    qtype: str = ""
    distractors: list[dict] = field(default_factory=list)  # [{"option", "key", "all", "upper", "lower"}]
    flags: list[str] = field(default_factory=list)
    # Đúng/Sai: [{"label", "key", "facility", "discrimination", "true", "false", "blank", "flags"}]
    statements: list[dict] = field(default_factory=list)
    parts: list[ItemStats] = field(default_factory=list)  # pairs / positions / gaps / sub-questions
    wrong_orders: list[dict] = field(default_factory=list)  # ordering: [{"order": [text…], "count"}], top 3
    wrong_entries: list[dict] = field(default_factory=list)  # short answer / numeric: [{"entry", "count"}], top 5
    blank: int = 0  # ordering / short answer: how many left it unanswered

    @property
    def review_reasons(self) -> list[dict]:
        """Every flagged figure of the question and of its parts, depth first:
        ``[{"path": [(kind, number, label)…], "facility", "discrimination", "item_rest", "flags"}]``; an empty path
        is the question itself."""
        return _reasons(self, [])


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
    contents: dict | None = None,
    responses: list[dict] | None = None,
    rules: ItemAnalysisRules | None = None,
) -> TestStats:
    """``items``: (item id, max points) in report order; ``scores``: one dict per candidate, item id → points
    (missing = 0); ``choices``: per candidate, item id → the option chosen (original label) for single-choice items;
    ``keys``: item id → right option; ``options``: item id → the option labels to list; ``judgements``: per
    candidate, item id → {statement label: "Đ" | "S"} for Đúng/Sai items; ``statement_keys``: item id →
    {statement label: "Đ" | "S"} (its order is the statements' order); ``contents``: item id → the content
    (``ir`` form) of a matching / ordering / cloze / câu chùm item, ``responses``: per candidate, item id → the stored
    response of those items (their parts are analysed from it). Items in ``contents`` or ``statement_keys`` are
    partial-credit by rule, so a test holding one is never reported as KR-20."""
    rules = rules or item_analysis_rules()
    contents = contents or {}
    n, k = len(scores), len(items)
    totals = [float(sum((Decimal(s.get(item, 0) or 0) for item, _m in items), Decimal(0))) for s in scores]
    ranked = sorted(range(n), key=lambda i: -totals[i])
    g = max(1, int((Decimal(n) * rules.group_fraction).to_integral_value(rounding="ROUND_HALF_UP"))) if n else 0
    g = min(g, n // 2) if n >= 2 else g
    upper, lower = set(ranked[:g]), set(ranked[n - g :]) if g else set()
    ctx = _Groups(totals=totals, upper=upper, lower=lower, rules=rules)
    polytomous = set(contents) | set(statement_keys or {})

    out, item_vars = [], []
    for item, max_points in items:
        m = float(max_points) or 1.0
        pts = [float(Decimal(s.get(item, 0) or 0)) for s in scores]
        fr = [p / m for p in pts]
        item_vars.append(_pvar(pts) or 0.0)
        stats = _node(ctx, fr, float(max_points), item=item, max_points=max_points)
        stats.dichotomous = item not in polytomous and stats.dichotomous
        if choices is not None and options and item in options:
            stats.distractors = _distractors(
                [c.get(item) for c in choices], options[item], {keys.get(item)} if keys else set(), ctx
            )
        if judgements is not None and statement_keys and item in statement_keys:
            stats.statements = _statement_stats(
                [j.get(item) or {} for j in judgements], statement_keys[item], upper, lower, rules
            )
        if item in contents and responses is not None:
            stats.qtype = contents[item].get("type", "")
            _breakdown(stats, contents[item], [r.get(item) for r in responses], float(max_points), ctx)
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


@dataclass
class _Groups:
    totals: list[float]
    upper: set
    lower: set
    rules: ItemAnalysisRules


def _node(ctx: _Groups, fr: list[float], weight: float, **fields) -> ItemStats:
    """The figures of a question or part scored ``fr`` (fractions of its points, per candidate) that is worth
    ``weight`` of the test's points: facility, D (upper − lower group), r with the total, r with the rest."""
    n = len(fr)
    up, low = [fr[i] for i in ctx.upper], [fr[i] for i in ctx.lower]
    discrimination = _mean(up) - _mean(low) if up and low and n >= 2 else None
    rest = [t - weight * f for t, f in zip(ctx.totals, fr, strict=True)]
    fields.setdefault("max_points", Decimal(str(round(weight, 4))))
    stats = ItemStats(
        n=n,
        facility=_mean(fr),
        discrimination=discrimination,
        point_biserial=_pearson(fr, ctx.totals),
        item_rest=_pearson(fr, rest),
        dichotomous=all(v in (0.0, 1.0) for v in fr),
        **fields,
    )
    stats.flags = _flags(stats.facility, stats.discrimination, ctx.rules)
    return stats


def _distractors(chosen: list, options: list, right: set, ctx: _Groups) -> list[dict]:
    """How many chose each option (and left it blank: ``None``), overall and in the upper / lower groups."""
    counts = Counter(chosen)
    up = Counter(chosen[i] for i in ctx.upper)
    low = Counter(chosen[i] for i in ctx.lower)
    return [
        {
            "option": option,
            "key": option is not None and option in right,
            "all": counts.get(option, 0),
            "upper": up.get(option, 0),
            "lower": low.get(option, 0),
        }
        for option in [*options, None]
    ]


def _plain(value) -> str:
    return " ".join(strip_tags(str(value or "")).split())


def _fold(text) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).split()).casefold()


def _same(a, b) -> bool:
    """Two texts equal as the bank's matching scoring compares them (NFC, spaces folded, case ignored)."""
    return _fold(a) == _fold(b)


def _fractions(content: dict, responses: list) -> list[float]:
    """Each candidate's score on a part as a fraction of its points, by the bank's scoring."""
    question = bank_api.QuestionContent.from_content(content)
    out = []
    for response in responses:
        try:
            out.append(float(bank_api.score(question, response).fraction))
        except (ValueError, TypeError, KeyError, AttributeError):
            out.append(0.0)  # a response the scoring cannot read scores nothing, as when the attempt was graded
    return out


def _breakdown(node: ItemStats, content: dict, responses: list, weight: float, ctx: _Groups) -> None:
    """Fill ``node``'s tables from its content and the candidates' responses (recursive for cloze and câu chùm):
    single choice → distractors; Đúng/Sai → statements; matching → a part per pair with the right texts chosen;
    ordering → a part per position and the commonest wrong orders; short answer / numeric → the commonest wrong
    entries; cloze / group → a part per gap / sub-question, each analysed by its own type."""
    qtype = content.get("type")
    node.qtype = qtype or ""
    if qtype == "single_choice":
        labels = [c["label"] for c in content.get("choices", [])]
        right = {c["label"] for c in content.get("choices", []) if c.get("correct")}
        node.distractors = _distractors([r if r in labels else None for r in responses], labels, right, ctx)
        texts = {c["label"]: _plain(c.get("text", "")) for c in content.get("choices", [])}
        for row in node.distractors:
            row["text"] = texts.get(row["option"], "")
    elif qtype == "true_false_4":
        key = {s["label"]: "Đ" if s.get("true") else "S" for s in content.get("statements", [])}
        judged = [{k: _mark(v) for k, v in r.items()} if isinstance(r, dict) else {} for r in responses]
        node.statements = _statement_stats(judged, key, ctx.upper, ctx.lower, ctx.rules)
    elif qtype == "matching":
        pairs = [p for p in content.get("pairs", []) if p.get("left")]
        rights = matching_rights(content)  # every right text once, as the attempt page offers them
        chosen_all = [r if isinstance(r, dict) else {} for r in responses]
        for number, pair in enumerate(pairs, start=1):
            chosen = [c.get(pair["left"]) or None for c in chosen_all]
            fr = [1.0 if _same(c or "", pair["right"]) else 0.0 for c in chosen]
            part = _node(ctx, fr, weight / len(pairs), item=pair["left"], kind="pair", number=number)
            part.label, part.qtype = _plain(pair["left"]), "pair"
            shown = [next((t for t in rights if _same(t, c)), c) if c else None for c in chosen]
            table = _distractors(shown, rights, {pair["right"]}, ctx)
            for row in table:
                row["option"] = _plain(row["option"]) if row["option"] is not None else None
            part.distractors = table
            node.parts.append(part)
    elif qtype == "ordering":
        items = list(content.get("items", []))
        orders = [list(r) if isinstance(r, list) and r else None for r in responses]
        for number, item in enumerate(items, start=1):
            fr = [1.0 if o and number <= len(o) and o[number - 1] == item else 0.0 for o in orders]
            part = _node(ctx, fr, weight / len(items), item=item, kind="position", number=number)
            part.label, part.qtype = _plain(item), "position"
            node.parts.append(part)
        wrong = Counter(tuple(o) for o in orders if o and o != items)
        node.wrong_orders = [{"order": [_plain(t) for t in order], "count": count} for order, count in _top(wrong, 3)]
        node.blank = sum(1 for o in orders if not o)
    elif qtype in ("cloze", "group"):
        parts = content.get("parts", [])
        maxima = [float(Decimal(str(p.get("points") or 0))) for p in parts]
        whole = sum(maxima) or float(len(parts)) or 1.0
        lists = [r if isinstance(r, list) else [] for r in responses]
        for number, part_content in enumerate(parts, start=1):
            sub = [r[number - 1] if number - 1 < len(r) else None for r in lists]
            share = (maxima[number - 1] if sum(maxima) else 1.0) / whole
            fr = _fractions(part_content, sub)
            part = _node(ctx, fr, weight * share, item=number, kind="gap" if qtype == "cloze" else "sub", number=number)
            part.label = _plain(part_content.get("stem", "")) if qtype == "group" else ""
            _breakdown(part, part_content, sub, weight * share, ctx)
            node.parts.append(part)
    elif qtype in ("short_answer", "numeric"):
        entries = [" ".join(str(r).split()) if r not in (None, "") else "" for r in responses]
        fr = [f if e else 0.0 for f, e in zip(_fractions(content, responses), entries, strict=True)]
        wrong = Counter(e for e, f in zip(entries, fr, strict=True) if e and f < 1.0)
        node.wrong_entries = [{"entry": entry, "count": count} for entry, count in _top(wrong, 5)]
        node.blank = sum(1 for e in entries if not e)


def _top(counter: Counter, n: int) -> list[tuple]:
    """The ``n`` commonest, ties in a stable order (by the entry itself)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]


def _mark(value) -> str | None:
    if value in (True, "Đ", "D", "đ", "d"):
        return "Đ"
    if value in (False, "S", "s"):
        return "S"
    return None


def part_name(kind: str, number: int, label: str) -> str:
    """How a part of a question is named on the analysis page and in the comment sent to the bank."""
    label = Truncator(label or "").chars(60)
    if kind == "pair":
        return _("pair %(label)s") % {"label": label}
    if kind == "position":
        return _("position %(n)s (%(label)s)") % {"n": number, "label": label}
    if kind == "gap":
        return _("gap %(n)s") % {"n": number}
    if kind == "statement":
        return _("statement %(label)s)") % {"label": label}
    if label:
        return _("sub-question %(n)s (%(label)s)") % {"n": number, "label": label}
    return _("sub-question %(n)s") % {"n": number}


def _flags(facility, discrimination, rules: ItemAnalysisRules) -> list[str]:
    flags = []
    if discrimination is not None and discrimination < float(rules.min_discrimination):
        flags.append("discrimination")
    if facility is not None and not (float(rules.min_facility) <= facility <= float(rules.max_facility)):
        flags.append("facility")
    return flags


def _reasons(node: ItemStats, path: list) -> list[dict]:
    out = []
    if node.flags:
        out.append(
            {
                "path": path,
                "facility": node.facility,
                "discrimination": node.discrimination,
                "item_rest": node.item_rest,
                "flags": node.flags,
            }
        )
    for st in node.statements:
        if st["flags"]:
            out.append(
                {
                    "path": [*path, ("statement", 0, st["label"])],
                    "facility": st["facility"],
                    "discrimination": st["discrimination"],
                    "item_rest": None,
                    "flags": st["flags"],
                }
            )
    for part in node.parts:
        out.extend(_reasons(part, [*path, (part.kind, part.number, part.label)]))
    return out


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
