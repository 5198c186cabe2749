"""Public Python API of ``lms.library``: the only module other apps import."""

from lms.library.models import ItemKind, ItemStatus, LibraryItem, ScorePolicy
from lms.library.packages.inspect import PackageReport, inspect_package
from lms.library.selectors import get_item, get_result, search_items
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
    "search_items",
    "upload_item",
]
