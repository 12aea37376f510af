#!/bin/bash
# Restore of a version with many tags: starts berth with a fresh data dir (SQLite, or the
# PostgreSQL database BERTH_DATABASE_URL names: it is emptied first), pushes M manifests with
# T tags each into one repository through /v2/ (default 2000 x 5 = 10,000 tags), then times two
# restore tasks: back to version 1 (removes nearly everything) and back to the full version
# (adds 10,000 tags and 2,000 manifests again), then an orphan dry run over that registry.
# Prints task times and berth's VmHWM.
# usage: bench/restore.sh [M] [T] [BINARY]     (BINARY defaults to target/debug/berth)
set -e
m=${1:-2000}; per=${2:-5}; bin=${3:-target/debug/berth}
port=24934; pw=bench-pass-1; base=http://127.0.0.1:$port
dir=/tmp/bench-restore; rm -rf $dir; mkdir -p $dir
db=${BERTH_DATABASE_URL:-}
if [ -n "$db" ]; then
  psql -q "$db" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS apalis CASCADE;" 2>/dev/null
fi
BERTH_ADMIN_PASSWORD=$pw BERTH_DURABILITY=${BERTH_DURABILITY:-relaxed} \
  $bin --data-dir $dir --listen 127.0.0.1:$port serve > $dir.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for i in $(seq 120); do curl -s -o /dev/null -w '%{http_code}' $base/v2/ | grep -q 401 && break; sleep 0.5; done

python3 - "$base" "$pw" "$m" "$per" <<'EOF'
import base64, hashlib, http.client, json, sys, time
from datetime import datetime
base, pw, m, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
host, port = base.split("//")[1].split(":")
c = http.client.HTTPConnection(host, int(port), timeout=600)
auth = "Basic " + base64.b64encode(f"admin:{pw}".encode()).decode()
def req(method, path, body=None, ctype="application/json"):
    h = {"Authorization": auth}
    if body is not None:
        h["Content-Type"] = ctype
        if not isinstance(body, bytes): body = json.dumps(body).encode()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse(); data = r.read()
    return r.status, (json.loads(data) if data and r.headers.get("Content-Type", "").startswith("application/json") else data)
sha = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
name = "bench/restore"
cfg = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
layer = b"x" * 1000
for b in (cfg, layer):
    s, _ = req("POST", f"/v2/{name}/blobs/uploads/?digest={sha(b)}", b, "application/octet-stream"); assert s == 201, s
t0 = time.time()
for i in range(m):
    body = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg), "size": len(cfg)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha(layer), "size": len(layer)}],
        "annotations": {"n": str(i)}}).encode()
    for j in range(per):
        s, r = req("PUT", f"/v2/{name}/manifests/t{i}-{j}", body, "application/vnd.oci.image.manifest.v1+json")
        assert s == 201, (s, r)
print(f"pushed {m} manifests x {per} tags in {time.time() - t0:.1f} s")
s, r = req("GET", f"/pulp/api/v3/repositories/container/container-push/?name={name}")
repo = r["results"][0]; href = repo["pulp_href"]; full = repo["latest_version_href"]
def restore(version):
    t0 = time.time()
    s, r = req("POST", f"{href}restore/", {"version": version}); assert s == 202, (s, r)
    while True:
        s, t = req("GET", r["task"])
        if t["state"] in ("completed", "failed", "canceled"): break
        time.sleep(0.02)
    p = lambda x: datetime.fromisoformat(x.replace("Z", "+00:00"))
    task_s = (p(t["finished_at"]) - p(t["started_at"])).total_seconds()
    print(f"restore {version.rsplit('/', 2)[-2]}: {t['state']} task {task_s:.3f} s (request to completed {time.time() - t0:.3f} s)")
    s, v = req("GET", f"{href}versions/?limit=1")
    print("  latest content:", {k: x["count"] for k, x in v["results"][0]["content_summary"]["present"].items()})
restore(f"{href}versions/1/")
restore(full)
# The same registry, for the dry run's cost when much is held: every version is kept, so
# nothing is an orphan; the count still walks every manifest and tag.
t0 = time.time()
s, r = req("POST", "/pulp/api/v3/orphans/cleanup/", {"orphan_protection_time": 0, "dry_run": True})
while True:
    s, t = req("GET", r["task"])
    if t["state"] in ("completed", "failed", "canceled"): break
    time.sleep(0.02)
print(f"orphan dry run with all of it held: {t['state']} {time.time() - t0:.3f} s {json.dumps(t['result'])}")
EOF
grep VmHWM /proc/$pid/status
