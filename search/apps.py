from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from search.lessons import LessonSource
        from search.library import LibraryItemSource
        from search.questions import QuestionSource
        from search.sources import register_source

        register_source(LessonSource())
        register_source(LibraryItemSource())
        register_source(QuestionSource())
