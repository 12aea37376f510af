#!/usr/bin/env python3
"""Uses the client openapi-python-client generated from openapi/openapi.json (package
`berth_api_client` on PYTHONPATH): lists namespaces and reads a task by its href.

Env: BERTH_URL, BERTH_PASSWORD."""
import base64
import os
import sys

from berth_api_client import AuthenticatedClient
from berth_api_client.api.pulp_container_namespaces import pulp_container_namespaces_list
from berth_api_client.api.tasks import tasks_list, tasks_read

URL, PW = os.environ["BERTH_URL"], os.environ["BERTH_PASSWORD"]
token = base64.b64encode(f"admin:{PW}".encode()).decode()
client = AuthenticatedClient(base_url=URL, token=token, prefix="Basic", raise_on_unexpected_status=True)

page = pulp_container_namespaces_list.sync(client=client)
names = [n.name for n in page.results]
if "clients" not in names:
    sys.exit(f"FAILED: namespaces listed by the generated client: {names}")
print("ok: generated client listed namespaces", names)

tasks = tasks_list.sync(client=client, limit=1)
href = tasks.results[0].pulp_href
task = tasks_read.sync(task_href=href, client=client)
if task.pulp_href != href or not task.state:
    sys.exit(f"FAILED: task read by href: {task}")
print("ok: generated client read task", href, task.state)
