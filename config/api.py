"""The REST API at /api/v1/: django-ninja, authenticated by personal API token (Bearer) or the browser session.

OpenAPI: /api/v1/openapi.json. Each app contributes a router from its ``rest_api`` package.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import SessionAuth
from wagtail.api.v3.auth import BearerTokenAuth

from content.rest_api.v1 import router as lessons_router
from lms.assessments.rest_api.v1 import router as questions_router
from lms.courses.rest_api.v1 import router as courses_router
from lms.schools.rest_api.v1 import router as schools_router
from search.rest_api.v1 import router as search_router

api = NinjaAPI(
    title="Kho học liệu & LMS API",
    version="1",
    urls_namespace="api-v1",
    # Tokens are Wagtail's APIToken (created on the account page); the session works for the site's own pages,
    # with Django's CSRF check on unsafe methods.
    auth=[BearerTokenAuth(), SessionAuth()],
    docs_url=None,  # the Swagger UI loads its assets from a CDN; the JSON schema is what clients need
)
api.add_router("/", schools_router)
api.add_router("/", lessons_router)
api.add_router("/", courses_router)
api.add_router("/", search_router)
api.add_router("/", questions_router)


@api.get("/ping", auth=None, summary="Liveness of the API (no authentication)")
def ping(request):
    return {"ok": True}
