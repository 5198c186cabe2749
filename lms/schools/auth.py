"""Authentication backend that refuses every attempt while a username or address is locked out."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from lms.schools import throttle


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, behind the login throttle (it covers the site, the admin and any other login path)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if throttle.get_lockout(username, request):
            # PermissionDenied stops Django trying other backends and is reported as a failed login.
            raise PermissionDenied("login locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)
