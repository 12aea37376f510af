#!/usr/bin/env python3
"""Times the web UI's pages against a running berth (stdlib only): signs in through the form,
then GETs each page N times and prints median and p95 in ms. Seed first with
`berth-bench URL --creds admin:PW --listing 10000` (10,000 repositories, and one repository
with 10,000 tags); the repository and image pages are timed on that one. With --untag, last,
it untags every tag matching --untag-filter (default `t0`: the 10,000 `t…` tags berth-bench
made) through the repository page's "select all matching" and prints how long the task took;
--untag-only skips the page timings (the untag alone, e.g. before/after a change to its SQL:
restore the seeded database between runs, the untag removes the tags).
Usage: bench/ui_pages.py URL --password PW [--runs 20] [--repo list-<run>/r000000] [--untag | --untag-only]"""
import argparse, base64, datetime, http.cookiejar, json, re, statistics, time, urllib.parse, urllib.request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--password", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--repo", help="the repository whose page to time (default: most tags)")
    ap.add_argument("--untag", action="store_true", help="then untag every matching tag, timed")
    ap.add_argument("--untag-only", action="store_true", help="time the untag alone, no pages")
    ap.add_argument("--untag-filter", default="t0")
    a = ap.parse_args()
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = op.open(a.url + "/ui/signin").read().decode()
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrf": token, "username": "admin", "password": a.password})
    op.open(a.url + "/ui/signin", data.encode()).read()

    def api(path):
        req = urllib.request.Request(a.url + path)
        req.add_header("Authorization", "Basic " + base64.b64encode(f"admin:{a.password}".encode()).decode())
        return json.load(urllib.request.urlopen(req))

    if a.repo:
        rid = api(f"/pulp/api/v3/repositories/container/container-push/?name={a.repo}")["results"][0]["pulp_href"].rstrip("/").rsplit("/", 1)[1]
    else:
        repos = op.open(a.url + "/ui/repositories/?sort=tags&dir=desc").read().decode()
        rid = re.search(r'href="/ui/repositories/([0-9a-f-]{36})/"', repos).group(1)
    if a.untag_only:
        untag_all(a, op, api, rid)
        return
    page = op.open(a.url + f"/ui/repositories/{rid}/").read().decode()
    digest = urllib.parse.unquote(re.search(r'/image\?digest=(sha256%3A[0-9a-f]{64})', page).group(1))
    pages = [
        ("overview", "/ui/"),
        ("namespaces", "/ui/namespaces/"),
        ("namespaces by size", "/ui/namespaces/?sort=size"),
        ("namespaces by tags", "/ui/namespaces/?sort=tags"),
        ("repositories (last push)", "/ui/repositories/"),
        ("repositories by name", "/ui/repositories/?sort=name&dir=asc"),
        ("repositories by tags", "/ui/repositories/?sort=tags&dir=desc"),
        ("repositories by size", "/ui/repositories/?sort=size&dir=desc"),
        ("repositories by size, asc", "/ui/repositories/?sort=size&dir=asc"),
        ("repositories filtered", "/ui/repositories/?q=r0099"),
        ("repositories page 100", "/ui/repositories/?page=100"),
        ("repository (most tags)", f"/ui/repositories/{rid}/"),
        ("image (most tags)", f"/ui/repositories/{rid}/image?digest={urllib.parse.quote(digest)}"),
        ("delete-image confirmation", f"/ui/repositories/{rid}/delete-image?digest={urllib.parse.quote(digest)}"),
        ("versions", f"/ui/repositories/{rid}/versions/"),
        ("tasks", "/ui/tasks/"),
        ("cleanup", "/ui/cleanup/"),
    ]
    print(f"{'page':28} {'median ms':>10} {'p95 ms':>8} {'KiB':>7}")
    for name, path in pages:
        times, size = [], 0
        for _ in range(a.runs):
            t = time.perf_counter()
            body = op.open(a.url + path).read()
            times.append((time.perf_counter() - t) * 1000)
            size = len(body)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{name:28} {statistics.median(times):10.1f} {p95:8.1f} {size / 1024:7.0f}")
    if a.untag:
        untag_all(a, op, api, rid)


def untag_all(a, op, api, rid):
    """Untags every tag matching the filter with one "select all matching" POST; prints the
    POST's time, the time until the task finished, and the task's own run time."""
    page = op.open(a.url + f"/ui/repositories/{rid}/?q={urllib.parse.quote(a.untag_filter)}").read().decode()
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    matching = int(re.search(r"(\d+) matching tag", page).group(1))
    data = urllib.parse.urlencode({"csrf": token, "all_matching": "1", "q": a.untag_filter}).encode()
    t0 = time.perf_counter()
    res = op.open(a.url + f"/ui/repositories/{rid}/untag", data)
    posted = (time.perf_counter() - t0) * 1000
    task = re.search(r"/ui/tasks/([0-9a-f-]{36})/", res.geturl()).group(1)
    deadline = time.time() + 600
    while time.time() < deadline:
        t = api(f"/pulp/api/v3/tasks/{task}/")
        if t["state"] in ("completed", "failed", "canceled"):
            break
        time.sleep(0.05)
    done = (time.perf_counter() - t0) * 1000
    at = lambda k: datetime.datetime.fromisoformat(t[k].replace("Z", "+00:00"))
    ran = (at("finished_at") - at("started_at")).total_seconds() * 1000 if t.get("finished_at") else float("nan")
    print(f"untag {matching} tags (select all matching '{a.untag_filter}'): task {t['state']}; "
          f"POST {posted:.0f} ms, until finished {done:.0f} ms, task ran {ran:.0f} ms")


if __name__ == "__main__":
    main()
