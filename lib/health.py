"""Readiness checks for /healthz: database, cache, Celery broker and file storage.

Each check returns ``(ok, detail)``; details name the backend, never credentials.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection


def check_database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    ok = cache.get(key) == "ok"
    cache.delete(key)
    return ok, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_broker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager (tasks run in the web process)"
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return True, conn.transport.driver_type


def check_storage() -> tuple[bool, str]:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as fh:
            ok = fh.read() == b"ok"
    finally:
        default_storage.delete(name)
    return ok, settings.STORAGES["default"]["BACKEND"].rsplit(".", 1)[-1]


CHECKS: dict[str, Callable[[], tuple[bool, str]]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def run_checks() -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            ok, detail = check()
        except Exception as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
        results[name] = {"ok": ok, "detail": detail, "ms": round((time.monotonic() - started) * 1000, 1)}
    return results
