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
  // A running task's page reloads itself.
  const live = document.querySelector("[data-refresh]");
  if (live) setTimeout(() => location.reload(), Number(live.dataset.refresh) * 1000);
});
