"""The text layer of an uploaded PDF (pypdf), kept on the item so the search index can read it without opening the
file again. Scanned PDFs have no text layer (no OCR here); damaged or encrypted ones give no text — the upload
itself is never refused because of this, the file was already checked by ``packages.inspect``."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from lms.library.packages.limits import EXTRACTED_TEXT_MAX_CHARS, EXTRACTED_TEXT_MAX_PAGES

logger = logging.getLogger(__name__)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def pdf_text(
    path: Path, *, max_chars: int = EXTRACTED_TEXT_MAX_CHARS, max_pages: int = EXTRACTED_TEXT_MAX_PAGES
) -> str:
    """Up to ``max_chars`` characters of the text of the first ``max_pages`` pages, whitespace folded, pages
    separated by a blank line; ``""`` when the PDF has no readable text."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    pieces: list[str] = []
    length = 0
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            return ""
        for number, page in enumerate(reader.pages):
            if number >= max_pages or length >= max_chars:
                break
            text = page.extract_text() or ""
            text = _BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()
            if text:
                pieces.append(text)
                length += len(text) + 2
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AssertionError) as exc:
        logger.info("No text extracted from %s: %s", path.name, exc)
    return "\n\n".join(pieces)[:max_chars]
