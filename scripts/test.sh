#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it: lint, then every test on SQLite and on PostgreSQL, with the
# real services (Redis + a Celery worker, a SeaweedFS S3 server, Debian's Chromium) required, not skipped.
# The two database suites run at the same time (one per core), each with its own Redis database, S3 server, Celery
# worker and browser; their outputs are printed one after the other when both are done. Browser tests (marker e2e)
# exercise pages and scripts, not the database: they run on SQLite alone, but for those marked both_databases (the
# computer-based-test acceptance), which run on PostgreSQL too. This keeps the two suites about equally long.
set -euo pipefail
cd "$(dirname "$0")/.."

export LMS_REQUIRE_SERVICES="${LMS_REQUIRE_SERVICES:-1}"
export PYTHONDONTWRITEBYTECODE=1
PG_URL="${LMS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/lms_ci}"
started=$(date +%s)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run_pytest() {  # pytest exits 5 when it collected nothing: that is a failure here, not a pass
  local status=0
  python -m pytest "$@" || status=$?
  if [ "$status" -eq 5 ]; then echo "pytest collected no tests" >&2; return 1; fi
  return "$status"
}

echo "== Lint: ruff, import contracts"
ruff check .
ruff format --check .
lint-imports

echo
echo "== Test suites on SQLite (embedded default) and PostgreSQL (${PG_URL%%\?*}), side by side"
env -u DATABASE_URL LMS_TEST_REDIS_DB=11 bash -c "$(declare -f run_pytest); run_pytest -q" >"$logs/sqlite" 2>&1 &
sqlite_pid=$!
DATABASE_URL="$PG_URL" LMS_TEST_REDIS_DB=12 bash -c "$(declare -f run_pytest); run_pytest -q -m 'not e2e or both_databases'" \
  >"$logs/pg" 2>&1 &
pg_pid=$!
sqlite_status=0; wait "$sqlite_pid" || sqlite_status=$?
pg_status=0; wait "$pg_pid" || pg_status=$?

echo
echo "== Test suite on SQLite (exit $sqlite_status)"
cat "$logs/sqlite"
echo
echo "== Test suite on PostgreSQL (exit $pg_status; pytest creates and drops test_${PG_URL##*/})"
cat "$logs/pg"
echo
if [ "$sqlite_status" -ne 0 ] || [ "$pg_status" -ne 0 ]; then
  echo "FAILED after $(( $(date +%s) - started )) s: SQLite exit $sqlite_status, PostgreSQL exit $pg_status." >&2
  exit 1
fi
echo "All checks passed in $(( $(date +%s) - started )) s."
