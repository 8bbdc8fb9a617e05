#!/usr/bin/env bash
# Run the given test command with a throw-away PostgreSQL when this machine has one installed,
# so the store's PostgreSQL tests run too (CI installs it; elsewhere they skip with a reason).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${WORKBENCH_TEST_PG_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if url=$(scripts/postgres-for-tests.sh); then
    export WORKBENCH_TEST_PG_URL=$url
    trap 'scripts/postgres-for-tests.sh stop "$WORKBENCH_TEST_PG_URL"' EXIT
  else
    echo "run-tests: could not start a test PostgreSQL (see above)" >&2
  fi
fi
"$@"
