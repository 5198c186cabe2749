from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "lms.courses"
    label = "courses"
    verbose_name = _("Classes and courses")

    def ready(self) -> None:
        from lms.courses import privacy

        privacy.connect()
