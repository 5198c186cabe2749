from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "lms.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from lms.privacy import providers

        providers.register_all()
        user_logged_in.connect(_record_login, dispatch_uid="privacy.record_login")


def _record_login(sender, request, user, **kwargs) -> None:
    from lms.privacy.models import BehaviourKind
    from lms.privacy.services import record_behaviour

    record_behaviour(user=user, kind=BehaviourKind.LOGIN)
