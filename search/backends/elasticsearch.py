"""The Elasticsearch 9 backend, through ``elasticsearch.dsl`` (never the ``elasticsearch-dsl`` package).

Index settings (:func:`build_index`):

- ``vi_folded``: standard tokenizer, ``lowercase`` + ``asciifolding`` (đ → d and every Vietnamese diacritic
  removed), on ``title``, ``summary`` and ``body``;
- ``vi_exact``: standard tokenizer, ``lowercase`` only, on the ``.exact`` sub-fields, so a query typed with its
  diacritics scores the documents that carry exactly those words higher;
- ``vi_autocomplete``: ``vi_folded`` plus an edge n-gram (1–20) on ``title.autocomplete``, searched with
  ``vi_folded``;
- ``vi_sort`` normaliser (``lowercase`` + ``asciifolding``) on ``title.sort`` for sorting by title.

Queries (:func:`build_search`): every word must match (its Telex/VNI readings as alternatives, ``fuzziness: AUTO``
for one-letter slips), the ``.exact`` fields and the phrase add to the score; the access list filters the query
itself (so hits, totals, aggregations and highlights never see a document the user may not see) and the facet
filters are a ``post_filter`` with each facet's aggregation filtered by the *other* facets.

Texts are NFC-normalised before they are sent, so decomposed input folds the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.dsl import (
    A,
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Q,
    Search,
    Text,
    analyzer,
    normalizer,
    token_filter,
)

from search import folding
from search.backends.base import BaseSearchBackend
from search.query import FacetValue, Hit, IndexDocument, QueryTerm, SearchQuery, SearchResults, Suggestion

MULTI_VALUED = {"outcomes"}
INT_FIELDS = {"grade", "school"}
FACET_SIZE = 50

vi_folded = analyzer("vi_folded", tokenizer="standard", filter=["lowercase", "asciifolding"])
vi_exact = analyzer("vi_exact", tokenizer="standard", filter=["lowercase"])
vi_edge = token_filter("vi_edge_ngram", type="edge_ngram", min_gram=1, max_gram=20)
vi_autocomplete = analyzer("vi_autocomplete", tokenizer="standard", filter=["lowercase", "asciifolding", vi_edge])
vi_sort = normalizer("vi_sort", filter=["lowercase", "asciifolding"])


def _text(**extra) -> Text:
    return Text(analyzer=vi_folded, fields={"exact": Text(analyzer=vi_exact), **extra})


class SearchDocument(Document):
    source = Keyword()
    key = Keyword()
    object_id = Keyword()
    title = _text(
        autocomplete=Text(analyzer=vi_autocomplete, search_analyzer=vi_folded),
        sort=Keyword(normalizer=vi_sort, ignore_above=256),
    )
    summary = _text()
    body = _text()
    url = Keyword(index=False)
    kind = Keyword()
    question_type = Keyword()
    subject = Keyword()
    grade = Integer()
    level = Keyword()
    outcomes = Keyword(multi=True)
    school = Integer()
    sharing = Keyword()
    status = Keyword()
    access = Keyword(multi=True)
    updated_at = Date()


def build_index(name: str) -> Index:
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0)
    index.document(SearchDocument)
    return index


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def document_body(document: IndexDocument) -> dict:
    return {
        "source": document.source,
        "key": document.key,
        "object_id": document.object_id,
        "title": _nfc(document.title),
        "summary": _nfc(document.summary),
        "body": _nfc(document.body),
        "url": document.url,
        "kind": document.kind,
        "question_type": document.question_type,
        "subject": document.subject,
        "grade": document.grade,
        "level": document.level,
        "outcomes": list(document.outcomes),
        "school": document.school,
        "sharing": document.sharing,
        "status": document.status,
        "access": sorted(set(document.access)),
        "updated_at": document.updated_at.isoformat() if document.updated_at else None,
    }


def doc_id(source: str, key: str) -> str:
    return f"{source}:{key}"


def _access_filter(principals: frozenset[str]):
    return None if "*" in principals else Q("terms", access=sorted(principals))


def _facet_filter(name: str, values: list[str]):
    if name in INT_FIELDS:
        return Q("terms", **{name: [int(v) for v in values if str(v).isdigit()]})
    return Q("terms", **{name: list(values)})


def _term_query(term: QueryTerm):
    alternatives = [
        Q(
            "multi_match",
            query=form,
            fields=["title^3", "summary^2", "body"],
            fuzziness="AUTO" if len(form) >= 4 else 0,
            prefix_length=1,
        )
        for form in term.forms
    ]
    return alternatives[0] if len(alternatives) == 1 else Q("bool", should=alternatives, minimum_should_match=1)


def text_query(terms: tuple[QueryTerm, ...], *, match_all: bool = True):
    """Every word (or, relaxed, any word) on the folded fields; exact diacritics and the phrase add to the score."""
    required = tuple(t for t in terms if not t.optional) or terms
    words = [_term_query(term) for term in (required if match_all else terms)]
    bool_args: dict = {"must": words} if match_all else {"should": words, "minimum_should_match": 1}
    boosts = [_term_query(term) for term in terms if match_all and term not in required]
    exact = " ".join(term.exact for term in terms if term.exact)
    if exact:
        boosts.append(
            Q("multi_match", query=_nfc(exact), fields=["title.exact^3", "summary.exact^2", "body.exact"], boost=2)
        )
    if len(terms) > 1:
        phrase = " ".join(term.folded for term in terms)
        boosts.append(Q("multi_match", query=phrase, type="phrase", fields=["title^3", "summary", "body"], boost=1.5))
    if boosts:
        bool_args.setdefault("should", [])
        bool_args["should"] = [*bool_args["should"], *boosts]
        if not match_all:
            bool_args["minimum_should_match"] = 1
    return Q("bool", **bool_args)


def build_search(query: SearchQuery, *, index: str, match_all: bool = True) -> Search:
    """The request body of a search (``match_all``: every word not a function word must match)."""
    search = Search(index=index).extra(track_total_hits=True)
    filters = []
    access = _access_filter(query.principals)
    if access is not None:
        filters.append(access)
    if query.terms:
        search = search.query(Q("bool", must=[text_query(query.terms, match_all=match_all)], filter=filters))
    else:
        search = search.query(Q("bool", filter=filters) if filters else Q("match_all"))
    facet_filters = {name: _facet_filter(name, values) for name, values in query.filters.items()}
    if facet_filters:
        search = search.post_filter(Q("bool", filter=list(facet_filters.values())))
    for name in query.facets:
        others = [f for other, f in facet_filters.items() if other != name]
        terms = A("terms", field=name, size=FACET_SIZE)
        search.aggs.bucket(name, "filter", filter=Q("bool", filter=others)).bucket("values", terms)
    if query.sort == "relevance" and query.terms:
        search = search.sort("_score", {"updated_at": {"order": "desc", "missing": "_last"}})
    elif query.sort == "title":
        search = search.sort("title.sort", "key")
    elif query.sort == "oldest":
        search = search.sort({"updated_at": {"order": "asc", "missing": "_last"}}, "key")
    else:
        search = search.sort({"updated_at": {"order": "desc", "missing": "_last"}}, "key")
    search = search.highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html")
    search = search.highlight("title", number_of_fragments=0)
    search = search.highlight("summary", "body", fragment_size=240, number_of_fragments=1)
    search = search.source(excludes=["body", "access"])
    return search[query.offset : query.offset + query.per_page]


def build_autocomplete(
    *, terms: tuple[QueryTerm, ...], prefix: str, principals: frozenset[str], limit: int, index: str
) -> Search:
    words = " ".join([*(term.folded for term in terms), prefix]).strip()
    must = [Q("match", **{"title.autocomplete": {"query": words, "operator": "and"}})]
    access = _access_filter(principals)
    search = Search(index=index).query(Q("bool", must=must, filter=[access] if access is not None else []))
    return search.source(["title", "url", "kind"]).sort("_score", "title.sort")[: limit * 3]


class ElasticsearchSearchBackend(BaseSearchBackend):
    name = "elasticsearch"

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.index_name = params.get("INDEX", "lms_search")
        self.urls = list(params.get("URLS") or ["http://localhost:9200"])
        self.refresh = params.get("REFRESH", False)  # tests: make writes visible at once ("wait_for")
        self._client: Elasticsearch | None = None

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            self._client = Elasticsearch(self.urls, **self.options)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def setup(self) -> None:
        index = build_index(self.index_name)
        if not index.exists(using=self.client):
            index.create(using=self.client)

    def _refresh(self):
        return "wait_for" if self.refresh else False

    def index(self, documents: Iterable[IndexDocument]) -> int:
        from elasticsearch.helpers import bulk

        actions = [
            {
                "_op_type": "index",
                "_index": self.index_name,
                "_id": doc_id(d.source, d.key),
                "_source": document_body(d),
            }
            for d in documents
        ]
        if not actions:
            return 0
        self.setup()
        written, _errors = bulk(self.client, actions, refresh=self._refresh())
        return written

    def _delete_by_query(self, query) -> int:
        try:
            response = self.client.delete_by_query(
                index=self.index_name, query=query.to_dict(), refresh=bool(self.refresh), conflicts="proceed"
            )
        except NotFoundError:
            return 0
        return int(response.get("deleted", 0))

    def delete_object(self, source: str, object_id: str, *, keep_keys: Iterable[str] = ()) -> int:
        keep = list(keep_keys)
        query = Q("bool", filter=[Q("term", source=source), Q("term", object_id=str(object_id))])
        if keep:
            query = Q("bool", filter=query.filter, must_not=[Q("terms", key=keep)])
        return self._delete_by_query(query)

    def clear(self, source: str | None = None) -> None:
        self._delete_by_query(Q("term", source=source) if source else Q("match_all"))

    def count(self, source: str | None = None) -> int:
        search = Search(using=self.client, index=self.index_name)
        if source:
            search = search.filter("term", source=source)
        try:
            return search.count()
        except NotFoundError:
            return 0

    def search(self, query: SearchQuery) -> SearchResults:
        results = self._search(query, match_all=query.match_all_terms)
        if results.total == 0 and query.match_all_terms and len(query.terms) > 1:
            results = self._search(query, match_all=False)
            results.relaxed = results.total > 0
        return results

    def _search(self, query: SearchQuery, *, match_all: bool) -> SearchResults:
        search = build_search(query, index=self.index_name, match_all=match_all).using(self.client)
        try:
            response = search.execute()
        except NotFoundError:
            return SearchResults(hits=[], total=0, page=query.page, per_page=query.per_page, backend=self.name)
        return parse_response(response.to_dict(), query, backend=self.name)

    def autocomplete(
        self, *, terms: tuple[QueryTerm, ...], prefix: str, principals: frozenset[str], limit: int
    ) -> list[Suggestion]:
        if not terms and not prefix:
            return []
        search = build_autocomplete(
            terms=terms, prefix=prefix, principals=principals, limit=limit, index=self.index_name
        ).using(self.client)
        try:
            response = search.execute().to_dict()
        except NotFoundError:
            return []
        words = {form for term in terms for form in term.forms}
        suggestions, seen = [], set()
        for hit in response.get("hits", {}).get("hits", []):
            source = hit.get("_source", {})
            title = source.get("title", "")
            if title in seen:
                continue
            seen.add(title)
            html = folding.highlight(title, words, prefixes=[prefix] if prefix else [], size=300)
            suggestions.append(
                Suggestion(title=title, url=source.get("url", ""), kind=source.get("kind", ""), title_html=html)
            )
            if len(suggestions) == limit:
                break
        return suggestions


def parse_response(response: dict, query: SearchQuery, *, backend: str = "elasticsearch") -> SearchResults:
    from django.utils.dateparse import parse_datetime
    from django.utils.html import escape

    hits = []
    words = query.folded_words()
    for raw in response.get("hits", {}).get("hits", []):
        source = raw.get("_source", {})
        highlight = raw.get("highlight", {})
        title = source.get("title", "")
        excerpt = (highlight.get("summary") or highlight.get("body") or [""])[0]
        if not excerpt:
            excerpt = folding.highlight(source.get("summary", ""), words, size=240) if source.get("summary") else ""
        updated = source.get("updated_at")
        hits.append(
            Hit(
                source=source.get("source", ""),
                key=source.get("key", ""),
                object_id=source.get("object_id", ""),
                title=title,
                url=source.get("url", ""),
                kind=source.get("kind", ""),
                question_type=source.get("question_type", ""),
                subject=source.get("subject", ""),
                grade=source.get("grade"),
                level=source.get("level", ""),
                school=source.get("school"),
                sharing=source.get("sharing", ""),
                status=source.get("status", ""),
                updated_at=parse_datetime(updated) if updated else None,
                score=float(raw.get("_score") or 0.0),
                title_html=(highlight.get("title") or [escape(title)])[0],
                excerpt_html=excerpt,
            )
        )
    facets = {}
    for name in query.facets:
        buckets = response.get("aggregations", {}).get(name, {}).get("values", {}).get("buckets", [])
        selected = query.filters.get(name, [])
        values = [
            FacetValue(value=str(b["key"]), count=int(b["doc_count"]), selected=str(b["key"]) in selected)
            for b in buckets
            if b.get("key") not in (None, "")
        ]
        values.sort(key=lambda f: (-f.count, f.value))
        facets[name] = values
    total = response.get("hits", {}).get("total", {})
    return SearchResults(
        hits=hits,
        total=int(total.get("value", 0) if isinstance(total, dict) else total or 0),
        page=query.page,
        per_page=query.per_page,
        facets=facets,
        backend=backend,
    )
