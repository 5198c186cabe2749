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


def usable_items(user, *, kind: str | None = None):
    """Approved items ``user`` may embed in a lesson: those of their schools, those shared with their education
    authority and public ones (the item's ``sharing``, as for lessons; superusers: all)."""
    from content.api import visible_lessons_q

    qs = LibraryItem.objects.filter(status=ItemStatus.APPROVED).filter(visible_lessons_q(user))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("title", "pk")


def search_items(query: str, *, kind: str | None = None, approved_only: bool = True, limit: int = 20):
    qs = LibraryItem.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if approved_only:
        qs = qs.filter(status=ItemStatus.APPROVED)
    if query:
        qs = qs.filter(title__icontains=query)
    return list(qs[:limit])


# -- reads for the search index (search/library.py) ------------------------------------------------------------------
def item_ids():
    """Every item's primary key, in order (``manage.py reindex``)."""
    return LibraryItem.objects.order_by("pk").values_list("pk", flat=True).iterator()


def items_for_index(ids):
    """Items with what the search index reads of them (school, subject, outcomes) in three queries."""
    return LibraryItem.objects.filter(pk__in=list(ids)).select_related("school", "subject").prefetch_related("outcomes")


def item_viewer_ids(item: LibraryItem) -> frozenset[int]:
    """Who, besides superusers, may see an item that is not approved: ``access.can_manage`` (the uploader; the
    staff of its school holding ``library.change_libraryitem``) and, while it is submitted, the current reviewer
    (the admin item page). Approved items are seen by everyone (``access.can_play``)."""
    from django.contrib.auth import get_user_model

    from lms.library.access import _at_school
    from lms.library.review import current_reviewer

    viewers = {item.owner_id} if item.owner_id else set()
    if item.school_id is not None:
        holders = get_user_model().objects.with_perm("library.change_libraryitem", include_superusers=False)
        viewers.update(user.pk for user in holders if _at_school(user, item))
    reviewer = current_reviewer(item)
    if reviewer is not None:
        viewers.add(reviewer.pk)
    return frozenset(viewers)


def open_package_file(item: LibraryItem, relative: str):
    """A file of an extracted package, opened from storage for streaming reads (``None`` when it is missing)."""
    from django.core.files.storage import default_storage

    if not item.storage_prefix:
        return None
    key = f"{item.storage_prefix}/{relative}"
    if not default_storage.exists(key):
        return None
    return default_storage.open(key, "rb")


def open_document(item: LibraryItem):
    """A document item's file, opened from storage for streaming reads (``None`` when it has none)."""
    if not item.document:
        return None
    return item.document.storage.open(item.document.name, "rb")


def open_library_files(item: LibraryItem, relative: str):
    """``(library key, opened file)`` for ``relative`` (e.g. ``semantics.json``) of each H5P library the item loads,
    where the store has it; the caller closes each file."""
    from django.core.files.storage import default_storage

    for link in item.library_links.select_related("library"):
        key = f"{link.library.storage_prefix}/{relative}"
        if default_storage.exists(key):
            yield link.library.key, default_storage.open(key, "rb")
