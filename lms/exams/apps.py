from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "lms.exams"
    label = "exams"
    verbose_name = _("Computer-based tests")

    def ready(self) -> None:
        # Tests (and practice sets) as course plan items (lms.courses.providers).
        from lms.exams import plan_items

        plan_items.register()
