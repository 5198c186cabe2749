"""Export providers: each app that holds data about a student registers one from its ``AppConfig.ready()``.

A provider is ``callable(student, school) -> JSON-serialisable`` and its output becomes ``<name>.json`` in the
student's export. Lower apps are reached the same way (this app registers the ``lms.schools`` providers itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[[Any, Any], Any]
_providers: dict[str, Provider] = {}


def register_export_provider(name: str, provider: Provider) -> None:
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"Export provider name {name!r}: use letters, digits, '-' and '_' only (it is a file name).")
    existing = _providers.get(name)
    if existing is not None and existing is not provider:
        raise ValueError(f"An export provider named {name!r} is already registered.")
    _providers[name] = provider


def unregister_export_provider(name: str) -> None:
    _providers.pop(name, None)


def export_providers() -> dict[str, Provider]:
    return dict(_providers)
