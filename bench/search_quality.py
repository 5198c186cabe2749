"""Search quality: recall@10 and nDCG@10 of the search app on Vietnamese exam questions, per backend.

A script, not a test (see bench/README.md)::

    .venv/bin/python bench/search_quality.py                      # SQLite (a temporary file)
    .venv/bin/python bench/search_quality.py --postgres postgres://postgres@127.0.0.1:5432/lms_search_quality
    ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/python bench/search_quality.py   # adds Elasticsearch

Corpus: the 346 questions of the VNHSGE 2023 graduation-exam files in ../shared/fixtures/datasets/vnhsge/ (stem
and options as the summary, the worked solution as the body, LaTeX kept as text), indexed as public questions
through the same ``search.api`` the site uses. Queries: the 46 of bench/search_corpus.py (18 typed without
diacritics, 3 of them with Telex leftovers or a slip), each judged by a phrase with its diacritics that a relevant
question contains. recall@10 = relevant found in the first 10 / min(relevant, 10); nDCG@10 with binary gains.
Target: recall@10 ≥ 0.9 on every backend. Exit status 0 when met, 1 when missed, 2 when the run failed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_corpus

TARGET = 0.9


def _worker(database_url: str, backend: str) -> dict:
    env = {}
    if backend == "database":
        env["ELASTICSEARCH_URL"] = ""
    search_corpus.setup_django(database_url, env=env)
    from django.conf import settings

    from search import api
    from search.query import IndexDocument

    if backend == "database":
        settings.SEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database.DatabaseSearchBackend"}}
    else:
        settings.SEARCH_BACKENDS = {
            "default": {
                "BACKEND": "search.backends.elasticsearch.ElasticsearchSearchBackend",
                "URLS": [os.environ["ELASTICSEARCH_URL"]],
                "INDEX": f"bench_search_quality_{os.getpid()}",
                "REFRESH": True,
            }
        }
    search_corpus.migrate_quietly()
    engine = api.get_backend()
    engine.setup()
    engine.clear()
    questions = search_corpus.load_questions()
    started = time.perf_counter()
    engine.index(
        IndexDocument(
            source="question",
            key=q["id"],
            object_id=q["id"],
            title=q["title"],
            summary=q["summary"],
            body=q["body"],
            kind="question",
            subject=q["subject"],
            grade=12,
            status="published",
            sharing="public",
            access=["public"],
        )
        for q in questions
    )
    indexing = time.perf_counter() - started
    rows = []
    for text, phrase in search_corpus.QUERIES:
        relevant = search_corpus.judged_relevant(questions, phrase)
        t0 = time.perf_counter()
        results = api.search_documents(None, text, per_page=10, facets=())
        elapsed = (time.perf_counter() - t0) * 1000
        ranked = [hit.key for hit in results.hits]
        hits = [1 if key in relevant else 0 for key in ranked[:10]]
        ideal = min(len(relevant), 10)
        recall = sum(hits) / ideal if ideal else 1.0
        dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
        idcg = sum(1 / math.log2(i + 2) for i in range(ideal))
        rows.append(
            {
                "query": text,
                "relevant": len(relevant),
                "found": sum(hits),
                "recall": recall,
                "ndcg": dcg / idcg if idcg else 1.0,
                "ms": elapsed,
                "diacritics": not text.isascii(),
            }
        )
    if backend == "elasticsearch":
        engine.client.indices.delete(index=engine.index_name, ignore_unavailable=True)
    from django.db import connection

    return {
        "backend": backend,
        "database": connection.vendor,
        "documents": len(questions),
        "indexing_s": indexing,
        "rows": rows,
    }


def _mean(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _print(report: dict, *, verbose: bool) -> None:
    rows = report["rows"]
    plain = [r for r in rows if not r["diacritics"]]
    print(
        f"\n== {report['label']}: {report['documents']} documents indexed in {report['indexing_s']:.1f} s, "
        f"{len(rows)} queries ({len(plain)} without diacritics)"
    )
    print(f"   recall@10 {_mean(r['recall'] for r in rows):.3f}   nDCG@10 {_mean(r['ndcg'] for r in rows):.3f}")
    print(
        f"   without diacritics: recall@10 {_mean(r['recall'] for r in plain):.3f}   "
        f"nDCG@10 {_mean(r['ndcg'] for r in plain):.3f}"
    )
    print(f"   query time: mean {_mean(r['ms'] for r in rows):.1f} ms, max {max(r['ms'] for r in rows):.1f} ms")
    for r in rows:
        if verbose or r["recall"] < 1.0:
            print(
                f"   {'·' if r['recall'] == 1.0 else '✗'} {r['query']!r:34} "
                f"found {r['found']}/{min(r['relevant'], 10)}  recall {r['recall']:.2f}  nDCG {r['ndcg']:.2f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (created and dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--verbose", action="store_true", help="print every query")
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE_URL", "BACKEND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(*args.worker)))
        return 0

    python = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"
    python = str(python) if python.exists() else sys.executable
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        runs.append(("database on SQLite", f"sqlite:///{tmp}/search_quality.sqlite3", "database"))
        if args.postgres:
            search_corpus.ensure_postgres_database(args.postgres)
            runs.append(("database on PostgreSQL", args.postgres, "database"))
        if os.environ.get("ELASTICSEARCH_URL"):
            runs.append(("Elasticsearch", f"sqlite:///{tmp}/search_quality_es.sqlite3", "elasticsearch"))
        reports = []
        try:
            for label, url, backend in runs:
                done = subprocess.run(  # noqa: S603
                    [python, __file__, "--worker", url, backend], capture_output=True, text=True, timeout=900
                )
                if done.returncode != 0:
                    print(f"{label}: the run failed\n{done.stderr[-3000:]}", file=sys.stderr)
                    return 2
                report = json.loads(done.stdout.strip().splitlines()[-1])
                report["label"] = label
                reports.append(report)
                _print(report, verbose=args.verbose)
        finally:
            if args.postgres and not args.keep:
                search_corpus.drop_postgres_database(args.postgres)
    print()
    met = True
    for report in reports:
        recall = _mean(r["recall"] for r in report["rows"])
        ok = recall >= TARGET
        met &= ok
        print(f"target recall@10 ≥ {TARGET}: {report['label']}: {recall:.3f} {'PASS' if ok else 'FAIL'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
