import pytest

from tests.gradebook.support import make_gradebook_class


@pytest.fixture
def gb(db):
    return make_gradebook_class()
