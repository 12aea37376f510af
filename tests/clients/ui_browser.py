#!/usr/bin/env python3
"""The web UI in a real browser (Debian's chromium + chromedriver, driven by selenium), covering
issue 14's Tests list: sign in; open the repository (pushed with skopeo by run.sh); tick two tags;
Untag; the API shows a new version without them and /v2/<name>/manifests/<tag> answers 404 for
them; Delete image from the image page (config history shown); Restore the version before;
delete a repository, then a cleanup dry run (protection 0 minutes) shows the bytes that would
come back; the cleanup schedule editor; the filter, sort and paging swap the table in place and
a task's page updates in place; a non-admin sees no Cleanup link and gets 404 on the page.
Screenshots of each page (light, dark, and a phone's width) into BERTH_SCREENSHOTS.
Env: BERTH_URL, BERTH_PASSWORD, UI_REPO (a repository with tags v1, v2, v3), UI_OLD_REPO (a
repository to delete, default clients/ui-old), BERTH_SCREENSHOTS."""
import base64, json, os, sys, tempfile, time, urllib.error, urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

URL = os.environ["BERTH_URL"]
PASSWORD = os.environ["BERTH_PASSWORD"]
REPO = os.environ.get("UI_REPO", "clients/ui")
OLD = os.environ.get("UI_OLD_REPO", "clients/ui-old")
SHOTS = os.environ.get("BERTH_SCREENSHOTS", "target/ui-screenshots")
MANIFESTS = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"


def request(path, accept=None):
    req = urllib.request.Request(URL + path)
    token = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
    req.add_header("Authorization", "Basic " + token)
    if accept:
        req.add_header("Accept", accept)
    return urllib.request.urlopen(req, timeout=10)


def api(path):
    with request(path) as r:
        return json.load(r)


def status(path, accept=None):
    """The HTTP status of an admin GET."""
    try:
        with request(path, accept) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def tags():
    return sorted(api(f"/v2/{REPO}/tags/list")["tags"] or [])


def wait_for(d, pred, what, seconds=10):
    """Waits until pred(d) holds (page loads after a click are asynchronous)."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            if pred(d):
                return
        except Exception:
            pass
        time.sleep(0.1)
    check(False, f"{what} (at {d.current_url}: {d.title})")


def check(cond, what):
    if not cond:
        print("ui_browser FAILED:", what)
        sys.exit(1)


def mark(d):
    """Marks the loaded document; `marked(d)` is true until the browser loads another one."""
    d.execute_script("window.__berthMark = 1")


def marked(d):
    return d.execute_script("return window.__berthMark === 1")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=1280,900",
              "--user-data-dir=" + tempfile.mkdtemp(prefix="berth-ui-chromium-")]:
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.implicitly_wait(5)
    d.set_page_load_timeout(30)
    shot = lambda name: d.save_screenshot(os.path.join(SHOTS, name + ".png"))
    dark = lambda on: d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": "dark" if on else "light"}]})
    def three(name):
        """Screenshots of the current page: light, dark and a phone's width (dark)."""
        shot(name)
        dark(True)
        shot(name + "-dark")
        d.set_window_size(390, 844)
        shot(name + "-phone")
        width = d.execute_script("return document.documentElement.scrollWidth")
        wide = "" if width <= 390 else d.execute_script(
            "return [...document.querySelectorAll('main *')]"
            ".filter(e => e.getBoundingClientRect().right > 392 && !e.children.length)"
            ".slice(0, 3).map(e => e.tagName + ': ' + e.textContent.slice(0, 80)).join(' | ')")
        check(width <= 390, f"{name}: nothing wider than a phone ({width} px) {wide}")
        d.set_window_size(1280, 900)
        dark(False)
    def open_repo(name):
        d.get(URL + "/ui/repositories/?q=" + name)
        d.find_element(By.LINK_TEXT, name).click()
        wait_for(d, lambda d: d.title.startswith(name), f"the page of {name}")
    def sign_in(user, password):
        d.get(URL + "/ui/signin")
        d.find_element(By.ID, "username").send_keys(user)
        d.find_element(By.ID, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for(d, lambda d: d.title.startswith("Overview"), f"signed in as {user}")
    try:
        d.get(URL + "/")
        check(d.current_url.endswith("/ui/signin"), f"/ goes to sign-in, not {d.current_url}")
        shot("01-signin")
        sign_in("admin", PASSWORD)
        check("last cleanup" in d.page_source and "next cleanup" in d.page_source,
              "the overview names the last and next cleanup")
        three("02-overview")
        d.get(URL + "/ui/namespaces/?sort=size")
        check("aria-sort=\"descending\"" in d.page_source, "namespaces sorted by size")
        three("03-namespaces")
        # Repositories: the filter box and a sort header swap the table in place.
        d.get(URL + "/ui/repositories/")
        mark(d)
        word = OLD.rsplit("/", 1)[1]
        d.find_element(By.ID, "q").send_keys(word)
        rows = lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results tbody tr"))
        wait_for(d, lambda d: f"q={word}" in d.current_url and rows(d) == 1, "the filter narrowed the table")
        d.find_element(By.PARTIAL_LINK_TEXT, "Stored").click()
        wait_for(d, lambda d: "sort=size" in d.current_url, "sorted by size")
        check(marked(d), "the filter and the sort swapped the table without loading a page")
        three("04-repositories")
        open_repo(REPO)
        shot("05-repository")
        before = api(f"/pulp/api/v3/repositories/container/container-push/?name={REPO}")["results"][0]
        # Tick v1 and v2 (v3 stays).
        d.find_element(By.CSS_SELECTOR, "input[name=tag][value=v1]").click()
        d.find_element(By.CSS_SELECTOR, "input[name=tag][value=v2]").click()
        ticked = [e.get_attribute("value") for e in d.find_elements(By.CSS_SELECTOR, "input[name=tag]:checked")]
        check(sorted(ticked) == ["v1", "v2"], f"ticked {ticked}")
        shot("06-repository-ticked")
        d.find_element(By.XPATH, "//button[normalize-space()='Untag selected']").click()
        wait_for(d, lambda d: "/ui/tasks/" in d.current_url, "after Untag: the task's page")
        wait_for(d, lambda d: tags() == ["v3"], f"tags after Untag: {tags()}")
        after = api(f"/pulp/api/v3/repositories/container/container-push/?name={REPO}")["results"][0]
        check(after["latest_version_href"] != before["latest_version_href"], "a new version")
        n = lambda h: int(h.rstrip("/").rsplit("/", 1)[1])
        check(n(after["latest_version_href"]) == n(before["latest_version_href"]) + 1,
              "one new version for both tags")
        for t in ["v1", "v2"]:
            code = status(f"/v2/{REPO}/manifests/{t}", MANIFESTS)
            check(code == 404, f"/v2/{REPO}/manifests/{t} answers 404 after Untag, not {code}")
        check(status(f"/v2/{REPO}/manifests/v3", MANIFESTS) == 200, "v3 is still served")
        d.get(URL + "/ui/tasks/")
        three("07-tasks")
        # Delete image from the image page; the page shows the config and its history.
        open_repo(REPO)
        d.find_element(By.CSS_SELECTOR, "a[href*='/image?digest=']").click()
        wait_for(d, lambda d: d.title.startswith("Image"), "the image page")
        src = d.page_source
        check("<h2>History</h2>" in src and "ADD payload.bin /" in src, "the image's history")
        check("--tag v3" in src and "PATH=/usr/local/bin" in src, "the command and environment")
        three("08-image")
        d.find_element(By.LINK_TEXT, "Delete image").click()
        wait_for(d, lambda d: "<code>v3</code>" in d.page_source, "the confirmation lists v3")
        check("No manifest list of this repository names it." in d.page_source,
              "the confirmation says which manifest lists would lose it")
        shot("09-delete-image")
        d.find_element(By.XPATH, "//button[normalize-space()='Delete image and its tags']").click()
        wait_for(d, lambda d: tags() == [], "no tag left after Delete image")
        open_repo(REPO)
        d.find_element(By.LINK_TEXT, "Versions").click()
        wait_for(d, lambda d: "Restore version" in d.page_source, "versions offer Restore")
        shot("10-versions")
        # Restore the version before the delete: v3 comes back.
        latest = n(api(f"/pulp/api/v3/repositories/container/container-push/?name={REPO}")["results"][0]["latest_version_href"])
        d.find_element(By.XPATH, f"//button[normalize-space()='Restore version {latest - 1}']").click()
        wait_for(d, lambda d: tags() == ["v3"], "v3 back after Restore")
        # Delete a whole repository; its content becomes orphaned.
        open_repo(OLD)
        d.find_element(By.PARTIAL_LINK_TEXT, "Delete repository").click()
        wait_for(d, lambda d: "every version" in d.page_source, "the repository delete confirmation")
        d.find_element(By.XPATH, "//button[normalize-space()='Delete repository']").click()
        wait_for(d, lambda d: api(f"/pulp/api/v3/repositories/container/container-push/?name={OLD}")["count"] == 0,
                 f"{OLD} deleted")
        # Cleanup dry run with no protection time: the task page updates in place, then the
        # history shows the bytes that would come back.
        d.get(URL + "/ui/cleanup/")
        box = d.find_element(By.ID, "protection")
        box.clear()
        box.send_keys("0")
        d.find_element(By.XPATH, "//button[normalize-space()='Dry run']").click()
        wait_for(d, lambda d: "/ui/tasks/" in d.current_url, "the dry run's task page")
        mark(d)
        wait_for(d, lambda d: "completed" in d.find_element(By.ID, "main").text, "the dry run completed", 30)
        check(marked(d), "the task's page updated in place (no reload)")
        shot("11-cleanup-task")
        d.get(URL + "/ui/cleanup/")
        row = d.find_element(By.XPATH, "//tr[td[normalize-space()='dry run (would free)']]").text
        check("KiB" in row and "0 B," not in row, f"the dry run would free bytes: {row}")
        # The schedule editor: every 6 hours.
        d.find_element(By.ID, "schedule-name").clear()
        d.find_element(By.ID, "schedule-name").send_keys("ui nightly")
        d.find_element(By.ID, "every-new").clear()
        d.find_element(By.ID, "every-new").send_keys("6")
        d.find_element(By.CSS_SELECTOR, "#unit-new option[value=hours]").click()
        d.find_element(By.XPATH, "//button[normalize-space()='Add schedule']").click()
        wait_for(d, lambda d: "every 6 hours" in d.page_source, "the new schedule listed")
        s = api("/pulp/api/v3/task-schedules/?name=ui%20nightly")
        check(s["count"] == 1 and s["results"][0]["dispatch_interval"] == "06:00:00", f"the schedule: {s}")
        three("12-cleanup")
        # A running task's page updates in place (checked above: `marked` after completion).
        d.get(URL + "/ui/")
        check("ui nightly" not in d.page_source and "none scheduled" not in d.page_source,
              "the overview's next cleanup")
        # Retention editor: a new policy, Preview (nothing stored), Save.
        ns = REPO.split("/")[0]
        d.get(URL + "/ui/namespaces/")
        d.find_element(By.XPATH, f"//tr[td/a[normalize-space()='{ns}']]//a[normalize-space()='Retention']").click()
        d.find_element(By.LINK_TEXT, "New policy").click()
        wait_for(d, lambda d: d.title.startswith("New retention policy"), "the policy form")
        d.find_element(By.ID, "f-name").send_keys("keep-newest")
        d.find_element(By.ID, "f-delay").clear()
        d.find_element(By.ID, "f-delay").send_keys("0s")
        d.find_element(By.CSS_SELECTOR, "select[name=r0_keep] option[value=latest_pushed]").click()
        d.find_element(By.NAME, "r0_value").send_keys("1")
        shot("13-retention-form")
        d.find_element(By.XPATH, "//button[normalize-space()='Preview']").click()
        wait_for(d, lambda d: "Preview (not saved)" in d.page_source, "the unsaved preview")
        shot("14-retention-form-preview")
        d.find_element(By.XPATH, "//button[normalize-space()='Save']").click()
        wait_for(d, lambda d: d.title.startswith("Retention preview"), "saved: the policy's preview")
        check(api("/pulp/api/v3/retention_policies/?name=keep-newest")["count"] == 1, "the policy saved")
        shot("15-retention-saved")
        # A policy for every namespace (superusers).
        d.get(URL + "/ui/namespaces/")
        d.find_element(By.LINK_TEXT, "Retention policies for every namespace").click()
        d.find_element(By.LINK_TEXT, "New policy for every namespace").click()
        wait_for(d, lambda d: d.title.startswith("New retention policy for every namespace"), "the form")
        d.find_element(By.ID, "f-name").send_keys("everywhere-keep-10")
        d.find_element(By.CSS_SELECTOR, "select[name=r0_keep] option[value=latest_pushed]").click()
        d.find_element(By.NAME, "r0_value").send_keys("10")
        d.find_element(By.XPATH, "//button[normalize-space()='Save']").click()
        wait_for(d, lambda d: d.title.startswith("Retention preview"), "saved for every namespace")
        p = api("/pulp/api/v3/retention_policies/?name=everywhere-keep-10")
        check(p["count"] == 1 and p["results"][0]["namespace"] is None, f"a policy for every namespace: {p}")
        d.get(URL + "/ui/retention/")
        three("16-retention-every-namespace")
        # Confirmations of Delete repository and Delete namespace (cancelled).
        open_repo(REPO)
        check("Make private" in d.page_source, "the visibility switch")
        d.find_element(By.PARTIAL_LINK_TEXT, "Delete repository").click()
        wait_for(d, lambda d: "every version" in d.page_source, "the repository delete confirmation")
        shot("17-delete-repository")
        d.find_element(By.LINK_TEXT, "Cancel").click()
        d.get(URL + "/ui/namespaces/")
        d.find_element(By.XPATH, f"//tr[td/a[normalize-space()='{ns}']]//a[normalize-space()='Delete']").click()
        wait_for(d, lambda d: "Delete namespace" in d.page_source, "the namespace delete confirmation")
        shot("18-delete-namespace")
        d.find_element(By.LINK_TEXT, "Cancel").click()
        check(tags() == ["v3"], "nothing deleted by the cancelled confirmations")
        open_repo(REPO)
        _ = d.find_element(By.XPATH, "//h2[normalize-space()='Settings']").location_once_scrolled_into_view
        shot("19-repository-settings")
        # Users: create one, give it a namespace role and a distribution role, remove one.
        d.get(URL + "/ui/users/")
        d.find_element(By.ID, "new-username").send_keys("ui-dev")
        d.find_element(By.ID, "new-password").send_keys("ui-dev-pass-4821")
        d.find_element(By.XPATH, "//button[normalize-space()='Create user']").click()
        wait_for(d, lambda d: d.title.startswith("ui-dev"), "the new user's page")
        d.find_element(By.ID, "object").send_keys(ns)
        d.find_element(By.XPATH, "//button[normalize-space()='Assign']").click()
        wait_for(d, lambda d: "containernamespace_owner" in d.find_element(By.TAG_NAME, "table").text,
                 "the namespace role listed")
        d.find_element(By.CSS_SELECTOR, "#role option[value='container.containerdistribution_consumer']").click()
        d.find_element(By.ID, "object").send_keys(REPO)
        d.find_element(By.XPATH, "//button[normalize-space()='Assign']").click()
        wait_for(d, lambda d: f"distribution {REPO}" in d.find_element(By.TAG_NAME, "table").text,
                 "the distribution role listed")
        three("20-user")
        d.find_element(By.XPATH, "//tr[td[normalize-space()='container.containernamespace_owner']]"
                                 "//button[normalize-space()='Remove']").click()
        wait_for(d, lambda d: "containernamespace_owner" not in d.find_element(By.TAG_NAME, "table").text,
                 "the namespace role removed")
        d.get(URL + "/ui/users/")
        shot("21-users")
        # A non-admin: no Cleanup link, and the page does not exist for them.
        d.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
        wait_for(d, lambda d: "/ui/signin" in d.current_url, "signed out")
        sign_in("ui-dev", "ui-dev-pass-4821")
        nav = d.find_element(By.CSS_SELECTOR, "nav[aria-label=Main]").text
        check("Cleanup" not in nav and "Users" not in nav, f"no Cleanup link for a non-admin: {nav}")
        d.get(URL + "/ui/cleanup/")
        check(d.find_element(By.TAG_NAME, "h1").text == "404", "the Cleanup page is a 404 for a non-admin")
        shot("22-non-admin-cleanup-404")
        d.get(URL + "/ui/repositories/")
        check(REPO in d.page_source, "the distribution role shows the repository")
    finally:
        d.quit()
    print("web UI in chromium: ok; screenshots in", SHOTS)


if __name__ == "__main__":
    main()
