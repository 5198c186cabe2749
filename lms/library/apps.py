from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "lms.library"
    label = "library"
    verbose_name = _("Learning-object library")

    def ready(self) -> None:
        from lms.library.providers import register

        register()
