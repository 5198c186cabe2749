"""REST API v1 of search (mounted at /api/v1/ by config.api): the search the authoring UI's choosers call.

``GET /api/v1/search?q=dao+ham&kind=question&question_type=single_choice&status=published&page=1&per_page=20``
answers the documents the authenticated person may find — the same ``search.api.search_documents`` call, with the
same access lists, as the search page — as ids, titles and highlighted snippets. Facet counts only when asked for
(``facets=question_type&facets=subject``): a chooser usually needs none, and none are computed then.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from search.api import FACET_FIELDS, SORTS, SearchError, search_documents

router = Router(tags=["search"])
MAX_QUERY = 200


class SearchParams(Schema):
    q: str = Field("", max_length=MAX_QUERY, description="What was typed; with or without diacritics")
    kind: list[str] = Field(default_factory=list, description="lesson, h5p, scorm, document, question")
    question_type: list[str] = Field(default_factory=list, description="single_choice, true_false_4, … (questions)")
    subject: list[str] = Field(default_factory=list)
    grade: list[str] = Field(default_factory=list)
    level: list[str] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=list, description="YCCĐ codes")
    school: list[str] = Field(default_factory=list)
    sharing: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=list, description="published, draft, review")
    facets: list[str] = Field(default_factory=list, description="facets to count (none by default)")
    sort: str = Field("", description="relevance (default with a query), newest, oldest, title")
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=50)


class ResultOut(Schema):
    source: str  # questions, library, lesson
    id: str  # the object's id in its app (question id, library item id, page id)
    key: str  # "12" or "12:draft"
    kind: str
    question_type: str
    title: str
    title_html: str  # escaped, <mark> around the matched words
    snippet_html: str
    url: str
    subject: str
    grade: int | None = None
    level: str
    status: str
    updated_at: datetime | None = None


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class SearchOut(Schema):
    query: str
    total: int
    total_capped: bool  # more than ``total`` match: show "more than …"
    page: int
    pages: int
    has_next: bool
    relaxed: bool  # no document had every word: these have some of them
    results: list[ResultOut]
    facets: dict[str, list[FacetValueOut]]
    facets_approximate: bool


@router.get("/search", response=SearchOut, summary="Search what the authenticated person may find (choosers)")
def search(request, params: Query[SearchParams]):
    filters = {name: getattr(params, name) for name in FACET_FIELDS if getattr(params, name)}
    sort = params.sort or ("relevance" if params.q.strip() else "newest")
    if sort not in SORTS:
        raise HttpError(400, f"Unknown sort “{sort}”; use one of {', '.join(SORTS)}.")
    try:
        results = search_documents(
            request.user,
            params.q.strip(),
            filters=filters,
            facets=tuple(dict.fromkeys(params.facets)),
            sort=sort,
            page=params.page,
            per_page=params.per_page,
        )
    except SearchError as problem:
        raise HttpError(400, str(problem)) from problem
    return {
        "query": params.q.strip(),
        "total": results.total,
        "total_capped": results.total_capped,
        "page": results.page,
        "pages": results.pages,
        "has_next": results.has_next,
        "relaxed": results.relaxed,
        "results": [
            {
                "source": hit.source,
                "id": hit.object_id,
                "key": hit.key,
                "kind": hit.kind,
                "question_type": hit.question_type,
                "title": hit.title,
                "title_html": hit.title_html,
                "snippet_html": hit.excerpt_html,
                "url": hit.url,
                "subject": hit.subject,
                "grade": hit.grade,
                "level": hit.level,
                "status": hit.status,
                "updated_at": hit.updated_at,
            }
            for hit in results.hits
        ],
        "facets": {
            name: [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected} for v in values]
            for name, values in results.facets.items()
        },
        "facets_approximate": results.facets_approximate,
    }
