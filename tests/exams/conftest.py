import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Service-level checks match the English source messages (the pages are checked in Vietnamese by the browser
    test); one test below checks a Vietnamese message on purpose."""
    with translation.override("en"):
        yield
