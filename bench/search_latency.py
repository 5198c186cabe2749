"""Search latency on PostgreSQL with 100,000 indexed items: p50/p95 of a whole ``search.api`` query (folding,
typing-slip lookup, permission filter, count, eight facets, ranking, one page of highlighted hits) and of an
autocomplete.

A script, not a test (see bench/README.md)::

    .venv/bin/python bench/search_latency.py            # postgres://postgres@127.0.0.1:5432/lms_search_bench
    .venv/bin/python bench/search_latency.py --items 20000 --keep
    .venv/bin/python bench/search_latency.py --skip-seed  # reuse a database left by --keep

The database is the benchmark's own (created, and dropped at the end unless ``--keep``). The items are built from
the 346 VNHSGE questions (../shared/fixtures/datasets/vnhsge/): each item takes one question's stem as its summary
and its solution plus another question's stem as its body, with a random grade, level, YCCĐ code and access list
(60 % public, 25 % one of 50 schools, 10 % shared with one of 10 education authorities, 5 % a teacher's draft).
Queries: the 46 judged queries of bench/search_quality.py and 54 one- or two-word queries drawn from the items'
titles, each run as an anonymous visitor, a student and a teacher. Target: p95 < 50 ms.
Exit status 0 when met, 1 when missed, 2 when the run failed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_corpus

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lms_search_bench"
TARGET_MS = 50.0
LEVELS = ["biet", "hieu", "van_dung"]


class Person:
    """Enough of a user for ``search.permissions.principals_for``."""

    is_authenticated = True
    is_superuser = False

    def __init__(self, pk: int, principals: set[str]) -> None:
        self.pk = pk
        self._search_principals = frozenset(principals)


def _items(count: int, rng: random.Random):
    from search.query import IndexDocument

    questions = search_corpus.load_questions()
    for n in range(count):
        q, other = rng.choice(questions), rng.choice(questions)
        roll = rng.random()
        if roll < 0.60:
            access, status, sharing = ["public"], "published", "public"
        elif roll < 0.85:
            access, status, sharing = [f"school:{rng.randint(1, 50)}"], "published", "school"
        elif roll < 0.95:
            school = rng.randint(1, 50)
            access, status, sharing = [f"school:{school}", f"org:{school % 10 + 1}"], "published", "district"
        else:
            access, status, sharing = [f"user:{rng.randint(1, 500)}"], "draft", "school"
        grade = rng.randint(6, 12)
        yield IndexDocument(
            source="question" if n % 3 else "lesson",
            key=f"b{n}",
            object_id=f"b{n}",
            title=q["title"],
            summary=q["summary"],
            body=q["body"] + "\n" + other["summary"],
            kind="question" if n % 3 else "lesson",
            subject=q["subject"],
            grade=grade,
            level=rng.choice(LEVELS),
            outcomes=[f"{q['subject'].upper().replace('-', '')}{grade}.CD{rng.randint(1, 20)}.{rng.randint(1, 5)}"],
            school=int(access[0].split(":")[1]) if access[0].startswith("school:") else rng.randint(1, 50),
            sharing=sharing,
            status=status,
            access=access,
        )


def seed(count: int, rng: random.Random) -> float:
    from search.api import get_backend

    backend = get_backend()
    backend.clear()
    started, batch, done = time.perf_counter(), [], 0
    for item in _items(count, rng):
        batch.append(item)
        if len(batch) == 1000:
            backend.index(batch)
            done += len(batch)
            batch = []
            rate = done / (time.perf_counter() - started)
            print(f"\r  indexing {done}/{count} ({rate:.0f} items/s)", end="", file=sys.stderr, flush=True)
    if batch:
        backend.index(batch)
    print(file=sys.stderr)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchentry; ANALYZE search_searchaccess; ANALYZE search_searchtag")
    return time.perf_counter() - started


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2, help="measured passes over the queries (after a warm-up)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the items of a database kept earlier")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("search_latency.py measures PostgreSQL: give --database-url postgres://…", file=sys.stderr)
        return 2
    rng = random.Random(20261201)
    search_corpus.ensure_postgres_database(args.database_url)
    try:
        search_corpus.setup_django(args.database_url, env={"ELASTICSEARCH_URL": ""})
        from django.conf import settings
        from django.db import connection

        settings.SEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database.DatabaseSearchBackend"}}
        search_corpus.migrate_quietly()
        from search import api

        if args.skip_seed:
            seeded = None
        else:
            print(f"Indexing {args.items} items …", file=sys.stderr)
            seeded = seed(args.items, rng)
        total = api.get_backend().count()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('search_searchentry'))")
            size = cursor.fetchone()[0]

        titles = [q["title"] for q in search_corpus.load_questions()]
        from search import folding

        drawn = []
        while len(drawn) < 54:
            words = [w for w in folding.exact_tokens(rng.choice(titles)) if len(w) > 1 and not w.isdigit()]
            if len(words) >= 2:
                start = rng.randrange(0, len(words) - 1)
                drawn.append(" ".join(words[start : start + rng.choice([1, 2])]))
        queries = [q for q, _phrase in search_corpus.QUERIES] + drawn
        people = [
            None,
            Person(900001, {"public", "school:3", "org:4", "user:900001"}),
            Person(7, {"public", "school:7", "org:8", "group:2", "user:7"}),
        ]

        judged = {q for q, _phrase in search_corpus.QUERIES}

        def measure(call) -> list[tuple[str, float, int]]:
            for query in queries:  # warm-up
                for person in people:
                    call(person, query)
            timings = []
            for _round in range(args.rounds):
                for query in queries:
                    for person in people:
                        t0 = time.perf_counter()
                        matches = call(person, query)
                        timings.append((query, (time.perf_counter() - t0) * 1000, matches))
            return timings

        def full_search(person, query):
            return api.search_documents(person, query, per_page=20).total

        load_before = os.getloadavg()
        samples = measure(full_search)
        search_ms = [ms for _q, ms, _n in samples]
        found = [n for _q, _ms, n in samples]
        autocomplete_ms = [
            ms
            for _q, ms, _n in measure(
                lambda person, query: len(api.autocomplete(person, query[: max(3, len(query) - 2)]))
            )
        ]
        load_after = os.getloadavg()
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            search_corpus.drop_postgres_database(args.database_url)

    print(
        f"\nMachine: {platform.processor() or platform.machine()}, {platform.python_version()}, PostgreSQL {server}; "
        f"{total} indexed items (table + indexes {size})"
        + (f", indexed in {seeded:.0f} s ({args.items / seeded:.0f} items/s)" if seeded else "")
    )
    print(f"{len(queries)} queries × {len(people)} people × {args.rounds} rounds after a warm-up")
    print(
        f"load average ({os.cpu_count()} CPUs) 1/5/15 min: before {' / '.join(f'{x:.1f}' for x in load_before)}, "
        f"after {' / '.join(f'{x:.1f}' for x in load_after)}"
    )
    print(f"matches per query: median {statistics.median(found):.0f}, max {max(found)}")
    for label, timings in (
        ("search (count, 8 facets, 20 hits)", search_ms),
        ("autocomplete (8 titles)", autocomplete_ms),
    ):
        print(
            f"{label:36} p50 {_percentile(timings, 0.5):6.1f} ms   p95 {_percentile(timings, 0.95):6.1f} ms   "
            f"max {max(timings):6.1f} ms   ({len(timings)} queries)"
        )
    groups = [
        ("  the 46 judged queries", [ms for q, ms, _n in samples if q in judged]),
        ("  the 54 pieces of titles", [ms for q, ms, _n in samples if q not in judged]),
        ("  queries matching < 1,000 items", [ms for _q, ms, n in samples if n < 1000]),
        ("  queries matching 1,000–10,000", [ms for _q, ms, n in samples if 1000 <= n < 10000]),
        ("  queries matching ≥ 10,000", [ms for _q, ms, n in samples if n >= 10000]),
    ]
    for label, timings in groups:
        if timings:
            print(
                f"{label:36} p50 {_percentile(timings, 0.5):6.1f} ms   p95 {_percentile(timings, 0.95):6.1f} ms   "
                f"({len(timings)} queries)"
            )
    p95 = _percentile(search_ms, 0.95)
    ok = p95 < TARGET_MS
    print(f"target: search p95 < {TARGET_MS:.0f} ms: {p95:.1f} ms {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
