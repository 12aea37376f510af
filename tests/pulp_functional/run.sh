#!/usr/bin/env bash
# Pulp's own functional tests (pulp_container 2.28.1, the release berth follows) against the real
# `berth serve` (target/debug/berth), wired as Pulp's CI wires them:
#   - Pulp's suite, its fixtures (pulpcore's pytest plugin) and bindings come from PyPI at run
#     time, pinned in requirements.txt, into a cached venv (target/pulp-functional-venv);
#   - podman drives the registry with private configuration in a temporary directory (vfs
#     storage, registries.conf, auth file; the machine's own configuration is not read or touched);
#   - a second berth, seeded by seed_fixtures.sh, stands in for ghcr.io (registries.conf maps it);
#   - berth_pulp_plugin.py skips the tests that need what berth lacks, with the reason, marks the
#     deliberate differences (README) as expected failures, and prints the counts.
# Two passes: berth's default registry auth on SQLite (the differences expected to fail), then
# Pulp's behaviour (`--registry-token-only`) on the database given (PostgreSQL in CI) or on
# SQLite, where every test that is not skipped must pass.
# Usage: tests/pulp_functional/run.sh [POSTGRES_SERVER_URL]   e.g. postgres://postgres@127.0.0.1:5432
#   (its databases, berth_test_pulpfn_*, are created and dropped here)
# Env: BERTH_PULP_VENV moves the venv; BERTH_PULP_PORT / BERTH_PULP_FIXTURE_PORT fix the ports;
#   BERTH_PULP_PASSES="default token-only" picks passes; PYTEST_ARGS adds pytest arguments
#   (e.g. "-k push"); BERTH_PULP_KEEP=1 keeps the temporary directory (logs, podman store).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/tests/pulp_functional
VENV=${BERTH_PULP_VENV:-$ROOT/target/pulp-functional-venv}
PG_SERVER=${1:-}
START=$(date +%s)

command -v podman >/dev/null || { echo "needs podman (apt-get install podman)" >&2; exit 1; }
if [ ! -x "$VENV/bin/pytest" ] || ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.txt"; then
  echo "== installing Pulp's test suite (requirements.txt) into $VENV =="
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$VENV/requirements.txt"
fi
SUITE=$("$VENV/bin/python" -c 'import os, pulp_container.tests.functional as t; print(os.path.dirname(t.__file__))')

cargo build --locked --bin berth
WORK=$(mktemp -d "${TMPDIR:-/tmp}/berth-pulp-functional.XXXXXX")
PIDS=()
DBS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for db in "${DBS[@]}"; do psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
  if [ "${BERTH_PULP_KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${BERTH_PULP_PORT:-$(free_port)}
FIXTURE_PORT=${BERTH_PULP_FIXTURE_PORT:-$(free_port)}
PASSWORD="pulp-functional-$RANDOM$RANDOM"

# start_berth NAME PORT [serve args…]: starts berth with its own data directory, waits until live.
start_berth() {
  local name=$1 port=$2; shift 2
  target/debug/berth serve --listen "127.0.0.1:$port" --data-dir "$WORK/$name" \
    --admin-password "$PASSWORD" --signin-failures-per-user 0 --signin-failures-per-address 0 \
    "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
  for _ in $(seq 150); do
    curl -sf "http://127.0.0.1:$port/pulp/api/v3/livez/" >/dev/null && return 0
    kill -0 "$LAST_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "berth ($name) did not start:" >&2; tail -30 "$WORK/$name.log" >&2; exit 1
}
stop_last() { kill "$LAST_PID" 2>/dev/null || true; wait "$LAST_PID" 2>/dev/null || true; }

# podman, privately: every file it reads or writes is under $WORK/podman.
mkdir -p "$WORK/podman/tmp"
fill() { sed -e "s|@WORK@|$WORK|g" -e "s|@PORT@|$PORT|g" -e "s|@FIXTURE_PORT@|$FIXTURE_PORT|g" \
  -e "s|@SECRET_KEY@|$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))')|g" "$1" >"$2"; }
fill "$HERE/storage.conf.in" "$WORK/podman/storage.conf"
fill "$HERE/containers.conf.in" "$WORK/podman/containers.conf"
fill "$HERE/registries.conf.in" "$WORK/podman/registries.conf"
echo "{}" >"$WORK/podman/auth.json" && chmod 600 "$WORK/podman/auth.json"
export CONTAINERS_STORAGE_CONF=$WORK/podman/storage.conf CONTAINERS_CONF=$WORK/podman/containers.conf
export CONTAINERS_REGISTRIES_CONF=$WORK/podman/registries.conf REGISTRY_AUTH_FILE=$WORK/podman/auth.json
export TMPDIR=$WORK/podman/tmp

echo "== the stand-in for ghcr.io: berth on 127.0.0.1:$FIXTURE_PORT =="
start_berth fixtures "$FIXTURE_PORT"
"$HERE/seed_fixtures.sh" "127.0.0.1:$FIXTURE_PORT" admin "$PASSWORD" "$WORK"

# What Pulp's fixtures read: the server, the admin, and Django settings (no database touched).
fill "$HERE/settings.py.in" "$WORK/settings.py"
"$VENV/bin/python" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' \
  >"$WORK/database_fields.symmetric.key"
chmod 600 "$WORK/database_fields.symmetric.key" "$WORK/settings.py"
export API_PROTOCOL=http API_HOST=127.0.0.1 API_PORT=$PORT ADMIN_USERNAME=admin ADMIN_PASSWORD=$PASSWORD
export DJANGO_SETTINGS_MODULE=pulpcore.app.settings PULP_SETTINGS=$WORK/settings.py
export PYTHONPATH=$HERE

STATUS=0
for pass in ${BERTH_PULP_PASSES:-default token-only}; do
  ARGS=()
  DB="SQLite"
  if [ "$pass" = token-only ]; then
    ARGS+=(--registry-token-only)
    export BERTH_PULP_TOKEN_ONLY=1
    if [ -n "$PG_SERVER" ]; then
      db="berth_test_pulpfn_$$"
      psql "$PG_SERVER/postgres" -qc "CREATE DATABASE \"$db\"" >/dev/null
      DBS+=("$db")
      ARGS+=(--database-url "$PG_SERVER/$db")
      DB="PostgreSQL"
    fi
  else
    export BERTH_PULP_TOKEN_ONLY=0
  fi
  echo "== Pulp's functional tests, berth in $pass registry auth mode on $DB (127.0.0.1:$PORT) =="
  start_berth "berth-$pass" "$PORT" "${ARGS[@]}"
  podman rmi -a -f >/dev/null 2>&1 || true
  # The whole pass is bounded; each test has its own timeout too.
  (cd "$WORK" && timeout 900 "$VENV/bin/pytest" -p berth_pulp_plugin -p no:cacheprovider \
    --timeout=180 -q -rfE --color=no ${PYTEST_ARGS:-} "$SUITE") || STATUS=1
  stop_last
done
echo "Pulp's functional tests took $(( $(date +%s) - START )) s"
if [ "$STATUS" != 0 ]; then
  echo "Pulp's functional tests FAILED (berth logs in $WORK unless removed; BERTH_PULP_KEEP=1 keeps them)"
  for f in "$WORK"/berth-*.log; do echo "--- $(basename "$f") (tail)"; tail -30 "$f"; done
fi
exit "$STATUS"
