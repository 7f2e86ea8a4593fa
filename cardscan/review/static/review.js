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

document.addEventListener("DOMContentLoaded", () => {
  setupZoom();
  setupCopy();
  setupRows();
  setupShortcuts();
});
