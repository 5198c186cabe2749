"""The database search backend: SQLite (FTS5) and PostgreSQL (``tsvector`` + GIN), over folded text.

Both keep the same rows (``search.models``); only the full-text match and its rank differ:

- **PostgreSQL**: generated columns ``folded_tsv`` (title weight A, summary and body weight D) and ``exact_tsv``
  (the same text lower-cased with its diacritics), both ``to_tsvector('simple', …)`` with GIN indexes. A query word
  is ``(dao | daoo)`` (its folded form or the slips the vocabulary knows), the words are AND-ed; the rank is
  ``ts_rank_cd`` on the folded text, plus a bonus when the diacritics typed are exactly in the document, plus a bonus
  when the words follow each other as typed (``dao <-> ham``).
- **SQLite**: an FTS5 table ``search_entry_fts`` (``unicode61 remove_diacritics 0``: the text is folded already) kept
  in step with ``search_searchentry`` by triggers; ``bm25`` with the title weighted 10:1, and the same two bonuses.

SQL is built from constants only (table and column names); every value the user typed is a bound parameter,
and query words are checked to be plain folded words (``_safe``) before they go into a tsquery or FTS5 expression.

Permissions are an ``EXISTS`` on ``search_searchaccess`` (principal ∈ the user's principals) applied before anything
is counted, faceted, ranked or suggested.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from search import folding
from search.backends.base import BaseSearchBackend
from search.query import FacetValue, Hit, IndexDocument, QueryTerm, SearchQuery, SearchResults, Suggestion

EXACT_BONUS = 0.5  # rank added when the query's diacritics are exactly in the document
PHRASE_BONUS = 0.3  # rank added when the words follow each other as typed
FTS_TABLE = "search_entry_fts"
ENTRY_TABLE = "search_searchentry"
MULTI_VALUED = {"outcomes"}
INT_FIELDS = {"grade", "school"}
HIT_FIELDS = (
    "id",
    "source",
    "key",
    "object_id",
    "title",
    "url",
    "summary",
    "body",
    "kind",
    "question_type",
    "subject",
    "grade",
    "level",
    "school",
    "sharing",
    "status",
    "updated_at",
)


def _entry_values(document: IndexDocument) -> dict:
    text = "\n".join(part for part in (document.summary, document.body) if part)
    return {
        "object_id": document.object_id,
        "title": document.title,
        "url": document.url,
        "summary": document.summary,
        "body": document.body,
        "title_folded": folding.fold(document.title),
        "text_folded": folding.fold(text),
        "title_exact": folding.exact(document.title),
        "text_exact": folding.exact(text),
        "kind": document.kind,
        "question_type": document.question_type,
        "subject": document.subject,
        "grade": document.grade,
        "level": document.level,
        "school": document.school,
        "sharing": document.sharing,
        "status": document.status,
        "updated_at": document.updated_at,
        "access_list": " ".join(sorted(set(document.access))),
        "outcomes_list": " ".join(document.facet_values("outcomes")),
    }


class DatabaseSearchBackend(BaseSearchBackend):
    name = "database"

    @property
    def vendor(self) -> str:
        return connection.vendor

    # -- writes ----------------------------------------------------------------------------------------------------
    def index(self, documents: Iterable[IndexDocument]) -> int:
        """Replace the documents (by source + key) in a few statements per batch: delete, then bulk insert the rows,
        their access lists, their multi-valued facets and any new words of the vocabulary."""
        from search.models import SearchAccess, SearchEntry, SearchTag, SearchTerm

        documents = list({(d.source, d.key): d for d in documents}.values())
        if not documents:
            return 0
        with transaction.atomic():
            by_source: dict[str, list[str]] = {}
            for document in documents:
                by_source.setdefault(document.source, []).append(document.key)
            for source, keys in by_source.items():
                for start in range(0, len(keys), 500):
                    SearchEntry.objects.filter(source=source, key__in=keys[start : start + 500]).delete()
            entries = SearchEntry.objects.bulk_create(
                [SearchEntry(source=d.source, key=d.key, **_entry_values(d)) for d in documents], batch_size=500
            )
            access, tags, words = [], [], set()
            for document, entry in zip(documents, entries, strict=True):
                access.extend(SearchAccess(entry=entry, principal=p) for p in sorted(set(document.access)))
                tags.extend(
                    SearchTag(entry=entry, name=name, value=v)
                    for name in MULTI_VALUED
                    for v in document.facet_values(name)
                )
                words.update(entry.title_folded.split())
                words.update(entry.text_folded.split())
            SearchAccess.objects.bulk_create(access, batch_size=1000)
            SearchTag.objects.bulk_create(tags, batch_size=1000)
            SearchTerm.objects.bulk_create(
                [SearchTerm(term=w) for w in sorted(words) if w.isalnum() and len(w) <= 60],
                batch_size=1000,
                ignore_conflicts=True,
            )
        return len(documents)

    def delete_object(self, source: str, object_id: str, *, keep_keys: Iterable[str] = ()) -> int:
        from search.models import SearchEntry

        _total, details = (
            SearchEntry.objects.filter(source=source, object_id=str(object_id))
            .exclude(key__in=list(keep_keys))
            .delete()
        )
        return details.get(SearchEntry._meta.label, 0)

    def clear(self, source: str | None = None) -> None:
        from search.models import SearchEntry

        entries = SearchEntry.objects.all()
        if source:
            entries = entries.filter(source=source)
        entries.delete()

    def count(self, source: str | None = None) -> int:
        from search.models import SearchEntry

        entries = SearchEntry.objects.all()
        return entries.filter(source=source).count() if source else entries.count()

    # -- reads -----------------------------------------------------------------------------------------------------
    def known_terms(self, candidates: Iterable[str]) -> set[str]:
        from search.models import SearchTerm

        candidates = list(set(candidates))
        known: set[str] = set()
        for start in range(0, len(candidates), 900):
            known.update(
                SearchTerm.objects.filter(term__in=candidates[start : start + 900]).values_list("term", flat=True)
            )
        return known

    def _visible(self, principals: frozenset[str]) -> QuerySet:
        from search.models import SearchAccess, SearchEntry

        entries = SearchEntry.objects.all()
        if "*" in principals:
            return entries
        return entries.filter(
            Exists(SearchAccess.objects.filter(entry_id=OuterRef("pk"), principal__in=sorted(principals)))
        )

    def _filtered(self, entries: QuerySet, filters: dict[str, list[str]], *, skip: str | None = None) -> QuerySet:
        from search.models import SearchTag

        for name, values in filters.items():
            if name == skip:
                continue
            if name in MULTI_VALUED:
                entries = entries.filter(
                    Exists(SearchTag.objects.filter(entry_id=OuterRef("pk"), name=name, value__in=values))
                )
            elif name in INT_FIELDS:
                entries = entries.filter(**{f"{name}__in": [int(v) for v in values if str(v).isdigit()]})
            else:
                entries = entries.filter(**{f"{name}__in": values})
        return entries

    def search(self, query: SearchQuery) -> SearchResults:
        results = self._search(query, match_all=query.match_all_terms)
        if results.total == 0 and query.match_all_terms and len(query.terms) > 1:
            results = self._search(query, match_all=False)
            results.relaxed = results.total > 0
        return results

    def _search(self, query: SearchQuery, *, match_all: bool) -> SearchResults:
        if self.vendor == "postgresql":
            return PostgresSearch(query, match_all=match_all).run(backend=self.name)
        visible = self._visible(query.principals)
        matcher = _matcher(self.vendor)
        if query.terms:
            terms = query.required_terms if match_all else query.terms
            visible = matcher.match(visible, terms, match_all=match_all)
        entries = self._filtered(visible, query.filters)
        total = entries.count()
        facets = {}
        for name in query.facets:
            facet_entries = self._filtered(visible, query.filters, skip=name)
            facets[name] = self._facet(facet_entries, name, selected=query.filters.get(name, []))
        if query.sort == "relevance" and query.terms:
            ordered = matcher.ranked(entries, query.terms).order_by("-rank", "-updated_at", "id")
        elif query.sort == "title":
            ordered = entries.order_by("title_folded", "id")
        elif query.sort == "oldest":
            ordered = entries.order_by("updated_at", "id")
        else:
            ordered = entries.order_by("-updated_at", "-id")
        rows = list(
            ordered.values(*HIT_FIELDS, *(["rank"] if query.sort == "relevance" and query.terms else []))[
                query.offset : query.offset + query.per_page
            ]
        )
        words = query.folded_words()
        hits = [_hit(row, words) for row in rows]
        return SearchResults(
            hits=hits, total=total, page=query.page, per_page=query.per_page, facets=facets, backend=self.name
        )

    def _facet(self, entries: QuerySet, name: str, *, selected: list[str]) -> list[FacetValue]:
        from search.models import SearchTag

        if name in MULTI_VALUED:
            rows = (
                SearchTag.objects.filter(name=name, entry__in=entries.values("pk"))
                .values("value")
                .annotate(n=Count("entry_id"))
                .values_list("value", "n")
            )
        else:
            rows = (
                entries.exclude(**{f"{name}__isnull": True}).values(name).annotate(n=Count("pk")).values_list(name, "n")
            )
        values = [
            FacetValue(value=str(v), count=n, selected=str(v) in selected) for v, n in rows if v not in (None, "")
        ]
        values.sort(key=lambda f: (-f.count, f.value))
        return values

    def autocomplete(
        self, *, terms: tuple[QueryTerm, ...], prefix: str, principals: frozenset[str], limit: int
    ) -> list[Suggestion]:
        if self.vendor == "postgresql":
            rows = PostgresSearch.suggestions(terms, prefix, principals, limit * 3)
        else:
            visible = self._visible(principals)
            entries = _matcher(self.vendor).match_titles(visible, terms, prefix)
            rows = entries.order_by("title_folded", "id").values("title", "url", "kind")[: limit * 3]
        suggestions, seen = [], set()
        words = {form for term in terms for form in term.forms}
        for row in rows:
            if row["title"] in seen:
                continue
            seen.add(row["title"])
            title_html = folding.highlight(row["title"], words, prefixes=[prefix] if prefix else [], size=300)
            suggestions.append(Suggestion(title=row["title"], url=row["url"], kind=row["kind"], title_html=title_html))
            if len(suggestions) == limit:
                break
        return suggestions


def _hit(row: dict, words: set[str]) -> Hit:
    text = row["summary"] or row["body"]
    excerpt = folding.highlight(text, words, size=240)
    if words and row["body"] and text is not row["body"] and "<mark>" not in excerpt:
        body_excerpt = folding.highlight(row["body"], words, size=240)  # the words are in the body: show where
        excerpt = body_excerpt if "<mark>" in body_excerpt else excerpt
    return Hit(
        source=row["source"],
        key=row["key"],
        object_id=row["object_id"],
        title=row["title"],
        url=row["url"],
        kind=row["kind"],
        question_type=row.get("question_type") or "",
        subject=row["subject"],
        grade=row["grade"],
        level=row["level"],
        school=row["school"],
        sharing=row["sharing"],
        status=row["status"],
        updated_at=row["updated_at"],
        score=float(row.get("rank") or 0.0),
        title_html=folding.highlight(row["title"], words, size=500),
        excerpt_html=excerpt,
    )


# ---------------------------------------------------------------------------------------------------------------------
# Vendor-specific full-text matching
# ---------------------------------------------------------------------------------------------------------------------
def _matcher(vendor: str):
    if vendor == "postgresql":
        return PostgresMatcher()
    if vendor == "sqlite":
        return SqliteMatcher()
    raise NotImplementedError(f"The database search backend supports PostgreSQL and SQLite, not {vendor}.")


def _safe(word: str) -> str:
    """Query words reach SQL only as bound parameters; inside a tsquery or an FTS5 expression they must still be
    plain folded words."""
    if not word.isascii() or not word.isalnum():
        raise ValueError(f"not a folded word: {word!r}")
    return word


class PostgresMatcher:
    @staticmethod
    def tsquery(terms: tuple[QueryTerm, ...], *, match_all: bool = True) -> str:
        groups = ["(" + " | ".join(_safe(f) for f in term.forms) + ")" for term in terms]
        return (" & " if match_all else " | ").join(groups)

    @staticmethod
    def exact_tsquery(terms: tuple[QueryTerm, ...]) -> str:
        words = [term.exact for term in terms if term.exact]
        return " & ".join("'" + w.replace("'", "") + "'" for w in words)

    @staticmethod
    def phrase_tsquery(terms: tuple[QueryTerm, ...]) -> str:
        return " <-> ".join(_safe(term.folded) for term in terms) if len(terms) > 1 else ""

    def _ids(self, tsquery: str) -> RawSQL:
        # A subquery of ids (not a WHERE on the outer table) stays right when Django nests the queryset for facets.
        return RawSQL(f"SELECT id FROM {ENTRY_TABLE} WHERE folded_tsv @@ to_tsquery('simple', %s)", [tsquery])  # noqa: S608, S611

    def match(self, entries: QuerySet, terms, *, match_all: bool) -> QuerySet:
        return entries.filter(pk__in=self._ids(self.tsquery(terms, match_all=match_all)))

    def ranked(self, entries: QuerySet, terms) -> QuerySet:
        parts = [f"ts_rank_cd({ENTRY_TABLE}.folded_tsv, to_tsquery('simple', %s), 1)"]
        params = [self.tsquery(terms, match_all=False)]
        exact = self.exact_tsquery(terms)
        if exact:
            parts.append(f"CASE WHEN {ENTRY_TABLE}.exact_tsv @@ to_tsquery('simple', %s) THEN {EXACT_BONUS} ELSE 0 END")
            params.append(exact)
        phrase = self.phrase_tsquery(terms)
        if phrase:
            parts.append(
                f"CASE WHEN {ENTRY_TABLE}.folded_tsv @@ to_tsquery('simple', %s) THEN {PHRASE_BONUS} ELSE 0 END"
            )
            params.append(phrase)
        return entries.extra(select={"rank": " + ".join(parts)}, select_params=params)  # noqa: S610

    def match_titles(self, entries: QuerySet, terms, prefix: str) -> QuerySet:
        groups = ["(" + " | ".join(f"{_safe(f)}:A" for f in term.forms) + ")" for term in terms]
        if prefix:
            groups.append(f"{_safe(prefix)}:*A")
        if not groups:
            return entries.none()
        return entries.filter(pk__in=self._ids(" & ".join(groups)))


@contextmanager
def _bitmap_scans(matching: bool):
    """The bounded statements of a text query read its matches through the GIN index, never a sequential scan.

    For a word in most documents (``trong``, ``của``) the planner prefers a sequential scan that stops after
    ``COUNT_LIMIT`` matches, as it does not cost reading each row's folded vector from TOAST to test it (~15 µs a
    row: 35 ms for "trong"), whereas an exact GIN bitmap needs no recheck (10 ms with its 66,000 matches). So the
    statements run in a transaction (a savepoint inside one) with ``enable_seqscan`` off, set back afterwards:
    ``SET LOCAL`` would otherwise last until an enclosing transaction ends; a rollback undoes it anyway."""
    if not matching:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
        previous = cursor.fetchone()[0]
        yield
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])


class PostgresSearch:
    """The PostgreSQL query path, bounded by ``COUNT_LIMIT`` whatever the number of matches.

    1. one statement of materialised CTEs, each reading at most ``COUNT_LIMIT + 1`` visible matches (GIN bitmap on
       the folded text; the access list checked on the narrow rows *inside* the CTE, so nothing counted was hidden):
       ``m`` with every filter (the total and the facets without a filter of their own) and one ``m_<facet>`` per
       facet that has a filter (that facet's counts, without its own filter, so other values can be added). When
       a CTE holds ``COUNT_LIMIT + 1`` rows the query is *broad*: ``results.total`` is ``COUNT_LIMIT`` with
       ``results.total_capped`` ("more than 1,000 results") and the facets count a sample of ``COUNT_LIMIT`` matches
       (``results.facets_approximate``). Below that every figure is exact.
    2. the page: ids and rank, filtered, ordered, limited. When more than ``FULL_RANK_LIMIT`` documents match, the
       rank reads only the small title vector kept in the row (a body vector is read from TOAST, ~30 µs a document);
       for a broad query it ranks a pool of candidates instead of every match: the first ``RANK_POOL`` documents with
       every word in the title (GIN on the title vector) and the first ``RANK_POOL`` other matches (more for a page
       beyond them: ``offset + per_page`` of each);
    3. the page's rows.
    """

    FULL_RANK_LIMIT = 500
    COUNT_LIMIT = 1000
    RANK_POOL = 200  # candidates of each kind (title matches, other matches) a broad query's first pages rank
    COLUMNS = (
        "e.id, e.kind, e.question_type, e.subject, e.grade, e.level, e.school, e.sharing, e.status, e.outcomes_list"
    )

    @staticmethod
    def suggestions(terms, prefix: str, principals: frozenset[str], limit: int) -> list[dict]:
        groups = ["(" + " | ".join(_safe(f) for f in term.forms) + ")" for term in terms]
        if prefix:
            groups.append(f"{_safe(prefix)}:*")
        if not groups:
            return []
        where, params = ["e.title_tsv @@ to_tsquery('simple', %s)"], [" & ".join(groups)]
        if "*" not in principals:
            where.append("string_to_array(e.access_list, ' ') && %s::text[]")
            params.append(sorted(principals))
        # In title order among at most COUNT_LIMIT visible candidates (a short prefix matches thousands of titles).
        sql = (
            f"SELECT c.title, c.url, c.kind FROM (SELECT e.id, e.title, e.url, e.kind, e.title_folded "  # noqa: S608
            f"FROM {ENTRY_TABLE} e WHERE {' AND '.join(where)} LIMIT %s) c ORDER BY c.title_folded, c.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, PostgresSearch.COUNT_LIMIT, limit])
            return [{"title": t, "url": u, "kind": k} for t, u, k in cursor.fetchall()]

    def __init__(self, query: SearchQuery, *, match_all: bool) -> None:
        self.query, self.match_all = query, match_all
        self.matcher = PostgresMatcher()

    def _tsquery(self) -> str:
        terms = self.query.required_terms if self.match_all else self.query.terms
        return self.matcher.tsquery(terms, match_all=self.match_all)

    def _base(self, vector: str = "folded_tsv") -> tuple[list[str], list]:
        where, params = [], []
        if self.query.terms:
            where.append(f"e.{vector} @@ to_tsquery('simple', %s)")
            params.append(self._tsquery())
        if not self.query.sees_everything:
            where.append("string_to_array(e.access_list, ' ') && %s::text[]")
            params.append(sorted(self.query.principals))
        return where, params

    @staticmethod
    def _condition(alias: str, name: str, values: list[str]) -> tuple[str, list]:
        if name in MULTI_VALUED:
            return f"string_to_array({alias}.{name}_list, ' ') && %s::text[]", [list(values)]
        if name in INT_FIELDS:
            return f"{alias}.{name} = ANY(%s::int[])", [[int(v) for v in values if str(v).isdigit()]]
        return f"{alias}.{name} = ANY(%s::text[])", [list(values)]

    def _conditions(self, alias: str, *, skip: str | None = None) -> tuple[str, list]:
        parts, params = [], []
        for name, values in self.query.filters.items():
            if name != skip:
                sql, extra = self._condition(alias, name, values)
                parts.append(sql)
                params += extra
        return (" AND ".join(parts) or "TRUE"), params

    def run(self, *, backend: str) -> SearchResults:
        where, params = self._base()
        where_sql = " AND ".join(where) or "TRUE"
        cap = self.COUNT_LIMIT
        ctes, cte_params = [], []

        def sample(alias: str, skip: str | None) -> None:
            condition, extra = self._conditions("e", skip=skip)
            ctes.append(
                f"{alias} AS MATERIALIZED (SELECT {self.COLUMNS} FROM {ENTRY_TABLE} e "  # noqa: S608
                f"WHERE {where_sql} AND {condition} LIMIT %s)"
            )
            cte_params.extend([*params, *extra, cap + 1])

        sample("m", None)
        selects = []
        for index, name in enumerate(self.query.facets):
            alias = "m"
            if name in self.query.filters:
                alias = f"m{index}"
                sample(alias, name)
                selects.append(f"SELECT '#', '{name}', count(*) FROM {alias}")  # noqa: S608
            if name in MULTI_VALUED:
                selects.append(
                    f"SELECT '{name}', o, count(*) FROM {alias} "  # noqa: S608
                    f"CROSS JOIN LATERAL unnest(string_to_array({alias}.{name}_list, ' ')) AS o GROUP BY o"
                )
            else:
                selects.append(f"SELECT '{name}', {alias}.{name}::text, count(*) FROM {alias} GROUP BY {alias}.{name}")  # noqa: S608
        # The total row also carries the sample's ids (in scan order): the page ranks them instead of scanning the
        # GIN index and the rows a second time.
        selects.append("SELECT '', string_agg(m.id::text, ' '), count(*) FROM m")
        sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
        facets: dict[str, list[FacetValue]] = {name: [] for name in self.query.facets}
        total, approximate, sample_ids = 0, False, []
        with _bitmap_scans(bool(self.query.terms)), connection.cursor() as cursor:
            cursor.execute(sql, cte_params)
            stats = cursor.fetchall()
            for name, value, count in stats:
                if name == "":
                    total = count
                    sample_ids = [int(i) for i in value.split()] if value else []
                elif name == "#":
                    approximate = approximate or count > cap
                elif value not in (None, "") and count:
                    selected = str(value) in self.query.filters.get(name, [])
                    facets[name].append(FacetValue(value=str(value), count=count, selected=selected))
            capped = total > cap
            total = min(total, cap)
            rows = []
            if total and self.query.offset < total:
                rows = self._page(where_sql, params, total, sample_ids, broad=capped)
        for values in facets.values():
            values.sort(key=lambda f: (-f.count, f.value))
        words = self.query.folded_words()
        return SearchResults(
            hits=[_hit(row, words) for row in rows],
            total=total,
            page=self.query.page,
            per_page=self.query.per_page,
            facets=facets,
            backend=backend,
            total_capped=capped,
            facets_approximate=capped or approximate,
        )

    def _page(self, where_sql: str, params: list, total: int, sample: list[int], *, broad: bool = False) -> list[dict]:
        condition, filter_params = self._conditions("e")
        rank_sql, rank_params = "0", []
        query = self.query
        relevance = query.sort == "relevance" and query.terms
        if relevance:
            any_word = self.matcher.tsquery(query.terms, match_all=False)
            full = total <= self.FULL_RANK_LIMIT and not broad
            vector = "e.folded_tsv" if full else "e.title_tsv"
            parts, rank_params = [f"ts_rank_cd({vector}, to_tsquery('simple', %s), 1)"], [any_word]
            exact = self.matcher.exact_tsquery(query.terms)
            if exact:
                exact_vector = "e.exact_tsv" if full else "e.title_exact_tsv"
                parts.append(f"CASE WHEN {exact_vector} @@ to_tsquery('simple', %s) THEN {EXACT_BONUS} ELSE 0 END")
                rank_params.append(exact)
            phrase = self.matcher.phrase_tsquery(query.terms)
            if phrase:
                parts.append(f"CASE WHEN {vector} @@ to_tsquery('simple', %s) THEN {PHRASE_BONUS} ELSE 0 END")
                rank_params.append(phrase)
            rank_sql = " + ".join(parts)
            order = "rank DESC, e.updated_at DESC NULLS LAST, e.id"
        elif query.sort == "title":
            order = "e.title_folded, e.id"
        elif query.sort == "oldest":
            order = "e.updated_at ASC NULLS LAST, e.id"
        else:
            order = "e.updated_at DESC NULLS LAST, e.id DESC"
        source, source_params = f"{ENTRY_TABLE} e WHERE {where_sql} AND {condition}", [*params, *filter_params]
        pool_size = max(self.RANK_POOL, query.offset + query.per_page)
        if not broad:
            # Every match is in the sample counted just before (visible, filtered): rank those rows by id.
            source, source_params = f"{ENTRY_TABLE} e WHERE e.id = ANY(%s::bigint[])", [sample]
        elif relevance:
            # A pool instead of every match: the documents with every word in their title (they rank first), then
            # the first other matches — the first ids of the sample, else read again through the GIN index; each
            # half bounded, the access list and the filters applied inside both.
            title_where, title_params = self._base(vector="title_tsv")
            others, others_params = f"SELECT e.id FROM {source} LIMIT %s", [*source_params, pool_size]  # noqa: S608
            if pool_size <= len(sample):
                others, others_params = "SELECT unnest(%s::bigint[])", [sample[:pool_size]]
            pool = (
                f"(SELECT e.id FROM {ENTRY_TABLE} e WHERE {' AND '.join(title_where)} AND {condition} LIMIT %s) "  # noqa: S608
                f"UNION ({others})"
            )
            source = f"{ENTRY_TABLE} e WHERE e.id IN ({pool})"
            source_params = [*title_params, *filter_params, pool_size, *others_params]
        # Never more hits than the total counted (a broad query's pool may hold more than COUNT_LIMIT). The hits'
        # columns come with the page: the long texts are read (from TOAST) for these rows only.
        size = max(0, min(query.per_page, total - query.offset))
        columns = ", ".join(f"e.{name}" for name in HIT_FIELDS)
        sql = f"SELECT {columns}, {rank_sql} AS rank FROM {source} ORDER BY {order} LIMIT %s OFFSET %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*rank_params, *source_params, size, query.offset])
            names = [*HIT_FIELDS, "rank"]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class SqliteMatcher:
    FOLDED = "{title_folded text_folded}"

    def expression(self, terms: tuple[QueryTerm, ...], *, match_all: bool = True, columns: str = FOLDED) -> str:
        groups = [f"{columns} : (" + " OR ".join(f'"{_safe(f)}"' for f in term.forms) + ")" for term in terms]
        return (" AND " if match_all else " OR ").join(groups)

    def _subquery(self, expression: str) -> tuple[str, list[str]]:
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]  # noqa: S608

    def match(self, entries: QuerySet, terms, *, match_all: bool) -> QuerySet:
        return entries.filter(pk__in=RawSQL(*self._subquery(self.expression(terms, match_all=match_all))))  # noqa: S611

    def ranked(self, entries: QuerySet, terms) -> QuerySet:
        # bm25 needs the FTS table in the query that MATCHes it: a correlated lookup of this row's score.
        rank = (
            f"(SELECT -bm25({FTS_TABLE}, 10.0, 1.0, 0.0, 0.0) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {ENTRY_TABLE}.id)"
        )
        parts, params = [f"COALESCE({rank}, 0) / 10.0"], [self.expression(terms, match_all=False)]
        exact = [term.exact for term in terms if term.exact]
        if exact:
            expression = " AND ".join('{title_exact text_exact} : "' + w.replace('"', "") + '"' for w in exact)
            sql, sub_params = self._subquery(expression)
            parts.append(f"CASE WHEN {ENTRY_TABLE}.id IN ({sql}) THEN {EXACT_BONUS} ELSE 0 END")
            params += sub_params
        if len(terms) > 1:
            phrase = self.FOLDED + ' : "' + " ".join(_safe(t.folded) for t in terms) + '"'
            sql, sub_params = self._subquery(phrase)
            parts.append(f"CASE WHEN {ENTRY_TABLE}.id IN ({sql}) THEN {PHRASE_BONUS} ELSE 0 END")
            params += sub_params
        return entries.extra(select={"rank": " + ".join(parts)}, select_params=params)  # noqa: S610

    def match_titles(self, entries: QuerySet, terms, prefix: str) -> QuerySet:
        groups = ["title_folded : (" + " OR ".join(f'"{_safe(f)}"' for f in term.forms) + ")" for term in terms]
        if prefix:
            groups.append(f'title_folded : "{_safe(prefix)}"*')
        if not groups:
            return entries.none()
        return entries.filter(pk__in=RawSQL(*self._subquery(" AND ".join(groups))))  # noqa: S611


__all__ = ["DatabaseSearchBackend", "PostgresMatcher", "SqliteMatcher"]
