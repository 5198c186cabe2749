"""Wagtail integration: audit-log actions of this app (shown in the admin's history and log reports)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "schools.role_assigned": (_("Role assigned"), _("Role assigned")),
    "schools.role_revoked": (_("Role revoked"), _("Role revoked")),
    "schools.group_head_appointed": (_("Subject group head appointed"), _("Subject group head appointed")),
    "schools.identifier_corrected": (_("Sector identifier corrected"), _("Sector identifier corrected")),
    "schools.api_token_created": (_("API token created"), _("API token created")),
    "schools.api_token_revoked": (_("API token revoked"), _("API token revoked")),
}


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)
