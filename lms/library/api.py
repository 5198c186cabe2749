"""Public Python API of ``lms.library``: the only module other apps import."""

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

__all__ = [
    "ItemKind",
    "ItemStatus",
    "LibraryItem",
    "PackageRejected",
    "PackageReport",
    "ScanVerdict",
    "ScorePolicy",
    "delete_item",
    "get_item",
    "get_result",
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
