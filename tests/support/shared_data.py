"""Build expensive test data once per module, as Django's ``TestCase.setUpTestData`` does.

:func:`module_shared` turns a builder (say, ``make_class``: a school, its people, a class and a published lesson,
about half a second of Wagtail page saves) into a pair of fixtures. The module-scoped half runs the builder once
inside an outer transaction; every test then runs in pytest-django's own transaction, which nests as a savepoint and
is rolled back at the test's end, so each test starts from exactly the built rows. Each test gets a deep copy of the
built objects, so changing one in memory does not leak into the next test, and a copy of the files the builder stored
in its own media directory. The outer transaction is rolled back when the module ends.

A module that also holds transactional tests (browser, live server, ``transaction=True``) cannot share: those flush
the database and must not run inside an open transaction. There the fixture falls back to building per test.
"""

from __future__ import annotations

import copy
import inspect
import shutil
from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import override_settings

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "page", "context", "browser"}


def _module_items(request):
    return [item for item in request.session.items if item.getparent(pytest.Module) is request.node]


def _is_transactional(item) -> bool:
    if TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])))


def module_shared(builder: Callable[[], object], name: str):
    """Return ``(module_fixture, test_fixture)``; assign both in a conftest, the test one under ``name``."""

    @pytest.fixture(scope="module", name=f"_shared_{name}")
    def module_fixture(request, django_db_setup, django_db_blocker, tmp_path_factory):
        if any(_is_transactional(item) for item in _module_items(request)):
            yield None
            return
        media = tmp_path_factory.mktemp(f"shared-{name}-media")
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
            outer = transaction.atomic()
            outer.__enter__()
            outer._from_testcase = True  # service code's durable atomics behave as under TestCase
            try:
                from tests.support.baseline import ensure_site_baseline

                ensure_site_baseline()
                built = (builder(), media)
            except BaseException as exc:
                transaction.set_rollback(True)
                outer.__exit__(type(exc), exc, exc.__traceback__)
                raise
        try:
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)

    def test_fixture(db, settings, **shared):
        (built,) = shared.values()
        if built is None:
            return builder()
        data, media = built
        # Files the builder stored (attachments, submissions) are copied into this test's own MEDIA_ROOT.
        shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        return copy.deepcopy(data)

    # Ask for the module half by name in the signature (not through getfixturevalue), so that pytest sets it up
    # before the function-scoped ``db`` fixture: the outer transaction must enclose the test's, not the reverse.
    test_fixture.__signature__ = inspect.Signature(
        [
            inspect.Parameter("db", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("settings", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter(f"_shared_{name}", inspect.Parameter.KEYWORD_ONLY),
        ]
    )
    test_fixture = pytest.fixture(name=name)(test_fixture)

    return module_fixture, test_fixture
