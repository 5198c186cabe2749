"""Pure functions that turn environment variables into settings blocks.

Kept apart from ``base.py`` so each switch (SQLite → PostgreSQL, local files → S3, eager Celery → Redis,
database search → Elasticsearch) is unit-tested with a plain dict, and so the S3 integration test builds its
storage from exactly the options production would use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import environ


def databases(env: Mapping[str, str], base_dir: Path) -> dict[str, Any]:
    """``DATABASE_URL`` selects the database; without it, SQLite under ``var/``."""
    url = env.get("DATABASE_URL")
    if not url:
        (base_dir / "var").mkdir(exist_ok=True)
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(base_dir / "var" / "db.sqlite3"),
                # Several threads (runserver, live_server, eager tasks) write at once in the demo.
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            }
        }
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("CONN_MAX_AGE", int(env.get("DATABASE_CONN_MAX_AGE", "60")))
        config.setdefault("CONN_HEALTH_CHECKS", True)
    return {"default": config}


def storages(env: Mapping[str, str]) -> dict[str, Any]:
    """``AWS_STORAGE_BUCKET_NAME`` switches user uploads to S3 (any S3-compatible server)."""
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    bucket = env.get("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        return {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": static}
    return {"default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(env)}, "staticfiles": static}


def s3_options(env: Mapping[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bucket_name": env["AWS_STORAGE_BUCKET_NAME"],
        "region_name": env.get("AWS_S3_REGION_NAME") or None,
        "endpoint_url": env.get("AWS_S3_ENDPOINT_URL") or None,
        # Path style works with every S3-compatible server (SeaweedFS, MinIO, Ceph); AWS accepts it too.
        "addressing_style": env.get("AWS_S3_ADDRESSING_STYLE", "path"),
        "signature_version": "s3v4",
        # Never overwrite: two teachers uploading "bai-giang.pdf" must both keep their file.
        "file_overwrite": False,
        # Private bucket; files are reached through short-lived signed URLs or our own views.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(env.get("AWS_QUERYSTRING_EXPIRE", "3600")),
        "location": env.get("AWS_LOCATION", ""),
    }
    if env.get("AWS_ACCESS_KEY_ID"):
        options["access_key"] = env["AWS_ACCESS_KEY_ID"]
        options["secret_key"] = env.get("AWS_SECRET_ACCESS_KEY", "")
    if env.get("AWS_S3_CUSTOM_DOMAIN"):
        options["custom_domain"] = env["AWS_S3_CUSTOM_DOMAIN"]
    return options


def celery(env: Mapping[str, str]) -> dict[str, Any]:
    """``CELERY_BROKER_URL`` turns on real workers; without it tasks run eagerly in the web process."""
    broker = env.get("CELERY_BROKER_URL")
    if not broker:
        return {
            "CELERY_BROKER_URL": "memory://",
            "CELERY_RESULT_BACKEND": "cache+memory://",
            "CELERY_TASK_ALWAYS_EAGER": True,
            "CELERY_TASK_EAGER_PROPAGATES": True,
        }
    return {
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": env.get("CELERY_RESULT_BACKEND", broker),
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_TASK_EAGER_PROPAGATES": False,
    }


def caches(env: Mapping[str, str]) -> dict[str, Any]:
    """``CACHE_URL`` (e.g. ``redis://redis:6379/1``); local memory otherwise.

    Login throttling counts failures in this cache, so production with several web workers needs a shared one.
    """
    url = env.get("CACHE_URL")
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lms"}}
    if url.startswith(("redis://", "rediss://")):
        return {"default": {"BACKEND": "lib.cache.RedisCache", "LOCATION": url}}  # one client per pool
    return {"default": environ.Env.cache_url_config(url)}


def search_backends(env: Mapping[str, str]) -> dict[str, Any]:
    """Wagtail's search: the database backend by default, Elasticsearch 9 when ``ELASTICSEARCH_URL`` is set."""
    url = env.get("ELASTICSEARCH_URL")
    if not url:
        return {"default": {"BACKEND": "wagtail.search.backends.database"}}
    return {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch9",
            "URLS": [u.strip() for u in url.split(",") if u.strip()],
            "INDEX_PREFIX": env.get("ELASTICSEARCH_INDEX_PREFIX", "lms_"),
            "TIMEOUT": 10,
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }


def site_search_backends(env: Mapping[str, str]) -> dict[str, Any]:
    """The project's own search (``search`` app): its database backend by default, Elasticsearch 9 through
    ``elasticsearch.dsl`` when ``ELASTICSEARCH_URL`` is set."""
    url = env.get("ELASTICSEARCH_URL")
    if not url:
        return {"default": {"BACKEND": "search.backends.database.DatabaseSearchBackend"}}
    return {
        "default": {
            "BACKEND": "search.backends.elasticsearch.ElasticsearchSearchBackend",
            "URLS": [u.strip() for u in url.split(",") if u.strip()],
            "INDEX": env.get("ELASTICSEARCH_INDEX_PREFIX", "lms_") + "search",
            "OPTIONS": {"request_timeout": 10},
        }
    }


def email(env: Mapping[str, str]) -> dict[str, Any]:
    """``EMAIL_URL`` (``smtp+tls://user:pass@host:587``); the console backend otherwise."""
    url = env.get("EMAIL_URL")
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.startswith("filemail://"):
        # Each message is written to a file under this directory (django-environ would drop the leading "/").
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": url.removeprefix("filemail://"),
        }
    return dict(environ.Env.email_url_config(url))


def derived_fernet_key(secret: str) -> str:
    """A Fernet key derived from SECRET_KEY, for development and tests only (production needs its own key)."""
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(b"lms.privacy:" + secret.encode()).digest()).decode()


def split_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


__all__ = [
    "caches",
    "celery",
    "databases",
    "derived_fernet_key",
    "email",
    "s3_options",
    "search_backends",
    "site_search_backends",
    "split_list",
    "storages",
]
