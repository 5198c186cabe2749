#!/usr/bin/env python3
"""The answer save in process: what one save costs the app's Python, without HTTP, a load generator or other
processes competing for the CPUs — the figure that decides how many saves a second 2 cores can carry.

Seeds a sitting (``--students``, 40 single-choice questions; the seed of ``bench/exam_day.py``) in a PostgreSQL
database (``--database-url``, created and dropped unless ``--keep``), with sessions in Redis, under
``config.settings.production``; starts every attempt through the gateway; then calls the WSGI application
(``config.wsgi``: ``ExamSaveGateway`` in front of Django) directly with save requests as a browser sends them
(token, session and device cookies, one change each), and prints, for each way of calling it:

- ``alone``: one thread, one save after another (each a batch of one): µs of wall and CPU time a save;
- ``threads``: ``--threads`` threads, each its own students, all at once (the group commit batches them as in a
  server worker): saves a second, µs of CPU a save, the mean batch size;
- ``batch``: ``services.save_batch`` called directly with batches of ``--batch`` requests (the database part and the
  service, no gateway): µs of CPU a save;
- ``submit``: ``services.submit_attempt`` of half the attempts (40 answers each, graded; the service alone, not the
  request): µs a submission (the ``saves`` column counts submissions);
- ``submits``: ``services.submit_batch`` of the other half in batches of ``--batch`` (the gateway's group commit);
- ``shown``: what the submit's reply adds to it (``fastsave.respond_submit``): the result the page shows in place,
  read and rendered (``exams/_result.html``): µs a result (the ``saves`` column counts results);
- ``result``: the result page each student's browser opens after submitting (a GET through the WSGI application,
  session cookie only): µs a page (the ``saves`` column counts pages), and the queries of one page.

``--profile alone|threads|batch|submit|submits|shown|result`` prints the cProfile of that part (the main thread's; for
``threads`` one of the threads), the functions by own time.

    .venv/bin/python bench/save_path.py                      # ~1 minute (most of it the migration)
    .venv/bin/python bench/save_path.py --profile batch
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

import exam_day  # noqa: E402 -- the seed of the exam-day benchmark
import lesson_page as lp  # noqa: E402 -- database, environment and manage.py helpers


def _environ(path: str, body: bytes, token: str, session: str, device: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_EXAM_TOKEN": token,
        "HTTP_COOKIE": f"sessionid={session}; exams_device={device}; django_language=vi",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


class Student:
    def __init__(self, attempt: int, session: str) -> None:
        from lms.exams import fastsave

        self.attempt, self.session = attempt, session
        self.device = secrets.token_hex(16)
        self.token = fastsave.save_token(attempt, session)
        self.seq = 0
        self.slots: list[int] = []

    def call(self, app, path: str, payload: dict) -> tuple[str, dict]:
        body = json.dumps(payload).encode()
        status: list[str] = []
        chunks = app(_environ(path, body, self.token, self.session, self.device), lambda s, h: status.append(s))
        return status[0], json.loads(b"".join(chunks))

    def page(self, app, path: str) -> tuple[str, bytes]:
        environ = _environ(path, b"", "", self.session, self.device)
        environ.update(REQUEST_METHOD="GET", CONTENT_LENGTH="0")
        del environ["HTTP_X_EXAM_TOKEN"], environ["CONTENT_TYPE"]
        status: list[str] = []
        chunks = app(environ, lambda s, h: status.append(s))
        return status[0], b"".join(chunks)

    def save(self, app) -> None:
        self.seq += 1
        slot = self.slots[(self.seq - 1) % len(self.slots)]
        change = {"seq": self.seq, "slot": slot, "response": "ABCD"[self.seq % 4]}
        status, reply = self.call(app, f"/kiem-tra/bai-lam/{self.attempt}/luu/", {"changes": [change]})
        if not status.startswith("200") or reply.get("acked") != [self.seq]:
            raise SystemExit(f"save {self.seq} of attempt {self.attempt} not acknowledged: {status} {reply}")


def _measure(name: str, work, count: int, profile: str) -> dict:
    profiler = cProfile.Profile(time.thread_time) if profile == name else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    done = work()
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            int(os.environ.get("TOP", "30"))
        )
        print(out.getvalue())
    count = done or count
    return {
        "name": name,
        "saves": count,
        "wall_us": wall / count * 1e6,
        "cpu_us": cpu / count * 1e6,
        "rate": count / wall,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=64)
    parser.add_argument("--saves", type=int, default=3000, help="saves per part")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parts = ["none", "alone", "threads", "batch", "submit", "submits", "shown", "result"]
    parser.add_argument("--profile", choices=parts, default="none")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/lms_save_path_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)

    created, pg_version = lp.create_database(args.database_url)
    env = lp.django_env(args.database_url, args.redis_url, secrets.token_urlsafe(40))
    lp.flush_redis(args.redis_url)
    try:
        if created:
            lp.manage(sys.executable, ["migrate", "--noinput", "-v0"], env, timeout=600)
        lp.manage(sys.executable, ["collectstatic", "--noinput", "-v0"], env, timeout=300)  # the result page's assets
        env.update(BENCH_STUDENTS=str(args.students), BENCH_LOGIN_SAMPLE="0", BENCH_OPENS_IN="-5")
        out = lp.manage(sys.executable, ["shell", "-c", exam_day.SEED], env, timeout=600)
        seed = json.loads(out.split("BENCH_SEED ", 1)[1].splitlines()[0])
        os.environ.update(env)
        return _run(args, seed, pg_version)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            lp.drop_database(args.database_url)


def _run(args, seed: dict, pg_version: str) -> int:
    from config.wsgi import application
    from lms.exams.models import Attempt

    students = [Student(seed["attempts"][name], session) for name, session in sorted(seed["sessions"].items())]
    for student in students:
        status, reply = student.call(application, f"/kiem-tra/bai-lam/{student.attempt}/bat-dau/", {})
        if not status.startswith("200") or ("status" in reply and reply["status"] != "in_progress"):
            raise SystemExit(f"start of attempt {student.attempt}: {status} {reply}")
    layouts = {a.pk: a.variant.slots() for a in Attempt.objects.filter(sitting_id=seed["sitting"])}
    for student in students:
        student.slots = [slot["slot"] for slot in layouts[student.attempt]]
    for student in students[:8]:  # warm: caches, prepared statements
        for _ in range(10):
            student.save(application)

    results = []

    def alone() -> int:
        for n in range(args.saves):
            students[n % len(students)].save(application)
        return args.saves

    results.append(_measure("alone", alone, args.saves, args.profile))

    from lms.exams import fastsave, services

    batches = []
    original = services.save_batch

    def counting(requests):
        batches.append(len(requests))
        return original(requests)

    def threads() -> int:
        groups = [students[i :: args.threads] for i in range(args.threads)]
        per = args.saves // args.threads
        barrier = threading.Barrier(args.threads)
        profile = cProfile.Profile(time.thread_time) if args.profile == "threads" else None

        def run(group, mine) -> None:
            barrier.wait()
            if mine:
                profile.enable()
            for n in range(per):
                group[n % len(group)].save(application)
            if mine:
                profile.disable()

        pool = [threading.Thread(target=run, args=(g, profile is not None and i == 0)) for i, g in enumerate(groups)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
                int(os.environ.get("TOP", "30"))
            )
            print(out.getvalue())
        return per * args.threads

    services.save_batch = counting
    try:
        results.append(_measure("threads", threads, args.saves, "none"))
    finally:
        services.save_batch = original
    mean_batch = sum(batches) / len(batches) if batches else 0

    def batch() -> int:
        from django.contrib.auth import get_user_model

        users = {a.pk: a.student_id for a in Attempt.objects.filter(sitting_id=seed["sitting"])}
        User = get_user_model()
        done = 0
        while done < args.saves:
            chunk = students[(done // args.batch * args.batch) % len(students) :][: args.batch]
            requests = []
            for student in chunk:
                student.seq += 1
                slot = student.slots[(student.seq - 1) % len(student.slots)]
                requests.append(
                    services.SaveRequest(
                        attempt_id=student.attempt,
                        student=User(pk=users[student.attempt]),
                        changes=[{"seq": student.seq, "slot": slot, "response": "B"}],
                        ip="127.0.0.1",
                        device=student.device,
                    )
                )
            for outcome in services.save_batch(requests):
                if isinstance(outcome, BaseException) or not outcome["acked"]:
                    raise SystemExit(f"batch save refused: {outcome}")
            done += len(requests)
        return done

    results.append(_measure("batch", batch, args.saves, args.profile))

    half = len(students) // 2
    # each exam code's questions are parsed for grading once per process (``services._grading_slots``); a server
    # worker has done it by the time a room submits, so it is done here before the submits are timed
    for variant in {
        a.variant_id: a.variant
        for a in Attempt.objects.filter(pk__in=[s.attempt for s in students]).select_related("variant")
    }.values():
        services._grading_slots(variant)

    def submit() -> int:
        for student in students[:half]:
            services.submit_attempt(attempt=Attempt(pk=student.attempt), ip="127.0.0.1")
        return half

    results.append(_measure("submit", submit, half, args.profile))

    def submit_batch() -> int:
        rest = students[half:]
        for start in range(0, len(rest), args.batch):
            chunk = rest[start : start + args.batch]
            requests = [services.SubmitRequest(attempt_id=s.attempt, ip="127.0.0.1") for s in chunk]
            for outcome in services.submit_batch(requests):
                if isinstance(outcome, BaseException):
                    raise SystemExit(f"submit refused: {outcome}")
        return len(rest)

    results.append(_measure("submits", submit_batch, len(students) - half, args.profile))

    from django.db import transaction

    with transaction.atomic():  # the attempts as the submit locks and grades them (sittings, codes, graded answers)
        locked = list(services._lock_attempts([s.attempt for s in students]).values())
        services._grade_attempts(locked)

    def shown() -> int:
        from django.template.loader import render_to_string
        from django.utils import translation

        from lms.exams import fastsave, views

        with translation.override("vi"):
            for n in range(pages):  # what fastsave.respond_submit adds to the submit
                attempt = locked[n % len(locked)]
                heading = fastsave._heading_and_rules(attempt.sitting)  # read once a minute per sitting
                shown = views.result_context(attempt, heading, attempt.graded_answers)
                html = render_to_string("exams/_result.html", shown)
                if 'data-testid="score"' not in html:
                    raise SystemExit(f"no score in the result of attempt {attempt.pk}")
        return pages

    pages = max(args.saves // 10, len(students))
    results.append(_measure("shown", shown, pages, args.profile))

    from django.db import connection

    def result_page(student) -> None:
        status, body = student.page(application, f"/kiem-tra/bai-lam/{student.attempt}/ket-qua/")
        if not status.startswith("200") or "Đã nộp".encode() not in body:
            raise SystemExit(f"result page of attempt {student.attempt}: {status}")

    result_page(students[0])  # warm: templates, translations
    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):  # (Django's query log is reset at each request's start)
        result_page(students[1])

    def result() -> int:
        for n in range(pages):
            result_page(students[n % len(students)])
        return pages

    results.append(_measure("result", result, pages, args.profile))
    del fastsave  # (imported for the profile's names)

    print(f"\nPostgreSQL {pg_version}, {len(students)} students, {args.saves} saves a part, code {lp.code_version()}")
    print(f"{'part':<10}{'saves':>8}{'saves/s':>10}{'wall µs/save':>14}{'CPU µs/save':>13}")
    for r in results:
        print(f"{r['name']:<10}{r['saves']:>8}{r['rate']:>10.0f}{r['wall_us']:>14.0f}{r['cpu_us']:>13.0f}")
    print(f"threads: {args.threads}, mean batch {mean_batch:.1f} requests; batch: {args.batch} requests a call")
    print(f"result: {len(queries)} queries a page")
    if os.environ.get("QUERIES"):
        for query in queries:
            print(f"  {query[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
