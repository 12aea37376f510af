#!/usr/bin/env bash
# Seeds the stand-in for ghcr.io (a second berth) with the fixture images Pulp's tests pull:
# ghcr.io/pulp/test-fixture-1:manifest_a … manifest_d (single-architecture linux/amd64 images;
# the tests build their manifest lists from them with `podman manifest`).
# Each image is made by `podman import` from a small tarball of its own (so the four differ),
# then pushed as Docker v2 schema 2: podman pushes a v2s2 image it pulled unchanged, so when a
# test re-pushes it to the berth under test its manifest digest stays the same.
# Usage: seed_fixtures.sh HOST:PORT USER PASSWORD WORKDIR   (podman's environment set by run.sh)
set -euo pipefail
REGISTRY=$1 USER=$2 PASSWORD=$3 WORK=$4
mkdir -p "$WORK/fixtures"
for name in a b c d; do
  dir="$WORK/fixtures/rootfs-$name"
  mkdir -p "$dir/etc"
  printf 'pulp test fixture 1, manifest_%s\n' "$name" >"$dir/etc/fixture"
  # A few KiB of per-image content so each image has a distinct, non-trivial layer.
  head -c 4096 /dev/zero | tr '\0' "$name" >"$dir/etc/fixture.data"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$dir.tar" .
  podman import -q --arch amd64 --os linux --change 'CMD ["/bin/sh"]' \
    --change "LABEL org.example.fixture=manifest_$name" \
    "$dir.tar" "localhost/pulp-fixture:manifest_$name" >/dev/null
  podman push -q --format v2s2 --tls-verify=false --creds "$USER:$PASSWORD" \
    "localhost/pulp-fixture:manifest_$name" "docker://$REGISTRY/pulp/test-fixture-1:manifest_$name"
  podman rmi -f "localhost/pulp-fixture:manifest_$name" >/dev/null
done
echo "seeded $REGISTRY/pulp/test-fixture-1:manifest_{a,b,c,d}"
