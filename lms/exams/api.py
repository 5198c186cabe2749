"""Public Python API of ``lms.exams`` (computer-based tests): what other apps and the demo may call."""

from lms.exams.analysis import analyse
from lms.exams.models import Attempt, AttemptStatus, Sitting, Test, TestKind, TestStatus, Variant
from lms.exams.selectors import (
    class_report,
    get_graded_sittings,
    get_sitting_results,
    get_student_attempts,
    invigilator_rows,
    item_analysis,
)
from lms.exams.services import (
    add_draw,
    add_item,
    add_part,
    approve_test,
    check_test,
    create_test,
    create_test_from_template,
    generate_variants,
    prepare_attempts,
    schedule_sitting,
    submit_expired,
)

__all__ = [
    "Attempt",
    "AttemptStatus",
    "Sitting",
    "Test",
    "TestKind",
    "TestStatus",
    "Variant",
    "add_draw",
    "add_item",
    "add_part",
    "analyse",
    "approve_test",
    "check_test",
    "class_report",
    "create_test",
    "create_test_from_template",
    "generate_variants",
    "get_graded_sittings",
    "get_sitting_results",
    "get_student_attempts",
    "invigilator_rows",
    "item_analysis",
    "prepare_attempts",
    "schedule_sitting",
    "submit_expired",
]
