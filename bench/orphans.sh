#!/bin/bash
# Orphan cleanup dry run over N orphaned blobs (default 100000): starts berth with a fresh data
# dir (SQLite, or the PostgreSQL database BERTH_DATABASE_URL names: it is emptied first), seeds
# N blob rows that no repository or manifest holds, old enough for protection time 0 (rows only:
# counting needs no files), then times a dry-run cleanup task and `GET status/` (which computes
# the unreferenced bytes), and prints berth's VmHWM.
# usage: bench/orphans.sh [N] [BINARY]     (BINARY defaults to target/debug/berth)
set -e
n=${1:-100000}; bin=${2:-target/debug/berth}
port=24933; pw=bench-pass-1; base=http://127.0.0.1:$port
dir=/tmp/bench-orphans; rm -rf $dir; mkdir -p $dir
db=${BERTH_DATABASE_URL:-}
if [ -n "$db" ]; then
  psql -q "$db" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS apalis CASCADE;"
fi
BERTH_ADMIN_PASSWORD=$pw $bin --data-dir $dir --listen 127.0.0.1:$port serve > $dir.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for i in $(seq 120); do curl -s -o /dev/null -w '%{http_code}' $base/v2/ | grep -q 401 && break; sleep 0.5; done

t0=$(date +%s.%N)
if [ -n "$db" ]; then
  psql -q "$db" -c "INSERT INTO blobs (id, digest, size, created_at, touched_at)
    SELECT gen_random_uuid(), 'sha256:' || encode(sha256(('orphan-' || i)::bytea), 'hex'), 1000 + i % 1000,
           now() - interval '400 days', now() - interval '400 days'
    FROM generate_series(1, $n) i; ANALYZE;"
else
  sqlite3 $dir/berth.db "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
    INSERT INTO blobs (id, digest, size, created_at, touched_at)
    SELECT randomblob(16), 'sha256:' || lower(hex(randomblob(32))), 1000 + i % 1000,
           '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00' FROM s; ANALYZE;"
fi
echo "seeded $n orphan blob rows in $(echo "$(date +%s.%N) - $t0" | bc) s"

auth="-u admin:$pw"
t0=$(date +%s.%N)
task=$(curl -s $auth -H 'Content-Type: application/json' -X POST $base/pulp/api/v3/orphans/cleanup/ \
  -d '{"orphan_protection_time": 0, "dry_run": true}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"])')
while :; do
  t=$(curl -s $auth $base$task)
  state=$(echo "$t" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  case $state in completed|failed|canceled) break;; esac
  sleep 0.05
done
wall=$(echo "$(date +%s.%N) - $t0" | bc)
echo "$t" | python3 -c '
import json, sys
from datetime import datetime
t = json.load(sys.stdin)
p = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
print("dry run:", t["state"], "task", round((p(t["finished_at"]) - p(t["started_at"])).total_seconds(), 3), "s", json.dumps(t["result"]))'
echo "dry run request to completed (polled): $wall s"
for i in 1 2 3; do
  curl -s -o /dev/null -w "status/ %{time_total} s\n" $base/pulp/api/v3/status/
done
curl -s $base/pulp/api/v3/status/ | python3 -c 'import json,sys; print("content_storage", json.load(sys.stdin)["content_storage"])'
grep VmHWM /proc/$pid/status
