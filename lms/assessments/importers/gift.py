"""Moodle GIFT: categories, names, text formats, escapes, feedback, weights, numeric ranges, matching, missing word,
true/false, short answer, essays and descriptions; ``// [id:…]`` and ``// [tag:…]`` metadata comments (Moodle 4).

Follows Moodle's ``qformat_gift`` rules: questions are separated by blank lines; a multiple-choice block without
``=`` is multiple response; ``{}`` is an essay; text after the block makes a missing-word question.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lms.assessments.ir import (
    CHOICE_LABELS,
    Choice,
    ImportIssue,
    ImportResult,
    NumericAnswer,
    Pair,
    QType,
    Question,
    TextAnswer,
)

# Escaped control characters are swapped for private-use characters while parsing, then restored.
_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003", "\\{": "\ue004", "\\}": "\ue005"}
_ESCAPES["\\:"] = "\ue006"
_RESTORE = {v: k[1] for k, v in _ESCAPES.items()}
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_META = re.compile(r"\[(id|tag):([^\]]*)\]")
_NUMBER = r"-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?"


def _protect(text: str) -> str:
    for raw, mark in _ESCAPES.items():
        text = text.replace(raw, mark)
    return text.replace("\\n", "\n")


def _restore(text: str) -> str:
    for mark, char in _RESTORE.items():
        text = text.replace(mark, char)
    return text


def _clean(text: str) -> str:
    return _restore(text).strip()


def _split_format(text: str, default: str = "moodle") -> tuple[str, str]:
    m = _FORMAT.match(text)
    if m:
        return m.group(1).lower(), text[m.end() :]
    return default, text


class _Block:
    def __init__(self, lines: list[str], first_line: int, meta: list[str], category: str):
        self.lines = lines
        self.first_line = first_line
        self.meta = meta
        self.category = category


def _blocks(text: str, categories: set[str]):
    """Yield question blocks (blank-line separated, comment lines removed, ``$CATEGORY`` tracked)."""
    category = ""
    lines: list[str] = []
    meta: list[str] = []
    first = 0
    depth = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if depth == 0 and stripped.startswith("//"):
            meta.extend(f"[{k}:{v}]" for k, v in _META.findall(stripped))
            continue
        if not stripped:  # a blank line always ends a question, as in Moodle
            if lines:
                yield _Block(lines, first, meta, category)
                lines, meta = [], []
            depth = 0
            continue
        if depth == 0 and not lines and stripped.upper().startswith("$CATEGORY:"):
            category = _clean(_protect(stripped.split(":", 1)[1])).removeprefix("$course$/").removeprefix("$system$/")
            categories.add(category)
            continue
        if not lines:
            first = lineno
        protected = _protect(raw)
        depth += protected.count("{") - protected.count("}")
        depth = max(depth, 0)
        lines.append(raw)
    if lines:
        yield _Block(lines, first, meta, category)


def iter_parse(data: bytes | str, categories: set[str] | None = None):
    """Yield each question (``ir.Question``) or problem (``ir.ImportIssue``) in file order, holding only one
    question block in memory at a time (large imports stream through this)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    categories = categories if categories is not None else set()
    number = 0
    for block in _blocks(text, categories):
        number += 1
        try:
            yield _parse_block(block, number)
        except GiftError as exc:
            yield ImportIssue(number, f"line {block.first_line}: {exc}", exc.hint)
    if number == 0 and not categories:
        yield ImportIssue(None, "The file holds no GIFT question.", "Separate questions with a blank line.")


def parse(data: bytes | str, *, result: ImportResult | None = None) -> ImportResult:
    result = result or ImportResult(format="gift")
    categories: set[str] = set()
    for item in iter_parse(data, categories):
        if isinstance(item, ImportIssue):
            result.errors.append(item)
        else:
            result.questions.append(item)
    result.categories.extend(sorted(categories - {""}))
    return result


class GiftError(ValueError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def _parse_block(block: _Block, number: int) -> Question:
    text = _protect("\n".join(block.lines))
    name = ""
    m = re.match(r"^\s*::(.*?)::", text, re.S)
    if m:
        name = _clean(m.group(1))
        text = text[m.end() :]
    start = text.find("{")
    end = text.rfind("}")
    if text.count("{") != text.count("}") or (start == -1) != (end == -1):
        raise GiftError("unbalanced { } in the question", "Escape a literal brace as \\{ or \\}.")
    if start != -1 and text.count("{") > 1:
        raise GiftError("more than one answer block { … }", "A GIFT question has exactly one answer block.")
    idnumber = ""
    tags = []
    for kind, value in _META.findall(" ".join(block.meta)):
        if kind == "id":
            idnumber = value.strip()
        else:
            tags.append(value.strip())
    if start == -1:  # description
        fmt, stem = _split_format(text)
        return Question(
            type=QType.DESCRIPTION,
            stem=_clean(stem),
            number=number,
            name=name,
            text_format=fmt,
            category=block.category,
            idnumber=idnumber,
            tags=tags,
        )
    before, answer_text, after = text[:start], text[start + 1 : end], text[end + 1 :]
    fmt, before = _split_format(before)
    before, after = _clean(before), _clean(after)
    stem = f"{before} _____ {after}".strip() if after else before
    q = Question(
        type=QType.ESSAY,
        stem=stem,
        number=number,
        name=name or "",
        text_format=fmt,
        category=block.category,
        idnumber=idnumber,
        tags=tags,
    )
    body = answer_text
    general = ""
    if "####" in body:
        body, general = body.split("####", 1)
        q.solution = _clean(_split_format(general)[1])
    body = body.strip()
    if not body:
        if after:
            raise GiftError("an empty answer block inside the text", "A missing-word question needs its answers.")
        return q  # essay
    if body.startswith("#"):
        _numeric(q, body[1:])
    elif re.fullmatch(r"(?i)(T|TRUE|F|FALSE)(#.*)?", body, re.S):
        _true_false(q, body)
    else:
        _answers(q, body)
    return q


def _split_answers(body: str) -> list[tuple[str, str]]:
    parts = re.split(r"(?=[=~])", body)
    if parts and parts[0].strip() and "~" not in body:
        # Moodle reads "{One}" as a short answer with one accepted answer.
        parts[0] = "=" + parts[0]
    elif parts and parts[0].strip() and body.lstrip().startswith(tuple("0123456789-")):
        parts[0] = "=" + parts[0]  # numeric "{#3:2~#wrong}": the first answer without "="
    if parts and parts[0].strip() and parts[0][0] not in "=~":
        raise GiftError(
            f"text before the first answer: {_clean(parts[0])[:40]!r}", "Start every answer with = or ~ (or escape)."
        )
    return [(p[0], p[1:]) for p in parts if p]


def _weight_feedback(raw: str) -> tuple[Decimal | None, str, str]:
    raw = raw.strip()
    weight = None
    m = _WEIGHT.match(raw)
    if m:
        weight = Decimal(m.group(1)) / 100
        raw = raw[m.end() :]
    value, _, feedback = raw.partition("#")
    return weight, value, _clean(_split_format(feedback)[1])


def _true_false(q: Question, body: str) -> None:
    head, *feedback = body.split("#")
    q.type = QType.TRUE_FALSE
    truth = head.strip().upper().startswith("T")
    q.choices = [Choice("Đ", "Đúng", truth), Choice("S", "Sai", not truth)]
    if feedback:
        # "{TRUE#shown when the answer is wrong#shown when it is right}": Moodle's order.
        q.incorrect_feedback = _clean(feedback[0])
        if len(feedback) > 1:
            q.correct_feedback = _clean(feedback[1])


def _numeric(q: Question, body: str) -> None:
    q.type = QType.NUMERIC
    entries = _split_answers(body.strip())
    for kind, raw in entries:
        weight, value, feedback = _weight_feedback(raw)
        value = value.strip()
        if kind == "~" or not value:
            if value:
                raise GiftError(f"a wrong numeric answer {value!r}", "Wrong answers in a numeric block carry no value.")
            q.incorrect_feedback = feedback
            continue
        fraction = weight if weight is not None else Decimal(1)
        m = re.fullmatch(rf"({_NUMBER})\.\.({_NUMBER})", value)
        try:
            if m:
                low, high = Decimal(m.group(1).replace(",", ".")), Decimal(m.group(2).replace(",", "."))
                if low > high:
                    raise GiftError(f"range {value} runs backwards", "Write the range as min..max.")
                q.numeric.append(NumericAnswer((low + high) / 2, (high - low) / 2, fraction, feedback))
                continue
            m = re.fullmatch(rf"({_NUMBER})(?::({_NUMBER}))?", value)
            if not m:
                raise GiftError(f"{value!r} is not a number", "Write #value, #value:tolerance or #min..max.")
            tolerance = Decimal(m.group(2).replace(",", ".")) if m.group(2) else Decimal(0)
            q.numeric.append(NumericAnswer(Decimal(m.group(1).replace(",", ".")), tolerance, fraction, feedback))
        except InvalidOperation:
            raise GiftError(f"{value!r} is not a number", "Write #value, #value:tolerance or #min..max.") from None
    if not q.numeric:
        raise GiftError("a numeric question without a correct number", "Add one answer such as {#3:0.5}.")


def _answers(q: Question, body: str) -> None:
    entries = _split_answers(body)
    parsed = []
    for kind, raw in entries:
        weight, value, feedback = _weight_feedback(raw)
        _fmt, value = _split_format(value)
        parsed.append((kind, weight, value, feedback))
    if all(kind == "=" for kind, *_ in parsed) and any("->" in v for _, _, v, _ in parsed):
        q.type = QType.MATCHING
        for _kind, _w, value, _fb in parsed:
            if "->" not in value:
                raise GiftError(f"matching answer {_clean(value)!r} has no ->", "Write each pair as =left -> right.")
            left, right = value.split("->", 1)
            q.pairs.append(Pair(_clean(left), _clean(right)))
        if sum(1 for p in q.pairs if p.left) < 2:
            raise GiftError("a matching question needs at least two pairs", "Add another =left -> right.")
        return
    if all(kind == "=" for kind, *_ in parsed):
        q.type = QType.SHORT
        for _kind, weight, value, feedback in parsed:
            q.answers.append(TextAnswer(_clean(value), weight if weight is not None else Decimal(1), feedback))
        return
    has_equals = any(kind == "=" for kind, *_ in parsed)
    q.type = QType.SINGLE if has_equals else QType.MULTIPLE
    for index, (kind, weight, value, feedback) in enumerate(parsed):
        if index >= len(CHOICE_LABELS):
            raise GiftError("more than 26 options", "Split the question.")
        fraction = Decimal(1) if kind == "=" else (weight if weight is not None else Decimal(0))
        correct = fraction > 0 if q.type == QType.MULTIPLE else fraction >= 1
        q.choices.append(Choice(CHOICE_LABELS[index], _clean(value), correct, fraction, feedback))
    if not any(c.correct for c in q.choices):
        raise GiftError("no correct option", "Mark the right option with = (or give it a positive %weight%).")
