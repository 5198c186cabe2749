import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Service-level checks match the English source messages (the pages are checked in Vietnamese by the browser
    test); one test below checks a Vietnamese message on purpose."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_session_checks():
    """The save gateway remembers session checks per process (``fastsave._CHECKED``): no test sees another's."""
    from lms.exams import fastsave

    fastsave._CHECKED.clear()
    yield
    fastsave._CHECKED.clear()
