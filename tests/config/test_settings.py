"""Each environment variable switches one part to a real service; production refuses to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import components

ROOT = Path(__file__).resolve().parents[2]


def test_no_variables_means_the_embedded_defaults(tmp_path):
    assert components.databases({}, tmp_path)["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert (tmp_path / "var").is_dir()
    assert components.storages({})["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    celery = components.celery({})
    assert celery["CELERY_TASK_ALWAYS_EAGER"] is True
    assert celery["CELERY_BROKER_URL"] == "memory://"
    assert components.search_backends({})["default"]["BACKEND"] == "wagtail.search.backends.database"
    assert components.email({})["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert components.caches({})["default"]["BACKEND"].endswith("LocMemCache")


def test_database_url_selects_postgresql(tmp_path):
    config = components.databases({"DATABASE_URL": "postgres://lms:secret@db:5432/lms"}, tmp_path)["default"]
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "lms",
        "lms",
        "secret",
        "db",
        5432,
    )
    assert config["CONN_HEALTH_CHECKS"] is True


def test_bucket_selects_s3_storage_with_safe_options():
    env = {
        "AWS_STORAGE_BUCKET_NAME": "hoclieu",
        "AWS_S3_ENDPOINT_URL": "http://s3:8333",
        "AWS_ACCESS_KEY_ID": "k",
        "AWS_SECRET_ACCESS_KEY": "s",
    }
    storage = components.storages(env)["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "hoclieu"
    assert options["endpoint_url"] == "http://s3:8333"
    assert options["file_overwrite"] is False
    assert options["default_acl"] is None
    assert options["addressing_style"] == "path"
    assert (options["access_key"], options["secret_key"]) == ("k", "s")


def test_broker_url_turns_on_real_workers():
    celery = components.celery({"CELERY_BROKER_URL": "redis://redis:6379/0"})
    assert celery["CELERY_TASK_ALWAYS_EAGER"] is False
    assert celery["CELERY_RESULT_BACKEND"] == "redis://redis:6379/0"


def test_elasticsearch_url_selects_the_elasticsearch9_backend():
    backend = components.search_backends({"ELASTICSEARCH_URL": "http://es1:9200, http://es2:9200"})["default"]
    assert backend["BACKEND"] == "wagtail.search.backends.elasticsearch9"
    assert backend["URLS"] == ["http://es1:9200", "http://es2:9200"]


def test_cache_and_email_urls():
    redis = components.caches({"CACHE_URL": "redis://redis:6379/2"})["default"]
    assert redis == {"BACKEND": "lib.cache.RedisCache", "LOCATION": "redis://redis:6379/2"}
    smtp = components.email({"EMAIL_URL": "smtp+tls://user:pass@mail.truong.vn:587"})
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == ("mail.truong.vn", 587, True)
    assert components.email({"EMAIL_URL": "filemail:///var/mail/lms"})["EMAIL_FILE_PATH"] == "/var/mail/lms"


def _import_production(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "PRIVACY_ENCRYPTION_KEYS"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE, "
            "settings.CSRF_COOKIE_SECURE, settings.CSRF_TRUSTED_ORIGINS, settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY, ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "lms.truong.edu.vn"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "   ", "ALLOWED_HOSTS": "lms.truong.edu.vn"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secret_key_or_allowed_hosts(env, missing):
    result = _import_production(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Production settings need these environment variables: {missing}." in result.stderr


@pytest.mark.parametrize("key", ["short", "dev-only-insecure-key-do-not-use-in-production", "change-me" + "x" * 40])
def test_production_refuses_weak_secret_keys(key):
    result = _import_production({"SECRET_KEY": key, "ALLOWED_HOSTS": "lms.truong.edu.vn"})
    assert result.returncode != 0
    assert "SECRET_KEY is too short or is a placeholder" in result.stderr


def test_production_sets_secure_cookies_hsts_and_trusted_origins():
    result = _import_production(
        {
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "lms.truong.edu.vn,.hoasen.edu.vn",
            "PRIVACY_ENCRYPTION_KEYS": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 3)[:3] == ["31536000", "True", "True"]
    assert "['https://lms.truong.edu.vn', 'https://hoasen.edu.vn']" in result.stdout
    assert result.stdout.strip().endswith("False")


def test_production_serves_a_content_security_policy(client, settings):
    response = client.get("/healthz")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'self'" in policy
    assert "object-src 'none'" in policy


def test_language_and_timezone(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True


def test_scores_format_with_a_decimal_comma():
    from decimal import Decimal

    from django.utils import formats, translation

    with translation.override("vi"):
        assert formats.number_format(Decimal("7.9"), 1) == "7,9"
        assert formats.date_format(__import__("datetime").date(2026, 11, 23), "SHORT_DATE_FORMAT") == "23/11/2026"


def test_only_the_admin_may_run_inline_scripts(client, people):
    """Wagtail's page editor has inline date-picker scripts; the rest of the site keeps script-src 'self'."""
    from tests.support.baseline import ensure_site_baseline

    home = ensure_site_baseline().root_page
    site_policy = client.get("/").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in site_policy.split("script-src")[1].split(";")[0]
    client.force_login(type(people.teacher).objects.create_superuser("quantri-he-thong", "q@example.vn", "x"))
    editor = client.get(f"/admin/pages/{home.pk}/edit/")
    assert editor.status_code == 200
    assert "initDateTimeChooser" in editor.content.decode()
    script_src = editor.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" in script_src
