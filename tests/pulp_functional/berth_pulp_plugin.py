"""pytest plugin for running pulp_container's functional tests against berth.

It marks the tests that need a feature berth does not have as skipped, with the reason, marks
the tests that meet one of berth's deliberate differences (README, "Which Pulp berth follows")
as expected failures while berth runs in its default mode, and prints the counts at the end:
passed / skipped by reason / expected failures by difference / failed.

To shrink the skip list when berth gains a feature, delete its entries from NEEDS_BY_FIXTURE and
NEEDS_BY_TEST (or, for plain container repositories, nothing: they are probed on the server).
"""

import base64
import os
import urllib.error
import urllib.request
from collections import Counter

import pytest

# Why a test is skipped: the feature berth lacks.
REASONS = {
    "sync": "needs remotes and sync (berth has no remotes)",
    "plain": "needs plain container repositories (repositories/container/container/)",
    "signing": "needs signing services and image signatures",
    "pull_through": "needs pull-through caching",
    "domains": "needs domains",
    "build": "needs image builds from pulp_file repositories",
    "import_export": "needs Pulp import/export",
    "flatpak": "needs the Flatpak index (FLATPAK_INDEX)",
}

# Fixtures that need the feature; pytest gives each test the closure of its fixtures, so a test
# that uses a fixture built on one of these is caught too. Checked in this order: the first
# feature found is the reason given.
NEEDS_BY_FIXTURE = {
    "sync": (
        "container_sync",
        "container_remote",
        "container_remote_factory",
        "container_remote_api",
        "synced_container_repository_factory",
    ),
    "pull_through": (
        "pull_through_distribution",
        "container_pull_through_remote_api",
        "container_pull_through_distribution_api",
    ),
    "signing": (
        "container_signing_service",
        "signing_gpg_metadata",
        "container_signature_api",
    ),
    "build": ("build_image", "populated_file_repo"),
    "plain": (
        "container_repo",
        "container_repository_factory",
        "container_repository_api",
        "container_repository_version_api",
    ),
}

# Tests (file, or file::name prefix) that call such APIs without a telling fixture.
NEEDS_BY_TEST = {
    "test_domains.py": "domains",
    "test_crud_remotes.py": "sync",
    "test_rbac_remotes.py": "sync",
    "test_rbac_sync_repositories.py": "sync",
    "test_sync.py": "sync",
    "test_sync_signatures.py": "sync",
    "test_pull_through_cache.py": "pull_through",
    "test_remote_filter_pull_through.py": "pull_through",
    "test_pulpimportexport.py": "import_export",
    "test_build_images.py": "build",
    "test_push_signatures.py": "signing",
    "test_sign_manifests.py": "signing",
    "test_flatpak.py": "flatpak",
}

# berth's deliberate differences (README) and the tests that meet them. In berth's default mode
# they are expected failures (strict: one that passes fails the run, so the list stays true);
# with BERTH_PULP_TOKEN_ONLY=1 (berth serve --registry-token-only, Pulp's behaviour) they
# must pass like every other test.
DIFFERENCES = {
    "basic": "berth's /v2/ also accepts Basic credentials (Pulp answers 401 and a Bearer challenge)",
    "anonymous": "berth serves anonymous pulls of public repositories without a Bearer challenge",
}
DIFFERENT_TESTS = {
    # local_registry.get_response expects Basic credentials on /v2/ to be refused with a 401.
    "test_rbac_repo_versions.py::test_cross_repository_blob_mount": "basic",
    # utils.get_auth_for_url expects an anonymous GET of a public manifest to get a 401.
    "test_push_content.py::test_push_manifest_list_v2s2": "anonymous",
    "test_push_content.py::test_push_manifest_list_oci": "anonymous",
}


def _token_only():
    return os.environ.get("BERTH_PULP_TOKEN_ONLY", "0") == "1"


def _has_plain_repositories():
    """Whether the server under test serves repositories/container/container/ (a 200 list)."""
    forced = os.environ.get("BERTH_PULP_PLAIN_REPOSITORIES")
    if forced in ("0", "1"):
        return forced == "1"
    url = "{}://{}:{}/pulp/api/v3/repositories/container/container/?limit=1".format(
        os.environ.get("API_PROTOCOL", "http"),
        os.environ.get("API_HOST", "127.0.0.1"),
        os.environ.get("API_PORT", "24817"),
    )
    creds = "{}:{}".format(os.environ.get("ADMIN_USERNAME", ""), os.environ.get("ADMIN_PASSWORD", ""))
    request = urllib.request.Request(
        url, headers={"Authorization": "Basic " + base64.b64encode(creds.encode()).decode()}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _file_and_name(item):
    path = item.nodeid.split("::", 1)
    file = path[0].rsplit("/", 1)[-1]
    name = item.nodeid.rsplit("::", 1)[-1].split("[", 1)[0]
    return file, name


def _missing_feature(item, plain):
    file, name = _file_and_name(item)
    for key in (f"{file}::{name}", file):
        if key in NEEDS_BY_TEST:
            return NEEDS_BY_TEST[key]
    fixtures = set(item.fixturenames)
    for feature, names in NEEDS_BY_FIXTURE.items():
        if feature == "plain" and plain:
            continue
        if fixtures.intersection(names):
            return feature
    return None


def pytest_collection_modifyitems(config, items):
    plain = _has_plain_repositories()
    config._berth_plain = plain
    token_only = _token_only()
    for item in items:
        feature = _missing_feature(item, plain)
        if feature:
            item.add_marker(pytest.mark.skip(reason=f"berth: {REASONS[feature]}"))
            continue
        file, name = _file_and_name(item)
        difference = DIFFERENT_TESTS.get(f"{file}::{name}")
        if difference and not token_only:
            item.add_marker(
                pytest.mark.xfail(reason=f"berth: {DIFFERENCES[difference]}", strict=True)
            )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats
    calls = lambda key: [r for r in stats.get(key, []) if getattr(r, "when", "call") == "call"]
    skipped = Counter()
    for rep in stats.get("skipped", []):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        skipped[reason.removeprefix("Skipped: ")] += 1
    xfailed = Counter(getattr(r, "wasxfail", "") for r in stats.get("xfailed", []))
    failed = [r.nodeid for r in stats.get("failed", [])] + [r.nodeid for r in stats.get("error", [])]
    tw = terminalreporter
    tw.section("berth: Pulp's functional tests")
    mode = "token-only (Pulp's registry auth)" if _token_only() else "default"
    tw.line(f"berth registry auth mode: {mode}")
    tw.line(
        "plain container repositories: "
        + ("served, their tests run" if getattr(config, "_berth_plain", False) else "not served, their tests skipped")
    )
    tw.line(f"passed: {len(calls('passed'))}")
    tw.line(f"skipped: {sum(skipped.values())}")
    for reason, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])):
        tw.line(f"  {n:4d}  {reason}")
    tw.line(f"expected failures (deliberate differences): {sum(xfailed.values())}")
    for reason, n in sorted(xfailed.items()):
        tw.line(f"  {n:4d}  {reason}")
    tw.line(f"failed: {len(failed)}")
    for nodeid in failed:
        tw.line(f"  {nodeid}")
