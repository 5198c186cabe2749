"""The Elasticsearch backend without a server: index settings, queries, and the client against an in-process fake
HTTP server that checks the requests it receives. (With ELASTICSEARCH_URL set, test_contract.py also runs the whole
contract against a real Elasticsearch 9.)"""

from __future__ import annotations

import datetime

import pytest

from search.backends.elasticsearch import ElasticsearchSearchBackend, build_autocomplete, build_index, build_search
from search.query import QueryTerm, SearchQuery
from tests.search.conftest import make_doc
from tests.search.fake_elasticsearch import FakeElasticsearch

INDEX = "lms_search"


@pytest.fixture
def fake():
    server = FakeElasticsearch()
    server.url = server.start()
    yield server
    server.stop()


@pytest.fixture
def backend(fake):
    backend = ElasticsearchSearchBackend("es", {"URLS": [fake.url], "INDEX": INDEX, "REFRESH": True})
    yield backend
    backend.close()


# -- index settings ------------------------------------------------------------------------------------------------
def test_the_index_folds_vietnamese_and_keeps_an_exact_field():
    body = build_index(INDEX).to_dict()
    analysis = body["settings"]["analysis"]
    assert analysis["analyzer"]["vi_folded"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "asciifolding"],
    }
    assert analysis["analyzer"]["vi_exact"] == {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]}
    assert analysis["analyzer"]["vi_autocomplete"]["filter"] == ["lowercase", "asciifolding", "vi_edge_ngram"]
    assert analysis["filter"]["vi_edge_ngram"] == {"type": "edge_ngram", "min_gram": 1, "max_gram": 20}
    assert analysis["normalizer"]["vi_sort"] == {"type": "custom", "filter": ["lowercase", "asciifolding"]}
    properties = body["mappings"]["properties"]
    for name in ("title", "summary", "body"):
        assert properties[name]["analyzer"] == "vi_folded"
        assert properties[name]["fields"]["exact"] == {"type": "text", "analyzer": "vi_exact"}
    assert properties["title"]["fields"]["autocomplete"] == {
        "type": "text",
        "analyzer": "vi_autocomplete",
        "search_analyzer": "vi_folded",
    }
    assert properties["title"]["fields"]["sort"]["normalizer"] == "vi_sort"
    for name in ("access", "kind", "subject", "level", "outcomes", "sharing", "status", "source", "key", "object_id"):
        assert properties[name] == {"type": "keyword"}, name
    assert properties["grade"] == properties["school"] == {"type": "integer"}
    assert properties["url"] == {"type": "keyword", "index": False}


# -- queries -------------------------------------------------------------------------------------------------------
def test_every_word_must_match_folded_and_exact_diacritics_and_phrase_add_score():
    query = SearchQuery(text="Đường tròn", principals=frozenset({"public", "school:1"}))
    body = build_search(query, index=INDEX).to_dict()
    outer = body["query"]["bool"]
    assert outer["filter"] == [{"terms": {"access": ["public", "school:1"]}}]  # in the query: counts and aggs too
    text = outer["must"][0]["bool"]
    assert [m["multi_match"]["query"] for m in text["must"]] == ["duong", "tron"]
    assert text["must"][0]["multi_match"]["fields"] == ["title^3", "summary^2", "body"]
    assert text["must"][0]["multi_match"]["fuzziness"] == "AUTO"
    exact, phrase = text["should"]
    assert exact["multi_match"] == {
        "query": "đường tròn",
        "fields": ["title.exact^3", "summary.exact^2", "body.exact"],
        "boost": 2,
    }
    assert phrase["multi_match"]["type"] == "phrase" and phrase["multi_match"]["query"] == "duong tron"
    assert body["track_total_hits"] is True
    assert body["highlight"]["pre_tags"] == ["<mark>"] and body["highlight"]["encoder"] == "html"
    assert body["sort"][0] == "_score"
    assert body["_source"] == {"excludes": ["body", "access"]}


def test_keyboard_readings_are_alternatives_of_a_word():
    query = SearchQuery(text="x", terms=(QueryTerm(folded="trofn", alternatives=("tron",)),))
    body = build_search(query, index=INDEX).to_dict()
    word = body["query"]["bool"]["must"][0]["bool"]["must"][0]["bool"]
    assert [m["multi_match"]["query"] for m in word["should"]] == ["trofn", "tron"]
    assert word["minimum_should_match"] == 1


def test_short_words_are_not_fuzzy_and_a_superuser_has_no_access_filter():
    query = SearchQuery(text="hàm", principals=frozenset({"*"}))
    outer = build_search(query, index=INDEX).to_dict()["query"]["bool"]
    assert "filter" not in outer
    assert outer["must"][0]["bool"]["must"][0]["multi_match"]["fuzziness"] == 0


def test_facet_filters_are_a_post_filter_and_each_facet_counts_the_others():
    query = SearchQuery(filters={"subject": ["toan"], "grade": ["10"]}, facets=("subject", "grade", "status"))
    body = build_search(query, index=INDEX).to_dict()
    assert body["query"] == {"bool": {"filter": [{"terms": {"access": ["public"]}}]}}
    assert body["post_filter"] == {"bool": {"filter": [{"terms": {"subject": ["toan"]}}, {"terms": {"grade": [10]}}]}}
    assert body["aggs"]["subject"]["filter"] == {"bool": {"filter": [{"terms": {"grade": [10]}}]}}
    assert body["aggs"]["grade"]["filter"] == {"bool": {"filter": [{"terms": {"subject": ["toan"]}}]}}
    assert body["aggs"]["status"]["aggs"]["values"] == {"terms": {"field": "status", "size": 50}}
    assert body["sort"] == [{"updated_at": {"order": "desc", "missing": "_last"}}, "key"]


def test_relaxed_queries_need_any_word():
    query = SearchQuery(text="dao ham xyz")
    text = build_search(query, index=INDEX, match_all=False).to_dict()["query"]["bool"]["must"][0]["bool"]
    assert "must" not in text and text["minimum_should_match"] == 1


def test_sorts_and_pages():
    body = build_search(SearchQuery(sort="title", page=3, per_page=10), index=INDEX).to_dict()
    assert body["sort"] == ["title.sort", "key"] and body["from"] == 20 and body["size"] == 10


def test_autocomplete_query():
    body = build_autocomplete(
        terms=(QueryTerm(folded="duong"),), prefix="tr", principals=frozenset({"public"}), limit=5, index=INDEX
    ).to_dict()
    assert body["query"]["bool"]["must"] == [
        {"match": {"title.autocomplete": {"query": "duong tr", "operator": "and"}}}
    ]
    assert body["query"]["bool"]["filter"] == [{"terms": {"access": ["public"]}}]
    assert body["size"] == 15 and body["_source"] == ["title", "url", "kind"]


# -- the client against the fake server ----------------------------------------------------------------------------
def test_indexing_creates_the_index_and_sends_one_bulk_request(fake, backend):
    fake.answer("PUT", f"/{INDEX}", {"acknowledged": True, "index": INDEX})
    fake.answer("PUT", "/_bulk", {"errors": False, "items": [{"index": {"_id": "lesson:1", "status": 201}}]})
    doc = make_doc("1", "Đạo hàm", summary="Định nghĩa", access=["school:1"], subject="toan", grade=11)
    assert backend.index([doc]) == 1
    assert [(r.method, r.path) for r in fake.requests][:2] == [("HEAD", f"/{INDEX}"), ("PUT", f"/{INDEX}")]
    created = fake.last("PUT", f"/{INDEX}")
    assert created.json == build_index(INDEX).to_dict()
    assert "compatible-with=9" in created.headers["accept"]
    bulk = fake.last("PUT", "/_bulk")
    action, source = bulk.ndjson
    assert action == {"index": {"_index": INDEX, "_id": "lesson:1"}}
    assert source["title"] == "Đạo hàm" and source["access"] == ["school:1"] and source["grade"] == 11
    assert source["updated_at"] == datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC).isoformat()
    assert bulk.query.get("refresh") == ["wait_for"]
    assert "application/vnd.elasticsearch+x-ndjson" in bulk.headers["content-type"]


def test_search_sends_the_built_query_and_reads_hits_highlights_and_facets(fake, backend):
    fake.answer(
        "POST",
        f"/{INDEX}/_search",
        {
            "took": 3,
            "timed_out": False,
            "hits": {
                "total": {"value": 1, "relation": "eq"},
                "max_score": 2.5,
                "hits": [
                    {
                        "_index": INDEX,
                        "_id": "lesson:1",
                        "_score": 2.5,
                        "_source": {
                            "source": "lesson",
                            "key": "1",
                            "object_id": "1",
                            "title": "Đạo hàm của hàm số",
                            "summary": "Định nghĩa đạo hàm",
                            "url": "/bai/1/",
                            "kind": "lesson",
                            "subject": "toan",
                            "grade": 11,
                            "level": "hieu",
                            "school": 1,
                            "sharing": "public",
                            "status": "published",
                            "updated_at": "2026-09-01T08:00:00+00:00",
                        },
                        "highlight": {
                            "title": ["<mark>Đạo</mark> <mark>hàm</mark> của hàm số"],
                            "summary": ["Định nghĩa <mark>đạo</mark> <mark>hàm</mark>"],
                        },
                    }
                ],
            },
            "aggregations": {
                "subject": {"doc_count": 1, "values": {"buckets": [{"key": "toan", "doc_count": 1}]}},
                "grade": {"doc_count": 1, "values": {"buckets": [{"key": 11, "doc_count": 1}]}},
            },
        },
    )
    query = SearchQuery(text="dao ham", principals=frozenset({"public"}), facets=("subject", "grade"))
    results = backend.search(query)
    request = fake.last("POST", f"/{INDEX}/_search")
    assert request.json == build_search(query, index=INDEX).to_dict()
    assert "compatible-with=9" in request.headers["accept"]
    [hit] = results.hits
    assert (hit.key, hit.title, hit.grade, hit.score) == ("1", "Đạo hàm của hàm số", 11, 2.5)
    assert hit.title_html == "<mark>Đạo</mark> <mark>hàm</mark> của hàm số"
    assert hit.excerpt_html == "Định nghĩa <mark>đạo</mark> <mark>hàm</mark>"
    assert hit.updated_at == datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)
    assert results.total == 1 and results.backend == "elasticsearch"
    assert [(f.value, f.count) for f in results.facets["subject"]] == [("toan", 1)]
    assert [(f.value, f.count) for f in results.facets["grade"]] == [("11", 1)]


def test_no_hit_for_every_word_retries_with_any_word(fake, backend):
    empty = {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
    fake.answer("POST", f"/{INDEX}/_search", empty)
    fake.answer(
        "POST",
        f"/{INDEX}/_search",
        {"hits": {"total": {"value": 1}, "hits": [{"_source": {"key": "1", "title": "A"}}]}},
    )
    results = backend.search(SearchQuery(text="dao ham xyzzy"))
    strict, relaxed = [r.json for r in fake.requests if r.path == f"/{INDEX}/_search"]
    assert "must" in strict["query"]["bool"]["must"][0]["bool"]
    assert relaxed["query"]["bool"]["must"][0]["bool"]["minimum_should_match"] == 1
    assert results.relaxed is True and results.total == 1


def test_a_missing_index_is_an_empty_result(fake, backend):
    results = backend.search(SearchQuery(text="dao ham"))  # the fake answers 404 index_not_found_exception
    assert results.total == 0 and results.hits == []


def test_deleting_an_object_keeps_the_kept_documents(fake, backend):
    fake.answer("POST", f"/{INDEX}/_delete_by_query", {"deleted": 1})
    assert backend.delete_object("lesson", "2", keep_keys=["2"]) == 1
    request = fake.last("POST", f"/{INDEX}/_delete_by_query")
    assert request.json == {
        "query": {
            "bool": {
                "filter": [{"term": {"source": "lesson"}}, {"term": {"object_id": "2"}}],
                "must_not": [{"terms": {"key": ["2"]}}],
            }
        }
    }
    assert request.query["conflicts"] == ["proceed"] and request.query["refresh"] == ["true"]


def test_autocomplete_through_the_client(fake, backend):
    fake.answer(
        "POST",
        f"/{INDEX}/_search",
        {
            "hits": {
                "total": {"value": 2},
                "hits": [
                    {"_source": {"title": "Đường tròn", "url": "/a/", "kind": "lesson"}},
                    {"_source": {"title": "Đường tròn", "url": "/b/", "kind": "lesson"}},
                ],
            }
        },
    )
    suggestions = backend.autocomplete(
        terms=(QueryTerm(folded="duong"),), prefix="tr", principals=frozenset({"public"}), limit=5
    )
    assert [(s.title, s.url) for s in suggestions] == [("Đường tròn", "/a/")]  # one per title
    assert suggestions[0].title_html == "<mark>Đường</mark> <mark>tròn</mark>"
    sent = fake.last("POST", f"/{INDEX}/_search").json
    assert sent["query"]["bool"]["filter"] == [{"terms": {"access": ["public"]}}]


def test_settings_choose_elasticsearch_when_its_url_is_set():
    from config.settings import components

    assert components.site_search_backends({})["default"]["BACKEND"] == "search.backends.database.DatabaseSearchBackend"
    configured = components.site_search_backends({"ELASTICSEARCH_URL": "http://es1:9200, http://es2:9200"})
    assert configured["default"] == {
        "BACKEND": "search.backends.elasticsearch.ElasticsearchSearchBackend",
        "URLS": ["http://es1:9200", "http://es2:9200"],
        "INDEX": "lms_search",
        "OPTIONS": {"request_timeout": 10},
    }


def test_the_registry_builds_the_configured_backend(settings, fake):
    from django.core.exceptions import ImproperlyConfigured

    from search.backends import get_backend

    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": "search.backends.database.DatabaseSearchBackend"},
        "es": {"BACKEND": "search.backends.elasticsearch.ElasticsearchSearchBackend", "URLS": [fake.url], "INDEX": "x"},
    }
    assert get_backend("es").name == "elasticsearch" and get_backend("es").index_name == "x"
    assert get_backend("es") is get_backend("es")
    with pytest.raises(ImproperlyConfigured, match="No search backend 'nope'"):
        get_backend("nope")
    settings.SEARCH_BACKENDS = {"default": {"BACKEND": "search.query.SearchQuery"}}
    with pytest.raises(ImproperlyConfigured, match="is not a search backend"):
        get_backend()
