#!/usr/bin/env bash
# Entrypoint of the LMS image (web, worker and beat all use it).
#
#   1. Waits for the database (when DATABASE_URL is set and WAIT_FOR_DB is not 0), with a bounded number of tries.
#   2. Applies migrations only when RUN_MIGRATIONS=1: docker-compose.yml sets it for the `web` service alone, so
#      worker and beat never race it. Scaling `web` to several replicas would run migrate in each of them: in that
#      case run migrations as a one-off job instead (docker compose run --rm -e RUN_MIGRATIONS=1 web true).
#   3. Replaces itself with the command (gunicorn by default; `celery ...` for worker and beat), so that process
#      receives the container's signals directly.
#
# Tuning: DB_WAIT_ATTEMPTS (default 30) tries, DB_WAIT_DELAY (default 2) seconds apart.
set -euo pipefail

log() {
    printf '[entrypoint] %s\n' "$*" >&2
}

wait_for_db() {
    python - <<'PY'
import os
import sys
import time

import django

django.setup()

from django.db import connection
from django.db.utils import Error as DatabaseError

attempts = max(1, int(os.environ.get("DB_WAIT_ATTEMPTS", "30")))
delay = float(os.environ.get("DB_WAIT_DELAY", "2"))
for attempt in range(1, attempts + 1):
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        # psycopg's messages name host, port and user, never the password.
        reason = " ".join(str(exc).split())[:200]
        print(f"[entrypoint] database not ready ({attempt}/{attempts}): {reason}", file=sys.stderr)
        connection.close()
        if attempt < attempts:
            time.sleep(delay)
    else:
        connection.close()
        print(f"[entrypoint] database is ready ({connection.vendor})", file=sys.stderr)
        sys.exit(0)
print(f"[entrypoint] database still unreachable after {attempts} attempts; giving up", file=sys.stderr)
sys.exit(1)
PY
}

if [ "$#" -eq 0 ]; then
    log "no command given"
    exit 64
fi

if [ "${WAIT_FOR_DB:-1}" != "0" ] && [ -n "${DATABASE_URL:-}" ]; then
    log "waiting for the database"
    wait_for_db
fi

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    log "applying migrations"
    python manage.py migrate --noinput
fi

log "starting: $*"
exec "$@"
