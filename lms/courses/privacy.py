"""What lms.courses does for lms.privacy (Luật 91/2025, NĐ 356/2025): the time on task it aggregates is learning
analytics (consent purpose ``learning_analytics``), erased by a deletion request and cleared when that consent is
withdrawn. Opening times, completion, submissions and scores are core teaching records and stay (README, "Core
records and learning analytics")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lms.courses import rules, services
from lms.privacy import api as privacy_api

ERASER_NAME = "courses_learning_analytics"


def erase_learning_analytics(subject, school) -> int:
    """Eraser for a carried-out deletion request: the student's time on task in this school's courses."""
    return services.clear_learning_analytics(student=subject, school=school)


def on_consent_withdrawn(sender, *, student, purpose, consent, **kwargs) -> None:
    """A withdrawn ``learning_analytics`` consent: stop adding up time (record_time_spent checks the consent on every
    beat) and clear what was stored, unless the consent still holds (another consent on record covers it)."""
    if purpose != rules.LEARNING_ANALYTICS or privacy_api.consent_holds(student, purpose):
        return
    cleared = services.clear_learning_analytics(student=student)  # consent_holds is not per school
    privacy_api.log_processing(
        "learning_analytics_cleared",
        student=student,
        school=consent.school,
        app="lms.courses",
        reason="consent_withdrawn",
        consent=consent.pk,
        items=cleared,
    )


def connect() -> None:
    privacy_api.register_eraser(
        ERASER_NAME, _("Learning analytics: time spent on course items"), erase_learning_analytics
    )
    privacy_api.consent_withdrawn.connect(on_consent_withdrawn, dispatch_uid="courses.learning_analytics_withdrawn")
