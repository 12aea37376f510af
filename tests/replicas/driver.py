#!/usr/bin/env python3
"""The multi-replica scenarios (started by tests/replicas/run.sh, which sets REPLICAS_* up):
skopeo through the proxy, chunked uploads whose requests alternate replicas, tokens across
replicas, N tag tasks → N versions, a task schedule dispatched once per interval, orphan cleanup
during pushes on both replicas, and a process killed (SIGKILL) in the middle of a task."""
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client import (A, B, HOST, PROXY, api, check, failures, push, pull_verified,  # noqa: E402
                    random_image, repository, req, sha, upload, version_number, wait_task)

WORK = os.environ["REPLICAS_WORK"]
DB_URL = os.environ["REPLICAS_DB_URL"]
PIDS = dict(p.split("=") for p in os.environ["REPLICAS_PIDS"].split(","))
ORPHANS = "pulpcore.app.tasks.orphan.orphan_cleanup"
INTERVAL = 60  # the shortest task-schedule interval berth accepts
TAGS = 20


def skopeo(*args):
    subprocess.run(["skopeo", *args], check=True, timeout=120, capture_output=True, text=True)


def scenario_skopeo():
    creds = f"admin:{os.environ['BERTH_ADMIN_PASSWORD']}"
    for tag in ("v1", "v2"):
        src = f"{WORK}/img-{tag}"
        subprocess.run([sys.executable, os.environ["REPLICAS_MKIMAGE"], src, tag], check=True,
                       capture_output=True, timeout=30)
        skopeo("copy", "-q", "--dest-tls-verify=false", "--dest-creds", creds, "--digestfile",
               f"{src}.digest", f"oci:{src}:{tag}", f"docker://{HOST}/replicas/skopeo:{tag}")
        pushed = open(f"{src}.digest").read().strip()
        out = f"{WORK}/pulled-{tag}"
        skopeo("copy", "-q", "--src-tls-verify=false", "--src-creds", creds,
               f"docker://{HOST}/replicas/skopeo:{tag}", f"oci:{out}:{tag}")
        index = json.load(open(f"{out}/index.json"))
        pulled = index["manifests"][0]["digest"]
        check(pulled == pushed, f"skopeo push and pull of replicas/skopeo:{tag} through the proxy",
              f"pushed {pushed}, pulled {pulled}")


def scenario_chunked():
    """One upload whose POST, PATCHes and PUT alternate A and B; one through the proxy."""
    parts = [os.urandom(200_000), os.urandom(150_000), os.urandom(50_000)]
    data = b"".join(parts)
    r = req(A, "POST", "/v2/replicas/chunked/blobs/uploads/")
    loc, offset, seen = r.headers.get("location"), 0, []
    for i, part in enumerate(parts):
        base = B if i % 2 == 0 else A
        r = req(base, "PATCH", loc, part, {
            "Content-Type": "application/octet-stream",
            "Content-Range": f"{offset}-{offset + len(part) - 1}"})
        seen.append((base, r.status))
        loc, offset = r.headers.get("location", loc), offset + len(part)
    sep = "&" if "?" in loc else "?"
    r = req(B, "PUT", f"{loc}{sep}digest={sha(data)}")
    ok = r.status == 201 and all(s == 202 for _, s in seen)
    check(ok, "a chunked upload started on A, patched on B, A, B and closed on B", f"{seen} {r}")
    # Through the proxy: nginx's round robin sends consecutive requests to both replicas.
    data2, upstreams = os.urandom(300_000), []
    r = req(PROXY, "POST", "/v2/replicas/chunked/blobs/uploads/")
    loc = r.headers.get("location")
    upstreams.append(r.headers.get("x-berth-upstream"))
    for start in range(0, len(data2), 100_000):
        chunk = data2[start:start + 100_000]
        r = req(PROXY, "PATCH", loc, chunk, {
            "Content-Type": "application/octet-stream",
            "Content-Range": f"{start}-{start + len(chunk) - 1}"})
        upstreams.append(r.headers.get("x-berth-upstream"))
        if r.status != 202:
            break
        loc = r.headers.get("location", loc)
    sep = "&" if "?" in loc else "?"
    r = req(PROXY, "PUT", f"{loc}{sep}digest={sha(data2)}")
    upstreams.append(r.headers.get("x-berth-upstream"))
    check(r.status == 201 and len(set(upstreams)) == 2,
          "a chunked upload through the proxy, its requests on both replicas", f"{upstreams} {r}")
    config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
    upload(PROXY, "replicas/chunked", config)
    digest, _ = push([A, B], "replicas/chunked", "latest", config, [data, data2])
    for name, base in (("A", A), ("B", B), ("the proxy", PROXY)):
        why = pull_verified(base, "replicas/chunked", "latest", digest)
        check(not why, f"the chunked uploads' image pulls from {name}, digests verified", why)
    return digest


def scenario_tokens():
    scope = "repository:replicas/chunked:pull,push"
    r = req(A, "GET", f"/token/?service={HOST}&scope={scope}")
    token = r.json()["token"]
    r = req(B, "GET", "/v2/replicas/chunked/tags/list", auth=f"Bearer {token}")
    check(r.status == 200 and "latest" in r.json()["tags"],
          "a token issued by replica A reads on replica B", repr(r))
    token_b = req(B, "GET", f"/token/?service={HOST}&scope={scope}").json()["token"]
    r = req(A, "POST", "/v2/replicas/chunked/blobs/uploads/", auth=f"Bearer {token_b}")
    check(r.status == 202, "a token issued by replica B starts an upload on replica A", repr(r))
    head, _, sig = token.rpartition(".")
    forged = head + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    r = req(B, "GET", "/v2/replicas/chunked/tags/list", auth=f"Bearer {forged}")
    check(r.status == 401, "a token with a broken signature is refused on replica B", repr(r))


def scenario_tag_tasks(digest):
    """TAGS tag tasks dispatched over A, B and the proxy at once make exactly TAGS versions."""
    repo = repository("replicas/chunked")
    before, href = version_number(repo), repo["pulp_href"]
    hrefs, lock = [], threading.Lock()

    def dispatch(i):
        base = (A, B, PROXY)[i % 3]
        t = api(base, "POST", f"{href}tag/", {"tag": f"t{i}", "digest": digest})["task"]
        with lock:
            hrefs.append(t)

    threads = [threading.Thread(target=dispatch, args=(i,)) for i in range(TAGS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    tasks = [wait_task(h, 120) for h in hrefs]
    states = sorted({t["state"] for t in tasks})
    made = sorted(int(c.rstrip("/").rsplit("/", 1)[1]) for t in tasks for c in t["created_resources"])
    after = version_number(repository("replicas/chunked"))
    check(len(tasks) == TAGS and states == ["completed"],
          f"{TAGS} tag tasks dispatched on A, B and the proxy all completed", f"states {states}")
    check(after - before == TAGS and made == list(range(before + 1, after + 1)),
          f"{TAGS} tag tasks made exactly {TAGS} versions, one each",
          f"versions {before} -> {after}, created {made}")
    tags = req(PROXY, "GET", "/v2/replicas/chunked/tags/list").json()["tags"]
    check(all(f"t{i}" in tags for i in range(TAGS)), "every tag a task set is listed")


def scenario_orphans_during_pushes():
    """Pushes on A and on B while orphan cleanups (protection 0) run over and over."""
    pushed, retries, errors, cleanups = [], [0], [], []
    done = threading.Event()

    def pusher(base, repo):
        try:
            # At least 8 images each, and on until 6 cleanups have run beside them.
            i = 0
            while i < 8 or (len(cleanups) < 6 and i < 100):
                config, layers = random_image()
                d, r = push(base, repo, f"p{i}", config, layers)
                pushed.append((repo, f"p{i}", d))
                retries[0] += r
                i += 1
        except Exception as e:  # noqa: BLE001 - reported as a failure below
            errors.append(f"{base}: {e}")

    def cleaner():
        n = 0
        while not done.is_set() and n < 200:
            base = (A, B)[n % 2]
            t = api(base, "POST", "/pulp/api/v3/orphans/cleanup/", {"orphan_protection_time": 0})
            cleanups.append(wait_task(t["task"], 60)["state"])
            n += 1
            # A pause between cleanups (as between any two real ones): with protection 0 and
            # no pause, a push's fresh blobs can be reclaimed before its manifest every time.
            done.wait(1.0)

    threads = [threading.Thread(target=pusher, args=(A, "replicas/race-a")),
               threading.Thread(target=pusher, args=(B, "replicas/race-b"))]
    c = threading.Thread(target=cleaner)
    c.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    done.set()
    c.join(70)
    check(not errors and len(pushed) >= 16,
          f"{len(pushed)} pushes on A and B during orphan cleanups succeeded",
          f"{errors[:2]}; {retries[0]} manifest PUTs refused with MANIFEST_BLOB_UNKNOWN and retried")
    check(len(cleanups) >= 2 and set(cleanups) == {"completed"},
          "orphan cleanups with protection 0 ran during the pushes, alternating replicas",
          f"{len(cleanups)} cleanups: {sorted(set(cleanups))}")
    bad = [w for w in (pull_verified(PROXY, *p) for p in pushed) if w]
    check(not bad, "every tag pushed during the cleanups pulls, digests verified", "; ".join(bad[:3]))


def psql(sql):
    return subprocess.run(["psql", DB_URL, "-Atc", sql], check=True, capture_output=True,
                          text=True, timeout=20).stdout.strip()


def task_process(timeout=30):
    """The name and pid of our process whose database session waits on a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ports = psql("SELECT client_port FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock'").split()
        for port in ports:
            out = subprocess.run(["ss", "-tnpH", f"sport = :{port}"], capture_output=True,
                                 text=True, timeout=10).stdout
            for pid in re.findall(r"pid=(\d+)", out):
                for name, p in PIDS.items():
                    if p == pid:
                        return name, int(pid)
        time.sleep(0.2)
    raise TimeoutError("no berth process was found waiting inside the task")


def scenario_kill(chunked):
    """A tag task is held mid-run (its version lock blocked by a transaction of ours); the
    process running it is SIGKILLed; the others fail (or finish) it and keep serving."""
    config, layers = random_image()
    digest, _ = push(PROXY, "replicas/kill", "v1", config, layers)
    repo = repository("replicas/kill")
    rid = repo["pulp_href"].rstrip("/").rsplit("/", 1)[1]
    holder = subprocess.Popen(["psql", DB_URL, "-q"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True)
    try:
        holder.stdin.write(f"BEGIN;\nSELECT id FROM repositories WHERE id = '{rid}' FOR UPDATE;\n")
        holder.stdin.flush()
        time.sleep(0.5)
        href = api(PROXY, "POST", f"{repo['pulp_href']}tag/", {"tag": "held", "digest": digest})["task"]
        name, pid = task_process()
        state = req(PROXY, "GET", href).json()["state"]
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        print(f"  killed {name} (pid {pid}) while it ran task {href} ({state})", flush=True)
    finally:
        holder.communicate("ROLLBACK;\n\\q\n", timeout=20)
    pushes, errors, bad_gateway, stop = [0], [], [], threading.Event()

    def keep_pushing():
        i = 0
        while not stop.is_set():
            c, l = random_image(4096, 1)
            for _ in range(3):
                try:
                    push(PROXY, "replicas/after-kill", f"k{i}", c, l, attempts=3)
                    pushes[0] += 1
                    break
                except Exception as e:  # noqa: BLE001 - counted and reported
                    # A POST or PATCH that nginx sent on a pooled connection to the dead
                    # replica is answered 502 (nginx retries those only before sending);
                    # a client retries, as docker and skopeo do.
                    if ": 502 " in str(e):
                        bad_gateway.append(round(time.monotonic() - killed_at))
                        continue
                    errors.append(str(e))
                    break
            i += 1
            time.sleep(0.5)

    p = threading.Thread(target=keep_pushing)
    p.start()
    try:
        other = repository("replicas/chunked")
        t = api(PROXY, "POST", f"{other['pulp_href']}tag/", {"tag": "after-kill", "digest": chunked})
        check(wait_task(t["task"], 60)["state"] == "completed",
              "a task dispatched after the kill runs on the remaining processes")
        task = wait_task(href, 100)
        took = time.monotonic() - killed_at
        check(task["state"] in ("failed", "completed") and took <= 90,
              f"the killed {name}'s task ended ({task['state']}) {took:.0f} s after the kill "
              "(documented: within 75 s)", (task.get("error") or {}).get("description", ""))
        t = api(PROXY, "POST", f"{repo['pulp_href']}tag/", {"tag": "after", "digest": digest})
        check(wait_task(t["task"], 60)["state"] == "completed",
              "the killed task's repository takes new tasks again")
    finally:
        stop.set()
        p.join(60)
    check(pushes[0] >= 5 and not errors, "pushes through the proxy kept working after the kill",
          f"{pushes[0]} pushes, {len(errors)} failed: {errors[:2]}; retried after a 502 "
          f"at +{bad_gateway} s")


def schedule():
    """A task schedule of orphan cleanups every INTERVAL seconds, first due in 5 s."""
    first = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    first += datetime.timedelta(seconds=5)
    api(PROXY, "POST", "/pulp/api/v3/task-schedules/", {
        "name": "replicas gc", "task_name": ORPHANS, "dispatch_interval": INTERVAL,
        "next_dispatch": first.isoformat().replace("+00:00", "Z"),
        "task_args": {"orphan_protection_time": 1}})
    return first


def check_schedule(first):
    """Exactly one task per due slot, each dispatched within a few seconds of its slot."""
    def into_slot():
        return (datetime.datetime.now(datetime.timezone.utc) - first).total_seconds()
    while into_slot() % INTERVAL > INTERVAL - 3 or into_slot() % INTERVAL < 12:
        time.sleep(1)  # not at a slot's edge: every due slot has had its tick
    slots = int(into_slot() // INTERVAL) + 1
    res = api(PROXY, "GET", f"/pulp/api/v3/tasks/?name={ORPHANS}&logging_cid=scheduler&limit=100")
    created = sorted(datetime.datetime.fromisoformat(t["pulp_created"].replace("Z", "+00:00"))
                     for t in res["results"])
    offsets = [round((c - first).total_seconds(), 1) for c in created]
    on_time = all(0 <= o - k * INTERVAL < 10 for k, o in enumerate(offsets))
    check(res["count"] == slots and on_time,
          f"the task schedule ran exactly once per {INTERVAL} s slot across three processes",
          f"{slots} slots, {res['count']} tasks, at +{offsets} s")


def main():
    started = time.monotonic()
    first = schedule()
    state = {}
    steps = [scenario_skopeo, scenario_chunked, scenario_tokens, scenario_tag_tasks,
             scenario_orphans_during_pushes, scenario_kill]
    for step in steps:
        t0 = time.monotonic()
        try:
            if step is scenario_chunked:
                state["digest"] = step()
            elif step in (scenario_tag_tasks, scenario_kill):
                step(state["digest"])
            else:
                step()
        except Exception as e:  # noqa: BLE001 - one scenario's error fails it, not the run
            check(False, f"{step.__name__} raised", f"{type(e).__name__}: {e}")
        print(f"  ({step.__name__}: {time.monotonic() - t0:.0f} s)", flush=True)
    check_schedule(first)
    print(f"replicas: {len(failures)} failed, {time.monotonic() - started:.0f} s", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
