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
from content.services import create_lesson_draft, get_or_create_school_home, get_or_create_topic, update_home_page

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
    "create_lesson_draft",
    "fold_slug",
    "get_or_create_school_home",
    "get_or_create_topic",
    "register_provider",
    "update_home_page",
]
