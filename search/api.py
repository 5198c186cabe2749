"""Public Python API of ``search``: the only module other apps (and every search view) import.

Querying::

    results = search_documents(user, "dao ham", filters={"subject": ["toan"], "grade": ["11"]}, sort="relevance",
                               page=1, per_page=20)
    results.hits[0].title_html, results.hits[0].excerpt_html   # escaped HTML with <mark> around matched words
    results.facets["subject"]                                   # [FacetValue(value="toan", count=12, label="Toán")]
    autocomplete(user, "duong tr")                              # titles the user may see

Indexing: apps register a :class:`DocumentSource` (see ``search.sources``) from their ``AppConfig.ready()`` with
:func:`register_source`, and call :func:`object_changed` when an object changes outside the signals their source
connects. ``manage.py reindex`` rebuilds everything.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from search import folding
from search.backends import all_backends, get_backend
from search.indexing import object_changed, rebuild, update_object
from search.permissions import principals_for
from search.query import (
    FACET_FIELDS,
    SORTS,
    FacetValue,
    Hit,
    IndexDocument,
    QueryTerm,
    SearchError,
    SearchQuery,
    SearchResults,
    Suggestion,
    parse_terms,
)
from search.sources import DocumentSource, get_source, get_sources, register_source, unregister_source

MAX_ALTERNATIVES = 6

STATUS_LABELS = {"published": _("Published"), "draft": _("Draft"), "review": _("Under review")}
KIND_LABELS = {
    "lesson": _("Lesson"),
    "h5p": _("H5P activity"),
    "scorm": _("SCORM package"),
    "document": _("Document"),
    "question": _("Question"),
}


def expand_terms(terms: tuple[QueryTerm, ...], backend) -> tuple[QueryTerm, ...]:
    """Add to each query word the folded words it may stand for when the index does not know it as typed: Telex or
    VNI leftovers, one-letter slips, two words typed without their space. Only words the index knows are added (a
    backend that cannot tell, like Elasticsearch with its own fuzziness, gets the Telex/VNI readings only)."""
    if not terms:
        return terms
    known = backend.known_terms([t.folded for t in terms])
    if known is None:
        return tuple(_with_keyboard_readings(t) for t in terms)
    unknown = [t for t in terms if t.folded not in known]
    if not unknown:
        return terms
    candidates = {t.folded: folding.slip_variants(t.folded) for t in unknown}
    splits = {t.folded: folding.splits_in_two(t.folded) for t in unknown}
    pool = {c for cs in candidates.values() for c in cs} | {w for ps in splits.values() for p in ps for w in p}
    known |= backend.known_terms(pool)
    expanded: list[QueryTerm] = []
    for term in terms:
        if term.folded in known:
            expanded.append(term)
            continue
        alternatives = tuple(c for c in candidates[term.folded] if c in known)[:MAX_ALTERNATIVES]
        if alternatives:
            expanded.append(
                QueryTerm(folded=term.folded, alternatives=alternatives, exact=term.exact, optional=term.optional)
            )
            continue
        pair = next(((a, b) for a, b in splits[term.folded] if a in known and b in known), None)
        if pair:
            expanded.extend(QueryTerm(folded=word) for word in pair)
        else:
            expanded.append(term)
    return tuple(expanded)


def _with_keyboard_readings(term: QueryTerm) -> QueryTerm:
    readings = tuple(
        dict.fromkeys(r for r in (folding.telex_to_folded(term.folded), folding.vni_to_folded(term.folded)) if r)
    )
    if not readings:
        return term
    return QueryTerm(folded=term.folded, alternatives=readings, exact=term.exact, optional=term.optional)


def search_documents(
    user,
    text: str = "",
    *,
    filters: dict[str, list] | None = None,
    facets: tuple[str, ...] | list[str] = FACET_FIELDS,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    backend: str = "default",
) -> SearchResults:
    """Documents ``user`` may see that match ``text`` (folded, typing slips tolerated) and ``filters``, with the
    counts of ``facets``, sorted by ``sort`` (``relevance``, ``newest``, ``oldest``, ``title``) and paginated.
    Raises :class:`SearchError` for an unknown filter, facet or sort or a page out of range."""
    engine = get_backend(backend)
    query = SearchQuery(
        text=text,
        principals=principals_for(user),
        filters={k: list(v) if isinstance(v, (list, tuple, set)) else [v] for k, v in (filters or {}).items()},
        facets=tuple(facets),
        sort=sort,
        page=page,
        per_page=per_page,
    )
    query.terms = expand_terms(query.terms, engine)
    results = engine.search(query)
    label_facets(results.facets)
    return results


def autocomplete(user, text: str, *, limit: int = 8, backend: str = "default") -> list[Suggestion]:
    """Up to ``limit`` titles of documents ``user`` may see, for what they are typing: every finished word folded,
    the last one as a prefix ("duong tr" → "Đường tròn …")."""
    words = folding.tokens(text)
    if not words:
        return []
    finished = text.rstrip() != text or len(words[-1]) < 1
    prefix = "" if finished else words[-1]
    terms = parse_terms(" ".join(words if finished else words[:-1]))
    engine = get_backend(backend)
    terms = expand_terms(terms, engine)
    return engine.autocomplete(terms=terms, prefix=prefix, principals=principals_for(user), limit=limit)


def label_facets(facets: dict[str, list[FacetValue]]) -> None:
    """Give each facet value its label (subject and school names, statuses …) in place."""
    from content.api import SharingScope
    from curriculum.api import CognitiveLevel, get_subjects
    from lms.assessments.api import QuestionType
    from lms.schools.api import get_all_schools

    lookups: dict[str, dict[str, str]] = {
        "status": {k: str(v) for k, v in STATUS_LABELS.items()},
        "kind": {k: str(v) for k, v in KIND_LABELS.items()}
        | {s.name: str(s.label) for s in get_sources() if getattr(s, "label", "")},
        "level": {c.value: str(c.label) for c in CognitiveLevel},
        "question_type": {c.value: str(c.label) for c in QuestionType},
        "sharing": {c.value: str(c.label) for c in SharingScope},
    }
    if facets.get("subject"):
        lookups["subject"] = {s.code: s.name for s in get_subjects()}
    if facets.get("school"):
        ids = [int(v.value) for v in facets["school"] if v.value.isdigit()]
        lookups["school"] = {str(s.pk): s.name for s in get_all_schools().filter(pk__in=ids)}
    for name, values in facets.items():
        for value in values:
            if name == "grade":
                value.label = str(_("Grade %(grade)s") % {"grade": value.value})
            else:
                value.label = lookups.get(name, {}).get(value.value, value.value)


__all__ = [
    "FACET_FIELDS",
    "SORTS",
    "DocumentSource",
    "FacetValue",
    "Hit",
    "IndexDocument",
    "SearchError",
    "SearchResults",
    "Suggestion",
    "all_backends",
    "autocomplete",
    "get_backend",
    "get_source",
    "get_sources",
    "object_changed",
    "principals_for",
    "rebuild",
    "register_source",
    "search_documents",
    "unregister_source",
    "update_object",
]
