from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content repository")

    def ready(self) -> None:
        from wagtail.signals import task_submitted

        from lms.schools.api import roles_changed

        task_submitted.connect(_task_submitted, dispatch_uid="content.notify_reviewer")
        roles_changed.connect(_roles_changed, dispatch_uid="content.sync_school_editors")


def _task_submitted(sender, instance, user=None, **kwargs) -> None:
    from content.review import LessonReviewTask
    from content.review_services import notify_reviewer

    if isinstance(instance.task.specific, LessonReviewTask):
        notify_reviewer(instance)


def _roles_changed(sender, user, **kwargs) -> None:
    from content.review_services import sync_school_editor_groups

    sync_school_editor_groups(user)
