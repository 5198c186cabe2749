"""The library in the Wagtail admin: /admin/thu-vien/ (list, upload, item page with preview and review) and the
lesson editor's choosers (/admin/thu-vien/chon/<kind>/)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.library import admin_views

library_urlpatterns = [
    path("", admin_views.LibraryIndexView.as_view(), name="index"),
    path("tai-len/", admin_views.LibraryUploadView.as_view(), name="upload"),
    path("<uuid:reference>/", admin_views.LibraryItemView.as_view(), name="item"),
]


@hooks.register("register_admin_urls")
def register_library_urls():
    return [path("thu-vien/", include((library_urlpatterns, "library_admin"), namespace="library_admin"))]


class LibraryMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_use_library(request.user)


@hooks.register("register_admin_viewset")
def register_library_choosers():
    from lms.library.chooser import VIEWSETS

    return list(VIEWSETS.values())


@hooks.register("register_admin_menu_item")
def register_library_menu_item():
    return LibraryMenuItem(
        _("Library"), reverse("library_admin:index"), name="thu-vien", icon_name="folder-open-inverse", order=260
    )
