#!/usr/bin/env bash
# The test command: unit tests, then the integration suite on SQLite and on PostgreSQL, then the
# client suite (pulp-cli, Pulp's bindings, a generated client, schemathesis, a TypeScript client,
# the web UI in chromium) against the real `berth serve` on each database, then Pulp's own
# functional tests (tests/pulp_functional) and two replicas behind nginx (tests/replicas).
# PostgreSQL: BERTH_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# each test creates its own database there. S3 tests use BERTH_TEST_S3_ENDPOINT (moto).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL="${BERTH_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

echo "== unit tests and integration tests on SQLite =="
env -u BERTH_TEST_DATABASE_URL cargo test --workspace --locked

echo "== integration tests on PostgreSQL ($PG_URL) =="
BERTH_TEST_DATABASE_URL="$PG_URL" cargo test --locked --test api

echo "== client suite on SQLite =="
tests/clients/run.sh

echo "== client suite on PostgreSQL =="
CLIENT_DB="berth_test_clients_$$"
psql "$PG_URL" -qc "CREATE DATABASE \"$CLIENT_DB\"" >/dev/null
tests/clients/run.sh "${PG_URL%/*}/$CLIENT_DB"

echo "== Pulp's functional tests (pulp_container 2.28.1; default auth on SQLite, token-only on PostgreSQL) =="
tests/pulp_functional/run.sh "${PG_URL%/*}"
echo "== several replicas: PostgreSQL, S3, nginx (tests/replicas/run.sh) =="
BERTH_TEST_DATABASE_URL="$PG_URL" tests/replicas/run.sh

# Drop the per-test databases this run created.
if command -v psql >/dev/null 2>&1; then
  psql "$PG_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'berth_test_%'" 2>/dev/null |
    while read -r db; do psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
fi
