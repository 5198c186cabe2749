"""The contract every search backend keeps, run against each configured one (``search_backend`` fixture): the
database backend on SQLite, on PostgreSQL when ``DATABASE_URL`` is set, and Elasticsearch when ``ELASTICSEARCH_URL``
is set."""

from __future__ import annotations

import pytest

from search.api import expand_terms
from search.query import SearchQuery
from tests.search.conftest import make_doc

SCHOOL_A = frozenset({"public", "school:1", "org:1", "user:10"})
STUDENT_B = frozenset({"public", "school:2", "org:2", "user:20"})
ANONYMOUS = frozenset({"public"})


def run(backend, text="", principals=ANONYMOUS, **kwargs):
    query = SearchQuery(text=text, principals=principals, **kwargs)
    query.terms = expand_terms(query.terms, backend)
    return backend.search(query)


def keys(results):
    return [hit.key for hit in results.hits]


@pytest.fixture
def corpus(search_backend):
    docs = [
        make_doc(
            "1",
            "Đạo hàm của hàm số",
            summary="Định nghĩa đạo hàm và ý nghĩa hình học.",
            body="Cho hàm số y = f(x) xác định trên khoảng (a; b). \\lim_{x \\to x_0} \\frac{f(x)-f(x_0)}{x-x_0}",
            subject="toan",
            grade=11,
            level="hieu",
            outcomes=["TOAN11.GT.DAOHAM.1"],
            school=1,
            sharing="public",
            status="published",
            minutes=1,
        ),
        make_doc(
            "2",
            "Phương trình đường tròn",
            summary="Lập phương trình đường tròn khi biết tâm và bán kính.",
            body="Đường tròn tâm I(a; b) bán kính R có phương trình (x - a)^2 + (y - b)^2 = R^2.",
            subject="toan",
            grade=10,
            level="van_dung",
            outcomes=["TOAN10.HH.DUONGTRON.1", "TOAN10.HH.DUONGTRON.2"],
            school=1,
            sharing="school",
            status="published",
            access=["school:1"],
            minutes=2,
        ),
        make_doc(
            "3",
            "Dương xỉ và thực vật có mạch",
            summary="Sinh học: cây dương xỉ sinh sản bằng bào tử.",
            subject="sinh-hoc",
            grade=7,
            level="biet",
            school=2,
            sharing="public",
            status="published",
            minutes=3,
        ),
        make_doc(
            "4",
            "Bài thơ Tây Tiến",
            summary="Quang Dũng viết về đoàn binh Tây Tiến và núi rừng Tây Bắc.",
            body="Sông Mã xa rồi Tây Tiến ơi! Nhớ về rừng núi nhớ chơi vơi.",
            subject="ngu-van",
            grade=12,
            level="hieu",
            school=2,
            sharing="school",
            status="published",
            access=["school:2"],
            minutes=4,
        ),
        make_doc(
            "2:draft",
            "Phương trình đường tròn (bản sửa)",
            object_id="2",
            summary="Bản nháp: thêm ví dụ về tiếp tuyến của đường tròn.",
            subject="toan",
            grade=10,
            school=1,
            sharing="school",
            status="draft",
            access=["user:10"],
            minutes=5,
            url="/admin/pages/2/edit/",
        ),
        make_doc(
            "5",
            "Đường lối đổi mới của Đảng",
            summary="Lịch sử Việt Nam từ năm 1986.",
            subject="lich-su",
            grade=12,
            school=2,
            sharing="public",
            status="published",
            minutes=6,
        ),
    ]
    search_backend.index(docs)
    return docs


# -- Vietnamese ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["đạo hàm", "dao ham", "ĐẠO HÀM", "Dao Ham", "đao ham"])
def test_queries_with_or_without_diacritics_match(search_backend, corpus, text):
    assert keys(run(search_backend, text))[:1] == ["1"]


def test_folded_words_reach_the_body_and_latex_stays_searchable(search_backend, corpus):
    assert keys(run(search_backend, "xac dinh tren khoang")) == ["1"]
    assert keys(run(search_backend, "lim frac")) == ["1"]


def test_exact_diacritics_rank_higher(search_backend, corpus):
    # "duong" folds "đường" (documents 2, 5) and "dương" (document 3) alike; the diacritics typed decide the order.
    assert keys(run(search_backend, "dương"))[0] == "3"
    top_for_duong = keys(run(search_backend, "đường"))[0]
    assert top_for_duong in {"5"}  # public only for an anonymous visitor: "Đường lối" ranks before "Dương xỉ"
    assert set(keys(run(search_backend, "duong"))) == {"3", "5"}


def test_words_in_the_order_typed_rank_higher(search_backend):
    search_backend.index(
        [
            make_doc("a", "Bậc của đa thức hai biến và hàm số", minutes=2),
            make_doc("b", "Hàm số bậc hai", minutes=1),
        ]
    )
    assert keys(run(search_backend, "ham so bac hai")) == ["b", "a"]


@pytest.mark.parametrize(
    "text",
    [
        "dduowngf trofn",  # Telex leftovers
        "d9u7o7ng2 tro2n",  # VNI leftovers
        "duongg tron",  # a letter too many
        "duogn tron",  # two letters swapped
        "phuong trinhh duong tron",
    ],
)
def test_typing_slips_are_tolerated(search_backend, corpus, text):
    assert "2" in keys(run(search_backend, text, principals=SCHOOL_A))


def test_words_typed_without_their_space(search_backend, corpus):
    if search_backend.name == "elasticsearch":
        pytest.skip("Elasticsearch has no vocabulary lookup; its fuzziness does not split words")
    assert keys(run(search_backend, "daoham"))[:1] == ["1"]


def test_when_no_document_has_every_word_some_of_them_do(search_backend, corpus):
    results = run(search_backend, "đạo hàm xyzzyq")
    assert results.relaxed is True
    assert keys(results) == ["1"]
    strict = run(search_backend, "đạo hàm")
    assert strict.relaxed is False


# -- permissions ---------------------------------------------------------------------------------------------------
def test_each_principal_finds_only_what_it_may_see(search_backend, corpus):
    assert set(keys(run(search_backend, "", ANONYMOUS))) == {"1", "3", "5"}
    assert set(keys(run(search_backend, "", SCHOOL_A))) == {"1", "2", "3", "5", "2:draft"}
    assert set(keys(run(search_backend, "", STUDENT_B))) == {"1", "3", "4", "5"}
    assert len(keys(run(search_backend, "", frozenset({"*"})))) == 6


def test_nothing_leaks_through_totals_or_facets(search_backend, corpus):
    results = run(search_backend, "duong tron", ANONYMOUS)
    assert results.total == 0 or all(hit.key not in {"2", "2:draft"} for hit in results.hits)
    facets = run(search_backend, "", ANONYMOUS).facets
    assert {v.value for v in facets["status"]} == {"published"}
    assert {v.value for v in facets["outcomes"]} == {"TOAN11.GT.DAOHAM.1"}
    assert {v.value: v.count for v in facets["subject"]} == {"toan": 1, "sinh-hoc": 1, "lich-su": 1}
    assert {v.value for v in facets["school"]} == {"1", "2"}
    teacher = run(search_backend, "", SCHOOL_A).facets
    assert {v.value: v.count for v in teacher["status"]} == {"published": 4, "draft": 1}


def test_nothing_leaks_through_autocomplete(search_backend, corpus):
    def titles(prefix_text, principals):
        query = SearchQuery(text="", principals=principals)
        from search.api import parse_terms

        words = prefix_text.split()
        terms = expand_terms(parse_terms(" ".join(words[:-1])), search_backend)
        from search import folding

        return [
            s.title
            for s in search_backend.autocomplete(
                terms=terms, prefix=folding.fold(words[-1]), principals=query.principals, limit=5
            )
        ]

    assert titles("phương tr", ANONYMOUS) == []
    assert titles("phuong tr", SCHOOL_A) == ["Phương trình đường tròn", "Phương trình đường tròn (bản sửa)"]
    assert titles("tây t", STUDENT_B) == ["Bài thơ Tây Tiến"]
    assert titles("tay t", SCHOOL_A) == []
    assert titles("đạo h", ANONYMOUS) == ["Đạo hàm của hàm số"]
    assert titles("đư", ANONYMOUS) == ["Đường lối đổi mới của Đảng", "Dương xỉ và thực vật có mạch"]


# -- filters, facets, sorting, pages, highlights -------------------------------------------------------------------
def test_filters_narrow_and_facets_count_the_other_facets(search_backend, corpus):
    results = run(search_backend, "", SCHOOL_A, filters={"subject": ["toan"]})
    assert set(keys(results)) == {"1", "2", "2:draft"}
    assert results.total == 3
    # The subject facet still counts the other subjects (to switch to them); the other facets count within "toan".
    assert {v.value: v.count for v in results.facets["subject"]} == {"toan": 3, "sinh-hoc": 1, "lich-su": 1}
    assert [v.selected for v in results.facets["subject"] if v.value == "toan"] == [True]
    assert {v.value: v.count for v in results.facets["grade"]} == {"10": 2, "11": 1}
    assert {v.value: v.count for v in results.facets["outcomes"]} == {
        "TOAN11.GT.DAOHAM.1": 1,
        "TOAN10.HH.DUONGTRON.1": 1,
        "TOAN10.HH.DUONGTRON.2": 1,
    }
    assert keys(run(search_backend, "", SCHOOL_A, filters={"grade": ["10"], "status": ["published"]})) == ["2"]
    assert keys(run(search_backend, "", SCHOOL_A, filters={"outcomes": ["TOAN10.HH.DUONGTRON.2"]})) == ["2"]
    assert keys(run(search_backend, "", SCHOOL_A, filters={"level": ["hieu"], "school": ["1"]})) == ["1"]


def test_sorting(search_backend, corpus):
    assert keys(run(search_backend, "", ANONYMOUS, sort="newest")) == ["5", "3", "1"]
    assert keys(run(search_backend, "", ANONYMOUS, sort="oldest")) == ["1", "3", "5"]
    # Title order ignores diacritics: "Đạo hàm" (dao ham), "Đường lối" (duong loi), "Dương xỉ" (duong xi).
    assert keys(run(search_backend, "", ANONYMOUS, sort="title")) == ["1", "5", "3"]


def test_pagination(search_backend, corpus):
    first = run(search_backend, "", SCHOOL_A, sort="newest", per_page=2)
    second = run(search_backend, "", SCHOOL_A, sort="newest", per_page=2, page=2)
    third = run(search_backend, "", SCHOOL_A, sort="newest", per_page=2, page=3)
    assert keys(first) == ["5", "2:draft"] and keys(second) == ["3", "2"] and keys(third) == ["1"]
    assert first.total == 5 and first.pages == 3 and first.has_next and not third.has_next


def test_highlights_mark_the_words_in_the_original_text(search_backend, corpus):
    [hit] = run(search_backend, "dao ham").hits
    assert "<mark>Đạo</mark>" in hit.title_html and "<mark>hàm</mark>" in hit.title_html
    assert "<mark>đạo</mark> <mark>hàm</mark>" in hit.excerpt_html
    [hit] = run(search_backend, "song ma", STUDENT_B).hits
    assert "<mark>Sông</mark> <mark>Mã</mark>" in hit.excerpt_html  # from the body when the summary lacks them


def test_highlights_are_escaped(search_backend):
    search_backend.index([make_doc("9", "<script>alert(1)</script> Hàm số", summary="<b>hàm</b> số")])
    [hit] = run(search_backend, "ham so").hits
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<b>" not in hit.excerpt_html


# -- writes --------------------------------------------------------------------------------------------------------
def test_reindexing_replaces_and_delete_keeps_the_kept(search_backend, corpus):
    search_backend.index([make_doc("1", "Giới hạn của dãy số", status="published")])
    assert keys(run(search_backend, "dao ham")) == []
    assert keys(run(search_backend, "gioi han")) == ["1"]
    assert search_backend.delete_object("lesson", "2", keep_keys=["2"]) == 1
    assert set(keys(run(search_backend, "", SCHOOL_A))) == {"1", "2", "3", "5"}
    search_backend.delete_object("lesson", "2")
    assert "2" not in keys(run(search_backend, "", SCHOOL_A))
    search_backend.clear("lesson")
    assert search_backend.count() == 0


def test_unknown_filters_and_sorts_are_refused(search_backend):
    from search.query import SearchError

    with pytest.raises(SearchError, match="Unknown filter"):
        SearchQuery(filters={"colour": ["red"]})
    with pytest.raises(SearchError, match="Unknown sort"):
        SearchQuery(sort="random")
    with pytest.raises(SearchError, match="numbered from 1"):
        SearchQuery(page=0)


def test_broad_queries_on_postgresql_rank_by_the_title_vector(search_backend, corpus, monkeypatch):
    from django.db import connection

    from search.backends.database import PostgresSearch

    if search_backend.name != "database" or connection.vendor != "postgresql":
        pytest.skip("the title-vector ranking is PostgreSQL's path for queries matching many documents")
    full = run(search_backend, "đường", SCHOOL_A)
    monkeypatch.setattr(PostgresSearch, "FULL_RANK_LIMIT", 0)
    broad = run(search_backend, "đường", SCHOOL_A)
    assert set(keys(broad)) == set(keys(full)) == {"2", "2:draft", "3", "5"}
    assert keys(broad)[-1] == keys(full)[-1] == "3"  # "Dương xỉ" lacks the diacritics typed: last either way
    assert broad.total == full.total == 4


def test_function_words_are_not_required_when_the_query_has_others(search_backend, corpus):
    results = run(search_backend, "phương trình của đường tròn", SCHOOL_A)  # no "của" in the lesson
    assert results.relaxed is False and "2" in keys(results)
    assert set(keys(run(search_backend, "của"))) == {"1", "5"}  # only function words: then they are required


def test_broad_queries_on_postgresql_are_capped_and_still_permission_filtered(search_backend, corpus, monkeypatch):
    from django.db import connection

    from search.backends.database import PostgresSearch

    if search_backend.name != "database" or connection.vendor != "postgresql":
        pytest.skip("counting at most COUNT_LIMIT matches is PostgreSQL's path for broad queries")
    exact = run(search_backend, "", SCHOOL_A, sort="newest")
    assert (exact.total, exact.total_capped, exact.facets_approximate) == (5, False, False)
    monkeypatch.setattr(PostgresSearch, "COUNT_LIMIT", 2)
    broad = run(search_backend, "", SCHOOL_A, sort="newest", per_page=1)
    assert (broad.total, broad.total_capped, broad.facets_approximate, broad.pages) == (2, True, True, 2)
    assert set(keys(broad)) <= {"1", "2", "3", "5", "2:draft"}
    # The sample the facets count is drawn from what the person may see only.
    anonymous = run(search_backend, "", ANONYMOUS)
    assert anonymous.total_capped and anonymous.total == 2
    assert {v.value for v in anonymous.facets["status"]} == {"published"}
    assert {v.value for v in anonymous.facets["subject"]} <= {"toan", "sinh-hoc", "lich-su"}
    assert {v.value for v in anonymous.facets["outcomes"]} <= {"TOAN11.GT.DAOHAM.1"}
    assert sum(v.count for v in anonymous.facets["subject"]) <= 3
    # A broad ranked query ranks a bounded pool of visible matches: title matches first.
    ranked = run(search_backend, "đường", SCHOOL_A, per_page=10)
    assert ranked.total_capped and ranked.total == 2
    assert set(keys(ranked)) <= {"2", "2:draft", "3", "5"} and len(keys(ranked)) == 2
    assert set(keys(run(search_backend, "đường", ANONYMOUS, per_page=10))) <= {"3", "5"}
    # A filtered facet is counted on its own sample, without its own filter, so other values stay offered.
    filtered = run(search_backend, "", SCHOOL_A, filters={"subject": ["toan"]})
    assert filtered.facets_approximate and {v.value for v in filtered.facets["subject"]} <= {
        "toan",
        "sinh-hoc",
        "lich-su",
    }
    assert set(keys(filtered)) <= {"1", "2", "2:draft"}
    assert run(search_backend, "", STUDENT_B, filters={"subject": ["lich-su"]}).total_capped is False


def test_broad_queries_on_postgresql_rank_the_counted_sample_and_restore_the_planner(
    search_backend, corpus, monkeypatch
):
    from django.db import connection, transaction

    from search.backends.database import PostgresSearch

    if search_backend.name != "database" or connection.vendor != "postgresql":
        pytest.skip("the sample and the planner setting are PostgreSQL's path for broad queries")
    monkeypatch.setattr(PostgresSearch, "COUNT_LIMIT", 2)
    monkeypatch.setattr(PostgresSearch, "RANK_POOL", 1)  # the pool's other half: the sample's first id
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        before = cursor.fetchone()[0]
        ranked = run(search_backend, "đường", SCHOOL_A, per_page=1)
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == before == "on"  # SET LOCAL inside an enclosing transaction is undone
    assert ranked.total_capped and ranked.total == 2 and len(ranked.hits) == 1
    assert set(keys(ranked)) <= {"2", "2:draft", "3", "5"}
    hit = ranked.hits[0]
    assert hit.title and hit.url is not None and hit.score > 0  # the hit's columns come with the ranked page
    assert set(keys(run(search_backend, "đường", ANONYMOUS, per_page=1))) <= {"3", "5"}
