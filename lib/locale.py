"""Vietnamese first: the interface language is the one the person chose, else Vietnamese.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many school computers run an English
operating system, so pupils would get an English site they did not ask for. The language switcher (Django's
``set_language`` view) stores an explicit choice in the language cookie, which this middleware honours.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def chosen_language(cookies) -> str:
    """The language of the language cookie if it is one of ``LANGUAGES``, else ``LANGUAGE_CODE`` (Vietnamese)."""
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in supported else settings.LANGUAGE_CODE


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = chosen_language(request.COOKIES)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
