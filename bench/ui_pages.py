#!/usr/bin/env python3
"""Times the web UI's pages against a running berth (stdlib only): signs in through the form,
then GETs each page N times and prints median and p95 in ms. Seed first with
`berth-bench URL --creds admin:PW --listing 10000` (10,000 repositories, and one repository
with 10,000 tags); the repository page is timed on that one.
Usage: bench/ui_pages.py URL --password PW [--runs 20] [--repo list-<run>/tags]"""
import argparse, base64, http.cookiejar, json, re, statistics, time, urllib.parse, urllib.request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--password", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--repo", help="the repository whose page to time (default: most tags)")
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

    repos = op.open(a.url + "/ui/repositories/?sort=tags&dir=desc").read().decode()
    if a.repo:
        rid = api(f"/pulp/api/v3/repositories/container/container-push/?name={a.repo}")["results"][0]["pulp_href"].rstrip("/").rsplit("/", 1)[1]
    else:
        rid = re.search(r'href="/ui/repositories/([0-9a-f-]{36})/"', repos).group(1)
    pages = [
        ("overview", "/ui/"),
        ("namespaces", "/ui/namespaces/"),
        ("repositories (last push)", "/ui/repositories/"),
        ("repositories by name", "/ui/repositories/?sort=name&dir=asc"),
        ("repositories by tags", "/ui/repositories/?sort=tags&dir=desc"),
        ("repositories filtered", "/ui/repositories/?q=r0099"),
        ("repositories page 100", "/ui/repositories/?page=100"),
        ("repository (most tags)", f"/ui/repositories/{rid}/"),
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


if __name__ == "__main__":
    main()
