#!/usr/bin/env python3
"""The web UI in a real browser (Debian's chromium + chromedriver, driven by selenium): sign in,
open a repository, tick two tags, Untag, see the new version in the API; Delete image (the
confirmation lists its tags); Restore the version before; run a cleanup dry run;
screenshots of each page (light, dark, and a phone's width) into BERTH_SCREENSHOTS.
Env: BERTH_URL, BERTH_PASSWORD, UI_REPO (a repository with tags v1, v2, v3), BERTH_SCREENSHOTS."""
import base64, json, os, sys, tempfile, time, urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

URL = os.environ["BERTH_URL"]
PASSWORD = os.environ["BERTH_PASSWORD"]
REPO = os.environ.get("UI_REPO", "clients/ui")
SHOTS = os.environ.get("BERTH_SCREENSHOTS", "target/ui-screenshots")


def api(path):
    req = urllib.request.Request(URL + path)
    token = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
    req.add_header("Authorization", "Basic " + token)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


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
    shot = lambda name: d.save_screenshot(os.path.join(SHOTS, name + ".png"))
    try:
        d.get(URL + "/")
        check(d.current_url.endswith("/ui/signin"), f"/ goes to sign-in, not {d.current_url}")
        shot("01-signin")
        d.find_element(By.ID, "username").send_keys("admin")
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for(d, lambda d: d.title.startswith("Overview"), "signed in")
        shot("02-overview")
        d.get(URL + "/ui/namespaces/")
        shot("03-namespaces")
        d.get(URL + "/ui/repositories/")
        shot("04-repositories")
        d.find_element(By.LINK_TEXT, REPO).click()
        wait_for(d, lambda d: d.title.startswith(REPO), "repository page")
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
        for _ in range(100):
            if tags() == ["v3"]:
                break
            time.sleep(0.1)
        check(tags() == ["v3"], f"tags after Untag: {tags()}")
        after = api(f"/pulp/api/v3/repositories/container/container-push/?name={REPO}")["results"][0]
        check(after["latest_version_href"] != before["latest_version_href"], "a new version")
        n = lambda h: int(h.rstrip("/").rsplit("/", 1)[1])
        check(n(after["latest_version_href"]) == n(before["latest_version_href"]) + 1,
              "one new version for both tags")
        shot("07-tasks")
        d.get(URL + "/ui/repositories/")
        d.find_element(By.LINK_TEXT, REPO).click()
        # Delete image: the confirmation lists the tags that go, then the task page.
        d.find_element(By.LINK_TEXT, "Delete image").click()
        wait_for(d, lambda d: "<code>v3</code>" in d.page_source, "the confirmation lists v3")
        shot("08-delete-image")
        d.find_element(By.XPATH, "//button[normalize-space()='Delete image and its tags']").click()
        wait_for(d, lambda d: tags() == [], "no tag left after Delete image")
        d.get(URL + "/ui/repositories/")
        d.find_element(By.LINK_TEXT, REPO).click()
        d.find_element(By.LINK_TEXT, "Versions").click()
        wait_for(d, lambda d: "Restore version" in d.page_source, "versions offer Restore")
        shot("09-versions")
        # Restore the version before the delete: v3 comes back.
        latest = int(api(f"/pulp/api/v3/repositories/container/container-push/?name={REPO}")["results"][0]["latest_version_href"].rstrip("/").rsplit("/", 1)[1])
        d.find_element(By.XPATH, f"//button[normalize-space()='Restore version {latest - 1}']").click()
        wait_for(d, lambda d: tags() == ["v3"], "v3 back after Restore")
        d.get(URL + "/ui/cleanup/")
        d.find_element(By.XPATH, "//button[normalize-space()='Dry run']").click()
        wait_for(d, lambda d: "/ui/tasks/" in d.current_url, "the dry run's task page")
        for _ in range(50):
            if "completed" in d.page_source:
                break
            time.sleep(0.2)
            d.refresh()
        check("completed" in d.page_source, "the dry run completed")
        shot("10-cleanup-task")
        d.get(URL + "/ui/cleanup/")
        check("dry run (would free)" in d.page_source, "history shows the dry run")
        shot("11-cleanup")
        d.execute_cdp_cmd("Emulation.setEmulatedMedia",
                          {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        d.get(URL + "/ui/repositories/")
        d.find_element(By.LINK_TEXT, REPO).click()
        wait_for(d, lambda d: d.title.startswith(REPO), "repository page (dark)")
        shot("12-repository-dark")
        d.set_window_size(390, 844)
        shot("13-repository-phone-dark")
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        d.get(URL + "/ui/")
        shot("14-overview-phone")
        d.set_window_size(1280, 900)
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
        shot("15-retention-form")
        d.find_element(By.XPATH, "//button[normalize-space()='Preview']").click()
        wait_for(d, lambda d: "Preview (not saved)" in d.page_source, "the unsaved preview")
        shot("16-retention-form-preview")
        d.find_element(By.XPATH, "//button[normalize-space()='Save']").click()
        wait_for(d, lambda d: d.title.startswith("Retention preview"), "saved: the policy's preview")
        check(api("/pulp/api/v3/retention_policies/?name=keep-newest")["count"] == 1, "the policy saved")
        shot("17-retention-saved")
        # Confirmations of Delete repository and Delete namespace (cancelled).
        d.get(URL + "/ui/repositories/")
        d.find_element(By.LINK_TEXT, REPO).click()
        check("Make private" in d.page_source, "the visibility switch")
        d.find_element(By.PARTIAL_LINK_TEXT, "Delete repository").click()
        wait_for(d, lambda d: "every version" in d.page_source, "the repository delete confirmation")
        shot("18-delete-repository")
        d.find_element(By.LINK_TEXT, "Cancel").click()
        d.get(URL + "/ui/namespaces/")
        d.find_element(By.XPATH, f"//tr[td/a[normalize-space()='{ns}']]//a[normalize-space()='Delete']").click()
        wait_for(d, lambda d: "Delete namespace" in d.page_source, "the namespace delete confirmation")
        shot("19-delete-namespace")
        d.find_element(By.LINK_TEXT, "Cancel").click()
        check(tags() == ["v3"], "nothing deleted by the cancelled confirmations")
        d.get(URL + "/ui/repositories/")
        d.find_element(By.LINK_TEXT, REPO).click()
        _ = d.find_element(By.XPATH, "//h2[normalize-space()='Settings']").location_once_scrolled_into_view
        shot("20-repository-settings")
        # Users: create one, give it a namespace role.
        d.get(URL + "/ui/users/")
        d.find_element(By.ID, "new-username").send_keys("ui-dev")
        d.find_element(By.ID, "new-password").send_keys("ui-dev-pass-4821")
        d.find_element(By.XPATH, "//button[normalize-space()='Create user']").click()
        wait_for(d, lambda d: d.title.startswith("ui-dev"), "the new user's page")
        d.find_element(By.ID, "namespace").send_keys(ns)
        d.find_element(By.XPATH, "//button[normalize-space()='Assign']").click()
        wait_for(d, lambda d: "containernamespace_owner" in d.find_element(By.TAG_NAME, "table").text,
                 "the role listed")
        shot("21-user")
        d.get(URL + "/ui/users/")
        shot("22-users")
    finally:
        d.quit()
    print("web UI in chromium: ok; screenshots in", SHOTS)


if __name__ == "__main__":
    main()
