"""The reviewer's inbox ("Chờ duyệt") beyond lessons: other apps whose items follow the lessons' review (library
items of ``lms.library``) register a source here from their ``AppConfig.ready()``; ``content`` cannot import them.

A source is a callable ``source(user) -> Iterable[ReviewInboxEntry]``: what waits for ``user``'s decision now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReviewInboxEntry:
    title: str
    url: str  # where the reviewer opens the item and decides
    kind: str  # shown in the inbox, e.g. "H5P", "SCORM", "Tài liệu"
    step: str  # the review step, e.g. "Tổ trưởng chuyên môn"
    submitted_at: datetime
    submitted_by: str = ""
    subject: str = ""
    grade: int | None = None
    history_url: str = ""


ReviewSource = Callable[[object], Iterable[ReviewInboxEntry]]
_sources: dict[str, ReviewSource] = {}


def register_review_source(name: str, source: ReviewSource) -> None:
    _sources[name] = source


def unregister_review_source(name: str) -> None:
    _sources.pop(name, None)


def entries_awaiting(user) -> list[ReviewInboxEntry]:
    """Every registered source's entries waiting for ``user``."""
    entries: list[ReviewInboxEntry] = []
    for source in list(_sources.values()):
        entries.extend(source(user))
    return entries
