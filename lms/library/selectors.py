"""Reads of the library."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from lms.library.models import H5PLibrary, H5PUserData, ItemStatus, LibraryItem, Result, ScormRuntime


def stored_library_keys() -> frozenset[str]:
    return frozenset(
        f"{m}-{a}.{b}" for m, a, b in H5PLibrary.objects.values_list("machine_name", "major_version", "minor_version")
    )


def get_item(reference) -> LibraryItem | None:
    try:
        return LibraryItem.objects.filter(uuid=reference).first()
    except (ValueError, TypeError, ValidationError):  # a malformed UUID is "no such item"
        return None


def library_by_key(key: str) -> H5PLibrary | None:
    name, _sep, version = key.rpartition("-")
    major, _dot, minor = version.partition(".")
    if not (name and major.isdigit() and minor.isdigit()):
        return None
    return H5PLibrary.objects.filter(machine_name=name, major_version=int(major), minor_version=int(minor)).first()


def missing_libraries(item: LibraryItem) -> list[str]:
    """Library versions an H5P item needs that the store does not have (content-only packages)."""
    wanted = item.package_metadata.get("dependencies") or []
    stored = stored_library_keys() if wanted else frozenset()
    return [key for key in wanted if key not in stored]


def get_user_data(item: LibraryItem, student) -> dict[str, dict[str, str]]:
    """contentUserData as H5P wants it: ``{subContentId: {dataType: data}}``."""
    result: dict[str, dict[str, str]] = {}
    for row in H5PUserData.objects.filter(item=item, student=student):
        result.setdefault(row.sub_content_id, {})[row.data_type] = row.data
    return result


def get_scorm_runtimes(item: LibraryItem, student) -> dict[str, ScormRuntime]:
    return {r.sco: r for r in ScormRuntime.objects.filter(item=item, student=student)}


def get_result(item: LibraryItem, student) -> Result | None:
    return Result.objects.filter(item=item, student=student).select_related("attempt").first()


def search_items(query: str, *, kind: str | None = None, approved_only: bool = True, limit: int = 20):
    qs = LibraryItem.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if approved_only:
        qs = qs.filter(status=ItemStatus.APPROVED)
    if query:
        qs = qs.filter(title__icontains=query)
    return list(qs[:limit])
