#!/usr/bin/env python3
"""Retention benchmark for berth (stdlib only; loopback only).

Seeds one repository with 10,000 tags over 2,000 manifests (5 tags each, pushed through /v2/),
creates a policy (through POST /pulp/api/v3/retention_policies/ when it exists, else straight
into the SQLite database given with --sqlite), then times:
  * the preview (POST {policy}preview/?limit=100; target < 500 ms),
  * a dry run and a real run (POST {policy}run/ until the task completed; target < 5 s),
and prints the totals. The policy keeps the tags `*-0` of the 1,500 newest manifests: 500
manifests (2,500 tags) go, 6,000 more tags are untagged.

Usage: bench/retention.py http://127.0.0.1:24950 --password PW [--sqlite DATA/berth.db |
       --postgres postgres://…/db] [--pid PID (prints its VmHWM after each step)]
"""
import argparse, base64, hashlib, http.client, json, sqlite3, subprocess, threading, time, urllib.parse, uuid
from datetime import datetime, timezone

MANIFESTS, TAGS_EACH = 2000, 5

def conn(url):
    u = urllib.parse.urlparse(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("refusing a non-loopback target")
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600)

class Client:
    def __init__(self, base, auth):
        self.base, self.auth, self.c = base, auth, conn(base)
    def req(self, method, path, body=None, headers=None):
        h = {"Authorization": self.auth}
        h.update(headers or {})
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode(); h["Content-Type"] = "application/json"
        for _ in range(3):
            try:
                self.c.request(method, path, body=body, headers=h)
                r = self.c.getresponse(); data = r.read()
                try:
                    return r.status, json.loads(data) if data else None
                except ValueError:
                    return r.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.c = conn(self.base)
        raise SystemExit(f"{method} {path} failed")

def sha(b): return "sha256:" + hashlib.sha256(b).hexdigest()

MT = "application/vnd.oci.image.manifest.v1+json"

def push_blob(cl, repo, data):
    d = sha(data)
    s, _ = cl.req("POST", f"/v2/{repo}/blobs/uploads/?digest={d}", data, {"Content-Type": "application/octet-stream"})
    assert s == 201, s
    return d

def seed_one(cl, repo, i):
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "n": i}).encode()
    layer = hashlib.sha256(b"layer-%d" % i).digest() * 32
    m = json.dumps({"schemaVersion": 2, "mediaType": MT,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": push_blob(cl, repo, cfg), "size": len(cfg)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": push_blob(cl, repo, layer), "size": len(layer)}]}).encode()
    for k in range(TAGS_EACH):
        s, _ = cl.req("PUT", f"/v2/{repo}/manifests/m{i:04d}-{k}", m, {"Content-Type": MT})
        assert s == 201, s

def seed(base, auth, repo, workers=4):
    # Manifests in order (so "pushed" follows i); each worker takes a contiguous stripe in turn.
    nxt = [0]; lock = threading.Lock()
    def work():
        cl = Client(base, auth)
        while True:
            with lock:
                i = nxt[0]; nxt[0] += 1
            if i >= MANIFESTS:
                return
            seed_one(cl, repo, i)
    ts = [threading.Thread(target=work) for _ in range(workers)]
    [t.start() for t in ts]; [t.join() for t in ts]

POLICY = {"name": "bench", "repositories": ["bench/ret"], "rules": [{"tags": ".*-0", "latest_pushed": 1500}],
          "delay": "0s", "undo_window": "7d"}

def create_policy(cl, db, pg):
    s, v = cl.req("POST", "/pulp/api/v3/retention_policies/", POLICY)
    if s == 201:
        return v["pulp_href"]
    pid, now = str(uuid.uuid4()), datetime.now(timezone.utc).isoformat()
    if pg:
        q = lambda x: "'" + x.replace("'", "''") + "'"
        sql = (f"INSERT INTO retention_policies VALUES ({q(pid)}, {q(POLICY['name'])}, NULL, "
               f"{q(json.dumps(POLICY['repositories']))}, '[]', {q(json.dumps(POLICY['rules']))}, true, 0, false, "
               f"604800, NULL, {q(now)}, {q(now)})")
        subprocess.run(["psql", "-q", pg, "-c", sql], check=True)
        return f"/pulp/api/v3/retention_policies/{pid}/"
    if not db:
        raise SystemExit(f"no policies API ({s}) and no --sqlite or --postgres database given")
    c = sqlite3.connect(db)
    c.execute("INSERT INTO retention_policies VALUES (?,?,NULL,?,?,?,1,0,0,604800,NULL,?,?)",
              (uuid.UUID(pid).bytes, POLICY["name"], json.dumps(POLICY["repositories"]), "[]", json.dumps(POLICY["rules"]), now, now))
    c.commit(); c.close()
    return f"/pulp/api/v3/retention_policies/{pid}/"

def wait(cl, href):
    while True:
        s, t = cl.req("GET", href)
        if t["state"] in ("completed", "failed", "canceled"):
            return t
        time.sleep(0.02)

def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00"))

def timed_run(cl, policy, dry):
    t0 = time.perf_counter()
    s, v = cl.req("POST", f"{policy}run/", {"dry_run": dry})
    assert s == 202, (s, v)
    t = wait(cl, v["task"])
    wall = time.perf_counter() - t0
    assert t["state"] == "completed", t
    server = (ts(t["finished_at"]) - ts(t["started_at"])).total_seconds()
    return wall, server, t

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url"); ap.add_argument("--user", default="admin"); ap.add_argument("--password", required=True)
    ap.add_argument("--sqlite"); ap.add_argument("--postgres"); ap.add_argument("--pid")
    ap.add_argument("--workers", type=int, default=4)
    a = ap.parse_args()
    def hwm(step):
        if a.pid:
            with open(f"/proc/{a.pid}/status") as f:
                print(f"  VmHWM after {step}:", next(l.split(":")[1].strip() for l in f if l.startswith("VmHWM")))
    auth = "Basic " + base64.b64encode(f"{a.user}:{a.password}".encode()).decode()
    cl = Client(a.url, auth)
    t0 = time.perf_counter(); seed(a.url, auth, "bench/ret", a.workers)
    print(f"seeded {MANIFESTS} manifests, {MANIFESTS * TAGS_EACH} tags in {time.perf_counter() - t0:.1f} s")
    hwm("seeding")
    policy = create_policy(cl, a.sqlite, a.postgres)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        s, p = cl.req("POST", f"{policy}preview/?limit=100")
        times.append((time.perf_counter() - t0) * 1000)
        assert s == 200, (s, p)
        hwm(f"preview {len(times)}")
    print(f"preview: {min(times):.0f} ms best, {sorted(times)[2]:.0f} ms median of 5 (target < 500 ms); totals {p['totals']}")
    wall, server, t = timed_run(cl, policy, True)
    print(f"dry run: {wall * 1000:.0f} ms (task ran {server * 1000:.0f} ms); result {t['result']['totals']}")
    wall, server, t = timed_run(cl, policy, False)
    print(f"run: {wall * 1000:.0f} ms (task ran {server * 1000:.0f} ms; target < 5 s); versions {t['created_resources']}")
    hwm("the run")
    s, p = cl.req("POST", f"{policy}preview/?limit=100")
    print(f"after the run: {p['totals']}")

if __name__ == "__main__":
    main()
