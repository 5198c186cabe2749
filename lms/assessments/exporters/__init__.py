"""Question exporters: GIFT, Moodle XML, a QTI 3.0 content package and Vietnamese-layout Word."""

from __future__ import annotations

from lms.assessments.exporters import docx, gift, moodlexml, qti
from lms.assessments.ir import Question

EXPORT_FORMATS = {
    "gift": (gift.export, "text/plain; charset=utf-8", "gift.txt"),
    "moodlexml": (moodlexml.export, "application/xml", "xml"),
    "qti": (qti.export, "application/zip", "qti3.zip"),
    "docx": (docx.export, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
ExportErrors = (gift.ExportError, qti.ExportError, docx.ExportError)


def export_ir(questions: list[Question], fmt: str) -> bytes:
    try:
        writer = EXPORT_FORMATS[fmt][0]
    except KeyError:
        raise ValueError(f"Unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}") from None
    return writer(questions)


def export_questions(versions, fmt: str) -> bytes:
    """Export question versions (with their pictures from storage)."""
    from lms.assessments.selectors import media_for

    items = []
    for version in versions:
        q = version.as_ir()
        q.media = media_for(version.question)
        q.category = version.question.category.path if version.question.category_id else q.category
        items.append(q)
    return export_ir(items, fmt)
