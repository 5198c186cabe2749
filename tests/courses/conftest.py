from tests.courses.support import make_class
from tests.support.shared_data import module_shared

# A class with its course, people and a published lesson, built once per module (see tests/support/shared_data.py).
_shared_setup, setup = module_shared(make_class, "setup")
