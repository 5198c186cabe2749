"""Public Python API of ``curriculum``: subjects, grades, cognitive levels, textbook series and YCCĐ outcomes."""

from curriculum.models import GRADE_VALIDATORS, CognitiveLevel, Outcome, Subject, TextbookSeries
from curriculum.selectors import get_outcomes, get_subject, get_subjects
from curriculum.services import LoadReport, load_bundled_curriculum, load_outcomes, load_subjects

__all__ = [
    "GRADE_VALIDATORS",
    "CognitiveLevel",
    "LoadReport",
    "Outcome",
    "Subject",
    "TextbookSeries",
    "get_outcomes",
    "get_subject",
    "get_subjects",
    "load_bundled_curriculum",
    "load_outcomes",
    "load_subjects",
]
