// credhub's only script: what htmx leaves to the page. Dialogs, menus, copy buttons and focus.
// Every page also works without it: links and forms fall back to full page loads.
document.documentElement.classList.add("js");

(function () {
  "use strict";
  let opener = null;

  // Menus are plain lists of actions in the HTML, which is what they are without this script; with it they
  // open from their "More options" button and behave as ARIA menus, so the roles are given here.
  function applyMenuRoles(root) {
    root.querySelectorAll("[data-menu]").forEach(function (menu) {
      menu.setAttribute("role", "menu");
      Array.from(menu.children).forEach(function (item) { item.setAttribute("role", "none"); });
    });
    root.querySelectorAll("[data-menuitem]").forEach(function (item) { item.setAttribute("role", "menuitem"); });
  }
  document.addEventListener("DOMContentLoaded", function () { applyMenuRoles(document); });
  document.addEventListener("htmx:load", function (event) {
    const elt = event.detail.elt;
    if (elt.querySelectorAll) applyMenuRoles(elt.parentNode || elt);
  });

  function announce(message) {
    const region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function closeMenus(except) {
    document.querySelectorAll('[aria-haspopup="menu"][aria-expanded="true"]').forEach(function (button) {
      if (button === except) return;
      button.setAttribute("aria-expanded", "false");
      const menu = document.getElementById(button.getAttribute("aria-controls"));
      if (menu) menu.classList.remove("open");
    });
  }

  const FIELDS = "input:not([type=hidden]):not([tabindex='-1']):not([disabled]), select:not([disabled]), textarea";

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
    const first = dialog.querySelector(FIELDS) || dialog.querySelector("button:not([tabindex='-1']), a[href]");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    const menuButton = event.target.closest('[aria-haspopup="menu"]');
    if (menuButton) {
      const open = menuButton.getAttribute("aria-expanded") === "true";
      closeMenus(menuButton);
      menuButton.setAttribute("aria-expanded", String(!open));
      const menu = document.getElementById(menuButton.getAttribute("aria-controls"));
      if (menu) {
        menu.classList.toggle("open", !open);
        if (!open) {
          const first = menu.querySelector('[role="menuitem"]');
          if (first) first.focus();
        }
      }
      return;
    }
    if (!event.target.closest('[role="menu"]')) closeMenus();
    // A menu item that acts in place (Test connection) closes its menu and returns focus to the button.
    const item = event.target.closest('[role="menuitem"]');
    if (item && !item.hasAttribute("data-opens-dialog")) {
      const menu = item.closest('[role="menu"]');
      const button = menu && document.querySelector('[aria-controls="' + menu.id + '"]');
      closeMenus();
      if (button) button.focus();
    }

    const dialogLink = event.target.closest("[data-opens-dialog]");
    if (dialogLink) {
      opener = document.querySelector('[aria-haspopup="menu"][aria-expanded="true"]') || dialogLink;
      closeMenus();
    }
    const closer = event.target.closest("[data-close-dialog]");
    if (closer && closer.closest("dialog")) {
      event.preventDefault();
      closer.closest("dialog").close();
    }
    // "Done" after a secret was shown: close this dialog, then open the alert that needs an answer.
    const thenOpen = event.target.closest("[data-then-open]");
    if (thenOpen && thenOpen.closest("dialog")) {
      event.preventDefault();
      const next = document.getElementById(thenOpen.getAttribute("data-then-open"));
      thenOpen.closest("dialog").close();
      if (next) { next.showModal(); focusInDialog(next); }
    }
    // "Download credentials": a .env file built here from what is on screen; the server never serves it.
    const download = event.target.closest("[data-download-env]");
    if (download) {
      const id = document.getElementById(download.getAttribute("data-env-id")).value;
      const secret = document.getElementById(download.getAttribute("data-env-secret")).value;
      const text = "CREDHUB_CLIENT_ID=" + id + "\nCREDHUB_CLIENT_SECRET=" + secret + "\n";
      const link = document.createElement("a");
      link.href = "data:text/plain;charset=utf-8," + encodeURIComponent(text);
      link.download = download.getAttribute("data-filename") || "credhub.env";
      download.parentNode.appendChild(link);  // inside the open dialog: the rest of the page is inert
      link.click();
      link.remove();
      announce("Credentials downloaded");
    }
    const copy = event.target.closest("[data-copy-target]");
    if (copy) {
      const source = document.getElementById(copy.getAttribute("data-copy-target"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.value || source.textContent.trim()).then(function () {
          announce("Copied");
          copy.dataset.copied = "true";
        });
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    // Escape in the inline rename form cancels it, like Cancel.
    if (event.key === "Escape" && event.target.closest(".rename-form")) {
      const cancel = event.target.closest(".rename-form").querySelector("[data-cancel]");
      if (cancel) { event.preventDefault(); cancel.click(); }
      return;
    }
    const menuButton = event.target.closest('[aria-haspopup="menu"]');
    if (menuButton && (event.key === "ArrowDown" || event.key === "ArrowUp") && menuButton.getAttribute("aria-expanded") !== "true") {
      event.preventDefault();
      menuButton.click();
      return;
    }
    const menu = event.target.closest('[role="menu"]');
    if (event.key === "Escape" && (menu || event.target.closest('[aria-haspopup="menu"]'))) {
      const button = menu ? document.querySelector('[aria-controls="' + menu.id + '"]') : null;
      closeMenus();
      if (button) button.focus();
      return;
    }
    if (menu && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      const items = Array.from(menu.querySelectorAll('[role="menuitem"]'));
      const index = items.indexOf(document.activeElement);
      const next = event.key === "ArrowDown" ? (index + 1) % items.length : (index - 1 + items.length) % items.length;
      items[next].focus();
    }
    if (menu && (event.key === "Home" || event.key === "End")) {
      event.preventDefault();
      const items = menu.querySelectorAll('[role="menuitem"]');
      items[event.key === "Home" ? 0 : items.length - 1].focus();
    }
    if (menu && event.key === "Tab") closeMenus();
  });

  // After htmx fills a dialog (its body, or a form inside it swapped outerHTML), open it as a modal
  // and move focus in. The event fires on the new content, so this also works after outerHTML swaps.
  document.addEventListener("htmx:afterSwap", function (event) {
    const dialog = event.target.closest && event.target.closest("dialog");
    // htmx wires new controls (the type select's hx-post, a rename's Cancel) only when the swap settles;
    // wire them now, before focus moves to them, so a quick first action never falls back to a full page
    // load. Processing twice is harmless.
    htmx.process(dialog || (event.target.isConnected ? event.target : document.body));
    if (dialog) {
      const opening = !dialog.open;
      if (opening) dialog.showModal();
      if (opening) document.activeElement.blur();
      focusInDialog(dialog);
      return;
    }
    // Content swapped into the page (a renamed tile) may name a message to announce and a control
    // to focus, since the element that had focus was replaced.
    const announced = event.target.querySelector && event.target.querySelector("[data-announce]");
    if (announced) announce(announced.textContent.trim());
    const focus = event.target.querySelector && event.target.querySelector("[data-focus-after-swap]");
    if (focus) focus.focus();
  });

  // The server asks for dialogs to close once an action succeeded (HX-Trigger).
  document.addEventListener("credhub:close-dialog", closeDialogs);
  function closeDialogs() {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) { dialog.close(); });
  }

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
      const status = next.closest("fieldset, section") && next.closest("fieldset, section").querySelector("[role=status]");
      if (status && status.textContent.trim()) announce(status.textContent.trim());
    } else if (opener && document.body.contains(opener)) opener.focus();
    else {
      const status = document.querySelector("#tile-list [role=status]");
      const main = document.getElementById("main");
      if (main) main.focus();
      if (status && status.textContent.trim()) announce(status.textContent.trim());
    }
    opener = null;
  }, true);
})();
