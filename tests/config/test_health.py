"""/healthz reports each dependency; a broken one makes it 503 and is named."""

from __future__ import annotations

from django.core.cache import cache

from lib import health


def test_healthz_reports_every_part(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_names_the_broken_part(client, db, monkeypatch):
    def broken_cache():
        raise ConnectionError("Redis unreachable")

    monkeypatch.setitem(health.CHECKS, "cache", broken_cache)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"] == {
        "ok": False,
        "detail": "ConnectionError: Redis unreachable",
        "ms": body["checks"]["cache"]["ms"],
    }
    assert body["checks"]["database"]["ok"] is True


def test_broker_check_reaches_a_real_redis(redis_server, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery_app import app

    original = app.conf.broker_url
    app.conf.broker_url = f"{redis_server}/9"
    try:
        ok, detail = health.check_broker()
    finally:
        app.conf.broker_url = original
    assert ok is True
    assert detail == "redis"


def test_broker_check_fails_for_an_unreachable_broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery_app import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        result = health.run_checks()["broker"]
    finally:
        app.conf.broker_url = original
    assert result["ok"] is False
    assert "Error" in result["detail"]


def test_cache_check_round_trips(db):
    assert health.check_cache() == (True, "LocMemCache")
    assert cache.get("healthz") is None
