"""Search backends, chosen in ``settings.SEARCH_BACKENDS`` the way Django chooses caches::

    SEARCH_BACKENDS = {
        "default": {"BACKEND": "search.backends.database.DatabaseSearchBackend"},
        # or {"BACKEND": "search.backends.elasticsearch.ElasticsearchSearchBackend",
        #     "URLS": ["http://elasticsearch:9200"], "INDEX": "lms_search", "OPTIONS": {"timeout": 10}},
    }

``get_backend()`` returns the (per-process cached) instance for an alias; every write goes to every configured
backend (so an Elasticsearch index can be filled while the database one still answers), reads go to ``default``.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from search.backends.base import BaseSearchBackend

DEFAULT_BACKENDS = {"default": {"BACKEND": "search.backends.database.DatabaseSearchBackend"}}

_lock = threading.Lock()
_instances: dict[str, BaseSearchBackend] = {}


def backend_settings() -> dict[str, dict]:
    return getattr(settings, "SEARCH_BACKENDS", None) or DEFAULT_BACKENDS


def create_backend(alias: str, params: dict) -> BaseSearchBackend:
    path = params.get("BACKEND")
    if not path:
        raise ImproperlyConfigured(f"SEARCH_BACKENDS[{alias!r}] has no BACKEND.")
    try:
        backend_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"SEARCH_BACKENDS[{alias!r}]: cannot import {path!r} ({error}).") from error
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSearchBackend)):
        raise ImproperlyConfigured(f"SEARCH_BACKENDS[{alias!r}]: {path!r} is not a search backend.")
    return backend_class(alias, params)


def get_backend(alias: str = "default") -> BaseSearchBackend:
    configured = backend_settings()
    if alias not in configured:
        raise ImproperlyConfigured(f"No search backend {alias!r} in SEARCH_BACKENDS (have: {', '.join(configured)}).")
    with _lock:
        if alias not in _instances:
            _instances[alias] = create_backend(alias, configured[alias])
        return _instances[alias]


def all_backends() -> list[BaseSearchBackend]:
    return [get_backend(alias) for alias in backend_settings()]


def reset_backends(**kwargs) -> None:
    if kwargs.get("setting") not in (None, "SEARCH_BACKENDS"):
        return
    with _lock:
        for backend in _instances.values():
            backend.close()
        _instances.clear()


setting_changed.connect(reset_backends, dispatch_uid="search.reset_backends")

__all__ = ["BaseSearchBackend", "all_backends", "backend_settings", "create_backend", "get_backend", "reset_backends"]
