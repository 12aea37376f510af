#!/usr/bin/env bash
# The multi-replica test (issue 16 §6): two `berth serve` replicas and one `berth worker` sharing
# one PostgreSQL database and one S3 bucket, behind Debian's nginx as a round-robin proxy, driven
# by skopeo and by tests/replicas/driver.py (raw OCI and Pulp API calls, stdlib Python only).
# Uses the debug binary cargo test built (target/debug/berth; BERTH_BIN overrides).
# PostgreSQL: BERTH_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); a
# database of its own is created and dropped. S3: BERTH_TEST_S3_ENDPOINT (moto), a bucket of its
# own; without the variable a moto server is started here (moto_server on PATH, or installed into
# target/replicas-venv). Ports: BERTH_REPLICAS_PORT_BASE (default 25600) .. +9.
# BERTH_REPLICAS_KEEP_LOGS=DIR keeps the processes' logs.
# Prints PASS/FAIL lines; exits non-zero on any failure; everything started is killed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${BERTH_BIN:-$ROOT/target/debug/berth}
PG_URL="${BERTH_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
BASE=${BERTH_REPLICAS_PORT_BASE:-25600}
PROXY_PORT=$BASE A_PORT=$((BASE + 1)) B_PORT=$((BASE + 2)) MOTO_PORT=$((BASE + 9))

for tool in nginx skopeo psql curl ss python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "replicas: FAIL: '$tool' not found (.ci/run installs it)"; exit 1; }
done
[ -x "$BIN" ] || { echo "replicas: FAIL: $BIN missing (cargo build --bin berth)"; exit 1; }

export PGCONNECT_TIMEOUT=10
WORK=$(mktemp -d /tmp/berth-replicas.XXXXXX)
DB="berth_test_replicas_$$"
DB_URL="${PG_URL%/*}/$DB"
PIDS=()
MOTO_PID=""
NGINX_PID=""
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]}" $NGINX_PID $MOTO_PID; do kill "$pid" 2>/dev/null || true; done
  # Up to 15 s for a clean exit, then SIGKILL.
  for _ in $(seq 75); do
    local alive=0
    for pid in "${PIDS[@]}" $NGINX_PID $MOTO_PID; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${PIDS[@]}" $NGINX_PID $MOTO_PID; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ]; then
    for log in "$WORK"/*.log; do
      [ -f "$log" ] || continue
      echo "--- $(basename "$log") (tail) ---"; tail -n 25 "$log"
    done
  fi
  if [ -n "${BERTH_REPLICAS_KEEP_LOGS:-}" ]; then mkdir -p "$BERTH_REPLICAS_KEEP_LOGS" && cp "$WORK"/*.log "$BERTH_REPLICAS_KEEP_LOGS/"; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # wait_http URL PID NAME: up to 30 s for a 200
  for _ in $(seq 150); do
    curl -sf --max-time 5 -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "replicas: FAIL: $3 exited at start"; return 1; }
    sleep 0.2
  done
  echo "replicas: FAIL: $3 did not answer $1 within 30 s"; return 1
}

# S3: the CI's moto, or one of our own.
S3=${BERTH_TEST_S3_ENDPOINT:-}
if [ -z "$S3" ]; then
  MOTO=$(command -v moto_server || true)
  if [ -z "$MOTO" ]; then
    python3 -m venv "$ROOT/target/replicas-venv"
    "$ROOT/target/replicas-venv/bin/pip" install -q 'moto[server]>=5,<6'
    MOTO="$ROOT/target/replicas-venv/bin/moto_server"
  fi
  "$MOTO" -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
  MOTO_PID=$!
  S3="http://127.0.0.1:$MOTO_PORT"
  wait_http "$S3/" "$MOTO_PID" moto
fi
BUCKET="berth-replicas-$$-$RANDOM"
curl -sf --max-time 30 -X PUT "$S3/$BUCKET" >/dev/null || { echo "replicas: FAIL: cannot create bucket $BUCKET at $S3"; exit 1; }

psql "$PG_URL" -qc "CREATE DATABASE \"$DB\"" >/dev/null

# Everything every process shares: the database, the bucket, the admin password. The token
# signing key is generated once and kept in the database, so every replica signs with it.
export BERTH_DATABASE_URL="$DB_URL" BERTH_STORAGE_URL="s3://$BUCKET/berth"
export BERTH_S3_ENDPOINT="$S3" BERTH_S3_ALLOW_HTTP=true BERTH_S3_REGION=us-east-1
export AWS_ACCESS_KEY_ID=replicas AWS_SECRET_ACCESS_KEY=replicas AWS_REGION=us-east-1
export BERTH_ADMIN_PASSWORD="replicas-$RANDOM$RANDOM"
# A scheduler tick of 1 s, so the test's task schedule is dispatched on time; no daily cleanup
# of its own (the test's schedule is the periodic job under test).
export BERTH_SCHEDULER_TICK_SECONDS=1 BERTH_ORPHAN_CLEANUP_INTERVAL_HOURS=0
export BERTH_SIGNIN_FAILURES_PER_ADDRESS=0 NO_COLOR=1
unset BERTH_LISTEN BERTH_DATA_DIR BERTH_TOKEN_REALM BERTH_TOKEN_PRIVATE_KEY

start() { # start NAME ARGS...: a berth process with its own data directory
  local name=$1; shift
  "$BIN" --data-dir "$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
start replica-a serve --listen "127.0.0.1:$A_PORT"
A_PID=$!
start replica-b serve --listen "127.0.0.1:$B_PORT"
B_PID=$!
start worker worker
W_PID=$!
wait_http "http://127.0.0.1:$A_PORT/readyz" "$A_PID" replica-a
wait_http "http://127.0.0.1:$B_PORT/readyz" "$B_PID" replica-b

# nginx: round robin over both replicas, config and every path of its own under $WORK.
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
USER_LINE=""
if [ "$(id -u)" = 0 ]; then USER_LINE="user root;"; fi
sed -e "s|@USER@|$USER_LINE|" -e "s|@WORK@|$WORK/nginx|g" -e "s|@PROXY@|$PROXY_PORT|" \
  -e "s|@A@|$A_PORT|" -e "s|@B@|$B_PORT|" tests/replicas/nginx.conf.in >"$WORK/nginx/nginx.conf"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx.log" -g 'daemon off;' \
  >>"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!
wait_http "http://127.0.0.1:$PROXY_PORT/livez" "$NGINX_PID" nginx

export REPLICAS_PROXY="http://127.0.0.1:$PROXY_PORT" REPLICAS_WORK="$WORK"
export REPLICAS_A="http://127.0.0.1:$A_PORT" REPLICAS_B="http://127.0.0.1:$B_PORT"
export REPLICAS_PIDS="replica-a=$A_PID,replica-b=$B_PID,worker=$W_PID"
export REPLICAS_DB_URL="$DB_URL" REPLICAS_MKIMAGE="$ROOT/tests/clients/mkimage.py"
timeout 300 python3 tests/replicas/driver.py
