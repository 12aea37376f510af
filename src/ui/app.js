// berth web UI: small conveniences on top of pages that work without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons next to read-only fields (pull commands).
  for (const b of document.querySelectorAll("button[data-copy-from]")) {
    b.hidden = false;
    b.addEventListener("click", () => {
      const field = document.getElementById(b.dataset.copyFrom);
      if (!field) return;
      field.select();
      if (navigator.clipboard) navigator.clipboard.writeText(field.value);
      b.textContent = "Copied";
    });
  }
  // Shift-click selects a range of tag checkboxes.
  const boxes = Array.from(document.querySelectorAll("input[type=checkbox][name=tag]"));
  let last = null;
  for (const box of boxes) {
    box.addEventListener("click", (e) => {
      if (e.shiftKey && last !== null) {
        const [a, b] = [boxes.indexOf(last), boxes.indexOf(box)].sort((x, y) => x - y);
        for (let i = a; i <= b; i++) boxes[i].checked = box.checked;
      }
      last = box;
    });
  }
  liveRefresh();
  fragments();
});

// Fetches `url` (same origin, with the session cookie) as a document; a signed-out session
// (the answer came from the sign-in page) loads that page instead. Gives up after 10 s.
async function fetchDoc(url) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 10000);
  try {
    const res = await fetch(url, { credentials: "same-origin", signal: ctl.signal });
    if (res.redirected && new URL(res.url).pathname === "/ui/signin") {
      location.assign(res.url);
      return null;
    }
    return new DOMParser().parseFromString(await res.text(), "text/html");
  } finally {
    clearTimeout(timer);
  }
}

// A page with a [data-refresh] note (running tasks) replaces its main part in place every few
// seconds until nothing runs any more; on an error it falls back to reloading the page.
function liveRefresh() {
  const live = document.querySelector("[data-refresh]");
  if (!live) return;
  setTimeout(async () => {
    try {
      const doc = await fetchDoc(location.href);
      const fresh = doc && doc.getElementById("main");
      const main = document.getElementById("main");
      if (!fresh || !main) return;
      main.replaceChildren(...fresh.childNodes);
      liveRefresh();
    } catch (e) {
      location.reload();
    }
  }, Number(live.dataset.refresh) * 1000);
}

// List pages: the filter box, the sort headers and the page links swap only the results
// fragment ([data-fragment]) and keep the address in step; without JavaScript they are
// ordinary links and a GET form.
function fragments() {
  for (const box of document.querySelectorAll("[data-fragment]")) {
    const swap = async (url, push) => {
      box.setAttribute("aria-busy", "true");
      try {
        const doc = await fetchDoc(url);
        const fresh = doc && doc.getElementById(box.id);
        if (!fresh) return;
        box.replaceChildren(...fresh.childNodes);
        if (push) history.pushState({ fragment: box.id }, "", url);
        else history.replaceState({ fragment: box.id }, "", url);
      } catch (e) {
        location.assign(url);
      } finally {
        box.removeAttribute("aria-busy");
      }
    };
    box.addEventListener("click", (e) => {
      const a = e.target.closest("a[href]");
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      const url = new URL(a.href, location.href);
      if (url.pathname !== location.pathname) return;
      e.preventDefault();
      swap(url.href, true);
    });
    const form = document.querySelector(`form[data-live="${box.id}"]`);
    if (!form) continue;
    const go = () => {
      const url = new URL(form.action, location.href);
      url.search = new URLSearchParams(new FormData(form)).toString();
      swap(url.href, false);
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      go();
    });
    let timer = null;
    form.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(go, 250);
    });
    window.addEventListener("popstate", () => location.reload());
  }
}
