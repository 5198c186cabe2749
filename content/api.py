"""Public Python API of ``content`` (the Wagtail repository): the only module other apps import."""

from content.learning_objects import Kind, LearningObjectProvider, LearningObjectSummary, register_provider
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
)
from content.progress import get_progress, get_progress_for_people, record_lesson_opened, set_lesson_done
from content.review_services import get_lessons_awaiting, get_review_history, review_lesson
from content.services import (
    copy_shared_lesson,
    create_lesson_draft,
    get_or_create_school_home,
    get_or_create_topic,
    update_home_page,
)
from content.visibility import can_view_lesson, visible_lessons_q

__all__ = [
    "GradePage",
    "HomePage",
    "Kind",
    "LearningObjectProvider",
    "LearningObjectSummary",
    "LessonNotPublishable",
    "LessonPage",
    "Licence",
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
    "get_review_history",
    "record_lesson_opened",
    "register_provider",
    "review_lesson",
    "set_lesson_done",
    "update_home_page",
    "visible_lessons_q",
]
