#!/bin/bash
# Manifest GET/HEAD throughput of one berth binary (issue 13 §5, pull tracking): starts it on
# 127.0.0.1:24900 with a fresh data dir, pushes 16 small images, then berth-bench's manifest
# GET/HEAD by tag (concurrency 8, token auth) for SECONDS each, and prints the lines.
# usage: bench/pulls.sh LABEL BINARY [serve args...]   (env: BENCH, SECONDS_EACH)
label=$1; bin=$2; shift 2
dir=/tmp/bench-pulls-$label; rm -rf $dir; mkdir -p $dir
BERTH_ADMIN_PASSWORD=bench-pass-1 nice -n -10 $bin --data-dir $dir --listen 127.0.0.1:24900 serve "$@" > $dir.log 2>&1 &
pid=$!
for i in $(seq 60); do curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:24900/v2/ | grep -q 401 && break; sleep 0.5; done
echo "### $label"
nice -n -10 ${BENCH:-target/release/berth-bench} http://127.0.0.1:24900 --creds admin:bench-pass-1 \
    --images 16 --layers 1 --layer-size 4096 --concurrency 4 --seconds ${SECONDS_EACH:-8} 2>/dev/null \
    | grep "manifest"
grep VmHWM /proc/$pid/status
kill $pid; wait $pid 2>/dev/null
# What was recorded (the last batch is written at shutdown); absent before pull tracking.
sqlite3 $dir/berth.db "SELECT 'recorded pulls: ' || COALESCE(SUM(pull_count), 0) || ' over ' || COUNT(*) || ' rows' FROM repository_pulls" 2>/dev/null
