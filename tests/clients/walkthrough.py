#!/usr/bin/env python3
"""The content-removal walkthrough with Pulp's published bindings (pulp-container-client and
pulpcore-client, pinned), unchanged, against a running berth.

Env: BERTH_URL, BERTH_PASSWORD, DIGEST1, DIGEST2 (clients/walk:v1 and :v2 pushed before)."""
import os
import sys
import time
import urllib.request
import urllib.error

import pulpcore.client.pulp_container as pc
import pulpcore.client.pulpcore as core

URL, PW = os.environ["BERTH_URL"], os.environ["BERTH_PASSWORD"]
D1, D2 = os.environ["DIGEST1"], os.environ["DIGEST2"]
REPO = "clients/walk"

c_api = pc.ApiClient(pc.Configuration(host=URL, username="admin", password=PW))
k_api = core.ApiClient(core.Configuration(host=URL, username="admin", password=PW))
repos = pc.RepositoriesContainerPushApi(c_api)
versions = pc.RepositoriesContainerPushVersionsApi(c_api)
tags_api = pc.ContentTagsApi(c_api)
manifests_api = pc.ContentManifestsApi(c_api)
blobs_api = pc.ContentBlobsApi(c_api)
namespaces = pc.PulpContainerNamespacesApi(c_api)
distributions = pc.DistributionsContainerApi(c_api)
tasks = core.TasksApi(k_api)
orphans = core.OrphansCleanupApi(k_api)
status_api = core.StatusApi(k_api)


def check(cond, what):
    if not cond:
        sys.exit(f"FAILED: {what}")
    print("ok:", what)


def wait(response):
    """Polls the task of a 202 until it ends; returns the task."""
    for _ in range(600):
        task = tasks.read(response.task)
        if task.state in ("completed", "failed", "canceled"):
            check(task.state == "completed", f"task {task.name} completed ({task.error})")
            return task
        time.sleep(0.1)
    sys.exit("task did not finish")


def latest():
    return repos.list(name=REPO).results[0].latest_version_href


def tag_names(version):
    return sorted(t.name for t in tags_api.list(repository_version=version).results)


status = status_api.status_read()
check(status.database_connection.connected, "status through pulpcore-client")
advertised = {v.component: v.version for v in status.versions}
check(advertised.get("container") == "2.28.1" and advertised.get("core") == "3.115.2",
      f"pulpcore-client reads the advertised Pulp versions ({advertised})")
check(namespaces.list(name="clients").count == 1, "namespace listed through PulpContainerNamespacesApi")
repo = repos.list(name=REPO).results[0]
check(distributions.list(base_path=REPO).results[0].repository == repo.pulp_href,
      "distribution of the pushed repository")
check(tag_names(latest()) == ["v1", "v2"], "both tags present after the pushes")

wait(repos.tag(repo.pulp_href, pc.TagImage(tag="also", digest=D1)))
check(tag_names(latest()) == ["also", "v1", "v2"], "tag added a tag")
wait(repos.untag(repo.pulp_href, pc.UnTagImage(tag="also")))
check(tag_names(latest()) == ["v1", "v2"], "untag removed it")

before = versions.list(repo.pulp_href).count
task = wait(repos.remove_image(repo.pulp_href, pc.RemoveImage(digest=D2)))
check(versions.list(repo.pulp_href).count == before + 1, "remove_image made a new version")
version = versions.read(latest())
check(version.content_summary.removed["container.manifest"]["count"] == 1, "summary counts the removed manifest")
check(tag_names(latest()) == ["v1"], "the removed image's tag is gone")
check([m.digest for m in manifests_api.list(repository_version=latest()).results] == [D1],
      "only the other image's manifest remains")
check(blobs_api.list(orphaned_for=0).count == 0, "older versions still hold the removed image")
wait(repos.partial_update(repo.pulp_href,
                          pc.PatchedcontainerContainerPushRepository(retain_repo_versions=1)))
check(versions.list(repo.pulp_href).count == 1, "retain_repo_versions=1 kept only the latest version")
orphaned = blobs_api.list(orphaned_for=0).results
check(len(orphaned) >= 2, "the removed image's config and layer are orphans")
gone = orphaned[0].digest

wait(orphans.cleanup(core.OrphansCleanup(orphan_protection_time=0)))
check(blobs_api.list(digest=gone).count == 0, "orphan cleanup deleted the blob unit")
req = urllib.request.Request(f"{URL}/v2/{REPO}/blobs/{gone}", method="HEAD")
req.add_header("Authorization", "Basic " + __import__("base64").b64encode(f"admin:{PW}".encode()).decode())
try:
    urllib.request.urlopen(req)
    sys.exit("FAILED: the purged blob is still served")
except urllib.error.HTTPError as e:
    check(e.code == 404, "the purged blob is gone from /v2/")
check(len(tasks.list(limit=100).results) >= 5, "tasks listed through TasksApi")
print("pulp-container-client walkthrough: all steps passed")
