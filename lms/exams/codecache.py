"""Per-process caches keyed by exam code: what the hot paths (a save, a submit, the result page) derive from a code's
layout, made once per code and revision instead of on every request."""

from __future__ import annotations

from lms.exams.models import Variant

LIMIT = 512  # a bounded cache: a school's open sittings are far fewer codes than this


def per_code(cache: dict, variant: Variant, build):
    """``build(layout)`` of an exam code, made once per (code, revision) in a process and kept in ``cache``. A key
    correction raises the revision in the same transaction as the layout, so a stale value is never used; the
    creation time is part of the key because a database may give a deleted code's id to a new one (SQLite does).
    The layout is read only when the code was loaded without it (as the save path's lock and the result page load
    it)."""
    key = (variant.pk, variant.test_id, variant.revision, variant.created_at)
    value = cache.get(key)
    if value is None:
        if "layout" in variant.__dict__:
            layout = variant.layout
        else:
            layout = Variant.objects.values_list("layout", flat=True).get(pk=variant.pk)
        value = build(layout)
        if len(cache) >= LIMIT:
            cache.clear()
        cache[key] = value
    return value
