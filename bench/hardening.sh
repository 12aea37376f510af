#!/bin/bash
# Runs the hardening comparison workloads (bench/README.md) against one berth binary: starts it
# on 127.0.0.1:24900 with a fresh data dir, pushes/pulls, small images, tags, chunked uploads.
# usage: bench/hardening.sh LABEL BINARY [serve args...]
label=$1; bin=$2; shift 2
dir=/tmp/bench-$label; rm -rf $dir; mkdir -p $dir
BERTH_ADMIN_PASSWORD=bench-pass-1 nice -n -10 $bin --data-dir $dir --listen 127.0.0.1:24900 serve "$@" > $dir.log 2>&1 &
pid=$!
for i in $(seq 60); do curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:24900/v2/ | grep -q 401 && break; sleep 0.5; done
B="nice -n -10 ${BENCH:-target/release/berth-bench} http://127.0.0.1:24900 --creds admin:bench-pass-1"
echo "### $label"
$B --images 16 --layers 3 --layer-size 4194304 --concurrency 4 --seconds 5 2>/dev/null
echo "-- small images (2 x 4 KiB layers), concurrency 1"
$B --images 60 --layers 2 --layer-size 4096 --concurrency 1 --seconds 1 2>/dev/null | grep "push image"
echo "-- tag pushes"
$B --images 1 --layers 1 --layer-size 1000 --listing 1000 --seconds 2 2>/dev/null | grep -i "tag\|repositor"
echo "-- chunked 200 MiB"
$B --images 0 --chunked-blobs 3 2>/dev/null
grep VmHWM /proc/$pid/status
kill $pid; wait $pid 2>/dev/null
