"""Signals of lms.privacy.

``consent_withdrawn`` (``student``, ``purpose``, ``consent``) is sent after a withdrawal commits, so that higher apps
stop the dependent processing (analytics, messaging) without this app knowing them (R40). Publications are hidden
here directly.
"""

from django.dispatch import Signal

consent_withdrawn = Signal()
