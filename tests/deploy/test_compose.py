"""The container setup: docker-compose.yml, Dockerfile, docker/entrypoint.sh and .env.example agree with the settings.

No Docker engine is needed. The compose file is read with PyYAML (which resolves the ``x-app`` anchors and merge
keys the way Compose does); a real Compose parser validates it when one is on PATH; the entrypoint runs for real
with stand-in commands.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"

APP_SERVICES = ("web", "worker", "beat")
BACKING_SERVICES = ("db", "redis", "elasticsearch", "s3")
ALL_SERVICES = (*APP_SERVICES, *BACKING_SERVICES, "s3-init")
# What config/settings must receive for the stack to use its services instead of the embedded defaults.
REQUIRED_APP_ENV = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "ELASTICSEARCH_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
)
# Read by the image's processes rather than by config/settings.
PROCESS_ENV = {"DJANGO_SETTINGS_MODULE", "RUN_MIGRATIONS", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"}
# Dummy values that pass config/settings/production.py's checks.
VALID_SECRETS = {
    "SECRET_KEY": "compose-validation-" + "x" * 40,
    "ALLOWED_HOSTS": "localhost",
    "PRIVACY_ENCRYPTION_KEYS": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment(service: dict) -> dict[str, str | None]:
    """A service's environment as a dict, whichever of Compose's two spellings it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return {k: v for k, _, v in (item.partition("=") for item in env)}
    return {k: None if v is None else str(v) for k, v in env.items()}


def settings_env_names() -> set[str]:
    """Every environment variable config/settings reads (ENV.get("X"), env["X"], ENV.get("X", ...))."""
    names: set[str] = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r"""\b(?:env|ENV)(?:\.get\(\s*|\[)["']([A-Z][A-Z0-9_]*)["']""", path.read_text()))
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")),
    )
    pairs = []
    for line in text.splitlines():
        if line.strip():
            instruction, _, args = line.strip().partition(" ")
            pairs.append((instruction.upper(), " ".join(args.split())))
    return pairs


# ---------------------------------------------------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------------------------------------------------
def test_every_service_is_defined(services):
    assert set(ALL_SERVICES) <= set(services), f"missing: {sorted(set(ALL_SERVICES) - set(services))}"


def test_app_services_share_one_image_and_run_their_own_command(services):
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(images) == 1 and None not in images, images
    assert services["web"]["build"]["context"] == "."
    assert "command" not in services["web"], "web runs the image's CMD (gunicorn)"
    worker = " ".join(services["worker"]["command"])
    beat = " ".join(services["beat"]["command"])
    assert worker.startswith("celery -A config worker") and "--concurrency 2" in worker
    assert beat.startswith("celery -A config beat") and "--schedule /tmp/celerybeat-schedule" in beat


def test_long_running_services_have_health_checks(services):
    for name in ("web", *BACKING_SERVICES):
        check = services[name].get("healthcheck")
        assert check, f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"
        test = check.get("test")
        assert test and test not in (["NONE"], "NONE"), f"{name}: empty healthcheck test"
        assert test[0] in ("CMD", "CMD-SHELL") if isinstance(test, list) else test.strip(), name
    # beat serves no HTTP: the image's /healthz HEALTHCHECK must be switched off or it is reported unhealthy.
    assert services["beat"]["healthcheck"] == {"disable": True}
    assert "restart" not in services["s3-init"] or services["s3-init"]["restart"] == "no"


def test_health_checks_probe_the_right_thing(services):
    def text(name):
        test = services[name]["healthcheck"]["test"]
        return " ".join(test) if isinstance(test, list) else test

    assert "/healthz" in text("web") and "urllib" in text("web")
    assert "pg_isready" in text("db")
    assert "redis-cli ping" in text("redis")
    assert "_cluster/health?wait_for_status=yellow" in text("elasticsearch")
    assert "8333" in text("s3")


def test_start_order_waits_for_healthy_dependencies(services):
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert isinstance(depends, dict), f"{name}: depends_on needs the long form with conditions"
        for dependency in ("db", "redis", "elasticsearch"):
            assert depends[dependency] == {"condition": "service_healthy"}, (name, dependency)
        assert depends["s3-init"] == {"condition": "service_completed_successfully"}, name
    assert services["beat"]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert services["s3-init"]["depends_on"]["s3"] == {"condition": "service_healthy"}


def test_stateful_services_keep_data_in_declared_named_volumes(compose, services):
    declared = set(compose.get("volumes") or {})
    assert {"db-data", "redis-data", "es-data", "s3-data"} <= declared
    targets = {
        "db": "/var/lib/postgresql/data",
        "redis": "/data",
        "elasticsearch": "/usr/share/elasticsearch/data",
        "s3": "/data",
    }
    for name, target in targets.items():
        mounts = [v.split(":") if isinstance(v, str) else [v["source"], v["target"]] for v in services[name]["volumes"]]
        sources = [m[0] for m in mounts if m[1] == target]
        assert sources, f"{name}: nothing mounted on {target}"
        assert sources[0] in declared, f"{name}: {sources[0]} is not a declared named volume"
    assert "--appendonly" in services["redis"]["command"]


def test_app_environment_wires_every_service(services):
    for name in APP_SERVICES:
        env = environment(services[name])
        missing = [key for key in REQUIRED_APP_ENV if key not in env]
        assert not missing, f"{name} lacks {missing}"
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert re.fullmatch(r"postgres://lms:[^@]+@db:5432/lms", env["DATABASE_URL"]), env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert env["CELERY_RESULT_BACKEND"] == "redis://redis:6379/1"
        assert env["CACHE_URL"] == "redis://redis:6379/2"
        assert env["ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
        assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
        assert env["SECURE_SSL_REDIRECT"].endswith(":-false}"), "local use defaults to no HTTPS redirect"


def test_secret_key_and_allowed_hosts_must_come_from_the_environment():
    raw = COMPOSE_FILE.read_text()
    for name in ("SECRET_KEY", "ALLOWED_HOSTS"):
        assert re.search(rf"{name}: \$\{{{name}:\?[^}}]*\.env[^}}]*\}}", raw), f"{name} must use ${{{name}:?...}}"
        # No literal value anywhere else in the file.
        assert len(re.findall(rf"^\s*{name}:", raw, re.M)) == 1, name


def test_app_environment_names_are_ones_the_settings_read(services):
    read = settings_env_names()
    assert set(REQUIRED_APP_ENV) <= read, f"settings no longer read {sorted(set(REQUIRED_APP_ENV) - read)}"
    for name in APP_SERVICES:
        unknown = set(environment(services[name])) - read - PROCESS_ENV
        assert not unknown, f"{name} sets variables nothing reads (typo?): {sorted(unknown)}"


def test_only_web_runs_migrations(services):
    assert environment(services["web"])["RUN_MIGRATIONS"] == "1"
    for name in ("worker", "beat"):
        assert environment(services[name]).get("RUN_MIGRATIONS") in (None, "0"), name


def test_s3_server_and_bucket_creation(services):
    s3, init = services["s3"], services["s3-init"]
    assert s3["image"].split(":")[0] == "chrislusf/seaweedfs"
    assert "server" in s3["command"] and "-s3" in s3["command"]
    assert any(port.endswith(":8333:8333") for port in s3["ports"]), "browsers need the S3 port for presigned URLs"
    app_env, s3_env = environment(services["web"]), environment(s3)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert s3_env[key] == app_env[key] == environment(init)[key], f"{key} differs between s3, s3-init and web"
    # The endpoint the app signs URLs for must resolve inside the compose network too.
    host = re.search(r"://([^:/]+)", app_env["AWS_S3_ENDPOINT_URL"].split(":-", 1)[-1]).group(1)
    aliases = (s3.get("networks") or {}).get("default", {}).get("aliases", [])
    assert host in ("s3", *aliases), f"{host} is not a name of the s3 service"
    script = " ".join(init["command"])
    assert "head-bucket" in script and "create-bucket" in script, "bucket creation must be idempotent"


def test_elasticsearch_is_a_single_node_9x_without_security(services):
    es = services["elasticsearch"]
    assert re.search(r"elasticsearch:\$\{ELASTICSEARCH_VERSION:-9\.\d+\.\d+\}$", es["image"]), es["image"]
    env = environment(es)
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "false"
    assert env["ES_JAVA_OPTS"] == "-Xms1g -Xmx1g"
    assert "ports" not in es, "Elasticsearch runs without authentication: keep it off the host's ports"


def test_env_example_documents_every_variable_compose_reads():
    raw = COMPOSE_FILE.read_text()
    # `$${X}` is an escape: the container's shell expands it, not Compose.
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", raw))
    passthrough = set(re.findall(r"^\s+([A-Z][A-Z0-9_]*):\s*$", raw, re.M))
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))
    assert {"SECRET_KEY", "ALLOWED_HOSTS"} <= interpolated
    missing = (interpolated | passthrough) - documented
    assert not missing, f".env.example does not mention {sorted(missing)}"


def test_env_example_holds_no_secret():
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), re.M))
    assert values["SECRET_KEY"] == "", "the example must not ship a usable SECRET_KEY"
    assert values["PRIVACY_ENCRYPTION_KEYS"] == "", "the example must not ship an encryption key"
    assert values["ALLOWED_HOSTS"]


# ---------------------------------------------------------------------------------------------------------------------
# A real Compose parser, when there is one
# ---------------------------------------------------------------------------------------------------------------------
def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=60)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def run_compose_config(command: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # An empty --env-file keeps a developer's own .env out of the result.
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    return subprocess.run(
        [*command, "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_real_compose_parser_accepts_the_file(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("no Compose implementation on PATH (neither the `docker compose` plugin nor docker-compose)")
    base = {k: v for k, v in os.environ.items() if k not in VALID_SECRETS}
    accepted = run_compose_config(command, {**base, **VALID_SECRETS}, tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    for name in VALID_SECRETS:
        refused = run_compose_config(command, {**base, **VALID_SECRETS, name: ""}, tmp_path)
        assert refused.returncode != 0, f"compose must refuse to run without {name}"
        assert f"set {name} in .env" in refused.stderr + refused.stdout, refused.stderr
    try:
        from tests.support.services import USED
    except ImportError:  # pragma: no cover - the suite's summary is optional here
        return
    version = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=60).stdout
    USED["Compose validator"] = version.strip().splitlines()[0] if version.strip() else " ".join(command)


# ---------------------------------------------------------------------------------------------------------------------
# docker/entrypoint.sh
# ---------------------------------------------------------------------------------------------------------------------
def test_entrypoint_is_valid_bash():
    assert ENTRYPOINT.stat().st_mode & stat.S_IXUSR, "entrypoint.sh must be executable"
    result = subprocess.run(["bash", "-n", str(ENTRYPOINT)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def fake_python(tmp_path: Path, wait_exit: int = 0) -> tuple[Path, Path]:
    """A `python` that records its arguments; `python -` (the database wait) exits with wait_exit."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls.txt"
    bin_dir.mkdir()
    script = bin_dir / "python"
    script.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >> "{calls}"\n'
        f'if [ "$1" = "-" ]; then cat > /dev/null; exit {wait_exit}; fi\n'
        "exit 0\n"
    )
    script.chmod(0o755)
    return bin_dir, calls


def run_entrypoint(env: dict[str, str], *command: str, path_prefix: Path | None = None):
    base = {k: v for k, v in os.environ.items() if k not in ("RUN_MIGRATIONS", "WAIT_FOR_DB", "DATABASE_URL")}
    if path_prefix:
        base["PATH"] = f"{path_prefix}{os.pathsep}{base['PATH']}"
    return subprocess.run(
        [str(ENTRYPOINT), *command], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_entrypoint_waits_and_migrates_only_when_asked(tmp_path):
    bin_dir, calls = fake_python(tmp_path)
    db = {"DATABASE_URL": "postgres://lms:lms@db:5432/lms"}

    web = run_entrypoint({**db, "RUN_MIGRATIONS": "1"}, "echo", "gunicorn-started", path_prefix=bin_dir)
    assert web.returncode == 0, web.stderr
    assert web.stdout.strip() == "gunicorn-started"
    assert calls.read_text().splitlines() == ["-", "manage.py migrate --noinput"]

    calls.unlink()
    worker = run_entrypoint(db, "echo", "worker-started", path_prefix=bin_dir)
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.strip() == "worker-started"
    assert calls.read_text().splitlines() == ["-"], "without RUN_MIGRATIONS=1 nothing migrates"


def test_entrypoint_stops_when_the_database_never_comes(tmp_path):
    bin_dir, calls = fake_python(tmp_path, wait_exit=1)
    result = run_entrypoint(
        {"DATABASE_URL": "postgres://x@db/x", "RUN_MIGRATIONS": "1"}, "echo", "must-not-run", path_prefix=bin_dir
    )
    assert result.returncode != 0
    assert "must-not-run" not in result.stdout
    assert calls.read_text().splitlines() == ["-"], "no migration after a failed wait"


def test_entrypoint_database_wait_really_connects(tmp_path):
    """The embedded Python loop against real databases: SQLite answers; a closed PostgreSQL port gives up."""
    python_dir = Path(sys.executable).parent
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}

    ok = run_entrypoint(
        {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'wait.sqlite3'}"}, "echo", "up", path_prefix=python_dir
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "up"
    assert "database is ready" in ok.stderr

    # Port 1 on the loopback address: nothing listens there, so every attempt is refused at once.
    down = run_entrypoint(
        {**env, "DATABASE_URL": "postgres://lms:lms@127.0.0.1:1/lms", "DB_WAIT_ATTEMPTS": "2", "DB_WAIT_DELAY": "0"},
        "echo",
        "must-not-run",
        path_prefix=python_dir,
    )
    assert down.returncode != 0
    assert "must-not-run" not in down.stdout
    assert "(2/2)" in down.stderr and "giving up" in down.stderr
    assert ":lms@" not in down.stderr, "the password must not be logged"


def test_wait_can_be_switched_off(tmp_path):
    bin_dir, calls = fake_python(tmp_path, wait_exit=1)
    result = run_entrypoint(
        {"DATABASE_URL": "postgres://x@db/x", "WAIT_FOR_DB": "0"}, "echo", "started", path_prefix=bin_dir
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
    assert not calls.exists()


# ---------------------------------------------------------------------------------------------------------------------
# Dockerfile and .dockerignore
# ---------------------------------------------------------------------------------------------------------------------
def test_dockerfile_builds_the_production_image():
    instructions = dockerfile_instructions()
    text = "\n".join(f"{i} {a}" for i, a in instructions)
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in text
    assert all(a.startswith("${PYTHON_IMAGE}") for i, a in instructions if i == "FROM")
    assert "pip install -c requirements/constraints.txt ." in text
    assert "ENV" in dict(instructions) and "DJANGO_SETTINGS_MODULE=config.settings.production" in text
    users = [a for i, a in instructions if i == "USER"]
    assert users and not users[-1].startswith(("root", "0")), "the final stage must not run as root"
    assert "manage.py collectstatic --noinput" in text


def test_dockerfile_copies_every_package_and_root_directory():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in include}
    copied = {a.split()[0] for i, a in dockerfile_instructions() if i == "COPY" and "--from" not in a}
    for directory in sorted(packages | {"templates", "static", "locale", "manage.py", "docker/entrypoint.sh"}):
        assert directory in copied, f"Dockerfile does not copy {directory}"
        assert (ROOT / directory).exists(), f"{directory} is copied but does not exist"


def test_build_time_secret_passes_the_production_checks_and_stays_out_of_the_image():
    run = next(a for i, a in dockerfile_instructions() if i == "RUN" and "collectstatic" in a)
    key = re.search(r"SECRET_KEY=(\S+)", run).group(1)
    assert len(key) >= 32 and not key.startswith(("dev-only", "test-only", "change-me")), key
    assert re.search(r"ALLOWED_HOSTS=\S+", run)
    assert re.search(r"PRIVACY_ENCRYPTION_KEYS=\S+", run)
    env_lines = " ".join(a for i, a in dockerfile_instructions() if i in ("ENV", "ARG"))
    assert "SECRET_KEY" not in env_lines and "ALLOWED_HOSTS" not in env_lines
    assert "PRIVACY_ENCRYPTION_KEYS" not in env_lines


def test_dockerfile_default_command_and_health_check():
    instructions = dockerfile_instructions()
    cmd = json.loads(next(a for i, a in instructions if i == "CMD"))
    assert cmd[:2] == ["gunicorn", "config.wsgi:application"]
    assert cmd[cmd.index("--bind") + 1] == "0.0.0.0:8000"
    assert cmd[cmd.index("--access-logfile") + 1] == "-"
    assert "--workers" not in cmd and "-w" not in cmd, "workers come from WEB_CONCURRENCY"
    assert "WEB_CONCURRENCY=3" in next(a for i, a in instructions if i == "ENV" and "WEB_CONCURRENCY" in a)
    assert json.loads(next(a for i, a in instructions if i == "ENTRYPOINT")) == ["/app/docker/entrypoint.sh"]
    health = next(a for i, a in instructions if i == "HEALTHCHECK")
    probe = json.loads(health[health.index("CMD") + 3 :])
    assert probe[:2] == ["python", "-c"] and "urllib" in probe[2] and "/healthz" in probe[2]
    compile(probe[2], "<healthcheck>", "exec")


def test_dockerignore_keeps_local_state_and_secrets_out():
    patterns = {line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip()[:1] not in ("", "#")}
    for expected in (".venv", "var", ".git", ".env", "node_modules", "tests", ".pytest_cache"):
        assert expected in patterns, expected
    assert any("__pycache__" in p for p in patterns)
    assert not any(p in patterns for p in ("docker", "config", "templates", "static", "locale")), (
        "the image needs these"
    )
