"""Exam codes (mã đề, R29): pure and reproducible. No database.

A variant is the test's questions in a new order *within each part* (parts keep their order), with the options of
every single-choice question shuffled and relabelled A, B, C…; Đúng/Sai statements keep their order (a)–d) are read
as a sequence) and so do the options of other types. The key of a variant is derived from the shuffled content, so it
always follows the shuffle. Everything comes from ``random.Random(f"{seed}:{number}")``: the same seed and number give
the same variant on any machine.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

from lms.assessments.api import QType, QuestionContent

CHOICE_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class Slot:
    """One question of a test as drawn: which version, its points, its part, and its content (``ir`` form)."""

    version: int
    points: str  # Decimal as text (JSON)
    part: str
    content: dict


@dataclass
class Variant:
    number: int
    code: str
    seed: str
    parts: list[dict] = field(default_factory=list)  # [{"code", "slots": [slot dict…]}]
    key: dict[str, str] = field(default_factory=dict)  # slot index (text) → key in this variant

    def layout(self) -> dict:
        return {"parts": self.parts}


def shuffle_choices(content: dict, rng: random.Random) -> tuple[dict, list[str]]:
    """The content with its choices in a new order, relabelled A, B, C…, and the original labels in display order."""
    shuffled = copy.deepcopy(content)
    choices = shuffled.get("choices", [])
    order = list(range(len(choices)))
    rng.shuffle(order)
    new = []
    for position, index in enumerate(order):
        choice = dict(choices[index])
        choice["label"] = CHOICE_LABELS[position]
        new.append(choice)
    shuffled["choices"] = new
    return shuffled, [choices[i]["label"] for i in order]


def variant_code(number: int, first: int = 101) -> str:
    return str(first + number)


def build_variant(parts: list[tuple[str, list[Slot]]], *, seed: str, number: int, shuffle: bool = True) -> Variant:
    """Variant ``number`` (0-based) of the test whose drawn questions are ``parts`` (in the test's order).

    ``shuffle=False`` gives the original order (variant 0 of a test that must not be shuffled)."""
    rng = random.Random(f"{seed}:{number}")  # noqa: S311 -- reproducible exam codes, not secrets
    variant = Variant(number=number, code=variant_code(number), seed=seed)
    index = 0
    for part_code, slots in parts:
        order = list(range(len(slots)))
        if shuffle:
            rng.shuffle(order)
        out = []
        for position in order:
            slot = slots[position]
            content, choice_order = slot.content, []
            if shuffle and content.get("type") == QType.SINGLE and content.get("shuffle", True):
                content, choice_order = shuffle_choices(content, rng)
            index += 1
            key = QuestionContent.from_content(content).key
            variant.key[str(index)] = key
            out.append(
                {
                    "slot": index,
                    "version": slot.version,
                    "points": slot.points,
                    "part": part_code,
                    "original_position": position + 1,
                    "choice_order": choice_order,
                    "content": content,
                    "key": key,
                }
            )
        variant.parts.append({"code": part_code, "slots": out})
    return variant


def original_label(slot: dict, shown: str) -> str:
    """The option label of the bank's version that the student saw as ``shown`` in this variant."""
    order = slot.get("choice_order") or []
    position = CHOICE_LABELS.find(str(shown).strip().upper()[:1]) if shown else -1
    if 0 <= position < len(order):
        return order[position]
    return str(shown or "")
