"""What a paper copy of an exam code holds, for every question type the delivery takes (pure: a variant's layout in,
dataclasses out; ``printing`` writes them as PDF and .docx, so the two never differ in what they print).

Each question becomes a :class:`Printed`: its number, stem (HTML, pictures and LaTeX as stored), the lines under it
(options, statements, items), the cells of its row on the answer sheet (phiếu trả lời) and its key (đáp án), all
derived from the variant's content:

- single / multiple choice: options ``A.`` … as the variant shuffled them; key "B" / "AC";
- Đúng/Sai (4 statements): ``a)`` … ``d)``; key "ĐSĐS"; true/false: key "Đúng" / "Sai";
- short answer / numeric: key the best answer (numbers with a decimal comma, "± tolerance");
- matching: left items numbered 1, 2, …, the right texts (distractors too, each once) lettered a, b, … in a seeded
  order; answer sheet one cell "1-…" per left item; key "1-b, 2-a";
- ordering: the items lettered a, b, … in a seeded order that is never the right one; answer sheet one box per
  place; key the letters in the right order "c, a, b";
- cloze: the text with ``___(1)___`` at each gap, then for each gap with options (dropdown, multiple response) the
  options, shuffled and relabelled A, B, …; answer sheet one cell per gap; key "(1) B; (2) 2,5";
- câu chùm (group): "Câu 5. Đọc thông tin sau và trả lời các câu từ 5.1 đến 5.3.", the shared text once, then each
  sub-question in its own type's form numbered 5.1, 5.2 … (one answer-sheet row and one key each); the options of
  its single-choice sub-questions are shuffled and relabelled for print, as the code does with its own questions;
- essay: answer on the exam paper; key "TL" (tự luận).

The seeded orders come from ``random.Random(f"{seed}:print:{slot}")`` with the exam code's seed and number, so the
same code always prints the same way, and two codes differ.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import strip_tags

from lms.assessments.api import QuestionContent

GAP = re.compile(r"\{#(\d+)\}")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
CHOICE_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OPTION_GAP = "\u2003\u2003"  # between a gap's options on one line (an em space survives the text's reflow)

# The words of the Vietnamese paper layout (formats.md §3.3).
PART_TITLES = {
    "single_choice": "Câu trắc nghiệm nhiều phương án lựa chọn",
    "multiple_response": "Câu trắc nghiệm nhiều phương án đúng",
    "true_false_4": "Câu trắc nghiệm đúng sai",
    "numeric": "Câu trắc nghiệm trả lời ngắn",
    "short_answer": "Câu trắc nghiệm trả lời ngắn",
    "matching": "Câu ghép nối",
    "ordering": "Câu sắp xếp thứ tự",
    "cloze": "Câu điền vào chỗ trống",
    "essay": "Tự luận",
}
ESSAY_KEY = "TL"
TRUE, FALSE = "Đúng", "Sai"
ON_PAPER = "(làm trên giấy thi)"
ORDER = "Thứ tự:"

BOX, LABEL_BOX, STATEMENT, WIDE = 9.0, 16.0, 22.0, 60.0  # answer-sheet cell widths, mm
ROW_LABEL = 20.0  # the answer sheet's "Câu n" cell, mm
# under the exam paper's header (the students' Word copy) and on the answer sheet (PDF and Word)
CANDIDATE_LINES = (
    "Họ và tên thí sinh: ..................................................",
    "Lớp: ............  Số báo danh: ............",
)


@dataclass
class Line:
    """One line under a stem: ``prefix`` ("A. ", "a) ", "1. ", "(2) ") then ``text`` (HTML); ``right`` marks a right
    option / true statement (underlined in the teachers' Word copy)."""

    text: str
    prefix: str = ""
    right: bool = False


@dataclass
class Cell:
    text: str
    width: float


@dataclass
class Printed:
    number: str  # "5", "5.1"
    type: str
    stem: str
    intro: str = ""  # câu chùm: the sentence naming its sub-questions
    lines: list[Line] = field(default_factory=list)
    sheet: list[Cell] = field(default_factory=list)  # the answer-sheet cells after "Câu n" (none: no row)
    key: str = ""
    parts: list[Printed] = field(default_factory=list)  # câu chùm sub-questions
    solution: str = ""  # lời giải (HTML), for the teachers' Word copy
    rubric: list[str] = field(default_factory=list)  # an essay's hướng dẫn chấm, likewise

    def rows(self) -> list[Printed]:
        """The questions with a row on the answer sheet and a key: itself, or a câu chùm's sub-questions."""
        if self.type == "group":
            return [row for part in self.parts for row in part.rows()]
        return [self] if self.sheet else []


@dataclass
class PrintedPart:
    code: str
    title: str
    questions: list[Printed]


def paper(layout: dict, seed: str) -> list[PrintedPart]:
    """The parts of a variant's ``layout`` as printed; ``seed`` is the exam code's ("<test seed>:<number>")."""
    out = []
    for part in layout["parts"]:
        types = {s["content"]["type"] for s in part["slots"]}
        title = PART_TITLES.get(types.pop(), "") if len(types) == 1 else ""
        questions = [
            printed(slot["content"], str(number), random.Random(f"{seed}:print:{slot['slot']}"))  # noqa: S311
            for number, slot in enumerate(part["slots"], start=1)
        ]
        out.append(PrintedPart(part["code"], title, questions))
    return out


def printed(content: dict, number: str, rng: random.Random) -> Printed:
    """One question (``ir.Question.to_content`` form) as printed; ``rng`` draws the print-only orders."""
    qtype = content.get("type", "")
    q = Printed(number=number, type=qtype, stem=content.get("stem", ""), solution=content.get("solution", ""))
    q.rubric = [r.get("text", "") for r in content.get("rubric", [])]
    if qtype in ("single_choice", "multiple_response"):
        q.lines = [Line(c["text"], f"{c['label']}. ", c.get("correct", False)) for c in content.get("choices", [])]
        q.sheet = [Cell(c["label"], BOX) for c in content.get("choices", [])]
        q.key = "".join(c["label"] for c in content.get("choices", []) if c.get("correct"))
    elif qtype == "true_false_4":
        statements = content.get("statements", [])
        q.lines = [Line(s["text"], f"{s['label']}) ", s.get("true", False)) for s in statements]
        q.sheet = [Cell(f"{s['label']}) {TRUE} □ {FALSE} □", STATEMENT) for s in statements]
        q.key = "".join("Đ" if s.get("true") else "S" for s in statements)
    elif qtype == "true_false":
        q.sheet = [Cell(f"{TRUE} □  {FALSE} □", STATEMENT)]
        q.key = _true_false_key(content)
    elif qtype in ("numeric", "short_answer"):
        q.sheet = [Cell("", BOX)] * 4 if content.get("answer_sheet") else [Cell("", WIDE)]
        q.key = _answer_key(content)
    elif qtype == "essay":
        q.sheet, q.key = [Cell(ON_PAPER, WIDE)], ESSAY_KEY
    elif qtype == "matching":
        _matching(q, content, rng)
    elif qtype == "ordering":
        _ordering(q, content, rng)
    elif qtype == "cloze":
        _cloze(q, content, rng)
    elif qtype == "group":
        _group(q, content, rng)
    elif qtype != "description":  # a type the delivery does not take: its stem and a blank cell, its bank key
        q.sheet, q.key = [Cell("", WIDE)], QuestionContent.from_content(content).key
    return q


def _plain(value: str) -> str:
    return " ".join(strip_tags(value or "").split())


def _true_false_key(content: dict) -> str:
    right = next((c for c in content.get("choices", []) if c.get("correct")), None)
    if right is None:
        return ""
    label, text = right.get("label", ""), _plain(right.get("text", ""))
    return {"Đ": TRUE, "S": FALSE}.get(label) or text


def _answer_key(content: dict) -> str:
    """The best answer of a short-answer or numeric question; numbers with a decimal comma."""
    q = QuestionContent.from_content(content)
    if q.type == "numeric" and q.numeric:
        best = max(q.numeric, key=lambda a: a.fraction)
        return _number(best.value) + (f" ± {_number(best.tolerance)}" if best.tolerance else "")
    return q.answer_text or ""


def _number(value: Decimal) -> str:
    """2.50 → "2,5", -3 → "-3", 1E+1 → "10": no exponent, no trailing zeros, a decimal comma."""
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _matching(q: Printed, content: dict, rng: random.Random) -> None:
    pairs = [p for p in content.get("pairs", []) if p.get("right") or p.get("left")]
    lefts = [p for p in pairs if p.get("left")]
    rights = sorted({p["right"] for p in pairs if p.get("right")})
    rng.shuffle(rights)
    letter = {text: LETTERS[i] for i, text in enumerate(rights)}
    q.lines = [Line(p["left"], f"{i}. ") for i, p in enumerate(lefts, start=1)]
    q.lines += [Line(text, f"{LETTERS[i]}. ") for i, text in enumerate(rights)]
    q.sheet = [Cell(f"{i}-…", LABEL_BOX) for i in range(1, len(lefts) + 1)]
    q.key = ", ".join(f"{i}-{letter.get(p.get('right'), '?')}" for i, p in enumerate(lefts, start=1))


def _ordering(q: Printed, content: dict, rng: random.Random) -> None:
    items = list(content.get("items", []))
    positions = list(range(len(items)))
    rng.shuffle(positions)
    if positions == sorted(positions) and len(items) > 1:
        positions = positions[1:] + positions[:1]  # never printed in the right order
    letter = {position: LETTERS[shown] for shown, position in enumerate(positions)}
    q.lines = [Line(items[position], f"{LETTERS[shown]}. ") for shown, position in enumerate(positions)]
    q.sheet = [Cell(ORDER, LABEL_BOX)] + [Cell("", BOX)] * len(items)
    q.key = ", ".join(letter[position] for position in range(len(items)))


def _shuffled_options(part: dict, rng: random.Random) -> list[dict]:
    choices = [dict(c) for c in part.get("choices", [])]
    rng.shuffle(choices)
    for i, choice in enumerate(choices):
        choice["label"] = CHOICE_LABELS[i]
    return choices


def _cloze(q: Printed, content: dict, rng: random.Random) -> None:
    parts = content.get("parts", [])
    q.stem = GAP.sub(lambda m: f"___({m.group(1)})___", q.stem)
    keys = []
    for n, part in enumerate(parts, start=1):
        if part.get("choices"):
            options = _shuffled_options(part, rng)
            q.lines.append(Line(OPTION_GAP.join(f"{c['label']}. {c['text']}" for c in options), f"({n}) "))
            key = "".join(c["label"] for c in options if c.get("correct"))
        else:
            key = _answer_key(part)
        q.sheet.append(Cell(f"({n})", STATEMENT))
        keys.append(f"({n}) {key or '–'}")
    q.key = "; ".join(keys)


def _group(q: Printed, content: dict, rng: random.Random) -> None:
    parts = []
    for part in content.get("parts", []):
        if part.get("type") == "single_choice" and part.get("shuffle", True):
            part = {**part, "choices": _shuffled_options(part, rng)}  # as the code shuffles its own questions
        parts.append(part)
    q.parts, counted = [], 0
    for part in parts:
        counted += part.get("type") != "description"  # a text-only part is printed without a number
        number = f"{q.number}.{counted}" if part.get("type") != "description" else ""
        q.parts.append(printed(part, number, rng))
    numbers = [p.number for p in q.parts if p.number]
    if len(numbers) == 1:
        named = f"câu {numbers[0]}"
    elif len(numbers) == 2:
        named = f"câu {numbers[0]} và câu {numbers[1]}"
    else:
        named = f"các câu từ {numbers[0]} đến {numbers[-1]}" if numbers else ""
    q.intro = f"Đọc thông tin sau và trả lời {named}." if named else ""
    q.key = "; ".join(f"{p.number}: {p.key}" for p in q.rows())
