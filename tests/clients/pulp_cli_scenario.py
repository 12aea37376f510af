#!/usr/bin/env python3
"""pulp-cli (pinned, unchanged) against a running berth: status, namespaces, distributions, push
repositories and versions, tag/untag/remove-image, content, orphan cleanup, tasks.

Env: BERTH_URL, BERTH_PASSWORD, PULP (the pulp executable), DIGEST1/DIGEST2 (two images pushed to
clients/app as v1 and v2 before this runs). Exits non-zero on the first mismatch."""
import json
import os
import subprocess
import sys

URL, PW, PULP = os.environ["BERTH_URL"], os.environ["BERTH_PASSWORD"], os.environ["PULP"]
D1, D2 = os.environ["DIGEST1"], os.environ["DIGEST2"]
REPO = "clients/app"


def pulp(*args, expect_ok=True):
    cmd = [PULP, "--base-url", URL, "--username", "admin", "--password", PW, "--format", "json", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    print("$ pulp " + " ".join(args), f"-> {r.returncode}")
    if expect_ok and r.returncode != 0:
        sys.exit(f"pulp {' '.join(args)} failed:\nstdout: {r.stdout}\nstderr: {r.stderr}")
    if not expect_ok:
        if r.returncode == 0:
            sys.exit(f"pulp {' '.join(args)} unexpectedly succeeded: {r.stdout}")
        return r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else None


def check(cond, what):
    if not cond:
        sys.exit(f"FAILED: {what}")


status = pulp("status")
check({v["component"] for v in status["versions"]} >= {"core", "container"}, "status lists core and container")
check(status["database_connection"]["connected"] is True, "status: database connected")
# pulp-glue gates features on the document's x-pulp-app-versions: the advertised Pulp release.
pulp("debug", "has-plugin", "--name", "container", "--specifier", "==2.28.1")
pulp("debug", "has-plugin", "--name", "core", "--specifier", "==3.115.2")

namespaces = pulp("container", "namespace", "list")
check(any(n["name"] == "clients" for n in namespaces), "the pushed namespace is listed")
ns = pulp("container", "namespace", "show", "--name", "clients")
check(ns["pulp_href"].startswith("/pulp/api/v3/pulp_container/namespaces/"), "namespace show")
created = pulp("container", "namespace", "create", "--name", "cli-made")
check(created["name"] == "cli-made", "namespace create returns the namespace")
pulp("container", "namespace", "destroy", "--name", "cli-made")
err = pulp("container", "namespace", "show", "--name", "cli-made", expect_ok=False)
check("cli-made" in err or "not" in err.lower(), "destroyed namespace is gone: " + err)

repos = pulp("container", "repository", "--type", "push", "list")
check(any(r["name"] == REPO for r in repos), "push repository listed")
repo = pulp("container", "repository", "--type", "push", "show", "--name", REPO)
versions = pulp("container", "repository", "--type", "push", "version", "list", "--repository", REPO)
check(len(versions) >= 2 and versions[0]["number"] >= versions[-1]["number"], "versions listed newest first")
v1 = pulp("container", "repository", "--type", "push", "version", "show", "--repository", REPO, "--version", "1")
check(v1["number"] == 1 and v1["repository"] == repo["pulp_href"], "version show")

dists = pulp("container", "distribution", "list")
check(any(d["base_path"] == REPO for d in dists), "the push created a distribution")
check(pulp("container", "distribution", "show", "--name", REPO)["repository"] == repo["pulp_href"],
      "distribution show points at the repository")
# pulp-cli's --repository takes only `container` repositories (as against Pulp), so this
# distribution starts empty.
dist = pulp("container", "distribution", "create", "--name", "cli-dist", "--base-path", "clients/copy")
check(dist["base_path"] == "clients/copy" and dist["repository"] is None, "distribution create")
pulp("container", "distribution", "update", "--name", "cli-dist", "--private")
check(pulp("container", "distribution", "show", "--name", "cli-dist")["private"] is True, "distribution update")
pulp("container", "distribution", "destroy", "--name", "cli-dist")
check(not any(d["name"] == "cli-dist" for d in pulp("container", "distribution", "list")), "distribution destroy")

pulp("container", "repository", "--type", "push", "tag", "--name", REPO, "--tag", "extra", "--digest", D1)
latest = pulp("container", "repository", "--type", "push", "show", "--name", REPO)["latest_version_href"]
tags = pulp("container", "content", "--type", "tag", "list", "--repository-version", latest)
check(sorted(t["name"] for t in tags) == ["extra", "v1", "v2"], f"tags after tag: {tags}")
pulp("container", "repository", "--type", "push", "untag", "--name", REPO, "--tag", "extra")
latest = pulp("container", "repository", "--type", "push", "show", "--name", REPO)["latest_version_href"]
tags = pulp("container", "content", "--type", "tag", "list", "--repository-version", latest)
check(sorted(t["name"] for t in tags) == ["v1", "v2"], f"tags after untag: {tags}")
manifest = pulp("container", "content", "--type", "manifest", "show", "--digest", D2)
check(manifest["digest"] == D2, "manifest show by digest")
pulp("container", "repository", "--type", "push", "remove-image", "--name", REPO, "--digest", D2)
latest = pulp("container", "repository", "--type", "push", "show", "--name", REPO)["latest_version_href"]
left = pulp("container", "content", "--type", "manifest", "list", "--repository-version", latest)
check([m["digest"] for m in left] == [D1], f"remove-image left only the first image: {left}")
blobs = pulp("container", "content", "--type", "blob", "list", "--repository-version", latest)
check(len(blobs) == 2, f"the remaining image's config and layer: {blobs}")

pulp("orphan", "cleanup", "--protection-time", "0")
tasks = pulp("task", "list", "--limit", "50")
check(tasks and all(t["state"] == "completed" for t in tasks), f"every task completed: {[t['state'] for t in tasks]}")
names = {t["name"] for t in tasks}
check(any("orphan" in n for n in names) and any("recursive_remove" in n for n in names), f"task names: {names}")
shown = pulp("task", "show", "--href", tasks[0]["pulp_href"])
check(shown["pulp_href"] == tasks[0]["pulp_href"], "task show")
print("pulp-cli scenario: all steps passed")
