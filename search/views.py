"""The search page (students and teachers) and its autocomplete endpoint. Thin: everything goes through
``search.api``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from search.api import FACET_FIELDS, SORTS, SearchError, autocomplete, search_documents

PER_PAGE = 20
FACET_LABELS = {
    "kind": _("Type"),
    "question_type": _("Question type"),
    "subject": _("Subject"),
    "grade": _("Grade"),
    "level": _("Cognitive level"),
    "outcomes": _("Required outcomes (YCCĐ)"),
    "school": _("School"),
    "sharing": _("Shared with"),
    "status": _("Status"),
}
SORT_LABELS = {"relevance": _("Most relevant"), "newest": _("Newest"), "oldest": _("Oldest"), "title": _("Title A–Z")}
STUDENT_FACETS = ("kind", "subject", "grade", "level", "outcomes")
MAX_QUERY = 200


def _facets_for(user) -> tuple[str, ...]:
    from lms.schools.api import is_staff_member

    if getattr(user, "is_authenticated", False) and (user.is_superuser or is_staff_member(user)):
        return FACET_FIELDS
    return STUDENT_FACETS


def _int(value, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


@require_GET
def search_page(request):
    text = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    facets = _facets_for(request.user)
    filters = {name: request.GET.getlist(name) for name in facets if request.GET.getlist(name)}
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else ("relevance" if text else "newest")
    page = _int(request.GET.get("page"), 1)
    error = ""
    try:
        results = search_documents(
            request.user, text, filters=filters, facets=facets, sort=sort, page=page, per_page=PER_PAGE
        )
        if results.hits == [] and page > 1 and results.total:
            page = results.pages
            results = search_documents(
                request.user, text, filters=filters, facets=facets, sort=sort, page=page, per_page=PER_PAGE
            )
    except SearchError as problem:
        error, results = str(problem), None

    def url_with(**changes) -> str:
        params = {"q": text, "sort": sort, **{k: list(v) for k, v in filters.items()}}
        params.update(changes)
        pairs = [
            (k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs]) if v not in ("", None)
        ]
        return "?" + urlencode(pairs)

    facet_groups = []
    if results is not None:
        for name in facets:
            values = []
            for value in results.facets.get(name, []):
                chosen = list(filters.get(name, []))
                toggled = [v for v in chosen if v != value.value] if value.selected else [*chosen, value.value]
                values.append({"value": value, "url": url_with(**{name: toggled, "page": ""})})
            if values:
                facet_groups.append({"name": name, "label": FACET_LABELS[name], "values": values})
    context = {
        "query": text,
        "results": results,
        "error": error,
        "facet_groups": facet_groups,
        "sorts": [
            {"value": s, "label": SORT_LABELS[s], "url": url_with(sort=s, page=""), "current": s == sort} for s in SORTS
        ],
        "filters": filters,
        "previous_url": url_with(page=page - 1) if results is not None and results.has_previous else "",
        "next_url": url_with(page=page + 1) if results is not None and results.has_next else "",
        "clear_url": url_with(**{name: [] for name in facets}, page=""),
    }
    return render(request, "search/search.html", context)


@require_GET
def autocomplete_view(request):
    text = (request.GET.get("q") or "")[:MAX_QUERY]
    suggestions = autocomplete(request.user, text, limit=8) if len(text.strip()) >= 1 else []
    response = JsonResponse({"suggestions": [s.as_dict() for s in suggestions]})
    response["Cache-Control"] = "private, no-store"  # per person: never shared by a cache
    return response
