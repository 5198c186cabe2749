"""Fixtures of the search tests: every configured search backend, documents, people."""

from __future__ import annotations

import datetime
import os
import uuid

import pytest

from search.query import IndexDocument


def _backend_params():
    params = [pytest.param("database", id="database")]  # SQLite, or PostgreSQL when DATABASE_URL is set
    if os.environ.get("ELASTICSEARCH_URL"):
        params.append(pytest.param("elasticsearch", id="elasticsearch", marks=pytest.mark.elasticsearch))
    return params


@pytest.fixture(params=_backend_params())
def search_backend(request, settings, db):
    """The backend under test, configured as ``default`` (so ``search.api`` uses it) and empty."""
    from search.backends import get_backend

    if request.param == "database":
        settings.SEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database.DatabaseSearchBackend"}}
    else:
        urls = [u.strip() for u in os.environ["ELASTICSEARCH_URL"].split(",") if u.strip()]
        settings.SEARCH_BACKENDS = {
            "default": {
                "BACKEND": "search.backends.elasticsearch.ElasticsearchSearchBackend",
                "URLS": urls,
                "INDEX": f"test_search_{uuid.uuid4().hex[:10]}",
                "REFRESH": True,
            }
        }
    backend = get_backend()
    backend.setup()
    yield backend
    if request.param == "elasticsearch":
        backend.client.indices.delete(index=backend.index_name, ignore_unavailable=True)


_clock = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)


def make_doc(key: str, title: str, *, body: str = "", summary: str = "", access=("public",), minutes=0, **fields):
    return IndexDocument(
        source=fields.pop("source", "lesson"),
        key=key,
        object_id=fields.pop("object_id", key.split(":")[0]),
        title=title,
        url=fields.pop("url", f"/bai/{key}/"),
        summary=summary,
        body=body,
        kind=fields.pop("kind", "lesson"),
        access=list(access),
        updated_at=_clock + datetime.timedelta(minutes=minutes),
        **fields,
    )
