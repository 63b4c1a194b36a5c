// Feedback: busy controls while a request runs, one dismissible status region per area, "Copied" on copy
// buttons, Test connection results kept across a list swap, local times, and the expiry settings' menu.
(function (credhub) {
  "use strict";

  function showCopied(button) {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.dataset.copied = "true";
    button.textContent = "Copied";
    window.clearTimeout(Number(button.dataset.copiedTimer || 0));
    button.dataset.copiedTimer = String(window.setTimeout(function () {
      button.textContent = button.dataset.label;
      delete button.dataset.copied;
    }, 2000));
  }

  // Status messages say what just happened; once something else starts, old ones elsewhere go.
  function clearOtherStatuses(near) {
    document.querySelectorAll(".status-message").forEach(function (region) {
      if (near && (region.contains(near) || near.contains(region))) return;
      if (region.closest("dialog")) return;
      if (region.matches("p")) region.remove(); else region.innerHTML = "";
    });
  }

  function addDismissButtons(root) {
    if (!root.querySelectorAll) return;
    const messages = Array.from(root.querySelectorAll(".status-message > p, p.status-message"));
    if (root.matches && root.matches(".status-message > p, p.status-message")) messages.push(root);
    messages.forEach(function (message) {
      if (message.querySelector("[data-dismiss-status]")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dismiss";
      button.setAttribute("data-dismiss-status", "");
      button.setAttribute("aria-label", "Dismiss message");
      message.appendChild(button);
    });
  }

  // Times in the audit log: the reader's local date and time, the exact moment on hover.
  function localTimes(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("time[data-local]").forEach(function (time) {
      const moment = new Date(time.getAttribute("datetime"));
      if (isNaN(moment)) return;
      time.textContent = moment.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      time.title = moment.toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { addDismissButtons(document); localTimes(document); });
  document.addEventListener("htmx:load", function (event) { localTimes(event.detail.elt); });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!(event.target.closest && event.target.closest("dialog"))) addDismissButtons(event.target);
  });

  document.addEventListener("click", function (event) {
    const dismiss = event.target.closest("[data-dismiss-status]");
    if (dismiss) {
      const region = dismiss.closest("[role=status], .status-message");
      const message = dismiss.closest("p, .status-message");
      if (message) message.remove();
      if (region && region.isConnected) region.focus({ preventScroll: true });
    }
    // "Download credentials": a .env file built here from what is on screen; the server never serves it.
    const download = event.target.closest("[data-download-env]");
    if (download) {
      const id = document.getElementById(download.getAttribute("data-env-id")).value;
      const secret = document.getElementById(download.getAttribute("data-env-secret")).value;
      const link = document.createElement("a");
      link.href = "data:text/plain;charset=utf-8," + encodeURIComponent("CREDHUB_CLIENT_ID=" + id + "\nCREDHUB_CLIENT_SECRET=" + secret + "\n");
      link.download = download.getAttribute("data-filename") || "credhub.env";
      download.parentNode.appendChild(link);  // inside the open dialog: the rest of the page is inert
      link.click();
      link.remove();
      credhub.announce("Credentials downloaded");
    }
    const copy = event.target.closest("[data-copy-target]");
    if (copy) {
      const source = document.getElementById(copy.getAttribute("data-copy-target"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.value || source.textContent.trim()).then(function () {
          credhub.announce("Copied");
          showCopied(copy);
        });
      }
    }
  });

  // The default expiry offers only the periods ticked above it.
  document.addEventListener("change", function (event) {
    const form = event.target.closest && event.target.closest("#expiry-settings form");
    if (!form || event.target.type !== "checkbox") return;
    const select = form.querySelector("#expiry-default");
    const allowNever = form.querySelector("#expiry-allow-no-expiry");
    Array.from(select.options).forEach(function (option) {
      const box = option.value === "never" ? allowNever : form.querySelector('[name=periods][value="' + option.value + '"]');
      const offered = Boolean(box && box.checked);
      option.hidden = !offered;
      option.disabled = !offered;
    });
  });

  // Busy states: the control that started a request is marked busy and disabled until the answer is in;
  // its target (a tile's Test connection result) says what is happening. CSS draws the spinner and label.
  const busyByRequest = new WeakMap();
  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    const triggering = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const submitter = triggering && triggering.submitter;
    const control = submitter || (elt.matches("button, a") ? elt : elt.querySelector && elt.querySelector("button[type=submit]"));
    const busy = [elt];
    if (control && control !== elt) busy.push(control);
    const target = event.detail.target;
    if (target && target !== elt && !target.matches("[id$='-dialog-body']")) busy.push(target);
    const tile = elt.closest(".tile, tr");
    if (tile) busy.push(tile);
    busy.forEach(function (node) { node.setAttribute("aria-busy", "true"); });
    // Only buttons are disabled: a field stays editable, so nothing typed meanwhile is lost.
    // Inside the overlay a redraw may be replaced by a newer one (hx-sync): its buttons stay live.
    if (control && control.matches("button") && !control.disabled && !control.closest("dialog.overlay:not(.small)")) {
      control.disabled = true;
      control.dataset.busyDisabled = "true";
    }
    if (control && control.matches("a")) control.setAttribute("aria-disabled", "true");
    busyByRequest.set(elt, { nodes: busy, control: control });
    if (target && target.classList.contains("test-result-slot")) {
      target.innerHTML = '<p class="testing">Testing connection…</p>';
      credhub.announce("Testing connection…");
    }
    // Focus is lost only where the swap replaces the focused control: a search box beside the results keeps it.
    const swapped = target || elt;
    if (document.activeElement && swapped.contains(document.activeElement) && !elt.closest("dialog")) credhub.focusLost = true;
    clearOtherStatuses(target || elt);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const state = busyByRequest.get(event.detail.elt);
    if (!state) return;
    busyByRequest.delete(event.detail.elt);
    state.nodes.forEach(function (node) { node.removeAttribute("aria-busy"); });
    if (state.control && state.control.dataset.busyDisabled) { state.control.disabled = false; delete state.control.dataset.busyDisabled; }
    if (state.control) state.control.removeAttribute("aria-disabled");
  });

  // A list swapped whole after a save or delete keeps the other tiles' Test connection results.
  const keptResults = new Map();
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    keptResults.clear();
    if (!target || !target.querySelectorAll) return;
    target.querySelectorAll(".test-result-slot").forEach(function (slot) {
      if (slot.innerHTML.trim()) keptResults.set(slot.id, slot.innerHTML);
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    keptResults.forEach(function (html, id) {
      const slot = document.getElementById(id);
      if (slot && !slot.innerHTML.trim()) slot.innerHTML = html;
    });
    keptResults.clear();
  });
})(window.credhub);
