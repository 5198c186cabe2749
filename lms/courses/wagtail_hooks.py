"""Audit-log actions of this app (shown in the admin's history and log reports)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "courses.force_majeure_declared": (_("Force-majeure period declared"), _("Force-majeure period declared")),
    "courses.plan_item_changed": (_("Plan item changed"), _("Plan item changed")),
    "courses.plan_item_deleted": (_("Plan item deleted"), _("Plan item deleted")),
    "courses.plan_item_archived": (_("Plan item archived"), _("Plan item archived")),
    "courses.plan_item_restored": (_("Plan item restored"), _("Plan item restored")),
}


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)
