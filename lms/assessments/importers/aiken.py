"""Aiken: a stem (one or more lines), options ``A)`` / ``A.``, then ``ANSWER: X``. Questions are separated by the
``ANSWER`` line (blank lines are optional), as in Moodle's ``qformat_aiken``."""

from __future__ import annotations

import html
import re

from lms.assessments.ir import Choice, ImportResult, QType, Question

_OPTION = re.compile(r"^([A-Z])[.)]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.I)


def parse(data: bytes | str, *, result: ImportResult | None = None) -> ImportResult:
    result = result or ImportResult(format="aiken")
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    number = 0
    stem: list[str] = []
    choices: list[Choice] = []

    def reset():
        stem.clear()
        choices.clear()

    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        if answer:
            number += 1
            key = answer.group(1).strip().upper()
            labels = [c.label for c in choices]
            if not stem:
                result.error(number, "ANSWER without a question", "Write the question text before the options.")
            elif len(choices) < 2:
                result.error(number, "fewer than two options", "Write options as A) … and B) … on their own lines.")
            elif key not in labels:
                result.error(
                    number, f"ANSWER {key!r} is not one of the options {', '.join(labels)}", "Use the option letter."
                )
            else:
                for c in choices:
                    c.correct = c.label == key
                result.questions.append(
                    Question(
                        type=QType.SINGLE,
                        stem=html.escape("\n".join(stem), quote=False),
                        number=number,
                        text_format="plain",
                        choices=[Choice(c.label, html.escape(c.text, quote=False), c.correct) for c in choices],
                    )
                )
            reset()
            continue
        option = _OPTION.match(line)
        if option and stem:
            choices.append(Choice(option.group(1), option.group(2), False))
        elif choices:
            number += 1
            result.error(number, "options not followed by an ANSWER: line", "End every question with ANSWER: X.")
            reset()
            stem.append(line)
        else:
            stem.append(line)
    if stem or choices:
        number += 1
        result.error(number, "the last question has no ANSWER: line", "End every question with ANSWER: X.")
    if number == 0:
        result.error(None, "The file holds no Aiken question.", "")
    return result
