from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "lms.library"
    label = "library"
    verbose_name = _("Learning-object library")

    def ready(self) -> None:
        from content.api import register_review_source
        from lms.library import privacy
        from lms.library.providers import register
        from lms.library.review import inbox_entries

        register()
        privacy.connect()
        register_review_source("library", inbox_entries)
