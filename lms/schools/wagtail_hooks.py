"""Wagtail integration: audit-log actions of this app (shown in the admin's history and log reports), and the admin's
people area ("Nhân sự", /admin/nhan-su/) with its menu item."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.schools import admin_views

LOG_ACTIONS = {
    "schools.role_assigned": (_("Role assigned"), _("Role assigned")),
    "schools.role_revoked": (_("Role revoked"), _("Role revoked")),
    "schools.group_head_appointed": (_("Subject group head appointed"), _("Subject group head appointed")),
    "schools.identifier_corrected": (_("Sector identifier corrected"), _("Sector identifier corrected")),
    "schools.api_token_created": (_("API token created"), _("API token created")),
    "schools.api_token_revoked": (_("API token revoked"), _("API token revoked")),
    "schools.person_created": (_("Person added to the school"), _("Person added to the school")),
    "schools.review_steps_changed": (_("Lesson review steps changed"), _("Lesson review steps changed")),
    "schools.exam_networks_changed": (_("School networks for tests changed"), _("School networks for tests changed")),
}


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)


# --------------------------------------------------------------------------------------------------------------------
# People area
# --------------------------------------------------------------------------------------------------------------------
_person = "<str:school_code>/<int:pk>/"
people_urlpatterns = [
    path("", admin_views.PeopleIndexView.as_view(), name="index"),
    path("<str:school_code>/", admin_views.PeopleListView.as_view(), name="list"),
    path("<str:school_code>/them/", admin_views.PersonCreateView.as_view(), name="add"),
    path("<str:school_code>/to-chuyen-mon/", admin_views.SubjectGroupListView.as_view(), name="groups"),
    path("<str:school_code>/to-chuyen-mon/them/", admin_views.SubjectGroupCreateView.as_view(), name="add_group"),
    path("<str:school_code>/quy-trinh-duyet/", admin_views.ReviewStepsView.as_view(), name="review_steps"),
    path("<str:school_code>/mang-kiem-tra/", admin_views.ExamNetworksView.as_view(), name="exam_networks"),
    path(_person, admin_views.PersonDetailView.as_view(), name="person"),
    path(f"{_person}vai-tro/gan/", admin_views.AssignRoleView.as_view(), name="assign_role"),
    path(f"{_person}vai-tro/thu-hoi/", admin_views.RevokeRoleView.as_view(), name="revoke_role"),
    path(f"{_person}to/them/", admin_views.AddToGroupView.as_view(), name="add_to_group"),
    path(f"{_person}to/truong-to/", admin_views.MakeGroupHeadView.as_view(), name="make_head"),
    path(f"{_person}to/roi/", admin_views.RemoveFromGroupView.as_view(), name="remove_from_group"),
    path(f"{_person}phu-huynh/", admin_views.LinkParentView.as_view(), name="link_parent"),
    path(f"{_person}ma-dinh-danh/", admin_views.CorrectIdentifierView.as_view(), name="correct_identifier"),
]


@hooks.register("register_admin_urls")
def register_people_urls():
    # Wagtail wraps these in its own check: only people allowed into the admin reach them.
    return [path("nhan-su/", include((people_urlpatterns, "schools_people"), namespace="schools_people"))]


class PeopleMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(admin_views.get_people_access(request))


@hooks.register("register_admin_menu_item")
def register_people_menu_item():
    return PeopleMenuItem(_("People"), reverse("schools_people:index"), name="nhan-su", icon_name="group", order=250)
