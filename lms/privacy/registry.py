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


# Erasers: an app that holds data about a person that a deletion request may erase registers
# ``callable(subject, school) -> int`` (how many records it erased) from its ``AppConfig.ready()``; what it must keep
# by law it leaves alone and says so in its README.
Eraser = Callable[[Any, Any], int]
_erasers: dict[str, tuple[Any, Eraser]] = {}


def register_eraser(name: str, label, eraser: Eraser) -> None:
    existing = _erasers.get(name)
    if existing is not None and existing[1] is not eraser:
        raise ValueError(f"An eraser named {name!r} is already registered.")
    _erasers[name] = (label, eraser)


def erasers() -> dict[str, tuple[Any, Eraser]]:
    return dict(_erasers)
