#!/usr/bin/env python3
"""Time and peak memory of importing generated question files: 10,000 GIFT questions and a 500-question Word exam
(and a 2,000-question one for the memory figures).

A script, not a test: ``.venv/bin/python bench/import_questions.py`` (see bench/README.md). For each file it runs,
each in a fresh Python process so that one measurement's memory does not leak into the next:

1. **read** — parse the whole file into the intermediate representation (what ``import_questions --dry-run`` and the
   import preview do; every question is held, for the preview);
2. **read + save** — what the background import task does (``save_import_stream``, all-or-nothing): read and validate
   every question, then read again and save them in batches of 500 in one transaction, on a freshly migrated
   database (SQLite in a temporary file unless ``--database-url``).

It prints wall time and questions per second (from a run without ``tracemalloc``, which slows Python down several
times), the peak of Python allocations (``tracemalloc``, from a second run) and the process's peak
resident set size, and the same for a file one tenth the size, so that the growth of memory with the number of
questions can be read off (per-question cost, not a constant). Target: each full import under 60 s.
Exit status: 0 target met, 1 missed, 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
TARGET_SECONDS = 60.0

STEMS = [
    r"Cho hàm số \(y = x^{2} - {a}x + {b}\). Giá trị nhỏ nhất của hàm số là",
    r"Nghiệm của phương trình \(2^{{x}} = {c}\) là",
    "Thủ đô của nước Cộng hoà Xã hội Chủ nghĩa Việt Nam là thành phố nào? (câu {n})",
    r"Tính \(\int_0^{a} x\,dx\) (câu {n})",
]


def gift_file(count: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    out = []
    for n in range(1, count + 1):
        a, b, c = rnd.randint(1, 9), rnd.randint(1, 9), rnd.choice([2, 4, 8, 16])
        stem = rnd.choice(STEMS).replace("{a}", str(a)).replace("{b}", str(b)).replace("{c}", str(c))
        stem = stem.replace("{n}", str(n)).replace("{", "\\{").replace("}", "\\}")
        kind = n % 6
        if n % 100 == 1:
            out.append(f"$CATEGORY: $course$/Toán 10/Chương {n // 100 + 1}")
        if kind == 0:
            body = "{\n=đáp án đúng#Chính xác\n~phương án sai 1#Chưa đúng\n~phương án sai 2\n~phương án sai 3\n}"
        elif kind == 1:
            body = "{~%50%hai ~%50%bốn ~%-100%ba ~%-100%năm}"
        elif kind == 2:
            body = "{TRUE#Sai rồi#Đúng rồi}"
        elif kind == 3:
            body = "{=Hà Nội =%50%HN}"
        elif kind == 4:
            body = f"{{#{a}.5:0.1}}"
        else:
            body = "{=Hà Nội -> Việt Nam =Paris -> Pháp =Tokyo -> Nhật Bản}"
        out.append(f"::Câu {n}::[html]{stem}{body}")
    return "\n\n".join(out) + "\n"


def docx_file(count: int, seed: int = 11) -> bytes:
    """A Vietnamese-layout exam (PHẦN I/II/III) written by the project's exporter, with a picture every tenth
    question."""
    sys.path.insert(0, str(ROOT))
    from decimal import Decimal

    from lms.assessments.exporters import docx as docx_export
    from lms.assessments.ir import Choice, NumericAnswer, QType, Question, Statement

    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c636000000200010005"
        "fe02fea7d6a4510000000049454e44ae426082"
    )
    rnd = random.Random(seed)
    questions = []
    for n in range(1, count + 1):
        a = rnd.randint(1, 9)
        picture = f' <img src="@@PLUGINFILE@@/hinh{n}.png" alt="">' if n % 10 == 0 else ""
        media = {f"hinh{n}.png": png} if picture else {}
        if n % 3 == 0:
            q = Question(
                type=QType.TF4,
                stem=rf"Cho hàm số \(y = x^2 - {a}x\) (câu {n}).{picture}",
                statements=[Statement(x, f"Mệnh đề {x} của câu {n}.", rnd.random() < 0.5) for x in "abcd"],
                media=media,
            )
        elif n % 3 == 1:
            right = rnd.randrange(4)
            q = Question(
                type=QType.SINGLE,
                stem=rf"Giá trị của \(\frac{{{a}}}{{2}}\) là (câu {n}){picture}",
                choices=[Choice("ABCD"[i], f"{a * (i + 1)},5", i == right) for i in range(4)],
                points=Decimal("0.25"),
                solution=f"Chọn {'ABCD'[right]}.",
                media=media,
            )
        else:
            q = Question(
                type=QType.NUMERIC,
                stem=f"Tính {a} − 2,5 (câu {n}).{picture}",
                numeric=[NumericAnswer(Decimal(a) - Decimal("2.5"))],
                answer_sheet="THPT2025",
                points=Decimal("0.5"),
                media=media,
            )
        questions.append(q.normalise())
    return docx_export.export(questions)


# ------------------------------------------------------------------------------------------------------ child
def child(args) -> None:
    """One measurement, in its own process. Prints one JSON line."""
    import tracemalloc

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production: no query log growing with every saved question
    from lms.assessments.importers import import_bytes

    data = Path(args.file).read_bytes()
    bank = author = None
    if args.save:
        from lms.assessments import services
        from lms.schools import api as schools_api

        organisation = schools_api.get_or_create_organisation(
            kind=schools_api.OrganisationKind.choices[0][0], name="Sở GD&ĐT Bench", code=f"so-bench{os.getpid()}"
        )
        school = schools_api.get_or_create_school(
            code=f"bench{os.getpid()}",
            name=f"Trường THPT Bench {os.getpid()}",
            level=schools_api.SchoolLevel.UPPER_SECONDARY,
            organisation=organisation,
        )
        group = schools_api.get_or_create_subject_group(school=school, name="Tổ Toán", code="toan")
        bank = services.create_bank(subject_group=group, name=f"Bench {os.getpid()}")
        from django.contrib.auth import get_user_model

        author = get_user_model().objects.create(username=f"bench{os.getpid()}")
    if args.trace:
        tracemalloc.start()
    start = time.perf_counter()
    if args.save:
        from lms.assessments import services

        report = services.save_import_stream(data, bank=bank, author=author, name=args.file, fmt=args.format)
        questions, errors, saved = report.count, len(report.errors), report.saved
    else:
        result = import_bytes(data, name=args.file, fmt=args.format)
        questions, errors, saved = len(result.questions), len(result.errors), 0
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if args.trace else 0
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "questions": questions,
                "errors": errors,
                "saved": saved,
                "total_s": round(elapsed, 2),
                "peak_py_mb": round(peak / 2**20, 1),
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def measure(path: Path, fmt: str, save: bool, env: dict) -> dict:
    """Time from a run without tracemalloc (which slows Python down several times), memory from a second run
    with it."""
    timed = _measure_once(path, fmt, save, env, trace=False)
    traced = _measure_once(path, fmt, save, env, trace=True)
    return {**timed, "peak_py_mb": traced["peak_py_mb"]}


def _measure_once(path: Path, fmt: str, save: bool, env: dict, *, trace: bool) -> dict:
    cmd = [str(VENV_PYTHON), __file__, "--child", str(path), "--format", fmt] + (["--save"] if save else [])
    cmd += ["--trace"] if trace else []
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False, cwd=ROOT)  # noqa: S603 (this script, fixed arguments)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gift", type=int, default=10_000, help="GIFT questions to generate (default 10000)")
    parser.add_argument("--docx", type=int, default=500, help="Word questions to generate (default 500)")
    parser.add_argument(
        "--docx-large", type=int, default=2000, help="a larger Word exam for the memory figures (default 2000; 0: none)"
    )
    parser.add_argument("--database-url", help="database for the save runs (default: a temporary SQLite file)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--save", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.file = args.child
        child(args)
        return 0
    if Path(sys.executable).resolve() != VENV_PYTHON.resolve() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])  # noqa: S606 (re-run under the virtualenv)

    tmp = Path(tempfile.mkdtemp(prefix="qbank-bench-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "PYTHONPATH": str(ROOT)}
    env["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    env["MEDIA_ROOT"] = str(tmp / "media")
    files = []
    for count in (args.gift // 10, args.gift) if args.gift else ():  # --gift 0: Word only
        path = tmp / f"bench-{count}.gift"
        path.write_text(gift_file(count), encoding="utf-8")
        files.append((path, "gift", count))
    for count in (args.docx // 10, args.docx, *([args.docx_large] if args.docx_large > args.docx else [])):
        path = tmp / f"bench-{count}.docx"
        path.write_bytes(docx_file(count))
        files.append((path, "docx", count))
    created = _create_postgres_database(args.database_url) if args.database_url else False
    try:
        return _run(args, env, files)
    finally:
        if created:
            _drop_postgres_database(args.database_url)


def _admin_connection(url: str):
    import psycopg

    parsed = urllib.parse.urlsplit(url)
    return parsed.path.lstrip("/"), psycopg.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, password=parsed.password,
        dbname="postgres", autocommit=True, connect_timeout=10,
    )  # fmt: skip


def _create_postgres_database(url: str) -> bool:
    """Create the bench database when it does not exist (it is then dropped at the end)."""
    if not url.startswith(("postgres://", "postgresql://")):
        return False
    name, conn = _admin_connection(url)
    with conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def _drop_postgres_database(url: str) -> None:
    name, conn = _admin_connection(url)
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _run(args, env: dict, files: list) -> int:
    print(
        f"machine: {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · database {env['DATABASE_URL'].split(':')[0]}"
    )
    start = time.perf_counter()
    migrate = subprocess.run(  # noqa: S603 (our own manage.py)
        [str(VENV_PYTHON), "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    if migrate.returncode != 0:
        print(migrate.stderr[-2000:])
        return 2
    print(f"migrated the bench database in {time.perf_counter() - start:.1f} s (not counted)")
    header = f"{'file':<22}{'questions':>10}{'step':>14}{'seconds':>10}{'q/s':>9}{'py peak MB':>12}{'RSS MB':>9}"
    print(header)
    print("-" * len(header))
    ok = True
    rows = []
    for path, fmt, count in files:
        for save in (False, True):
            try:
                m = measure(path, fmt, save, env)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(f"{path.name}: failed: {exc}")
                return 2
            if m["questions"] != count or m["errors"]:
                print(f"{path.name}: read {m['questions']} of {count} questions, {m['errors']} errors")
                return 2
            step = "read + save" if save else "read"
            rate = m["questions"] / m["total_s"] if m["total_s"] else float("inf")
            print(
                f"{path.name:<22}{m['questions']:>10}{step:>14}{m['total_s']:>10.2f}{rate:>9.0f}"
                f"{m['peak_py_mb']:>12.1f}{m['maxrss_mb']:>9.1f}"
            )
            rows.append((path.name, count, save, m))
            if count in (args.gift, args.docx) and m["total_s"] >= TARGET_SECONDS:
                ok = False
    for fmt_rows in ([r for r in rows if r[0].endswith(".gift")], [r for r in rows if r[0].endswith(".docx")]):
        if not fmt_rows:
            continue
        for save in (False, True):
            sizes = [r[1] for r in fmt_rows]
            small = next(r[3] for r in fmt_rows if r[2] == save and r[1] == min(sizes))
            large = next(r[3] for r in fmt_rows if r[2] == save and r[1] == max(sizes))
            extra = max(1, large["questions"] - small["questions"])
            growth = (large["peak_py_mb"] - small["peak_py_mb"]) * 1024 / extra
            print(
                f"{fmt_rows[0][0].rsplit('.', 1)[-1]:>5} {'read + save' if save else 'read':<12} Python peak "
                f"{small['peak_py_mb']} MB for {small['questions']} → {large['peak_py_mb']} MB for "
                f"{large['questions']} questions (~{growth:.1f} KB per extra question, the file itself included)"
            )
    print(f"target: each full import < {TARGET_SECONDS:.0f} s … {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
