"""Vietnamese text folding, tokens, typing-slip variants and highlights.

The same functions run at index time and at query time, on every backend:

- :func:`fold` removes diacritics, maps đ → d and lower-cases ("Đường tròn" → "duong tron"), so a query typed with or
  without diacritics meets the same folded tokens;
- :func:`exact` only lower-cases (NFC), so a query typed *with* its diacritics can rank the documents that carry
  exactly those words higher ("đường" over "dương");
- :func:`slip_variants` turns what a keyboard left behind into folded words: Telex ("dduowngf" → "duong"), VNI
  ("d9u7o7ng2" → "duong") and one-letter slips (a letter dropped, added, replaced or two letters swapped), which the
  backends keep only when the index knows the word;
- :func:`highlight` marks the words of a text whose folded form matches the query, keeping the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from django.utils.html import escape

_WORD = re.compile(r"\w+", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
# Vietnamese syllables never end in these letters; Telex types the tone with them (s sắc, f huyền, r hỏi, x ngã,
# j nặng, z removes the tone).
_TELEX_TONES = frozenset("sfrxjz")
_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def fold(text: str | None) -> str:
    """Lower case, diacritics removed, đ → d: "Đạo hàm của hàm số" → "dao ham cua ham so"."""
    if not text:
        return ""
    return " ".join(_fold_word(word) for word in _WORD.findall(unicodedata.normalize("NFC", text)))


def exact(text: str | None) -> str:
    """Lower case with the diacritics kept (NFC): the field that rewards queries typed with their diacritics."""
    if not text:
        return ""
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", text).lower()))


def tokens(text: str | None) -> list[str]:
    """Folded tokens of ``text`` (ASCII letters and digits), in order, repeats kept."""
    return _ASCII_WORD.findall(fold(text))


def exact_tokens(text: str | None) -> list[str]:
    return exact(text).split()


def has_diacritics(word: str) -> bool:
    return _fold_word(word) != word.lower()


# ---------------------------------------------------------------------------------------------------------------------
# Typing slips
# ---------------------------------------------------------------------------------------------------------------------
def telex_to_folded(word: str) -> str | None:
    """The folded word a Telex typist meant, or ``None`` when ``word`` shows no Telex leftovers.

    "dduowngf" → "duong", "hafm" → "ham", "toasn" → "toan", "phuwowng" → "phuong", "hinhf" → "hinh".
    """
    w = word.lower()
    if not w.isalpha() or len(w) < 2:
        return None
    out = w.replace("dd", "d")
    out = re.sub(r"([aeo])\1", r"\1", out)  # aa â, ee ê, oo ô
    out = out.replace("w", "")  # aw ă, ow ơ, uw ư (and a lone w for ư)
    if w.startswith("w"):
        out = "u" + out
    # A tone letter typed right after the vowels (or at the end): "toasn", "toans", "hafm".
    tone = re.match(r"^([^aeiouy]*[aeiouy]+)([sfrxjz])([^aeiouy]*)$", out)
    if tone and tone.group(3) in {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}:
        out = tone.group(1) + tone.group(3)
    elif out and out[-1] in _TELEX_TONES and any(ch in _VOWELS for ch in out[:-1]):
        out = out[:-1]
    return out if out != w and out else None


def vni_to_folded(word: str) -> str | None:
    """The folded word a VNI typist meant ("d9u7o7ng2" → "duong", "to1an" → "toan"), or ``None``."""
    w = word.lower()
    if not (any(ch.isalpha() for ch in w) and any(ch in "123456789" for ch in w)):
        return None
    if not re.fullmatch(r"[a-z]+[a-z1-9]*", w) or not w[0].isalpha():
        return None
    out = re.sub(r"[1-9]", "", w)
    return out if out and out != w else None


def one_edit_variants(word: str) -> set[str]:
    """Words one slip away: a letter dropped, added, replaced, or two neighbours swapped (Norvig's edits1).

    Only for words of four letters or more (shorter ones are too close to too many Vietnamese syllables); three-letter
    words get swaps only ("hma" → "ham").
    """
    if not word.isalpha():
        return set()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1 and b[0] != b[1]}
    if len(word) < 4:
        return swaps if len(word) == 3 else set()
    deletes = {a + b[1:] for a, b in splits if b}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET if c != b[0]}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word}


def slip_variants(word: str) -> list[str]:
    """Folded candidates for a query word the index does not know, most likely first."""
    candidates: list[str] = []
    for meant in (telex_to_folded(word), vni_to_folded(word)):
        if meant and meant not in candidates:
            candidates.append(meant)
    folded = _fold_word(word)
    candidates.extend(sorted(one_edit_variants(folded) - set(candidates)))
    return candidates


def splits_in_two(word: str) -> list[tuple[str, str]]:
    """ "daoham" → [("d", "aoham"), …, ("dao", "ham"), …]: for words typed without their space."""
    if len(word) < 4 or not word.isalpha():
        return []
    return [(word[:i], word[i:]) for i in range(2, len(word) - 1)]


# ---------------------------------------------------------------------------------------------------------------------
# Highlights
# ---------------------------------------------------------------------------------------------------------------------
def highlight(text: str, terms: Iterable[str], *, prefixes: Iterable[str] = (), size: int = 200) -> str:
    """An HTML-escaped excerpt of ``text`` (about ``size`` characters) around the first matching word, every word whose
    folded form is one of ``terms`` (or starts with one of ``prefixes``) wrapped in ``<mark>``."""
    terms = {t for t in terms if t}
    prefixes = tuple(p for p in prefixes if p)
    text = unicodedata.normalize("NFC", text or "")
    matches = [
        m
        for m in _WORD.finditer(text)
        if (folded := _fold_word(m.group())) in terms or (prefixes and folded.startswith(prefixes))
    ]
    start, end = 0, len(text)
    if len(text) > size:
        first = matches[0].start() if matches else 0
        start = max(0, first - size // 4)
        if start:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space >= 0 and start - space < 20 else start
        end = min(len(text), start + size)
        space = text.find(" ", end)
        end = space if 0 <= space - end < 20 else end
    pieces, cursor = [], start
    for m in matches:
        if m.start() < start or m.end() > end:
            continue
        pieces.append(escape(text[cursor : m.start()]))
        pieces.append(f"<mark>{escape(m.group())}</mark>")
        cursor = m.end()
    pieces.append(escape(text[cursor:end]))
    excerpt = "".join(pieces).strip()
    return ("… " if start > 0 else "") + excerpt + (" …" if end < len(text) else "")
