"""What the attempt page shows for the question types whose answers are more than one choice or one text —
matching, ordering, cloze (gap fill) and câu chùm (a shared stem with sub-questions) — and how their answers read on
the result page. Pure: a variant slot's content (``ir.Question.to_content``) and the stored response in, dicts out.

Responses (what ``attempt.js`` sends and ``lms.assessments.api.score`` takes):

- matching: ``{left text: chosen right text}``; every right text (distractors too) is offered in one select per row;
- ordering: the list of item texts in the student's order; the page starts from a seeded shuffle that is never the
  right order, and nothing is answered until the student moves an item;
- cloze: a list with one entry per gap ``{#n}`` of the text (a label for a dropdown gap, a list of labels for a
  multiple-response gap, text for a short-answer or numeric gap; ``None`` when empty);
- group: a list with one response per sub-question, each in its own type's form.
"""

from __future__ import annotations

import random
import re

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from lms.assessments.api import safe_html

GAP = re.compile(r"\{#(\d+)\}")
COMPOSITE_TYPES = frozenset({"matching", "ordering", "cloze", "group"})


def _text(value: str) -> str:
    return " ".join(strip_tags(value or "").split())


def matching_rights(content: dict) -> list[str]:
    """Every right-hand text once (distractors included), alphabetical: the order says nothing about the key."""
    return sorted({p["right"] for p in content.get("pairs", []) if p.get("right")}, key=lambda t: _text(t).lower())


def ordering_start(content: dict, seed: str) -> list[str]:
    items = list(content.get("items", []))
    shown = items[:]
    random.Random(seed).shuffle(shown)  # noqa: S311 - a reproducible display order, not a secret
    if shown == items and len(items) > 1:
        shown = shown[1:] + shown[:1]
    return shown


def view(content: dict, answer, seed: str, name: str) -> dict:
    """What the template ``exams/_answer.html`` needs besides the content for the composite types."""
    qtype = content.get("type")
    if qtype == "matching":
        chosen = answer if isinstance(answer, dict) else {}
        rows = [
            {"left": p["left"], "chosen": chosen.get(p["left"], ""), "name": f"{name}m{i}"}
            for i, p in enumerate(content.get("pairs", []))
            if p.get("left")
        ]
        return {"rows": rows, "rights": matching_rights(content)}
    if qtype == "ordering":
        items = content.get("items", [])
        valid = isinstance(answer, list) and sorted(answer) == sorted(items)
        return {"items": answer if valid else ordering_start(content, seed), "answered": valid}
    if qtype == "cloze":
        values = answer if isinstance(answer, list) else []
        parts = content.get("parts", [])
        segments = []
        pieces = GAP.split(str(safe_html(content.get("stem", ""))))
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                segments.append({"html": mark_safe(piece)})  # a slice of the sanitised text
                continue
            index = int(piece) - 1
            if 0 <= index < len(parts):
                segments.append(
                    {
                        "gap": index + 1,
                        "part": parts[index],
                        "value": values[index] if index < len(values) else None,
                        "name": f"{name}g{index}",
                    }
                )
        return {"segments": segments}
    if qtype == "group":
        values = answer if isinstance(answer, list) else []
        out = []
        for i, part in enumerate(content.get("parts", [])):
            value = values[i] if i < len(values) else None
            part_name = f"{name}p{i}"
            out.append(
                {
                    "index": i,
                    "number": i + 1,
                    "content": part,
                    "answer": value,
                    "name": part_name,
                    "view": view(part, value, f"{seed}:{i}", part_name),
                }
            )
        return {"parts": out}
    return {}


def response_text(content: dict, response) -> str:
    """A composite answer as the result page shows it ("–" when empty); other types: ``""`` (the caller's own)."""
    qtype = content.get("type")
    if response in (None, "", [], {}):
        return "–" if qtype in COMPOSITE_TYPES else ""
    if qtype == "matching":
        return "; ".join(
            f"{_text(p['left'])} → {_text(response.get(p['left'], '')) or '–'}"
            for p in content["pairs"]
            if p.get("left")
        )
    if qtype == "ordering":
        return " ".join(f"{i}. {_text(item)}" for i, item in enumerate(response, start=1))
    if qtype in ("cloze", "group"):
        parts = content.get("parts", [])
        out = []
        for i, part in enumerate(parts):
            value = response[i] if i < len(response) else None
            out.append(f"({i + 1}) {_plain(part, value)}")
        return " ".join(out)
    return ""


def _plain(content: dict, value) -> str:
    if value in (None, "", [], {}):
        return "–"
    if content.get("type") in COMPOSITE_TYPES:
        return response_text(content, value)
    if isinstance(value, bool):
        return "Đúng" if value else "Sai"
    if isinstance(value, dict):
        return " ".join(f"{k}) {v}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def key_text(content: dict) -> str:
    """The key of a composite question as the result page shows it."""
    qtype = content.get("type")
    if qtype == "matching":
        return "; ".join(f"{_text(p['left'])} → {_text(p['right'])}" for p in content.get("pairs", []) if p.get("left"))
    if qtype == "ordering":
        return " ".join(f"{i}. {_text(item)}" for i, item in enumerate(content.get("items", []), start=1))
    if qtype in ("cloze", "group"):
        return " ".join(f"({i}) {_part_key(p)}" for i, p in enumerate(content.get("parts", []), start=1))
    return ""


def _part_key(part: dict) -> str:
    from lms.assessments.api import QuestionContent

    if part.get("type") in COMPOSITE_TYPES:
        return key_text(part)
    return QuestionContent.from_content(part).key or "–"
