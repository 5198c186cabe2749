"""Receivers: count failed logins and clear the count after a successful one."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import Signal, receiver

from lms.schools import throttle

logger = logging.getLogger("lms.security")

# Sent after a person's roles (and so their role groups) changed; provides ``user``. Higher apps keep their own
# per-school groups in step with it (content: who may write lessons in which school's tree).
roles_changed = Signal()

# Sent after a school's review settings changed (one or two review steps); provides ``school``. ``content`` gives
# the school's repository tree the matching workflow.
review_settings_changed = Signal()


@receiver(user_login_failed, dispatch_uid="schools.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = credentials.get("username")
    if throttle.get_lockout(username, request):
        return  # attempts while locked out do not extend the lock
    throttle.record_failure(username, request)
    logger.warning("failed login", extra={"username_given": bool(username), "ip": throttle.client_ip(request)})


@receiver(user_logged_in, dispatch_uid="schools.logged_in")
def _logged_in(sender, request, user, **kwargs) -> None:
    throttle.record_success(user.get_username(), request)
