// cardscan review: image zoom, copy-to-clipboard, extra form rows and keyboard shortcuts.
// No inline scripts (the Content-Security-Policy forbids them); everything is wired here.
"use strict";

function isEditable(el) {
  return el instanceof HTMLElement &&
    (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

function setupZoom() {
  const box = document.getElementById("lightbox");
  if (!box) return;
  const big = box.querySelector("img");
  const close = () => { box.hidden = true; big.removeAttribute("src"); };
  document.querySelectorAll("img.zoomable").forEach((img) => {
    img.addEventListener("click", () => {
      big.src = img.src;
      big.alt = img.alt;
      box.hidden = false;
    });
  });
  box.addEventListener("click", close);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !box.hidden) close(); });
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea"); // plain-http fallback (a LAN address)
  area.value = text;
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

function setupCopy() {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await copyText(source.textContent);
        button.textContent = "Copied";
      } catch (err) {
        button.textContent = "Copy failed: select the text";
      }
      setTimeout(() => { button.textContent = "Copy draft"; }, 2000);
    });
  });
}

function setupRows() {
  document.querySelectorAll("button.add-row").forEach((button) => {
    button.addEventListener("click", () => {
      const rows = button.parentElement.querySelectorAll(button.dataset.row);
      const copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach((input) => { input.value = ""; });
      rows[rows.length - 1].after(copy);
      copy.querySelector("input").focus();
    });
  });
}

function submitWith(form, action) {
  form.requestSubmit(form.querySelector(`button[name="action"][value="${action}"]`));
}

function setupShortcuts() {
  const form = document.getElementById("card-form");
  const skip = document.getElementById("skip");
  if (!form) return;
  document.addEventListener("keydown", (e) => {
    const ctrl = e.ctrlKey || e.metaKey;
    if (ctrl && e.key === "Enter") {
      e.preventDefault();
      submitWith(form, "confirm");
    } else if (ctrl && !e.altKey && e.code === "KeyS") {
      e.preventDefault();
      submitWith(form, "save");
    } else if (skip && ((e.altKey && !ctrl && e.code === "KeyN") ||
               (e.key === "j" && !ctrl && !e.altKey && !isEditable(e.target)))) {
      e.preventDefault();
      window.location.assign(skip.href);
    }
  });
}

function setupSelectAll() {
  const all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", () => {
    document.querySelectorAll('#queue input[name="id"]').forEach((box) => { box.checked = all.checked; });
  });
}

// On a phone the fields come first and the card images fold away (a tap opens them).
function foldImagesOnPhones() {
  const images = document.getElementById("images");
  if (images && window.matchMedia("(max-width: 700px)").matches) images.open = false;
}

// Follow-up page: J/K move between follow-ups, C copies the draft, D done, S skip,
// Z snooze, / searches.
function setupTaskShortcuts() {
  const tasks = Array.from(document.querySelectorAll("article.task"));
  if (!tasks.length && !document.getElementById("task-filters")) return;
  let current = -1;
  const select = (i) => {
    if (!tasks.length) return;
    current = Math.max(0, Math.min(tasks.length - 1, i));
    tasks.forEach((t, n) => t.classList.toggle("current", n === current));
    tasks[current].scrollIntoView({ block: "nearest" });
  };
  const press = (selector) => {
    if (current < 0) select(0);
    const button = tasks[current] && tasks[current].querySelector(selector);
    if (button) button.click();
  };
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isEditable(e.target)) return;
    const keys = { j: () => select(current + 1), k: () => select(current - 1),
                   c: () => press("button.copy"), d: () => press('button[value="done"]'),
                   s: () => press('button[value="skipped"]'),
                   z: () => press(".snooze-form button"),
                   "/": () => document.getElementById("search").focus() };
    const action = keys[e.key];
    if (action) { e.preventDefault(); action(); }
  });
}

// Upload: drop or pick files, send them with a progress bar, list what became of each.
function setupUpload() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const zone = document.getElementById("dropzone");
  const files = document.getElementById("files");
  const chosen = document.getElementById("chosen");
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const results = document.getElementById("upload-results");
  const show = () => {
    const names = Array.from(form.querySelectorAll('input[type="file"]'))
      .flatMap((input) => Array.from(input.files).map((f) => f.name));
    chosen.textContent = names.length ? `${names.length} file(s): ${names.join(", ")}` : "";
  };
  form.querySelectorAll('input[type="file"]').forEach((input) => input.addEventListener("change", show));
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (e) => {
    e.preventDefault();
    zone.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    files.files = e.dataTransfer.files;
    show();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (p) => {
      if (p.lengthComputable) bar.value = Math.round((100 * p.loaded) / p.total);
    });
    xhr.upload.addEventListener("load", () => { status.textContent = "Uploaded; reading the cards…"; });
    xhr.addEventListener("load", () => {
      bar.hidden = true;
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = { error: `HTTP ${xhr.status}` }; }
      if (body.error || xhr.status >= 400) {
        status.textContent = `Not uploaded: ${body.error || xhr.status}`;
        return;
      }
      results.replaceChildren(...body.results.map((r) => {
        const item = document.createElement("li");
        item.className = r.status;
        const text = `${r.file}: ${r.status.replace("_", " ")}${r.message ? ` (${r.message})` : ""} `;
        item.append(document.createTextNode(text));
        if (r.url) {
          const link = document.createElement("a");
          link.href = r.url;
          link.textContent = `contact ${r.contact_id}`;
          item.append(link);
        }
        return item;
      }));
      status.textContent = "Done. ";
      const queue = document.createElement("a");
      queue.href = body.queue;
      queue.id = "to-queue";
      queue.textContent = "Open the review queue";
      status.append(queue);
    });
    xhr.addEventListener("error", () => { status.textContent = "Upload failed: the connection broke."; });
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading…";
    xhr.send(new FormData(form));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupZoom();
  setupCopy();
  setupRows();
  setupShortcuts();
  setupSelectAll();
  foldImagesOnPhones();
  setupTaskShortcuts();
  setupUpload();
});
