"""Receivers of lms.courses and lms.exams signals (connected in ``apps.GradebookConfig.ready``)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from curriculum.api import Subject
from lms.courses.api import get_class, get_semester_number_on

logger = logging.getLogger(__name__)


def record_transferred_score(
    sender, *, student_id, school_class_id, subject_id, score, recorded_on, source, sent_by_id=None, **kwargs
):
    """R11: a score sent from an assignment becomes an ĐĐGtx of the semester it was scored in."""
    from lms.gradebook import services

    if sent_by_id is None:
        return
    users = get_user_model().objects
    school_class = get_class(school_class_id)
    semester = get_semester_number_on(school_class.school_year, recorded_on)
    if semester is None:
        logger.warning(
            "gradebook: no semester covers %s in %s; score from %s not recorded",
            recorded_on,
            school_class.school_year,
            source,
        )
        return
    try:
        services.record_transferred(
            actor=users.get(pk=sent_by_id),
            school_class=school_class,
            subject=Subject.objects.get(pk=subject_id),
            semester=semester,
            student=users.get(pk=student_id),
            score=score,
            source=source,
        )
    except (ValidationError, PermissionDenied) as error:
        logger.warning("gradebook: score from %s not recorded: %s", source, error)


def update_marks_after_regrade(sender, *, test, by, reason, changes, **kwargs) -> dict:
    """lms.exams ``attempts_regraded`` (inside the regrade's transaction): the marks taken from those sittings follow
    the new scores where the gradebook's rules allow; the report goes back to the regrade page."""
    from lms.gradebook import services

    return services.apply_exam_regrade(actor=by, changes=changes, reason=reason)
