"""Whole-page cache for anonymous visitors, looked up before any routing.

Only responses a view marks with ``response.cacheable_for_anonymous = True`` are stored (public lessons), only for
anonymous GET requests without a query string, and only when the response sets no cookie, so nothing personal or
CSRF-bound is ever shared. Keys are the language and the path; the owning app deletes them when the page changes
(``invalidate_path``), and a short timeout bounds any staleness.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

TIMEOUT = 600


def _key(language: str, path: str) -> str:
    return f"pagecache:{language}:{path}"


def invalidate_path(path: str) -> None:
    cache.delete_many([_key(code, path) for code, _name in settings.LANGUAGES])


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or request.GET or request.user.is_authenticated:
            return self.get_response(request)
        key = _key(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE), request.path)
        cached = cache.get(key)
        if cached is not None:
            response = HttpResponse(cached["content"], content_type=cached["content_type"])
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(response, "cacheable_for_anonymous", False)
            and response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, {"content": response.content, "content_type": response["Content-Type"]}, TIMEOUT)
            response["X-Page-Cache"] = "miss"
        return response
