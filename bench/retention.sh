#!/bin/bash
# Retention benchmark (issue 13 §6): starts berth on 127.0.0.1:24950 with a fresh data dir (and,
# with BENCH_PG=postgres://user@host, a fresh PostgreSQL database there), seeds 10,000 tags over
# 2,000 manifests, times preview, dry run and run (bench/retention.py), and prints berth's peak
# RSS (VmHWM) after each step.
# usage: bench/retention.sh [BINARY] [serve args...]   (default: target/release/berth)
bin=${1:-target/release/berth}; shift
dir=/tmp/bench-retention; rm -rf $dir; mkdir -p $dir
db=(--sqlite $dir/berth.db)
if [ -n "$BENCH_PG" ]; then
    psql -q "$BENCH_PG/postgres" -c "DROP DATABASE IF EXISTS bench_retention" -c "CREATE DATABASE bench_retention"
    # BENCH_PG_SLOW_MS: log statements slower than this (in the server's log).
    [ -n "$BENCH_PG_SLOW_MS" ] && psql -q "$BENCH_PG/postgres" \
        -c "ALTER DATABASE bench_retention SET log_min_duration_statement = $BENCH_PG_SLOW_MS"
    export BERTH_DATABASE_URL=$BENCH_PG/bench_retention
    db=(--postgres $BERTH_DATABASE_URL)
fi
BERTH_ADMIN_PASSWORD=bench-pass-1 $bin --data-dir $dir --listen 127.0.0.1:24950 serve "$@" > $dir.log 2>&1 &
pid=$!
for i in $(seq 120); do curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:24950/v2/ | grep -q 401 && break; sleep 0.5; done
python3 "$(dirname "$0")/retention.py" http://127.0.0.1:24950 --password bench-pass-1 "${db[@]}" --pid $pid
grep VmHWM /proc/$pid/status
kill $pid; wait $pid 2>/dev/null
