from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content repository")

    def ready(self) -> None:
        from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move, task_submitted

        from lms.schools.api import review_settings_changed, roles_changed

        task_submitted.connect(_task_submitted, dispatch_uid="content.notify_reviewer")
        for signal in (page_published, page_unpublished, page_slug_changed):
            signal.connect(_drop_cached_page, dispatch_uid=f"content.pagecache.{id(signal)}")
        post_page_move.connect(_drop_moved_page, dispatch_uid="content.pagecache.move")
        roles_changed.connect(_roles_changed, dispatch_uid="content.sync_school_editors")
        review_settings_changed.connect(_review_settings_changed, dispatch_uid="content.school_review_workflow")


def _task_submitted(sender, instance, user=None, **kwargs) -> None:
    from content.review import LessonReviewTask
    from content.review_services import notify_reviewer

    if isinstance(instance.task.specific, LessonReviewTask):
        notify_reviewer(instance)


def _roles_changed(sender, user, **kwargs) -> None:
    from content.review_services import sync_school_editor_groups

    sync_school_editor_groups(user)


def _review_settings_changed(sender, school, **kwargs) -> None:
    from content.review_services import configure_school_review

    configure_school_review(school=school)


def _drop_cached_page(sender, instance, **kwargs) -> None:
    from urllib.parse import urlsplit

    from lib.pagecache import invalidate_path

    for page in [instance, *instance.get_descendants()]:
        url = page.get_url()
        if url:
            invalidate_path(urlsplit(url).path)


def _drop_moved_page(sender, instance, url_path_before, url_path_after, **kwargs) -> None:
    """After a move the old address must not keep answering from the cache."""
    from wagtail.models import Site

    from lib.pagecache import invalidate_path

    for site in Site.objects.select_related("root_page"):
        root = site.root_page.url_path
        if url_path_before.startswith(root):
            invalidate_path("/" + url_path_before[len(root) :])
    _drop_cached_page(sender, instance)
