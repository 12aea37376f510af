#!/usr/bin/env python3
"""Writes a schemathesis config (TOML) that points the detail operations at real objects of a
running berth, so they are fuzzed against existing namespaces, distributions, repositories,
versions, content, tasks, users, roles and role assignments instead of only answering 404.
Deletes keep random ids (deleting the real namespace would empty the run).

Usage: schemathesis_config.py OUT.toml   (env: BERTH_URL, BERTH_PASSWORD)"""
import base64
import json
import os
import sys
import urllib.request

URL, PW = os.environ["BERTH_URL"], os.environ["BERTH_PASSWORD"]
AUTH = "Basic " + base64.b64encode(f"admin:{PW}".encode()).decode()


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method)
    req.add_header("Authorization", AUTH)
    if data:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read() or b"{}")


def first(path):
    results = call("GET", path)["results"]
    if not results:
        sys.exit(f"nothing at {path} to point schemathesis at")
    return results[0]


def tail(href):
    return href.rstrip("/").split("/")[-1]


ns = first("/pulp/api/v3/pulp_container/namespaces/")
dist = first("/pulp/api/v3/distributions/container/container/")
repo = first("/pulp/api/v3/repositories/container/container-push/")
version = first(repo["versions_href"])
task = first("/pulp/api/v3/tasks/")
role = call("POST", "/pulp/api/v3/roles/",
            {"name": "fuzz.role", "permissions": ["container.view_containernamespace"]})
user = call("POST", "/pulp/api/v3/users/", {"username": "fuzz-user", "password": "fuzz-user-pw-9871"})
assignment = call("POST", f"/pulp/api/v3/users/{user['id']}/roles/",
                  {"role": "fuzz.role", "content_object": None})

ops = {
    "pulp_container_namespaces_read": {"pulp_id": tail(ns["pulp_href"])},
    "pulp_container_namespaces_list_roles": {"pulp_id": tail(ns["pulp_href"])},
    "pulp_container_namespaces_add_role": {"pulp_id": tail(ns["pulp_href"])},
    "pulp_container_namespaces_remove_role": {"pulp_id": tail(ns["pulp_href"])},
    "pulp_container_namespaces_my_permissions": {"pulp_id": tail(ns["pulp_href"])},
    "distributions_container_container_read": {"pulp_id": tail(dist["pulp_href"])},
    "distributions_container_container_update": {"pulp_id": tail(dist["pulp_href"])},
    "distributions_container_container_partial_update": {"pulp_id": tail(dist["pulp_href"])},
    "distributions_container_container_list_roles": {"pulp_id": tail(dist["pulp_href"])},
    "distributions_container_container_add_role": {"pulp_id": tail(dist["pulp_href"])},
    "distributions_container_container_remove_role": {"pulp_id": tail(dist["pulp_href"])},
    "distributions_container_container_my_permissions": {"pulp_id": tail(dist["pulp_href"])},
    "repositories_container_container_push_read": {"pulp_id": tail(repo["pulp_href"])},
    "repositories_container_container_push_update": {"pulp_id": tail(repo["pulp_href"])},
    "repositories_container_container_push_partial_update": {"pulp_id": tail(repo["pulp_href"])},
    "repositories_container_container_push_tag": {"pulp_id": tail(repo["pulp_href"])},
    "repositories_container_container_push_untag": {"pulp_id": tail(repo["pulp_href"])},
    "repositories_container_container_push_remove_image": {"pulp_id": tail(repo["pulp_href"])},
    "repositories_container_container_push_versions_list": {"pulp_id": tail(repo["pulp_href"])},
    "repositories_container_container_push_versions_read": {
        "repository_pulp_id": tail(repo["pulp_href"]), "number": version["number"]},
    "tasks_read": {"pulp_id": tail(task["pulp_href"])},
    "tasks_cancel": {"pulp_id": tail(task["pulp_href"])},
    "users_read": {"id": user["id"]},
    "users_roles_list": {"id": user["id"]},
    "users_roles_create": {"id": user["id"]},
    "users_roles_read": {"user_id": user["id"], "pulp_id": tail(assignment["pulp_href"])},
    "roles_read": {"pulp_id": tail(role["pulp_href"])},
    "roles_update": {"pulp_id": tail(role["pulp_href"])},
    "roles_partial_update": {"pulp_id": tail(role["pulp_href"])},
}
for kind in ("blobs", "manifests", "tags"):
    unit = first(f"/pulp/api/v3/content/container/{kind}/")
    ops[f"content_container_{kind}_read"] = {"pulp_id": tail(unit["pulp_href"])}

with open(sys.argv[1], "w") as f:
    for op, params in ops.items():
        f.write(f'[[operations]]\ninclude-operation-id = "{op}"\n')
        f.write("parameters = { " + ", ".join(
            f'"path.{k}" = {json.dumps(v)}' for k, v in params.items()) + " }\n\n")
print(f"schemathesis config: {len(ops)} operations pointed at real objects")
