"""Public Python API of ``lms.privacy``: the only module other apps import.

- ``consent_holds(student, purpose)``: check before any consent-based processing; ``consent_withdrawn`` tells you
  to stop it. ``consent_holds_q(purpose, student_path)``: the same for a whole queryset of students, as a ``Q`` to
  annotate with (no extra query).
- ``log_processing(action, student=..., school=...)``: log in the processing record what you did because of a
  withdrawal or a deletion (e.g. clearing learning analytics).
- ``record_refused_access(actor, subject, resource, request=None)``: call wherever a read of marks or personal
  records is refused for being outside the person's scope (R45).
- ``record_behaviour(user=..., kind=..., ...)``: behaviour and usage logs go here, never in your own tables (R42).
- ``register_export_provider(name, provider)``: from your ``AppConfig.ready()``, so a student's export includes what
  your app holds about them; ``provider(student, school)`` returns JSON-serialisable data written to ``name.json``.
- ``register_eraser(name, label, eraser)``: from your ``AppConfig.ready()``, so a deletion request carried out by
  the school erases what your app may erase; ``eraser(subject, school)`` returns how many records went.
- ``is_restricted(user)``: the person restricted or objected to processing; skip optional processing of them.
"""

from lms.privacy.models import BehaviourKind
from lms.privacy.registry import (
    export_providers,
    register_eraser,
    register_export_provider,
    unregister_export_provider,
)
from lms.privacy.rules import CURRENT as CURRENT_RULES
from lms.privacy.selectors import (
    consent_holds,
    consent_holds_q,
    get_refusals,
    is_restricted,
    required_consenters,
    student_school,
)
from lms.privacy.services import log_processing, masked_personal_id, record_behaviour, record_refused_access
from lms.privacy.signals import consent_withdrawn

__all__ = [
    "CURRENT_RULES",
    "BehaviourKind",
    "consent_holds",
    "consent_holds_q",
    "consent_withdrawn",
    "export_providers",
    "get_refusals",
    "is_restricted",
    "log_processing",
    "masked_personal_id",
    "record_behaviour",
    "record_refused_access",
    "register_eraser",
    "register_export_provider",
    "required_consenters",
    "student_school",
    "unregister_export_provider",
]
