"""Public Python API of ``lms.assessments``: what tests/CBT, lesson practice blocks and search use.

- Versions: only ``READY`` versions may go into a test or a practice block (``get_ready_versions``,
  ``record_usage``); a version's content is an ``ir.Question`` (``version.as_ir()``).
- Scoring: ``score(question, response)`` — pure, Decimal; rule sets keyed by instrument (``get_rule_set``).
- Import / export: ``import_bytes`` / ``import_file`` → ``ImportResult``; ``export_questions(versions, fmt)``.
- Review: ``submit_for_review``, ``review_version``, ``get_review_queue``, ``reviewer_for``.
- Search (``search/questions.py``): ``get_questions_for_index``, ``get_staff_groups_for_banks``, ``get_question_ids``,
  ``get_question_ids_shared_with_school``, and the ``questions_changed`` signal (sent after commit for questions
  saved in bulk by imports, which send no ``post_save``).
"""

from lms.assessments.exporters import EXPORT_FORMATS, export_ir, export_questions
from lms.assessments.importers import FORMATS as IMPORT_FORMATS
from lms.assessments.importers import detect_format, import_bytes, import_file
from lms.assessments.ir import Choice, ImportIssue, ImportResult, NumericAnswer, QType, Statement
from lms.assessments.ir import Question as QuestionContent
from lms.assessments.models import (
    Category,
    ImmutableVersionError,
    Level,
    Question,
    QuestionBank,
    QuestionType,
    QuestionVersion,
    VersionStatus,
)
from lms.assessments.rendering import safe_html
from lms.assessments.rules import RULE_SETS, get_rule_set
from lms.assessments.scoring import Score, check_answer_sheet, score
from lms.assessments.selectors import (
    can_edit_bank,
    get_question_ids,
    get_question_ids_shared_with_school,
    get_questions,
    get_questions_for_index,
    get_ready_versions,
    get_review_history,
    get_review_queue,
    get_staff_groups_for_banks,
    media_for,
    visible_banks,
    where_used,
)
from lms.assessments.services import (
    ImportRejected,
    ReviewError,
    add_comment,
    authoring_warnings,
    create_bank,
    create_question,
    edit_question,
    get_or_create_category,
    record_usage,
    review_version,
    reviewer_for,
    save_import,
    save_import_stream,
    submit_for_review,
    validate_content,
)
from lms.assessments.signals import announce_questions_changed, questions_changed

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "RULE_SETS",
    "Category",
    "Choice",
    "ImmutableVersionError",
    "ImportIssue",
    "ImportRejected",
    "ImportResult",
    "Level",
    "NumericAnswer",
    "QType",
    "Question",
    "QuestionBank",
    "QuestionContent",
    "QuestionType",
    "QuestionVersion",
    "ReviewError",
    "Score",
    "Statement",
    "VersionStatus",
    "add_comment",
    "announce_questions_changed",
    "authoring_warnings",
    "can_edit_bank",
    "check_answer_sheet",
    "create_bank",
    "create_question",
    "detect_format",
    "edit_question",
    "export_ir",
    "export_questions",
    "get_or_create_category",
    "get_question_ids",
    "get_question_ids_shared_with_school",
    "get_questions",
    "get_questions_for_index",
    "get_ready_versions",
    "get_review_history",
    "get_review_queue",
    "get_rule_set",
    "get_staff_groups_for_banks",
    "import_bytes",
    "import_file",
    "media_for",
    "questions_changed",
    "record_usage",
    "review_version",
    "reviewer_for",
    "safe_html",
    "save_import",
    "save_import_stream",
    "score",
    "submit_for_review",
    "validate_content",
    "visible_banks",
    "where_used",
]
