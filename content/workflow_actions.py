"""``WAGTAIL_FINISH_WORKFLOW_ACTION`` for lessons. Wagtail imports this while ``wagtail.models`` is loading, so this
module imports nothing from Wagtail or the project at import time."""

from __future__ import annotations


def publish_approved(workflow_state, user=None) -> None:
    """When the last reviewer approves, publish the revision they approved.

    The approval is the authorisation (reviewers hold no publish permission of their own), and it is the reviewed
    revision that goes live, not whatever is latest.
    """
    task_state = workflow_state.current_task_state
    revision = task_state.revision if task_state else workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
