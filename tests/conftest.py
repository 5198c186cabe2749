"""Suite-wide fixtures. Real-service fixtures live in tests/support/services.py."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.support.services", "tests.support.people"]


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from django.core.cache import cache

    cache.clear()  # login-throttle counters must not leak between tests
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_session_checks():
    """The save gateway remembers session checks and check-ins per process (``fastsave._CHECKED``,
    ``_CHECKED_IN``, ``_HEADINGS``): no test sees another's."""
    from lms.exams import fastsave

    fastsave._CHECKED.clear()
    fastsave._CHECKED_IN.clear()
    fastsave._HEADINGS.clear()
    yield
    fastsave._CHECKED.clear()
    fastsave._CHECKED_IN.clear()
    fastsave._HEADINGS.clear()


@pytest.fixture(autouse=True)
def _site_baseline(request):
    """Transactional tests (browser, live server) end by flushing every table, migration-created rows included;
    tests that use the database after one of them get those rows back here (a few queries when nothing is missing)."""
    if {"db", "transactional_db", "live_server"} & set(request.fixturenames) or request.node.get_closest_marker(
        "django_db"
    ):
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        from tests.support.baseline import ensure_site_baseline

        ensure_site_baseline()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    from tests.support.services import CHROMIUM, CHROMIUM_ARGS, USED, chromium_version

    USED["Browser"] = chromium_version()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _record_database(request):
    """Note which test database really ran (once, after the first test that used one)."""
    yield
    from tests.support.services import USED

    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if "Database" in USED or not uses_db:
        return
    from django.db import connection

    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    USED["Database"] = f"{connection.display_name} {version} (test database {connection.settings_dict['NAME']})"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from tests.support.services import USED

    if USED:
        terminalreporter.write_sep("-", "real services used by this run")
        for name, detail in sorted(USED.items()):
            terminalreporter.write_line(f"{name}: {detail}")
