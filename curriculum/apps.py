from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CurriculumConfig(AppConfig):
    name = "curriculum"
    verbose_name = _("Curriculum")

    def ready(self) -> None:
        # The bundled programme data is present after every migrate, including a fresh test database.
        post_migrate.connect(_load_bundled, sender=self, dispatch_uid="curriculum.load_bundled")


def _load_bundled(sender, **kwargs) -> None:
    from curriculum.services import load_bundled_curriculum

    report = load_bundled_curriculum()
    if report.errors:
        raise RuntimeError("Bundled curriculum data is invalid:\n" + "\n".join(report.errors))
