// The credential overlay: asking before typed input is discarded, Show/Hide on a secret, the problem
// summary's links, and the organization rows' dropdowns.
(function (credhub) {
  "use strict";

  document.addEventListener("input", function (event) {
    const dialog = event.target.closest && event.target.closest("dialog.overlay");
    if (dialog && event.target.matches("input, textarea, select")) dialog.dataset.dirty = "true";
  });

  let discardDialog = null;
  function buildDiscardDialog() {
    const dialog = document.createElement("dialog");
    dialog.className = "overlay small";
    dialog.id = "discard-dialog";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", "discard-dialog-title");
    dialog.setAttribute("aria-describedby", "discard-dialog-description");
    dialog.innerHTML = '<div class="dialog-content"><h2 id="discard-dialog-title">Discard what you typed?</h2>' +
      '<p id="discard-dialog-description">Nothing in this form has been saved yet. Closing it loses what you entered.</p>' +
      '<div class="overlay-actions"><button type="button" class="button" data-keep-editing data-focus-first>Keep editing</button>' +
      '<button type="button" class="button danger" data-discard>Discard</button></div></div>';
    document.body.appendChild(dialog);
    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-keep-editing]")) dialog.close("keep");
      if (event.target.closest("[data-discard]")) dialog.close("discard");
    });
    return dialog;
  }

  // Escape, ✕ or Cancel on an overlay with typed input asks first (dialogs.js calls this).
  credhub.askBeforeDiscarding = function (overlay) {
    if (!discardDialog) discardDialog = buildDiscardDialog();
    const returnTo = document.activeElement;
    discardDialog.returnValue = "";
    discardDialog.onclose = function () {
      if (discardDialog.returnValue === "discard") {
        delete overlay.dataset.dirty;
        overlay.close();
      } else if (returnTo && overlay.contains(returnTo)) returnTo.focus({ preventScroll: true });
    };
    discardDialog.showModal();
    discardDialog.querySelector("[data-keep-editing]").focus();
  };

  // Show/Hide unmasks only what is in the input: a stored secret is never sent to the page.
  function toggleReveal(button) {
    const input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input) return;
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", String(show));
    const word = button.querySelector("[data-reveal-word]");
    if (word) word.textContent = show ? "Hide" : "Show";
  }

  // A summary link moves focus to its input (a fragment link only scrolls, and in a dialog not even that).
  function focusField(link) {
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    field.focus({ preventScroll: true });
    field.scrollIntoView({ block: "center" });
  }

  document.addEventListener("click", function (event) {
    const reveal = event.target.closest("[data-reveal]");
    if (reveal) { toggleReveal(reveal); return; }
    const link = event.target.closest("a[data-focus-field]");
    if (link) { event.preventDefault(); focusField(link); }
  });

  // Each organization dropdown offers only the organizations no other row chose, and the row's secrets
  // are labelled with the organization chosen ("Acme EU — Password"), as the server draws them.
  function offerUnchosen(list) {
    const selects = Array.from(list.querySelectorAll("select[data-organization-select]"));
    selects.forEach(function (select) {
      const others = new Set(selects.filter(function (s) { return s !== select && s.value; }).map(function (s) { return s.value; }));
      Array.from(select.options).forEach(function (option) {
        if (!option.value) return;
        const taken = others.has(option.value) && option.value !== select.value;
        option.hidden = taken;
        option.disabled = taken;
      });
      const row = select.closest("[data-organization-row]");
      const chosen = select.selectedOptions[0];
      const name = select.value && chosen ? chosen.textContent.trim() : "Organization " + select.dataset.rowNumber;
      if (row) row.querySelectorAll("[data-row-name]").forEach(function (span) { span.textContent = name; });
    });
  }
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("select[data-organization-select]")) return;
    offerUnchosen(event.target.closest("#organization-rows") || document);
  });
})(window.credhub);

// What is typed while the overlay is being redrawn (the type switched, a row added) is kept: the redraw
// answers with the form as it was posted, so inputs typed since then get their new value back. After a
// row was removed the rows' numbers shift, so only inputs outside the rows are carried over then.
(function () {
  "use strict";
  let typed = null;
  let removal = false;

  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt.closest && event.detail.elt.closest("#credential-form");
    if (!form) return;
    const triggering = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const submitter = triggering && triggering.submitter;
    removal = Boolean(submitter && /^remove_/.test(submitter.value || ""));
    typed = new Map();
  });
  document.addEventListener("input", function (event) {
    const field = event.target;
    if (!typed || !field.id || !field.closest || !field.closest("#credential-form")) return;
    typed.set(field.id, field.type === "checkbox" ? field.checked : field.value);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    const form = document.getElementById("credential-form");
    if (!typed || event.target.id !== "credential-form" || !form) return;
    typed.forEach(function (value, id) {
      if (removal && /-\d+-/.test(id)) return;
      const field = document.getElementById(id);
      if (!field || !form.contains(field)) return;
      if (field.type === "checkbox") field.checked = value; else field.value = value;
    });
    typed = null;
  });
})();
