"""Question importers. Each reads bytes and returns an ``ir.ImportResult``; :func:`import_file` picks the format."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from lms.assessments.importers import aiken, docx, gift, moodlexml, qti
from lms.assessments.ir import ImportIssue, ImportResult, Question

FORMATS = ("gift", "aiken", "moodlexml", "qti", "docx")
_PARSERS = {
    "gift": gift.parse,
    "aiken": aiken.parse,
    "moodlexml": moodlexml.parse,
    "qti": qti.parse,
    "docx": docx.parse,
}


def detect_format(data: bytes, name: str = "") -> str:
    lower = name.lower()
    if data[:2] == b"PK":
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names or lower.endswith(".docx"):
            return "docx"
        return "qti"
    head = data[:4000].decode("utf-8", "ignore").lstrip("\ufeff \r\n\t")
    if head.startswith("<"):
        if "<quiz" in head:
            return "moodlexml"
        if "assessmentItem" in head or "qti-assessment" in head or "assessmentTest" in head or "imsqti" in head:
            return "qti"
        return "moodlexml" if lower.endswith(".xml") and "qti" not in lower else "qti"
    if lower.endswith((".gift", ".gift.txt")):
        return "gift"
    if lower.endswith(".aiken.txt") or lower.endswith(".aiken"):
        return "aiken"
    text = data[:20000].decode("utf-8", "ignore")
    if "ANSWER:" in text.upper() and "{" not in text:
        return "aiken"
    return "gift"


def import_bytes(data: bytes, *, name: str = "", fmt: str = "auto") -> ImportResult:
    fmt = detect_format(data, name) if fmt in ("auto", "", None) else fmt
    if fmt not in _PARSERS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    result = ImportResult(format=fmt)
    try:
        if fmt == "qti":
            qti.parse(data, result=result, name=name)
        else:
            _PARSERS[fmt](data, result=result)
    except UnicodeDecodeError as exc:
        result.error(
            None, f"{name or 'The file'} is not UTF-8 text ({exc.reason} at byte {exc.start}).", "Save it as UTF-8."
        )
    for q in result.questions:
        q.normalise()
    return result


def import_file(path: str | Path, *, fmt: str = "auto") -> ImportResult:
    path = Path(path)
    return import_bytes(path.read_bytes(), name=path.name, fmt=fmt)


def iter_import(data: bytes, *, name: str = "", fmt: str = "auto", categories: set[str] | None = None):
    """Yield ``(format, item)`` for each question or problem of the file, normalised, in file order. GIFT is read
    block by block (memory stays flat however long the file); the other formats are read whole, then yielded."""
    fmt = detect_format(data, name) if fmt in ("auto", "", None) else fmt
    categories = categories if categories is not None else set()
    if fmt == "gift":
        try:
            for item in gift.iter_parse(data, categories):
                yield fmt, (item.normalise() if isinstance(item, Question) else item)
        except UnicodeDecodeError as exc:
            yield fmt, ImportIssue(None, f"{name or 'The file'} is not UTF-8 text ({exc.reason}).", "Save it as UTF-8.")
        return
    result = import_bytes(data, name=name, fmt=fmt)
    categories.update(result.categories)
    yield from ((fmt, q) for q in result.questions)
    yield from ((fmt, e) for e in result.errors)
