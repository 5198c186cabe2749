"""Public Python API of ``content`` (the Wagtail repository): the only module other apps import."""

from content.learning_objects import (
    Kind,
    LearningObjectProvider,
    LearningObjectSummary,
    get_provider,
    register_provider,
)
from content.models import (
    GradePage,
    HomePage,
    LessonNotPublishable,
    LessonPage,
    Licence,
    SchoolHomePage,
    SharingScope,
    SubjectPage,
    TopicPage,
    fold_slug,
    publication_problems,
)
from content.progress import get_progress, get_progress_for_people, record_lesson_opened, set_lesson_done
from content.review import PrincipalApprovalTask, ReviewerRole, SubjectGroupReviewTask
from content.review_inbox import ReviewInboxEntry, register_review_source, unregister_review_source
from content.review_services import get_lessons_awaiting, get_review_history, review_lesson
from content.services import (
    copy_shared_lesson,
    create_lesson_draft,
    get_or_create_school_home,
    get_or_create_topic,
    update_home_page,
)
from content.visibility import can_view_lesson, visible_lessons_q


def get_review_steps(obj) -> list[tuple[str, object]]:
    """The reviewers, in order, that the lesson rules give ``obj`` (anything with ``school`` and ``subject``, e.g. a
    library item): the head of the group reviewing its subject at its school, then the principal when the school
    asks for it. Each step is (ReviewerRole, user or None when nobody holds the role)."""
    steps = [(ReviewerRole.GROUP_HEAD, SubjectGroupReviewTask().reviewer_for(obj))]
    if obj.school is not None and obj.school.principal_approval_required:
        steps.append((ReviewerRole.PRINCIPAL, PrincipalApprovalTask().reviewer_for(obj)))
    return steps


__all__ = [
    "GradePage",
    "HomePage",
    "Kind",
    "LearningObjectProvider",
    "LearningObjectSummary",
    "LessonNotPublishable",
    "LessonPage",
    "Licence",
    "ReviewInboxEntry",
    "ReviewerRole",
    "SchoolHomePage",
    "SharingScope",
    "SubjectPage",
    "TopicPage",
    "can_view_lesson",
    "copy_shared_lesson",
    "create_lesson_draft",
    "fold_slug",
    "get_lessons_awaiting",
    "get_or_create_school_home",
    "get_or_create_topic",
    "get_progress",
    "get_progress_for_people",
    "get_provider",
    "get_review_history",
    "get_review_steps",
    "publication_problems",
    "record_lesson_opened",
    "register_provider",
    "register_review_source",
    "review_lesson",
    "set_lesson_done",
    "unregister_review_source",
    "update_home_page",
    "visible_lessons_q",
]
