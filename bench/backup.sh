#!/usr/bin/env bash
# Backup and restore figures: starts `berth serve` on a fresh data directory, pushes IMAGES
# images of one LAYER_MB MiB random layer each (curl, monolithic uploads), then times
# `berth backup` (hard links, same filesystem), `berth backup --copy` and `berth restore`,
# and prints the summaries. Usage: bench/backup.sh [IMAGES] [LAYER_MB] (default 20 × 10).
set -euo pipefail
IMAGES=${1:-20}
LAYER_MB=${2:-10}
PORT=${BENCH_PORT:-25301}
BERTH=${BERTH:-target/release/berth}
[ -x "$BERTH" ] || BERTH=target/debug/berth
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export BERTH_ADMIN_PASSWORD=bench-password-1
"$BERTH" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.1; done
B="http://127.0.0.1:$PORT"
push_blob() { # file name
  local d; d="sha256:$(sha256sum "$1" | cut -d' ' -f1)"
  curl -fsS -u "admin:$BERTH_ADMIN_PASSWORD" -X POST --data-binary @"$1" \
    -H 'Content-Type: application/octet-stream' "$B/v2/$2/blobs/uploads/?digest=$d" >/dev/null
  echo "$d"
}
for i in $(seq "$IMAGES"); do
  head -c "$((LAYER_MB * 1048576))" /dev/urandom >"$WORK/layer"
  printf '{"architecture":"amd64","os":"linux","n":%d}' "$i" >"$WORK/config"
  L=$(push_blob "$WORK/layer" bench/backup); C=$(push_blob "$WORK/config" bench/backup)
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$C" "$(stat -c %s "$WORK/config")" "$L" "$(stat -c %s "$WORK/layer")" >"$WORK/manifest"
  curl -fsS -u "admin:$BERTH_ADMIN_PASSWORD" -X PUT --data-binary @"$WORK/manifest" \
    -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' "$B/v2/bench/backup/manifests/t$i" >/dev/null
done
echo "pushed $IMAGES images of $LAYER_MB MiB with $BERTH; berth keeps serving during the backups"
echo "--- berth backup (hard links)"
"$BERTH" --data-dir "$WORK/data" backup "$WORK/b-link"
echo "--- berth backup --copy"
"$BERTH" --data-dir "$WORK/data" backup --copy "$WORK/b-copy"
echo "--- berth restore --copy (into a new data directory, with the fsck check)"
"$BERTH" --data-dir "$WORK/restored" restore --copy "$WORK/b-copy"
