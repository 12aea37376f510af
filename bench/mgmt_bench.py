#!/usr/bin/env python3
"""Management-API benchmark for berth (stdlib only; loopback only).

Measures, against a running berth:
  * remove_image latency: POST {repo}remove_image/ until its task is completed (N runs);
  * list latency of repositories/tags lists (queries do not grow with page size);
  * orphan cleanup time for ORPHANS orphaned blobs (pushed through /v2/, then orphaned by
    deleting their distribution), with protection time 0.

Usage: bench/mgmt_bench.py http://127.0.0.1:24817 --password PW [--orphans 100000] [--runs 20]
"""
import argparse, hashlib, http.client, json, os, statistics, threading, time, urllib.parse, base64

def conn(url):
    u = urllib.parse.urlparse(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("refusing a non-loopback target")
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600)

class Client:
    def __init__(self, base, auth):
        self.base, self.auth, self.c = base, auth, conn(base)
    def req(self, method, path, body=None, headers=None, raw=False):
        h = {"Authorization": self.auth}
        h.update(headers or {})
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode(); h["Content-Type"] = "application/json"
        for attempt in range(3):
            try:
                self.c.request(method, path, body=body, headers=h)
                r = self.c.getresponse(); data = r.read()
                return r.status, (data if raw else (json.loads(data) if data else None)), r
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.c = conn(self.base)
        raise SystemExit(f"{method} {path} failed")

def sha(b): return "sha256:" + hashlib.sha256(b).hexdigest()

def push_blob(cl, repo, data):
    d = sha(data)
    s, _, _ = cl.req("POST", f"/v2/{repo}/blobs/uploads/?digest={d}", data, {"Content-Type": "application/octet-stream"}, raw=True)
    assert s == 201, s
    return d

def push_image(cl, repo, tag, layers):
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "n": tag}).encode()
    push_blob(cl, repo, cfg)
    descs = [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": push_blob(cl, repo, l), "size": len(l)} for l in layers]
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg), "size": len(cfg)},
                    "layers": descs}).encode()
    s, _, _ = cl.req("PUT", f"/v2/{repo}/manifests/{tag}", m, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}, raw=True)
    assert s == 201, s
    return sha(m)

def wait(cl, href):
    while True:
        s, t, _ = cl.req("GET", href)
        if t["state"] in ("completed", "failed", "canceled"):
            return t

def pct(xs, p): xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p))]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url"); ap.add_argument("--user", default="admin"); ap.add_argument("--password", required=True)
    ap.add_argument("--orphans", type=int, default=100000); ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=8)
    a = ap.parse_args()
    auth = "Basic " + base64.b64encode(f"{a.user}:{a.password}".encode()).decode()
    cl = Client(a.url, auth)
    run = os.urandom(4).hex()

    # remove_image latency
    repo = f"bench{run}/img"
    lat = []
    for i in range(a.runs):
        digest = push_image(cl, repo, f"t{i}", [os.urandom(1024), os.urandom(2048)])
        if i == 0:
            _, r, _ = cl.req("GET", f"/pulp/api/v3/repositories/container/container-push/?name={repo}")
            href = r["results"][0]["pulp_href"]
        t0 = time.perf_counter()
        s, body, _ = cl.req("POST", f"{href}remove_image/", {"digest": digest})
        assert s == 202, body
        t = wait(cl, body["task"])
        lat.append((time.perf_counter() - t0) * 1000)
        assert t["state"] == "completed", t
    print(f"remove_image POST->completed: runs={len(lat)} p50={statistics.median(lat):.1f} ms p99={pct(lat, .99):.1f} ms max={max(lat):.1f} ms")

    # list latency at two page sizes
    # (run berth-bench --listing 10000 first to measure them with 10,000 repositories and tags)
    for path in ["/pulp/api/v3/repositories/container/container-push/", "/pulp/api/v3/distributions/container/container/",
                 "/pulp/api/v3/content/container/tags/", "/pulp/api/v3/content/container/manifests/", "/pulp/api/v3/tasks/"]:
        for limit in (10, 1000):
            ts = []
            for _ in range(10):
                t0 = time.perf_counter(); s, _, _ = cl.req("GET", f"{path}?limit={limit}"); ts.append((time.perf_counter() - t0) * 1000)
            count = (cl.req("GET", f"{path}?limit=1")[1] or {}).get("count")
            print(f"GET {path}?limit={limit}: p50={statistics.median(ts):.1f} ms (count {count})")

    # orphan cleanup of N orphaned blobs
    if a.orphans > 0:
        orepo = f"bench{run}/orphans"
        t0 = time.perf_counter()
        per = (a.orphans + a.threads - 1) // a.threads
        def worker(k):
            c = Client(a.url, auth)
            for i in range(k * per, min(a.orphans, (k + 1) * per)):
                push_blob(c, orepo, f"orphan {run} {i}".encode())
        ths = [threading.Thread(target=worker, args=(k,)) for k in range(a.threads)]
        [t.start() for t in ths]; [t.join() for t in ths]
        print(f"pushed {a.orphans} blobs in {time.perf_counter() - t0:.1f} s")
        _, r, _ = cl.req("GET", f"/pulp/api/v3/distributions/container/container/?name={orepo}")
        s, body, _ = cl.req("DELETE", r["results"][0]["pulp_href"])
        wait(cl, body["task"])
        t0 = time.perf_counter()
        s, body, _ = cl.req("POST", "/pulp/api/v3/orphans/cleanup/", {"orphan_protection_time": 0})
        t = wait(cl, body["task"])
        el = time.perf_counter() - t0
        rep = {p["code"]: p["done"] for p in t["progress_reports"]}
        print(f"orphan cleanup: {el:.2f} s, state={t['state']}, {rep}")

if __name__ == "__main__":
    main()
