"""Wagtail admin integration of the repository: the review inbox ("Chờ duyệt") and review history pages."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from content import admin_views


@hooks.register("register_admin_urls")
def register_review_urls():
    urls = [
        path("", admin_views.ReviewInboxView.as_view(), name="inbox"),
        path("<int:page_id>/lich-su/", admin_views.ReviewHistoryView.as_view(), name="history"),
    ]
    return [path("cho-duyet/", include((urls, "content_review")))]


class ReviewInboxMenuItem(MenuItem):
    def is_shown(self, request):
        from lms.schools.api import Role, has_role

        user = request.user
        return user.is_superuser or has_role(user, Role.GROUP_HEAD) or has_role(user, Role.LEADERSHIP)


@hooks.register("register_admin_menu_item")
def register_review_inbox_menu_item():
    return ReviewInboxMenuItem(_("Awaiting my review"), reverse("content_review:inbox"), icon_name="tasks", order=150)
