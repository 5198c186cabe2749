"""Public Python API of ``content`` (the Wagtail repository): the only module other apps import."""

from content.models import HomePage
from content.services import update_home_page

__all__ = ["HomePage", "update_home_page"]
