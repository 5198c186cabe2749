"""What lms.library does for lms.privacy (Luật 91/2025, NĐ 356/2025): the playback time it keeps (attempt durations,
SCO session and total time) is learning analytics (consent purpose ``learning_analytics``), erased by a deletion
request and cleared when that consent is withdrawn. Scores, completion and resume state are core records and stay."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lms.library import tracking
from lms.privacy import api as privacy_api

ERASER_NAME = "library_playback_time"


def erase_playback_time(subject, school) -> int:
    """Eraser for a carried-out deletion request: the student's playback time on the school's and shared items."""
    return tracking.clear_playback_time(student=subject, school=school)


def on_consent_withdrawn(sender, *, student, purpose, consent, **kwargs) -> None:
    if purpose != tracking.LEARNING_ANALYTICS or privacy_api.consent_holds(student, purpose):
        return
    cleared = tracking.clear_playback_time(student=student)
    privacy_api.log_processing(
        "learning_analytics_cleared",
        student=student,
        school=consent.school,
        app="lms.library",
        reason="consent_withdrawn",
        consent=consent.pk,
        items=cleared,
    )


def connect() -> None:
    privacy_api.register_eraser(ERASER_NAME, _("Learning analytics: playback time in the library"), erase_playback_time)
    privacy_api.consent_withdrawn.connect(on_consent_withdrawn, dispatch_uid="library.learning_analytics_withdrawn")
