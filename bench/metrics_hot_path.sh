#!/usr/bin/env bash
# Manifest GET throughput of two berth binaries, interleaved (A B A B …), to measure what the
# per-request metrics cost: bench/metrics_hot_path.sh BERTH_A BERTH_B [ROUNDS] [PORT].
# Each run: a fresh data directory, 4 small images, then berth-bench's timed manifest GET/HEAD
# and blob GET at concurrency 8 for 5 s each (berth-bench from this checkout's target/).
set -euo pipefail
a=$1 b=$2 rounds=${3:-3} port=${4:-25410}
bench=${BERTH_BENCH:-$(dirname "$0")/../target/release/berth-bench}
[ -x "$bench" ] || bench=$(dirname "$0")/../target/debug/berth-bench
run() {
    local bin=$1 dir
    dir=$(mktemp -d)
    BERTH_ADMIN_PASSWORD=bench-pass-1 RUST_LOG=warn "$bin" --data-dir "$dir" serve \
        --listen "127.0.0.1:$port" >"$dir/log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do curl -sf "127.0.0.1:$port/livez" >/dev/null && break; sleep 0.1; done
    "$bench" "http://127.0.0.1:$port" --creds admin:bench-pass-1 --images 4 --layers 1 \
        --layer-size 1024 --concurrency 8 --seconds 5 2>&1 | tr '\r' '\n' |
        grep -E '^ +(manifest GET|manifest HEAD|blob GET) +[0-9]+ ops' |
        awk -v who="$bin" '{printf "%-40s %-14s %10s ops/s  p50 %s ms  p99 %s ms\n", who, $1" "$2, $5, $10, $13}'
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
}
for _ in $(seq "$rounds"); do run "$a"; run "$b"; done
