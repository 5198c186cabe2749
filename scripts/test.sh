#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it: lint, then every test on SQLite and again on PostgreSQL,
# with the real services (Redis + a Celery worker, a SeaweedFS S3 server, Debian's Chromium) required, not skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

export LMS_REQUIRE_SERVICES="${LMS_REQUIRE_SERVICES:-1}"
export PYTHONDONTWRITEBYTECODE=1
PG_URL="${LMS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/lms_ci}"
started=$(date +%s)

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
echo "== Test suite on SQLite (embedded default)"
env -u DATABASE_URL bash -c "$(declare -f run_pytest); run_pytest -q"

echo
echo "== Test suite on PostgreSQL (${PG_URL%%\?*}; pytest creates and drops test_${PG_URL##*/})"
DATABASE_URL="$PG_URL" bash -c "$(declare -f run_pytest); run_pytest -q"

echo
echo "All checks passed in $(( $(date +%s) - started )) s."
