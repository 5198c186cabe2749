"""Pure scoring: a question (``ir.Question``) and a candidate's response in, a ``Score`` out. No database, no I/O.

Everything is ``Decimal`` and rounds half-up to two places (0,25 stays 0,25; 0,125 becomes 0,13). Partial credit:

- single choice: the chosen option's fraction (clamped to 0…1);
- multiple response: the sum of the chosen options' fractions, clamped to 0…1; without explicit fractions every
  correct option is worth 1/k and every wrong one −1/k (k = number of correct options);
- Đúng/Sai (TF4): the rule set's table by the number of statements judged right (THPT2025: 0 / 0,1 / 0,25 / 0,5 / 1);
- short answer: the best matching alternative (case and diacritics as configured, ``*`` wildcard);
- numeric: the best answer within tolerance; decimal comma accepted; with ``answer_sheet`` set, a response that
  could not be written on that answer sheet scores 0 and says why;
- matching / ordering: the share of pairs / positions that are right;
- cloze and groups: the sum of their parts' scores;
- essays: marked by hand against the rubric (``needs_marking`` until marks are given);
- calculated: the response ``{"item": n, "answer": "12,5 cm"}`` (or the answer alone for item 1) against every
  answer formula computed for dataset item n, within its tolerance (relative / nominal / geometric, see
  ``calculated.py``); the best fraction wins; with units, a known unit converts the number (÷ multiplier) and a
  missing or unknown unit costs ``unit_penalty`` when units are graded;
- calculated multiple choice: the options computed for the item, then as single choice / multiple response;
- drag onto an image: the share of drop zones that received their item; markers (Moodle's ddmarker rule): a zone is
  hit by a marker of its item inside its shape, one marker hitting one zone, and the hits are shared over the number
  of zones or of markers placed, whichever is larger (so scattering markers does not pay).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lms.assessments import calculated
from lms.assessments.ir import Choice, DropZone, QType, Question
from lms.assessments.rules import AnswerSheetRule, get_rule_set

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")


@dataclass
class Score:
    points: Decimal
    max_points: Decimal
    needs_marking: bool = False
    detail: str = ""
    parts: list[Score] = field(default_factory=list)

    @property
    def fraction(self) -> Decimal:
        return (self.points / self.max_points) if self.max_points else ZERO


def round_points(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _clamp(value: Decimal) -> Decimal:
    return max(ZERO, min(ONE, value))


def _scored(q: Question, fraction: Decimal, detail: str = "") -> Score:
    return Score(round_points(q.points * _clamp(fraction)), q.points, detail=detail)


def choice_fraction(choice: Choice, choices: Sequence[Choice]) -> Decimal:
    if choice.fraction is not None:
        return choice.fraction
    k = sum(1 for c in choices if c.correct) or 1
    return ONE / k if choice.correct else -ONE / k


# ------------------------------------------------------------------------------------------------------------ types
def score_single(q: Question, response: str | None) -> Score:
    for choice in q.choices:
        if response is not None and choice.label == str(response).strip().upper():
            return _scored(q, choice.fraction if choice.fraction is not None else (ONE if choice.correct else ZERO))
    return _scored(q, ZERO, "no answer" if response in (None, "") else "unknown option")


def score_multiple(q: Question, response: Sequence[str] | str | None) -> Score:
    chosen = {str(r).strip().upper() for r in (response or [])}
    total = sum((choice_fraction(c, q.choices) for c in q.choices if c.label in chosen), ZERO)
    return _scored(q, total)


def score_true_false(q: Question, response: bool | None) -> Score:
    if response is None:
        return _scored(q, ZERO, "no answer")
    truth = bool(q.choices and q.choices[0].correct)
    return _scored(q, ONE if bool(response) == truth else ZERO)


def _as_truth(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().upper()
    if text in ("Đ", "D", "T", "TRUE", "ĐÚNG", "DUNG", "1"):
        return True
    if text in ("S", "F", "FALSE", "SAI", "0"):
        return False
    raise ValueError(f"Not a true/false answer: {value!r}")


def count_tf4_right(q: Question, response: Mapping[str, object] | Sequence[object] | str | None) -> int:
    if response is None:
        return 0
    given = [response.get(s.label) for s in q.statements] if isinstance(response, Mapping) else list(response)
    right = 0
    for statement, value in zip(q.statements, given, strict=False):
        judged = _as_truth(value)
        if judged is not None and judged == statement.true:
            right += 1
    return right


def score_tf4(q: Question, response, *, rule_set: str = "THPT2025") -> Score:
    """Đúng/Sai: the table of ``rule_set`` by the number of statements judged right (unanswered = not right)."""
    table = get_rule_set(rule_set).tf4_table
    right = count_tf4_right(q, response)
    return _scored(q, table[right], f"{right}/{len(q.statements)} statements right")


_SPACES = re.compile(r"\s+")


def fold(text: str, *, case_sensitive: bool = False, ignore_diacritics: bool = False) -> str:
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
    if ignore_diacritics:
        text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
        text = text.replace("đ", "d").replace("Đ", "D")
    return text if case_sensitive else text.casefold()


def _wildcard(pattern: str) -> re.Pattern:
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$", re.S)


def score_short(q: Question, response: str | None) -> Score:
    if not response or not str(response).strip():
        return _scored(q, ZERO, "no answer")
    opts = {"case_sensitive": q.case_sensitive, "ignore_diacritics": q.ignore_diacritics}
    given = fold(str(response), **opts)
    best = ZERO
    for answer in q.answers:
        if _wildcard(fold(answer.text, **opts)).match(given):
            best = max(best, answer.fraction)
    return _scored(q, best)


def check_answer_sheet(text: str, rule: AnswerSheetRule) -> str | None:
    """Why ``text`` cannot be written on the answer sheet, or None when it can."""
    if len(text) > rule.max_chars:
        return f"more than {rule.max_chars} characters"
    bad = sorted({ch for ch in text if ch not in rule.allowed})
    if bad:
        return "characters not on the answer sheet: " + " ".join(bad)
    if not text:
        return "empty"
    return None


def parse_number(text: str) -> Decimal:
    cleaned = str(text).strip().replace("−", "-").replace("–", "-").replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "")  # 1.234,5 → 1234,5
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"Not a number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"Not a number: {text!r}")
    return value


def score_numeric(q: Question, response: str | None) -> Score:
    if response is None or not str(response).strip():
        return _scored(q, ZERO, "no answer")
    text = str(response).strip()
    if q.answer_sheet:
        rule = get_rule_set(q.answer_sheet).answer_sheet
        problem = check_answer_sheet(text, rule)
        if problem:
            return _scored(q, ZERO, f"invalid on the {q.answer_sheet} answer sheet: {problem}")
    try:
        value = parse_number(text)
    except ValueError as exc:
        return _scored(q, ZERO, str(exc))
    best = ZERO
    for answer in q.numeric:
        if abs(value - answer.value) <= answer.tolerance:
            best = max(best, answer.fraction)
    return _scored(q, best)


def score_matching(q: Question, response: Mapping[str, str] | None) -> Score:
    response = response or {}
    scored = [p for p in q.pairs if p.left]  # GIFT/Moodle allow extra right-hand distractors with no left side
    if not scored:
        return _scored(q, ZERO)
    right = sum(1 for p in scored if fold(response.get(p.left, "")) == fold(p.right))
    return _scored(q, Decimal(right) / len(scored), f"{right}/{len(scored)} pairs right")


def score_ordering(q: Question, response: Sequence[str] | None) -> Score:
    response = list(response or [])
    if not q.items:
        return _scored(q, ZERO)
    right = sum(1 for i, item in enumerate(q.items) if i < len(response) and response[i] == item)
    return _scored(q, Decimal(right) / len(q.items), f"{right}/{len(q.items)} in place")


def score_essay(q: Question, response: Mapping[int, object] | None) -> Score:
    """``response`` is the marker's points per rubric criterion (index → points), or None while unmarked."""
    if response is None:
        return Score(ZERO, q.points, needs_marking=True)
    total = ZERO
    for index, criterion in enumerate(q.rubric):
        given = Decimal(str(response.get(index, 0) or 0))
        if given < 0 or given > criterion.points:
            raise ValueError(f"Criterion {index + 1}: {given} is outside 0–{criterion.points}")
        total += given
    if not q.rubric:
        total = Decimal(str(response.get(0, 0) or 0))
    return Score(round_points(min(total, q.points)), q.points)


def _score_parts(q: Question, response: Sequence[object] | None) -> Score:
    response = list(response or [])
    parts = [score(p, response[i] if i < len(response) else None) for i, p in enumerate(q.parts)]
    points = sum((p.points for p in parts), ZERO)
    max_points = sum((p.max_points for p in parts), ZERO)
    return Score(points, max_points, needs_marking=any(p.needs_marking for p in parts), parts=parts)


def score_cloze(q: Question, response: Sequence[object] | None) -> Score:
    """Sub-answers are weighted by their own points and scaled to the question's points."""
    raw = _score_parts(q, response)
    if not raw.max_points:
        return Score(ZERO, q.points, parts=raw.parts)
    return Score(round_points(q.points * raw.points / raw.max_points), q.points, parts=raw.parts)


_NUMBER_AND_UNIT = re.compile(r"^\s*([-+−–]?[\d.,\s\u00a0]*\d(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _split_unit(q: Question, text: str) -> tuple[Decimal, Decimal | None]:
    """The number of a response and the multiplier of its unit (None: no unit or an unknown one)."""
    units = q.calc.units if q.calc else []
    text = text.strip()
    if q.calc and q.calc.units_left:
        for u in sorted(units, key=lambda u: -len(u.name)):
            if text.startswith(u.name):
                return parse_number(text[len(u.name) :]), u.multiplier
        return parse_number(text), None
    m = _NUMBER_AND_UNIT.match(text)
    if not m:
        raise ValueError(f"Not a number: {text!r}")
    number, unit = parse_number(m.group(1)), m.group(2)
    if not unit:
        return number, None
    for u in units:
        if u.name == unit:
            return number, u.multiplier
    if not units:
        raise ValueError(f"Not a number: {text!r}")
    return number, None


def _item_and_answer(response) -> tuple[int, object]:
    if isinstance(response, Mapping):
        return int(response.get("item") or 1), response.get("answer")
    return 1, response


def score_calculated(q: Question, response, *, item: int | None = None) -> Score:
    """``response``: ``{"item": n, "answer": text}`` or the text alone (``item`` then says which dataset item)."""
    chosen, answer = _item_and_answer(response)
    item = item or chosen
    if answer is None or not str(answer).strip():
        return _scored(q, ZERO, "no answer")
    try:
        value, multiplier = _split_unit(q, str(answer))
    except ValueError as exc:
        return _scored(q, ZERO, str(exc))
    calc = q.calc
    penalty = ZERO
    if calc and calc.units:
        if multiplier is not None:
            value = value / multiplier
        elif calc.unit_grading:
            penalty = calc.unit_penalty
    best = ZERO
    for a in calc.answers if calc else []:
        if calculated.within(calculated.answer_value(q, a, item), value, a):
            best = max(best, a.fraction)
    if best > 0 and penalty:
        best = best * (ONE - penalty) if calc.unit_grading == 1 else best - penalty
    detail = f"dataset item {item}" + (", unit missing or unknown" if penalty else "")
    return _scored(q, best, detail)


def score_calculated_multi(q: Question, response, *, item: int | None = None) -> Score:
    chosen, answer = _item_and_answer(response)
    item = item or chosen
    choices = calculated.options(q, item)
    proxy = Question(type=QType.SINGLE if q.calc is None or q.calc.single else QType.MULTIPLE, stem="")
    proxy.choices, proxy.points = choices, q.points
    result = score_single(proxy, answer) if proxy.type == QType.SINGLE else score_multiple(proxy, answer)
    result.detail = f"dataset item {item}" + (f", {result.detail}" if result.detail else "")
    return result


def _inside(zone: DropZone, x: Decimal, y: Decimal) -> bool:
    try:
        points = [[Decimal(v.strip()) for v in pair.split(",")] for pair in zone.coords.split(";") if pair.strip()]
    except InvalidOperation:
        raise ValueError(f"drop zone {zone.no}: coordinates {zone.coords!r} are not numbers") from None
    if zone.shape == "circle":
        (cx, cy), (r, *_rest) = points[0], points[1]
        return (x - cx) ** 2 + (y - cy) ** 2 <= r**2
    if zone.shape == "rectangle":
        (left, top), (width, height) = points[0], points[1]
        return left <= x <= left + width and top <= y <= top + height
    if zone.shape == "polygon":
        inside = False
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                inside = not inside
        return inside
    raise ValueError(f"drop zone {zone.no}: unknown shape {zone.shape!r}")


def score_drag_image(q: Question, response) -> Score:
    """ddimageortext: ``{zone no: item no}``. ddmarker: ``{item no: [(x, y), …]}`` (marker positions in pixels of
    the background)."""
    drag = q.drag
    zones = drag.zones if drag else []
    if not zones:
        return _scored(q, ZERO)
    response = {int(k): v for k, v in (response or {}).items()}
    if drag.kind == "marker":
        markers = [(int(no), Decimal(str(x)), Decimal(str(y))) for no, pts in response.items() for x, y in pts or []]
        # every zone may be hit by one marker of its item, and one marker hits one zone (zones with the fewest
        # candidate markers choose first); the share is over the zones or the markers placed, whichever is more
        candidates = {
            z.no: [i for i, (no, x, y) in enumerate(markers) if no == z.choice and _inside(z, x, y)] for z in zones
        }
        used: set[int] = set()
        right = 0
        for z in sorted(zones, key=lambda z: len(candidates[z.no])):
            free = [i for i in candidates[z.no] if i not in used]
            if free:
                used.add(free[0])
                right += 1
        divisor = max(len(zones), len(markers))
        return _scored(q, Decimal(right) / divisor, f"{right}/{divisor} markers on their zones")
    right = sum(1 for z in zones if str(response.get(z.no, "")) == str(z.choice))
    return _scored(q, Decimal(right) / len(zones), f"{right}/{len(zones)} drops right")


_SCORERS = {
    QType.SINGLE: score_single,
    QType.MULTIPLE: score_multiple,
    QType.TRUE_FALSE: score_true_false,
    QType.TF4: score_tf4,
    QType.SHORT: score_short,
    QType.NUMERIC: score_numeric,
    QType.MATCHING: score_matching,
    QType.ORDERING: score_ordering,
    QType.ESSAY: score_essay,
    QType.CLOZE: score_cloze,
    QType.GROUP: _score_parts,
    QType.CALCULATED: score_calculated,
    QType.CALCULATED_MULTI: score_calculated_multi,
    QType.DRAG_IMAGE: score_drag_image,
}


def score(q: Question, response) -> Score:
    if q.type == QType.DESCRIPTION:
        return Score(ZERO, ZERO)
    return _SCORERS[q.type](q, response)
