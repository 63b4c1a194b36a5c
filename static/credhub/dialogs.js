// Dialogs: native <dialog> elements opened with showModal() once htmx fills them, closed on the server's
// word (the credhub:close-dialog event), by ✕/Cancel or by Escape, with focus returned where it belongs.
(function (credhub) {
  "use strict";

  // Where focus goes when a dialog's content is (re)drawn: the control the server named (a row just
  // added), else the first field in error, else a marked default (Cancel in a confirmation), else
  // wherever htmx kept it, else the first field.
  function focusInDialog(dialog) {
    const named = dialog.querySelector("[data-focus]");
    const target = (named && document.getElementById(named.getAttribute("data-focus"))) ||
      dialog.querySelector("[aria-invalid='true']") ||
      dialog.querySelector("[data-focus-first]");
    if (target) { target.focus(); return; }
    if (dialog.contains(document.activeElement) && document.activeElement !== dialog) return;
    const first = dialog.querySelector(credhub.FIELDS) || dialog.querySelector("button:not([tabindex='-1']), a[href]");
    if (first) first.focus();
  }

  // A shown-once dialog (a new API key) opens as a modal as soon as it arrives.
  function showOnLoad(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("dialog[data-show-on-load]").forEach(function (dialog) {
      if (dialog.open) dialog.close();
      dialog.showModal();
      focusInDialog(dialog);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showOnLoad(document); });

  document.addEventListener("click", function (event) {
    const dialogLink = event.target.closest("[data-opens-dialog]");
    if (dialogLink) {
      credhub.opener = document.querySelector('[aria-haspopup="menu"][aria-expanded="true"]') || dialogLink;
      credhub.rememberItem(credhub.opener);
      credhub.closeMenus();
    }
    const closer = event.target.closest("[data-close-dialog]");
    if (closer && closer.closest("dialog")) {
      event.preventDefault();
      const closing = closer.closest("dialog");
      if (closing.dataset.dirty === "true") credhub.askBeforeDiscarding(closing);
      else closing.close();
    }
    const shows = event.target.closest("[data-show-dialog]");
    if (shows) {
      const shown = document.getElementById(shows.getAttribute("data-show-dialog"));
      if (shown) { credhub.opener = shows; shown.showModal(); focusInDialog(shown); }
    }
    // "Done" after a secret was shown: close this dialog, then open the alert that needs an answer.
    const thenOpen = event.target.closest("[data-then-open]");
    if (thenOpen && thenOpen.closest("dialog")) {
      event.preventDefault();
      const next = document.getElementById(thenOpen.getAttribute("data-then-open"));
      thenOpen.closest("dialog").close();
      if (next) { next.showModal(); focusInDialog(next); }
    }
  });

  // After htmx fills a dialog (its body, or a form inside it swapped outerHTML), open it as a modal
  // and move focus in. The event fires on the new content, so this also works after outerHTML swaps.
  document.addEventListener("htmx:afterSwap", function (event) {
    const dialog = event.target.closest && event.target.closest("dialog");
    // htmx wires new controls (the type select's hx-post, a rename's Cancel) only when the swap settles;
    // wire them now, before focus moves to them, so a quick first action never falls back to a full page
    // load. Processing twice is harmless.
    htmx.process(dialog || (event.target.isConnected ? event.target : document.body));
    if (!dialog) { showOnLoad(event.target); return; }
    const opening = !dialog.open;
    if (opening) {
      delete dialog.dataset.dirty;
      dialog.showModal();
      document.activeElement.blur();
    }
    focusInDialog(dialog);
  });

  // The server asks for dialogs to close once an action succeeded (HX-Trigger).
  document.addEventListener("credhub:close-dialog", function () {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) { dialog.close(); });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const closes = event.detail.elt.closest && event.detail.elt.closest("[data-closes-dialog]");
    if (closes && event.detail.successful && closes.closest("dialog")) closes.closest("dialog").close();
  });

  document.addEventListener("close", function (event) {
    if (event.target.tagName !== "DIALOG") return;
    const body = event.target.querySelector("[id$='-dialog-body']");
    if (body) body.innerHTML = "";
    // Another dialog took over (Done → the secret alert): restore focus when that one closes.
    if (document.querySelector("dialog[open]")) return;
    // A response may name where focus belongs once the dialog is gone (e.g. the credential just added).
    const next = document.querySelector("[data-focus-after-dialog]");
    if (next) {
      next.removeAttribute("data-focus-after-dialog");
      next.focus();
      const section = next.closest("fieldset, section");
      const status = section && section.querySelector("[role=status]");
      if (status && status.textContent.trim()) credhub.announce(status.textContent.trim());
    } else {
      const target = credhub.itemAfterChange();
      const opener = credhub.opener;
      if (target) credhub.focusChanged(target, !(opener && document.body.contains(opener)));
      else {
        const main = document.getElementById("main");
        if (main) main.focus({ preventScroll: true });
      }
      const status = document.querySelector("#tile-list .status-message, #access-keys .status-message, #api-keys .status-message");
      if (status && status.textContent.trim()) credhub.announce(status.textContent.trim());
    }
    credhub.opener = null;
    credhub.remembered = null;
  }, true);

  // Escape on a dialog that showed a secret once leads, like Done, to the alert that needs an answer; on an
  // overlay with typed input it asks before discarding what was typed (overlay.js).
  document.addEventListener("cancel", function (event) {
    const dialog = event.target;
    if (dialog.tagName !== "DIALOG") return;
    const done = dialog.querySelector("[data-then-open]");
    if (done) { event.preventDefault(); done.click(); return; }
    if (dialog.dataset.dirty === "true") { event.preventDefault(); credhub.askBeforeDiscarding(dialog); }
  }, true);

  credhub.focusInDialog = focusInDialog;
})(window.credhub);
