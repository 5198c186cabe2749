from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from search.lessons import LessonSource
        from search.library import LibraryItemSource
        from search.sources import register_source

        # Questions (lms.assessments) register their source the same way.
        register_source(LessonSource())
        register_source(LibraryItemSource())
