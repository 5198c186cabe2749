from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "lms.assessments"
    label = "assessments"
    verbose_name = _("Question bank and tests")
