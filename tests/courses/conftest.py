import pytest

from tests.courses.support import make_class


@pytest.fixture
def setup(db):
    return make_class()
