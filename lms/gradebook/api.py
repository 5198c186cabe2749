"""Public Python API of ``lms.gradebook``: gradebooks per subject × class × semester (TT 22/2021, TT 27/2020),
locking and audit, class results, exports."""

from lms.gradebook.access import refuse
from lms.gradebook.exports import excel_markbook, exchange_csv
from lms.gradebook.models import Gradebook, Profile
from lms.gradebook.rules import PROFILES, academic_level, format_score, parse_score, semester_average, year_average
from lms.gradebook.selectors import get_class_summary, get_exam_preview, get_table
from lms.gradebook.services import (
    lock_column,
    lock_gradebook,
    open_gradebook,
    record_mark,
    record_marks,
    transfer_exam_scores,
    unlock_column,
    unlock_gradebook,
)

__all__ = [
    "PROFILES",
    "Gradebook",
    "Profile",
    "academic_level",
    "excel_markbook",
    "exchange_csv",
    "format_score",
    "get_class_summary",
    "get_exam_preview",
    "get_table",
    "lock_column",
    "lock_gradebook",
    "open_gradebook",
    "parse_score",
    "record_mark",
    "record_marks",
    "refuse",
    "semester_average",
    "transfer_exam_scores",
    "unlock_column",
    "unlock_gradebook",
    "year_average",
]
