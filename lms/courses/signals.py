"""Signals other (higher or later) apps receive from lms.courses."""

from django.dispatch import Signal

# A score was sent to the gradebook as a regular assessment (ĐĐGtx, R11). Provides ``transfer_id``, ``student_id``,
# ``school_class_id``, ``subject_id``, ``score`` (Decimal), ``recorded_on`` (date), ``source`` and
# ``sent_by_id`` (the teacher who sent it). Sent after commit.
regular_assessment_recorded = Signal()
