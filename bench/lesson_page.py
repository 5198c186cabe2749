#!/usr/bin/env python3
"""Throughput and latency of a published lesson page, served by gunicorn on PostgreSQL, cached and uncached.

A script, not a test: ``.venv/bin/python bench/lesson_page.py`` (see bench/README.md). It

1. creates its own PostgreSQL database (``--database-url``; dropped at the end unless ``--keep``), migrates it, seeds
   the demo school and collects the static files, all with the production settings;
2. makes one demo lesson public (anonymous scenarios) and keeps another school-only (logged-in student);
3. for each server layout (``--servers``) starts gunicorn twice on a free port of 127.0.0.1: once with Django's dummy
   cache (uncached) and once with Redis (cached), logs the demo student in through the login form, checks every
   scenario's response (status 200 and the lesson title), warms up and measures with ``wrk`` (or a Python load
   generator when wrk is missing);
4. prints the machine, a table (req/s, p50, p95, p99, errors) and the target line ``target: ≥ 500 req/s cached``.

All traffic goes to 127.0.0.1; every run and wait is bounded in time. Exit status: 0 target met, 1 target missed,
2 the benchmark could not run (setup failed or a response was wrong).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lms_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
# django-environ knows "dummycache://" (not "dummy://"): config.settings.components.caches() hands it to
# environ.Env.cache_url_config, which maps it to django.core.cache.backends.dummy.DummyCache.
DUMMY_CACHE_URL = "dummycache://"
TARGET_RPS = 500
OTHER_CPU_WARNING = 0.10

# wrk prints 50/75/90/99 % with --latency but no 95 %: this report-only hook (no per-request Lua, so the request
# path stays as fast as a plain invocation) prints the whole summary once, at the end, as JSON.
WRK_REPORT_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_WRK {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, "connect": %.0f, "read": %.0f, ' ..
    '"write": %.0f, "status": %.0f, "timeout": %.0f, "p50_us": %.0f, "p90_us": %.0f, "p95_us": %.0f, ' ..
    '"p99_us": %.0f, "max_us": %.0f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


class BenchError(Exception):
    """The benchmark cannot go on (setup failed, a server did not start, a response was wrong)."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------------------------------
# Database and Django management commands
# ---------------------------------------------------------------------------------------------------------------------
def _admin_conninfo(database_url: str) -> tuple[str, str]:
    """(conninfo of the server's maintenance database, name of the benchmark database)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(database_url)
    name = params.get("dbname")
    if not name:
        raise BenchError(f"--database-url names no database: {database_url}")
    params["dbname"] = "postgres"
    params.setdefault("connect_timeout", "5")
    return make_conninfo(**params), str(name)


def create_database(database_url: str) -> tuple[bool, str]:
    """Create the database when missing. Returns (created now, PostgreSQL server version)."""
    import psycopg
    from psycopg import sql

    conninfo, name = _admin_conninfo(database_url)
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists:
                return False, version
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True, version
    except psycopg.OperationalError as exc:
        raise BenchError(f"cannot reach PostgreSQL ({exc}); is the server at {database_url} running?") from exc


def drop_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo, name = _admin_conninfo(database_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def django_env(database_url: str, cache_url: str, secret_key: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "AWS_STORAGE_BUCKET_NAME", "ELASTICSEARCH_URL"):
        env.pop(name, None)  # the benchmark measures the web tier alone: eager tasks, local files, database search
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secret_key,
            # production refuses to start without a key for personal IDs; a benchmark's throwaway one
            "PRIVACY_ENCRYPTION_KEYS": env.get("PRIVACY_ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def manage(python: str, args: list[str], env: dict[str, str], timeout: float) -> str:
    started = time.monotonic()
    try:
        result = subprocess.run(  # noqa: S603 (fixed arguments, our own manage.py)
            [python, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"manage.py {args[0]} took more than {timeout:.0f} s") from exc
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise BenchError(f"manage.py {args[0]} failed (exit {result.returncode}):\n{tail}")
    shown = " ".join(args) if args[0] != "shell" else "shell (find the lessons, make one public)"
    log(f"manage.py {shown}: {time.monotonic() - started:.1f} s")
    return result.stdout


# Run inside `manage.py shell -c`: finds the two lessons, makes the first public, checks the student's school.
PREPARE_LESSONS = r"""
import json, os, urllib.parse
from django.contrib.auth import get_user_model
from content.models import LessonPage
from lms.schools.api import get_schools_for_user

def path_of(page):
    return urllib.parse.urlsplit(page.get_url()).path

live = LessonPage.objects.live().order_by("pk")
public = live.filter(title=os.environ["BENCH_PUBLIC_TITLE"]).first()
if public is None:
    raise SystemExit("no published lesson titled %r; published: %r" % (
        os.environ["BENCH_PUBLIC_TITLE"], list(live.values_list("title", flat=True))))
LessonPage.objects.filter(pk=public.pk).update(sharing="public")
student = get_user_model().objects.get(username=os.environ["BENCH_STUDENT"])
school_ids = set(get_schools_for_user(student).values_list("id", flat=True))
private = live.filter(title=os.environ["BENCH_STUDENT_TITLE"]).exclude(pk=public.pk).first()
note = ""
if private is None or private.school_id not in school_ids:
    private = live.exclude(pk=public.pk).filter(school_id__in=school_ids).first()
    wanted = os.environ["BENCH_STUDENT_TITLE"]
    note = "lesson %r not in the student's school; using %r" % (wanted, private and private.title)
if private is None:
    raise SystemExit("no other published lesson in the school of %s" % student.username)
LessonPage.objects.filter(pk=private.pk).update(sharing="school")
print("BENCH_JSON=" + json.dumps({
    "public": {"pk": public.pk, "title": public.title, "path": path_of(public)},
    "private": {"pk": private.pk, "title": private.title, "path": path_of(private)},
    "note": note,
}))
"""


def prepare_lessons(python: str, env: dict[str, str], args: argparse.Namespace) -> dict:
    env = {
        **env,
        "BENCH_PUBLIC_TITLE": args.lesson_title,
        "BENCH_STUDENT_TITLE": args.student_lesson_title,
        "BENCH_STUDENT": args.student,
    }
    out = manage(python, ["shell", "-c", PREPARE_LESSONS], env, timeout=120)
    for line in out.splitlines():
        if line.startswith("BENCH_JSON="):
            return json.loads(line.removeprefix("BENCH_JSON="))
    raise BenchError(f"could not find the lessons; manage.py shell printed:\n{out[-2000:]}")


def flush_redis(redis_url: str) -> str:
    """Empty the benchmark's Redis database (what Django's cache.clear() does); returns Redis' version."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=5)
    try:
        client.flushdb()
        return str(client.info("server").get("redis_version", "?"))
    except redis.RedisError as exc:
        raise BenchError(f"cannot reach Redis at {redis_url} ({exc})") from exc
    finally:
        client.close()


# ---------------------------------------------------------------------------------------------------------------------
# HTTP: one checked request, login
# ---------------------------------------------------------------------------------------------------------------------
@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    wire_bytes: int  # status line + headers + body, to compare with wrk's bytes per request


def fetch(port: int, path: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        head = len(f"HTTP/1.1 {resp.status} {resp.reason}\r\n") + len(str(resp.headers).encode()) + 2
        return Response(resp.status, resp.headers, data, head + len(data))
    finally:
        conn.close()


def cookies_of(response: Response) -> dict[str, str]:
    jar: dict[str, str] = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        jar.update({name: morsel.value for name, morsel in parsed.items()})
    return jar


def login(port: int, username: str, password: str) -> str:
    """Log in through /tai-khoan/dang-nhap/ like a browser (CSRF cookie + form token); returns the Cookie header."""
    page = fetch(port, "/tai-khoan/dang-nhap/")
    if page.status != 200:
        raise BenchError(f"login page answered {page.status}")
    jar = cookies_of(page)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if not token or "csrftoken" not in jar:
        raise BenchError("login page has no CSRF token")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": password, "next": ""}
    ).encode()
    # Plain HTTP and no Origin/Referer header: Django checks the token against the cookie only.
    answer = fetch(
        port,
        "/tai-khoan/dang-nhap/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
        },
    )
    jar.update(cookies_of(answer))
    if answer.status != 302 or "sessionid" not in jar:
        raise BenchError(f"login of {username} failed: status {answer.status}, cookies {sorted(jar)}")
    return f"sessionid={jar['sessionid']}; csrftoken={jar['csrftoken']}"


# ---------------------------------------------------------------------------------------------------------------------
# Scenarios and load generation
# ---------------------------------------------------------------------------------------------------------------------
@dataclass
class Scenario:
    key: str
    label: str
    path: str
    cookie: str | None = None
    must_contain: str | None = None  # text the 200 response must hold (the lesson title)
    logged_in: bool = False  # the page must show the logout link
    expected_bytes: int = 0
    cache_header: str = ""

    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie} if self.cookie else {}


@dataclass
class Result:
    scenario: Scenario
    server: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    error_detail: str = ""
    notes: list[str] = field(default_factory=list)
    tool: str = ""
    other_cpu: float | None = None  # share of the CPUs other work used during the measurement


def check(port: int, scenario: Scenario, when: str) -> Response:
    """One request whose answer must be right: 200, the lesson's title, the student logged in."""
    resp = fetch(port, scenario.path, headers=scenario.headers())
    problems = []
    if resp.status != 200:
        problems.append(f"status {resp.status} (Location: {resp.headers.get('Location')})")
    text = resp.body.decode("utf-8", "replace")
    if scenario.must_contain and scenario.must_contain not in text:
        problems.append(f"no {scenario.must_contain!r} in the page")
    if scenario.logged_in and "/tai-khoan/dang-xuat/" not in text:
        problems.append("the page does not show the student as logged in")
    if problems:
        raise BenchError(f"{scenario.label} ({scenario.path}), {when}: " + "; ".join(problems))
    return resp


def wrk_run(wrk: str, lua: Path, port: int, scenario: Scenario, duration: float, args) -> dict:
    cmd = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{max(1, round(duration))}s", "--latency"]
    cmd += ["--timeout", "10s", "-s", str(lua)]
    for name, value in scenario.headers().items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{scenario.path}")
    try:
        result = subprocess.run(  # noqa: S603 (wrk found by shutil.which, fixed arguments)
            cmd, capture_output=True, text=True, timeout=duration + 30, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish within {duration + 30:.0f} s") from exc
    match = re.search(r"^BENCH_WRK (\{.*\})$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not match:
        raise BenchError(f"wrk failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    stats = json.loads(match.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    stats["non2xx_text"] = int(non2xx.group(1)) if non2xx else 0
    return stats


def python_run(port: int, scenario: Scenario, duration: float, connections: int) -> dict:
    """Fallback load generator: one thread per connection, http.client with keep-alive where the server allows it.

    It shares the CPUs with the server and holds the GIL, so it understates what the server can do."""
    deadline = time.monotonic() + duration
    marker = scenario.must_contain.encode() if scenario.must_contain else None
    per_thread: list[dict] = []
    lock = threading.Lock()
    max_requests_per_thread = 1_000_000  # a bound on top of the deadline

    def worker() -> None:
        latencies: list[float] = []
        errors = bad = nbytes = 0
        conn = None
        for _ in range(max_requests_per_thread):
            if time.monotonic() >= deadline:
                break
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            started = time.perf_counter()
            try:
                conn.request("GET", scenario.path, headers=scenario.headers())
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = None
                continue
            latencies.append(time.perf_counter() - started)
            nbytes += len(body)
            if resp.status != 200 or (marker and marker not in body):
                bad += 1
            if resp.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            per_thread.append({"latencies": latencies, "errors": errors, "bad": bad, "bytes": nbytes})

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 30)
    elapsed = time.monotonic() - started
    latencies = sorted(x for t in per_thread for x in t["latencies"])

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[max(0, min(len(latencies), math.ceil(p / 100 * len(latencies))) - 1)] * 1e6  # nearest rank

    return {
        "requests": len(latencies),
        "duration_us": elapsed * 1e6,
        "bytes": sum(t["bytes"] for t in per_thread),
        "connect": sum(t["errors"] for t in per_thread),
        "read": 0,
        "write": 0,
        "status": sum(t["bad"] for t in per_thread),
        "timeout": 0,
        "p50_us": pct(50),
        "p90_us": pct(90),
        "p95_us": pct(95),
        "p99_us": pct(99),
        "max_us": latencies[-1] * 1e6 if latencies else 0,
        "non2xx_text": 0,
        "body_only": True,
    }


class CpuMeter:
    """How much CPU *other* work used while a scenario was measured.

    Busy time of all CPUs (/proc/stat) minus the benchmark's own: gunicorn (its process group), the PostgreSQL
    backends of the benchmark database, Redis, the load generator and this script. What is left is someone else's
    (a test suite, a browser), taken from the server and the load generator alike."""

    def __init__(self, server_pgid: int, dbname: str) -> None:
        self.pgid = server_pgid
        self.dbname = dbname
        self.tick = os.sysconf("SC_CLK_TCK")

    def _ours(self) -> float:
        ticks = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                pgrp, utime, stime = int(fields[2]), int(fields[11]), int(fields[12])
                if pgrp != self.pgid:
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    ours = cmdline.startswith("redis-server") or (
                        cmdline.startswith("postgres:") and f" {self.dbname} " in cmdline
                    )
                    if not ours:
                        continue
                ticks += utime + stime
            except (OSError, ValueError, IndexError):
                continue  # a process that ended meanwhile
        children = os.times()
        return ticks / self.tick + children.children_user + children.children_system + children.user + children.system

    @staticmethod
    def _busy() -> float:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> CpuMeter:
        self.other = None
        try:
            self._start = (time.monotonic(), self._busy(), self._ours())
        except (OSError, ValueError):
            self._start = None
        return self

    def __exit__(self, *exc) -> None:
        if self._start is None or exc[0] is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            wall, busy, ours = time.monotonic(), self._busy(), self._ours()
            capacity = (wall - self._start[0]) * len(os.sched_getaffinity(0))
            other = (busy - self._start[1]) - (ours - self._start[2])
            self.other = max(0.0, other / capacity) if capacity > 0 else None


def measure(port: int, scenario: Scenario, server: Server, args, wrk: str | None, lua: Path, dbname: str) -> Result:
    first = check(port, scenario, "before the run")
    second = check(port, scenario, "second request")
    scenario.expected_bytes = second.wire_bytes
    scenario.cache_header = second.headers.get("X-Page-Cache", "")

    def run(duration: float) -> dict:
        if wrk:
            return wrk_run(wrk, lua, port, scenario, duration, args)
        return python_run(port, scenario, duration, args.connections)

    if args.warmup > 0:
        run(args.warmup)
    with CpuMeter(server.proc.pid, dbname) as meter:
        stats = run(args.duration)
    check(port, scenario, "after the run")

    result = Result(scenario=scenario, server=server.spec.label(), tool="wrk" if wrk else "python")
    result.other_cpu = meter.other
    result.requests = int(stats["requests"])
    result.rps = stats["requests"] / (stats["duration_us"] / 1e6) if stats["duration_us"] else 0.0
    result.p50_ms, result.p95_ms, result.p99_ms = (stats[f"p{p}_us"] / 1000 for p in (50, 95, 99))
    socket_errors = {k: int(stats[k]) for k in ("connect", "read", "write", "timeout") if stats[k]}
    result.errors = int(stats["status"]) + sum(socket_errors.values())
    detail = []
    if stats["status"]:
        detail.append(f"{int(stats['status'])} {'non-2xx' if wrk else 'wrong status/body'}")
    detail += [f"{n} {k}" for k, n in socket_errors.items()]
    result.error_detail = ", ".join(detail)
    # wrk counts a redirect as a success; bytes per request close to the checked answer's size show that the
    # measured responses were the page itself (a login redirect or an error page is far smaller or larger).
    if result.requests:
        per_request = stats["bytes"] / result.requests
        expected = len(second.body) if stats.get("body_only") else scenario.expected_bytes
        if expected and abs(per_request - expected) > 0.15 * expected:
            result.notes.append(f"mean response {per_request:.0f} B, checked one {expected} B: not all were the page")
    if scenario.cache_header:
        result.notes.append(f"X-Page-Cache: {first.headers.get('X-Page-Cache', '-')} then {scenario.cache_header}")
    return result


# ---------------------------------------------------------------------------------------------------------------------
# gunicorn
# ---------------------------------------------------------------------------------------------------------------------
@dataclass
class ServerSpec:
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> ServerSpec:
        match = re.fullmatch(r"(\d+)(?:x(\d+))?", text.strip())
        if not match:
            raise argparse.ArgumentTypeError(
                f"{text!r}: use WORKERS (sync) or WORKERSxTHREADS (gthread), e.g. 2 or 2x4"
            )
        return cls(int(match.group(1)), int(match.group(2) or 1))

    def label(self) -> str:
        return f"sync×{self.workers}" if self.threads == 1 else f"gthread {self.workers}×{self.threads}"

    def argv(self) -> list[str]:
        argv = ["--workers", str(self.workers)]
        if self.threads > 1:
            argv += ["--worker-class", "gthread", "--threads", str(self.threads)]
        return argv


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, spec: ServerSpec, env: dict[str, str], log_path: Path, gunicorn: str) -> None:
        self.spec = spec
        self.port = free_port()
        self.log_path = log_path
        argv = [gunicorn, "config.wsgi:application", *spec.argv(), "--bind", f"127.0.0.1:{self.port}"]
        help_text = subprocess.run(  # noqa: S603
            [gunicorn, "--help"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
        if "--no-control-socket" in help_text:
            # gunicorn ≥ 25 opens ~/.gunicorn/gunicorn.ctl by default: leave a developer's own server's socket alone.
            argv.append("--no-control-socket")
        self._log = log_path.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 (gunicorn from our virtualenv, fixed arguments)
            argv, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException, ValueError):
                # With the dummy cache /healthz answers 503 (its cache check reads nothing back): ready once it
                # answers and the database check passed.
                answer = fetch(self.port, "/healthz")
                if json.loads(answer.body)["checks"]["database"]["ok"]:
                    return
            time.sleep(0.25)
        raise BenchError(f"gunicorn did not answer /healthz (database ok) within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the master and its workers only
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log.close()


# ---------------------------------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------------------------------
def machine_facts(python: str, pg_version: str, redis_version: str, wrk: str | None) -> dict[str, str]:
    def run(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False, cwd=ROOT)  # noqa: S603
            return (out.stdout or out.stderr).strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"

    cpu = "?"
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else "?"
    versions = run(
        [
            python,
            "-c",
            "import sys, importlib.metadata as m; print(sys.version.split()[0], *(m.version(p) for p in "
            "('django', 'wagtail', 'gunicorn', 'psycopg')))",
        ]
    ).split()
    versions += ["?"] * (5 - len(versions))
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "host": platform.node(),
        "cpu": f"{os.cpu_count()} × {cpu} (nproc {len(os.sched_getaffinity(0))})",
        "memory": _memory(),
        "os": platform.platform(),
        "python": versions[0],
        "django / wagtail": f"{versions[1]} / {versions[2]}",
        "gunicorn / psycopg": f"{versions[3]} / {versions[4]}",
        "postgresql": pg_version,
        "redis": redis_version,
        "load generator": (run([wrk, "-v"]).splitlines() or ["wrk"])[0].split(" Copyright")[0] if wrk else "python",
    }


def code_version() -> str:
    """The commit measured (read when the run starts: the servers import the code then)."""
    git = shutil.which("git")
    if not git or not (ROOT / ".git").exists():
        return "not a git checkout"
    # Read-only; GIT_OPTIONAL_LOCKS=0 keeps git from refreshing the index.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    out = subprocess.run(  # noqa: S603
        [git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )
    diff = subprocess.run([git, "diff", "--quiet", "HEAD"], cwd=ROOT, env=env, check=False)  # noqa: S603
    state = {0: "clean", 1: "uncommitted changes"}.get(diff.returncode, "?")
    return f"{out.stdout.strip() or '?'} ({state})"


def cpu_busy(seconds: float = 1.0) -> float | None:
    """Share of all CPUs busy over ``seconds`` (from /proc/stat), or None where there is no /proc."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]), idle

    try:
        total1, idle1 = sample()
        time.sleep(seconds)
        total2, idle2 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle2 - idle1) / max(1, total2 - total1)


def _memory() -> str:
    with contextlib.suppress(OSError, AttributeError, ValueError):
        found = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
        return f"{int(found.group(1)) / 1024 / 1024:.1f} GiB"
    return "?"


def print_report(facts: dict[str, str], results: list[Result], args, elapsed: float) -> bool:
    print()
    print("Machine")
    width = max(len(k) for k in facts)
    for key, value in facts.items():
        print(f"  {key.ljust(width)}  {value}")
    print()
    generator = f"{args.threads} wrk threads" if results and results[0].tool == "wrk" else "Python threads"
    print(
        f"Load: {args.connections} connections, {generator}, {args.duration:.0f} s per scenario "
        f"after {args.warmup:.0f} s of warm-up; all on 127.0.0.1 (load generator and server share the CPUs)."
    )
    print()
    header = (
        f"{'scenario':<38} {'server':<14} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'other CPU':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.scenario.label:<38} {r.server:<14} {r.rps:>8.1f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.errors:>7d} {'?' if r.other_cpu is None else f'{r.other_cpu:.0%}':>9}"
        )
    notes = [(r, n) for r in results for n in ([r.error_detail] if r.error_detail else []) + r.notes]
    disturbed = [r for r in results if r.other_cpu is not None and r.other_cpu > OTHER_CPU_WARNING]
    if disturbed:
        print(
            f"\nWARNING: other work used more than {OTHER_CPU_WARNING:.0%} of the CPUs during "
            f"{len(disturbed)} of {len(results)} measurements ('other CPU'): those figures understate this machine; "
            "run again when it is quiet."
        )
    if notes:
        print()
        for r, note in notes:
            print(f"  {r.scenario.label} [{r.server}]: {note}")
    print()
    passed = True
    for server in dict.fromkeys(r.server for r in results):
        cached = [r for r in results if r.server == server and r.scenario.key == "anon-cached"]
        if not cached:
            continue
        ok = cached[0].rps >= TARGET_RPS and cached[0].errors == 0
        passed &= ok
        student = [r for r in results if r.server == server and r.scenario.key == "student-cached"]
        extra = f"; logged-in student, cached: {student[0].rps:.0f} req/s (information)" if student else ""
        print(
            f"target: ≥ {TARGET_RPS} req/s cached — anonymous lesson, Redis, {server}: {cached[0].rps:.0f} req/s "
            f"→ {'PASS' if ok else 'FAIL'}{extra}"
        )
    print(f"\nWhole run: {elapsed:.0f} s.")
    return passed


# ---------------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help=f"cache of the cached runs; FLUSHED (default {DEFAULT_REDIS_URL})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per scenario (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per scenario (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--servers",
        nargs="+",
        type=ServerSpec.parse,
        default=[ServerSpec(2)],
        help="gunicorn layouts: N = N sync workers, NxT = N gthread workers of T threads (default: 2)",
    )
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--lesson-title", default="Bài 8. Hàm số bậc hai", help="lesson made public (anonymous)")
    parser.add_argument(
        "--student-lesson-title", default="Bài 11. Định lí côsin và định lí sin", help="school-only lesson (student)"
    )
    parser.add_argument("--student", default="hs10a1.01")
    parser.add_argument("--password", default="hoctap2026")
    parser.add_argument("--skip-seed", action="store_true", help="the database was seeded before (a --keep run)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 120 or not 0 <= args.warmup <= 30:
        parser.error("--duration must be 1–120 s and --warmup 0–30 s")
    if not 1 <= args.connections <= 512 or not 1 <= args.threads <= args.connections:
        parser.error("--connections must be 1–512 and --threads between 1 and --connections")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    python = sys.executable
    gunicorn = str(Path(python).parent / "gunicorn")
    if not Path(gunicorn).exists():
        print(f"gunicorn is not installed next to {python}; run with .venv/bin/python", file=sys.stderr)
        return 2
    wrk = None if args.python_load else shutil.which("wrk")
    if not wrk and not args.python_load:
        log("wrk not found: install it with `apt-get install wrk` (Debian/Ubuntu) for exact figures.")
        log("Falling back to the Python load generator, which shares the CPUs and understates the server.")

    # Other work on the machine (a test suite, a build) takes CPU from the server and the load generator alike.
    busy = cpu_busy()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    busy_text = f"{busy:.0%} of the CPUs busy for 1 s (load average {load})" if busy is not None else load
    log(f"machine: {busy_text}")
    code = code_version()
    secret_key = secrets.token_urlsafe(64)
    work = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    lua = work / "report.lua"
    lua.write_text(WRK_REPORT_LUA)
    created = reached = False
    servers: list[Server] = []
    results: list[Result] = []
    try:
        created, pg_version = create_database(args.database_url)
        dbname = _admin_conninfo(args.database_url)[1]
        reached = True
        log(f"database {'created' if created else 'exists, reused'}: {args.database_url}")
        redis_version = flush_redis(args.redis_url)
        setup_env = django_env(args.database_url, DUMMY_CACHE_URL, secret_key)
        manage(python, ["migrate", "--noinput"], setup_env, timeout=600)  # a few seconds when nothing is new
        if not args.skip_seed:
            manage(python, ["seed_demo"], setup_env, timeout=600)
        # Production serves static files through whitenoise's manifest storage: {% static %} needs the manifest.
        manage(python, ["collectstatic", "--noinput", "-v0"], setup_env, timeout=300)
        lessons = prepare_lessons(python, setup_env, args)
        if lessons["note"]:
            log(lessons["note"])
        public, private = lessons["public"], lessons["private"]
        log(f"public lesson (anonymous): {public['title']} → {public['path']}")
        log(f"school-only lesson (student {args.student}): {private['title']} → {private['path']}")

        layouts = [("uncached", DUMMY_CACHE_URL), ("cached", args.redis_url)]
        for spec in args.servers:
            for mode, cache_url in layouts:
                if mode == "cached":
                    flush_redis(args.redis_url)  # the first request must fill the page cache itself
                server = Server(
                    spec, django_env(args.database_url, cache_url, secret_key), work / "gunicorn.log", gunicorn
                )
                servers.append(server)
                server.wait_ready()
                label = f"{spec.label()}"
                log(f"gunicorn {label}, {mode} ({cache_url}) on 127.0.0.1:{server.port}")
                cookie = login(server.port, args.student, args.password)
                # The student's lesson is school-only: an anonymous visitor must be sent to the login page.
                refused = fetch(server.port, private["path"])
                if refused.status != 302 or "/tai-khoan/dang-nhap/" not in (refused.headers.get("Location") or ""):
                    raise BenchError(f"anonymous visit of the school-only lesson answered {refused.status}")
                scenarios = []
                if mode == "cached":
                    scenarios.append(
                        Scenario(
                            "healthz", "ref: /healthz (db+cache+storage)", "/healthz", must_contain='"status": "ok"'
                        )
                    )
                    # A static file through whitenoise (the login page links the site's stylesheet).
                    css = re.search(rb'href="(/static/[^"]+\.css)"', fetch(server.port, "/tai-khoan/dang-nhap/").body)
                    if css:
                        scenarios.append(Scenario("static", "ref: static CSS (whitenoise)", css.group(1).decode()))
                    scenarios.append(
                        Scenario(
                            "anon-cached", "2 anonymous, cached (Redis)", public["path"], must_contain=public["title"]
                        )
                    )
                    scenarios.append(
                        Scenario(
                            "student-cached",
                            "3 student, cached (Redis)",
                            private["path"],
                            cookie=cookie,
                            must_contain=private["title"],
                            logged_in=True,
                        )
                    )
                else:
                    scenarios.append(
                        Scenario(
                            "anon-uncached",
                            "1 anonymous, uncached (dummy)",
                            public["path"],
                            must_contain=public["title"],
                        )
                    )
                    scenarios.append(
                        Scenario(
                            "student-uncached",
                            "4 student, uncached (dummy)",
                            private["path"],
                            cookie=cookie,
                            must_contain=private["title"],
                            logged_in=True,
                        )
                    )
                for scenario in scenarios:
                    result = measure(server.port, scenario, server, args, wrk, lua, dbname)
                    log(
                        f"  {scenario.label}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                        f"p99 {result.p99_ms:.1f} ms, errors {result.errors}"
                    )
                    results.append(result)
                server.stop()
        order = ["healthz", "static", "anon-uncached", "anon-cached", "student-cached", "student-uncached"]
        results.sort(key=lambda r: ([s.label() for s in args.servers].index(r.server), order.index(r.scenario.key)))
        facts = machine_facts(python, pg_version, redis_version, wrk)
        facts["code"] = code
        facts["before the run"] = busy_text + " — see 'other CPU' for the load during each measurement"
        passed = print_report(facts, results, args, time.monotonic() - started)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "machine": facts,
                        "load": {"connections": args.connections, "threads": args.threads, "duration": args.duration},
                        "results": [
                            {
                                "scenario": r.scenario.key,
                                "label": r.scenario.label,
                                "server": r.server,
                                "path": r.scenario.path,
                                "tool": r.tool,
                                "requests": r.requests,
                                "rps": round(r.rps, 1),
                                "p50_ms": round(r.p50_ms, 2),
                                "p95_ms": round(r.p95_ms, 2),
                                "p99_ms": round(r.p99_ms, 2),
                                "errors": r.errors,
                                "other_cpu": None if r.other_cpu is None else round(r.other_cpu, 3),
                                "notes": [n for n in [r.error_detail, *r.notes] if n],
                            }
                            for r in results
                        ],
                        "target_rps": TARGET_RPS,
                        "passed": passed,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        return 0 if passed else 1
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        if servers and "gunicorn" not in str(exc):
            print(f"gunicorn log (last lines):\n{servers[-1].log_tail()}", file=sys.stderr)
        return 2
    finally:
        for server in servers:
            with contextlib.suppress(Exception):
                server.stop()
        if created and not args.keep:
            try:
                drop_database(args.database_url)
                log(f"database dropped ({time.monotonic() - started:.0f} s in all)")
            except Exception as exc:
                log(f"could not drop the database: {exc}")
        elif reached:
            log("database kept" + ("" if created else " (it existed before this run)"))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    in_venv = Path(sys.prefix).resolve() == VENV_PYTHON.parent.parent.resolve()
    if not os.environ.get("LMS_BENCH_REEXEC") and VENV_PYTHON.exists() and not in_venv:
        # Run under the project's virtualenv (psycopg, redis, gunicorn, Django) whatever python started us.
        os.environ["LMS_BENCH_REEXEC"] = "1"
        os.execv(VENV_PYTHON, [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    sys.exit(main())
