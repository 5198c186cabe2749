from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "lms.schools"
    label = "schools"
    verbose_name = _("Schools and people")

    def ready(self) -> None:
        from lms.schools import signals  # noqa: F401  (login throttling receivers)

        # Role groups and their permissions exist after every migrate, including a fresh test database.
        post_migrate.connect(_ensure_role_groups, sender=self, dispatch_uid="schools.ensure_role_groups")


def _ensure_role_groups(sender, using="default", verbosity=1, **kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from lms.schools.services import ensure_role_groups

    # Our receiver can run before django.contrib.auth has created the permissions of later apps.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_role_groups(using=using)
