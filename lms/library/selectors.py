"""Reads of the library."""

from __future__ import annotations

from lms.library.models import H5PLibrary


def stored_library_keys() -> frozenset[str]:
    return frozenset(
        f"{m}-{a}.{b}" for m, a, b in H5PLibrary.objects.values_list("machine_name", "major_version", "minor_version")
    )
