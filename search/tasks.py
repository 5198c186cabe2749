"""Celery tasks of the search app: thin, they take ids and call ``search.indexing``."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=10,
)
def update_object_task(source: str, object_id: str) -> int:
    from search.indexing import update_object

    return update_object(source, object_id)


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=10,
)
def update_objects_task(source: str, object_ids: list[str]) -> int:
    from search.indexing import update_objects

    return update_objects(source, object_ids)
