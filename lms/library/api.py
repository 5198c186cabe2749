"""Public Python API of ``lms.library``: the only module other apps import."""

import re as _re
from dataclasses import dataclass as _dataclass
from decimal import Decimal as _Decimal

from lms.library.models import ItemKind, ItemStatus, LibraryItem, ScorePolicy
from lms.library.packages.inspect import PackageReport, inspect_package
from lms.library.selectors import (
    get_item,
    get_result,
    item_ids,
    item_viewer_ids,
    items_for_index,
    open_document,
    open_library_files,
    open_package_file,
    search_items,
)
from lms.library.services import PackageRejected, ScanVerdict, delete_item, upload_item

# -- reads for course plans (lms.courses) ----------------------------------------------------------------------------
_ISO_DURATION = _re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_SCORM12_TIME = _re.compile(r"^(?P<h>\d{2,4}):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d{1,2})?)$")


def duration_seconds(value: str) -> int:
    """Seconds in an xAPI / SCORM 2004 duration (``PT1M30S``) or a SCORM 1.2 time (``0000:01:30.00``); 0 if
    unreadable."""
    value = (value or "").strip()
    match = _ISO_DURATION.match(value) or _SCORM12_TIME.match(value)
    if not match or value in {"P", "PT"}:
        return 0
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return int(parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0))


@_dataclass(frozen=True)
class TrackedResult:
    """What the library's tracking holds for one student and one item."""

    completed: bool
    success: bool | None
    score_raw: _Decimal | None
    score_max: _Decimal | None
    score_scaled: _Decimal | None
    attempts: int
    seconds: int  # playback time the player reported (H5P attempt durations, SCORM total time)


def get_results_for(item_pks, student_ids) -> dict[tuple[int, int], TrackedResult]:
    """``{(item pk, student id): TrackedResult}`` for the given items and students, in three queries whatever
    their number."""
    from lms.library.models import Attempt, Result, ScormRuntime

    item_pks, student_ids = list(item_pks), list(student_ids)
    if not item_pks or not student_ids:
        return {}
    seconds: dict[tuple[int, int], int] = {}
    for key in ("attempt", "scorm"):
        model, field = (Attempt, "duration") if key == "attempt" else (ScormRuntime, "total_time")
        rows = model.objects.filter(item_id__in=item_pks, student_id__in=student_ids).exclude(**{field: ""})
        for item_id, student_id, value in rows.values_list("item_id", "student_id", field):
            seconds[(item_id, student_id)] = seconds.get((item_id, student_id), 0) + duration_seconds(value)
    found = {}
    for r in Result.objects.filter(item_id__in=item_pks, student_id__in=student_ids):
        found[(r.item_id, r.student_id)] = TrackedResult(
            completed=r.completed,
            success=r.success,
            score_raw=r.score_raw,
            score_max=r.score_max,
            score_scaled=r.score_scaled,
            attempts=r.attempts,
            seconds=seconds.get((r.item_id, r.student_id), 0),
        )
    for key, value in seconds.items():
        if key not in found:
            found[key] = TrackedResult(False, None, None, None, None, 0, value)
    return found


__all__ = [
    "ItemKind",
    "ItemStatus",
    "LibraryItem",
    "PackageRejected",
    "PackageReport",
    "ScanVerdict",
    "ScorePolicy",
    "TrackedResult",
    "delete_item",
    "duration_seconds",
    "get_item",
    "get_result",
    "get_results_for",
    "inspect_package",
    "item_ids",
    "item_viewer_ids",
    "items_for_index",
    "open_document",
    "open_library_files",
    "open_package_file",
    "search_items",
    "upload_item",
]
