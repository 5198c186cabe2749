"""Keeping the index fresh.

``object_changed(source, object_id)`` is what a source's signal handlers call: after the surrounding transaction
commits, a Celery task (``search.tasks.update_object_task``) asks the source for the object's documents as they are
now and writes them to every configured backend, removing the object's other documents (an unpublished lesson loses
its live document, a published draft loses its draft document, a deleted one loses all). A rolled-back transaction
changes nothing. ``rebuild()`` is ``manage.py reindex``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

from search.backends import all_backends
from search.sources import get_source, get_sources

logger = logging.getLogger(__name__)
BATCH = 200


def object_changed(source: str, object_id) -> None:
    """Reindex one object through Celery once the current transaction commits (at once outside one)."""
    from search.tasks import update_object_task

    object_id = str(object_id)
    transaction.on_commit(lambda: update_object_task.delay(source, object_id))


def objects_changed(source: str, object_ids: Iterable) -> None:
    """``object_changed`` for many objects (an import): one Celery task per batch of ``BATCH`` after the commit."""
    from search.tasks import update_objects_task

    ids = [str(i) for i in object_ids]
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        transaction.on_commit(lambda batch=batch: update_objects_task.delay(source, batch))


def update_objects(source: str, object_ids: Iterable[str]) -> int:
    """``update_object`` for many objects, their documents read in one batch (``documents_for_many``)."""
    documents_by_object = list(get_source(source).documents_for_many([str(i) for i in object_ids]))
    documents = [doc for _object_id, docs in documents_by_object for doc in docs]
    for backend in all_backends():
        backend.index(documents)
        for object_id, docs in documents_by_object:
            backend.delete_object(source, object_id, keep_keys=[d.key for d in docs])
    return len(documents)


def update_object(source: str, object_id: str) -> int:
    """Write the object's current documents to every backend and drop its others; returns how many it has now."""
    documents = get_source(source).documents_for(str(object_id))
    for backend in all_backends():
        backend.index(documents)
        backend.delete_object(source, str(object_id), keep_keys=[d.key for d in documents])
    return len(documents)


def rebuild(
    *,
    sources: Iterable[str] | None = None,
    backends=None,
    clear: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the index of ``sources`` (all by default) on ``backends`` (all configured by default); ``progress`` is
    called with (source, done, total) after each batch. Returns the number of documents written per source."""
    chosen = [get_source(name) for name in sources] if sources else get_sources()
    targets = list(backends) if backends is not None else all_backends()
    written: dict[str, int] = {}
    for backend in targets:
        backend.setup()
    for source in chosen:
        ids = [str(i) for i in source.object_ids()]
        total, done, count = len(ids), 0, 0
        if clear:
            for backend in targets:
                backend.clear(source.name)
        if progress:
            progress(source.name, 0, total)
        for start in range(0, total, BATCH):
            batch = ids[start : start + BATCH]
            documents = [doc for _object_id, docs in source.documents_for_many(batch) for doc in docs]
            for backend in targets:
                backend.index(documents)
            count += len(documents)
            done += len(batch)
            if progress:
                progress(source.name, done, total)
        written[source.name] = count
    return written
