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
    return_test,
    schedule_sitting,
    submit_expired,
    submit_for_review,
)
from lms.exams.sitting_moves import reschedule_sitting

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
    "reschedule_sitting",
    "return_test",
    "schedule_sitting",
    "submit_expired",
    "submit_for_review",
]

# Blueprints (ma trận / bản đặc tả, R30–R32) and the review trail of tests.
from lms.exams.authoring import (
    approve_blueprint,
    approve_reviewed_test,
    create_blueprint,
    generate_test,
    save_rows,
    submit_test_for_review,
)
from lms.exams.blueprint_selectors import matrix, validate_test_against_blueprint
from lms.exams.models import Blueprint
from lms.exams.rules import BLUEPRINT_FRAMEWORKS, blueprint_framework

__all__ += [
    "BLUEPRINT_FRAMEWORKS",
    "Blueprint",
    "approve_blueprint",
    "approve_reviewed_test",
    "blueprint_framework",
    "create_blueprint",
    "generate_test",
    "matrix",
    "save_rows",
    "submit_test_for_review",
    "validate_test_against_blueprint",
]

# Signals other apps react to (the gradebook updates the marks it took from a sitting after a regrade).
from lms.exams.signals import AttemptScore, RegradedAttempt, attempts_regraded  # noqa: E402

__all__ += ["AttemptScore", "RegradedAttempt", "attempts_regraded"]

# Practice mode (published practice sets with immediate feedback).
from lms.exams.practice import create_practice_set, set_published  # noqa: E402

__all__ += ["create_practice_set", "set_published"]

from lms.exams.fastsave import ExamSaveGateway, save_token  # noqa: E402

__all__ += ["ExamSaveGateway", "save_token"]
