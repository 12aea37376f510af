#!/bin/bash
# Retention benchmark (issue 13 §6): starts berth on 127.0.0.1:24950 with a fresh data dir,
# seeds 10,000 tags over 2,000 manifests, times preview, dry run and run (bench/retention.py),
# and prints berth's peak RSS (VmHWM).
# usage: bench/retention.sh [BINARY] [serve args...]   (default: target/release/berth)
bin=${1:-target/release/berth}; shift
dir=/tmp/bench-retention; rm -rf $dir; mkdir -p $dir
BERTH_ADMIN_PASSWORD=bench-pass-1 $bin --data-dir $dir --listen 127.0.0.1:24950 serve "$@" > $dir.log 2>&1 &
pid=$!
for i in $(seq 120); do curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:24950/v2/ | grep -q 401 && break; sleep 0.5; done
python3 "$(dirname "$0")/retention.py" http://127.0.0.1:24950 --password bench-pass-1 --sqlite $dir/berth.db
grep VmHWM /proc/$pid/status
kill $pid; wait $pid 2>/dev/null
