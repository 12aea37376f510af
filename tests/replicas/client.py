"""HTTP helpers for the multi-replica test (stdlib only): raw requests to the proxy or to one
replica, OCI pushes and pulls with digest checks, Pulp API calls and task waits, PASS/FAIL."""
import base64
import hashlib
import http.client
import json
import os
import time
import urllib.parse

PROXY = os.environ["REPLICAS_PROXY"]
A = os.environ["REPLICAS_A"]
B = os.environ["REPLICAS_B"]
PASSWORD = os.environ["BERTH_ADMIN_PASSWORD"]
# Every request names the proxy as its Host, as a request through a load balancer does: berth
# takes its token audience and realm from it, so a replica asked directly behaves the same.
HOST = urllib.parse.urlsplit(PROXY).netloc
BASIC = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
FINAL = ("completed", "failed", "canceled", "skipped")
failures = []


def check(ok, name, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" ({detail})" if detail else ""), flush=True)
    if not ok:
        failures.append(name)
    return ok


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"{self.status} {self.body[:300]!r}"


def req(base, method, path, body=None, headers=None, auth=BASIC, timeout=60):
    """One request on a fresh connection; `path` may be a full URL (its path is used)."""
    u = urllib.parse.urlsplit(base)
    p = urllib.parse.urlsplit(path)
    target = p.path + (f"?{p.query}" if p.query else "")
    h = {"Host": HOST}
    if auth:
        h["Authorization"] = auth
    h.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def api(base, method, path, body=None, expect=(200, 201, 202)):
    r = req(base, method, path, body)
    if r.status not in expect:
        raise RuntimeError(f"{method} {path} on {base}: {r}")
    return r.json() if r.body else None


def wait_task(href, timeout=60, base=PROXY):
    """Polls a task (through `base`) until it ends; raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = req(base, "GET", href)
        if r.status == 200 and r.json()["state"] in FINAL:
            return r.json()
        time.sleep(0.2)
    raise TimeoutError(f"task {href} did not end within {timeout} s")


def repository(name, base=PROXY):
    q = urllib.parse.quote(name, safe="")
    res = api(base, "GET", f"/pulp/api/v3/repositories/container/container-push/?name={q}")
    return res["results"][0]


def version_number(repo):
    return int(repo["latest_version_href"].rstrip("/").rsplit("/", 1)[1])


def upload(base, repo, data):
    """POST then PUT (one chunk) a blob to `base`; returns its digest."""
    d = sha(data)
    r = req(base, "POST", f"/v2/{repo}/blobs/uploads/")
    if r.status != 202:
        raise RuntimeError(f"upload start on {base}: {r}")
    loc = r.headers["location"]
    sep = "&" if "?" in loc else "?"
    r = req(base, "PUT", f"{loc}{sep}digest={d}", data,
            {"Content-Type": "application/octet-stream"})
    if r.status != 201:
        raise RuntimeError(f"upload finish on {base}: {r}")
    return d


def manifest(config, layers):
    """An OCI image manifest over a config blob and layer blobs (bytes each)."""
    desc = lambda mt, b: {"mediaType": mt, "digest": sha(b), "size": len(b)}
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": desc("application/vnd.oci.image.config.v1+json", config),
        "layers": [desc("application/vnd.oci.image.layer.v1.tar", l) for l in layers],
    }).encode()


def random_image(layer_size=16384, layers=2):
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "nonce": os.urandom(8).hex()}).encode()
    return config, [os.urandom(layer_size) for _ in range(layers)]


def push(base, repo, tag, config, layers, attempts=30):
    """Pushes an image the way a client does; a manifest refused because a blob it names was
    reclaimed meanwhile (MANIFEST_BLOB_UNKNOWN) is retried after uploading the blobs that are
    gone (HEAD) again. Returns (manifest digest, retries). `base` may be a list: requests
    rotate over it."""
    bases = base if isinstance(base, list) else [base]
    n = 0
    body = manifest(config, layers)
    for attempt in range(attempts):
        for blob in [config, *layers]:
            if attempt > 0:
                head = req(bases[n % len(bases)], "HEAD", f"/v2/{repo}/blobs/{sha(blob)}")
                n += 1
                if head.status == 200:
                    continue
            upload(bases[n % len(bases)], repo, blob)
            n += 1
        r = req(bases[n % len(bases)], "PUT", f"/v2/{repo}/manifests/{tag}", body,
                {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        n += 1
        if r.status == 201:
            return sha(body), attempt
        if r.status == 400 and b"MANIFEST_BLOB_UNKNOWN" in r.body:
            continue
        raise RuntimeError(f"manifest PUT {repo}:{tag} on {bases[(n - 1) % len(bases)]}: {r}")
    raise RuntimeError(f"manifest PUT {repo}:{tag}: blobs reclaimed {attempts} times in a row")


def pull_verified(base, repo, tag, digest):
    """GETs the manifest by tag and every blob it names; '' when all digests match, else why."""
    r = req(base, "GET", f"/v2/{repo}/manifests/{tag}",
            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    if r.status != 200:
        return f"{repo}:{tag} manifest {r.status}"
    if sha(r.body) != digest:
        return f"{repo}:{tag} is {sha(r.body)}, pushed {digest}"
    m = r.json()
    for d in [m["config"]["digest"]] + [l["digest"] for l in m["layers"]]:
        b = req(base, "GET", f"/v2/{repo}/blobs/{d}")
        if b.status != 200 or sha(b.body) != d:
            return f"{repo}:{tag} blob {d}: {b.status}"
    return ""
