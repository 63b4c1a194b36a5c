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

  const busyByRequest = new WeakMap();
  let focusLost = false;
  let remembered = null;  // { id, next, previous } of the tile or row a dialog was opened from

  function itemOf(element) { return element && element.closest && element.closest("li.tile[id], tr[id]"); }

  function rememberItem(element) {
    const item = itemOf(element);
    if (!item) { remembered = null; return; }
    const next = item.nextElementSibling && item.nextElementSibling.id ? item.nextElementSibling.id : null;
    const previous = item.previousElementSibling && item.previousElementSibling.id ? item.previousElementSibling.id : null;
    remembered = { id: item.id, next: next, previous: previous };
  }

  // The focusable control of a tile or row: its More options button, else its first link or button.
  function controlOf(item) {
    return item.querySelector('[aria-haspopup="menu"]') || item.querySelector("button, a[href]") || item;
  }

  // After a dialog closed on a change: the item that changed (added, edited), else the one after the item
  // that was deleted (or before it, at the end of the list), else the control that opened the dialog.
  function itemAfterChange() {
    if (remembered) {
      const ids = remembered.added ? [remembered.id] : [remembered.id, remembered.next, remembered.previous];
      for (const id of ids) {
        const item = id && document.getElementById(id);
        if (item) return controlOf(item);
      }
    }
    if (opener && document.body.contains(opener)) return opener;
    if (opener && opener.id && document.getElementById(opener.id)) return document.getElementById(opener.id);
    const list = document.querySelector("#tile-list, #access-keys");
    return list ? list.querySelector(".section-header .button, .empty-state .button") : null;
  }

  // Move focus without scrolling the page, then bring the item into view only if it is outside it, and
  // highlight it briefly so the eye finds what changed.
  function focusChanged(element, highlight) {
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: true });
    const rect = element.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) element.scrollIntoView({ block: "nearest" });
    const item = itemOf(element);
    if (item && highlight !== false) {
      // After htmx's settle step (20 ms), which resets the class of swapped-in elements.
      window.setTimeout(function () {
        item.classList.add("changed");
        window.setTimeout(function () { item.classList.remove("changed"); }, 2500);
      }, 60);
    }
  }

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
  document.addEventListener("DOMContentLoaded", function () { addDismissButtons(document); });

  // A shown-once dialog (a new API key) opens as a modal as soon as it arrives.
  function showOnLoad(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("dialog[data-show-on-load]").forEach(function (dialog) {
      if (dialog.open) dialog.close();
      dialog.showModal();
      focusInDialog(dialog);
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
  document.addEventListener("DOMContentLoaded", function () { showOnLoad(document); localTimes(document); });
  document.addEventListener("htmx:load", function (event) { localTimes(event.detail.elt); });

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
      rememberItem(opener);
      closeMenus();
    }
    const closer = event.target.closest("[data-close-dialog]");
    if (closer && closer.closest("dialog")) {
      event.preventDefault();
      const closing = closer.closest("dialog");
      if (closing.dataset.dirty === "true") askBeforeDiscarding(closing);
      else closing.close();
    }
    const dismiss = event.target.closest("[data-dismiss-status]");
    if (dismiss) {
      const region = dismiss.closest("[role=status], .status-message");
      const message = dismiss.closest("p, .status-message");
      if (message) message.remove();
      if (region && region.isConnected) region.focus({ preventScroll: true });
    }
    const shows = event.target.closest("[data-show-dialog]");
    if (shows) {
      const shown = document.getElementById(shows.getAttribute("data-show-dialog"));
      if (shown) { opener = shows; shown.showModal(); focusInDialog(shown); }
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
          showCopied(copy);
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
      if (opening) delete dialog.dataset.dirty;
      if (opening) dialog.showModal();
      if (opening) document.activeElement.blur();
      focusInDialog(dialog);
      return;
    }
    // Content swapped into the page (a renamed tile) may name a message to announce and a control
    // to focus, since the element that had focus was replaced.
    const announced = event.target.querySelector && event.target.querySelector("[data-announce]");
    if (announced) announce(announced.textContent.trim());
    addDismissButtons(event.target);
    showOnLoad(event.target);
    const focus = event.target.querySelector && event.target.querySelector("[data-focus-after-swap]");
    if (focus) focusChanged(focus);
    else if (focusLost) {
      // The control that had focus was replaced (Show, Regenerate, Generate API key): its successor, or the
      // first control of what replaced it, takes focus so it never falls back to the page.
      const successor = event.target.querySelector && event.target.querySelector(FIELDS + ", button, a[href]");
      if (successor) focusChanged(successor);
    }
    focusLost = false;
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
    } else {
      const target = itemAfterChange();
      if (target) focusChanged(target, !(opener && document.body.contains(opener)));
      else {
        const main = document.getElementById("main");
        if (main) main.focus({ preventScroll: true });
      }
      const status = document.querySelector("#tile-list .status-message, #access-keys .status-message, #api-keys .status-message");
      if (status && status.textContent.trim()) announce(status.textContent.trim());
    }
    opener = null;
    remembered = null;
  }, true);

  // Escape on a dialog that showed a secret once leads, like Done, to the alert that needs an answer; on an
  // overlay with typed input it asks before discarding what was typed.
  document.addEventListener("cancel", function (event) {
    const dialog = event.target;
    if (dialog.tagName !== "DIALOG") return;
    const done = dialog.querySelector("[data-then-open]");
    if (done) { event.preventDefault(); done.click(); return; }
    if (dialog.dataset.dirty === "true") { event.preventDefault(); askBeforeDiscarding(dialog); }
  }, true);
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
  document.addEventListener("input", function (event) {
    const dialog = event.target.closest && event.target.closest("dialog.overlay");
    if (dialog && event.target.matches("input, textarea, select")) dialog.dataset.dirty = "true";
  });

  let discardDialog = null;
  function askBeforeDiscarding(overlay) {
    if (!discardDialog) {
      discardDialog = document.createElement("dialog");
      discardDialog.className = "overlay small";
      discardDialog.id = "discard-dialog";
      discardDialog.setAttribute("role", "alertdialog");
      discardDialog.setAttribute("aria-labelledby", "discard-dialog-title");
      discardDialog.setAttribute("aria-describedby", "discard-dialog-description");
      discardDialog.innerHTML = '<div class="dialog-content"><h2 id="discard-dialog-title">Discard what you typed?</h2>' +
        '<p id="discard-dialog-description">Nothing in this form has been saved yet. Closing it loses what you entered.</p>' +
        '<div class="overlay-actions"><button type="button" class="button" data-keep-editing data-focus-first>Keep editing</button>' +
        '<button type="button" class="button danger" data-discard>Discard</button></div></div>';
      document.body.appendChild(discardDialog);
      discardDialog.addEventListener("click", function (event) {
        if (event.target.closest("[data-keep-editing]")) discardDialog.close("keep");
        if (event.target.closest("[data-discard]")) discardDialog.close("discard");
      });
    }
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
  }

  // Busy states: the control that started a request is marked busy and disabled until the answer is in;
  // its target (a tile's Test connection result) says what is happening. CSS draws the spinner and label.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    const submitter = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent &&
      event.detail.requestConfig.triggeringEvent.submitter;
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
    if (control && control.matches("button") && !control.disabled && !control.closest("dialog.overlay:not(.small)")) { control.disabled = true; control.dataset.busyDisabled = "true"; }
    if (control && control.matches("a")) control.setAttribute("aria-disabled", "true");
    busyByRequest.set(elt, { nodes: busy, control: control });
    if (target && target.classList.contains("test-result-slot")) {
      target.innerHTML = '<p class="testing">Testing connection…</p>';
      announce("Testing connection…");
    }
    // Focus is lost only where the swap replaces the focused control: a search box beside the results keeps it.
    const swapped = target || elt;
    if (document.activeElement && swapped.contains(document.activeElement) && !elt.closest("dialog")) focusLost = true;
    clearOtherStatuses(target || elt);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const closes = event.detail.elt.closest && event.detail.elt.closest("[data-closes-dialog]");
    if (closes && event.detail.successful && closes.closest("dialog")) closes.closest("dialog").close();
    const state = busyByRequest.get(event.detail.elt);
    if (!state) return;
    busyByRequest.delete(event.detail.elt);
    state.nodes.forEach(function (node) { node.removeAttribute("aria-busy"); });
    if (state.control && state.control.dataset.busyDisabled) { state.control.disabled = false; delete state.control.dataset.busyDisabled; }
    if (state.control) state.control.removeAttribute("aria-disabled");
  });

  // A list swapped whole after a save or delete keeps the other tiles' Test connection results.
  const keptResults = new Map();
  let idsBefore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    keptResults.clear();
    idsBefore = null;
    if (!target || !target.querySelectorAll) return;
    target.querySelectorAll(".test-result-slot").forEach(function (slot) {
      if (slot.innerHTML.trim()) keptResults.set(slot.id, slot.innerHTML);
    });
    idsBefore = new Set(Array.from(target.querySelectorAll("li.tile[id], tr[id]")).map(function (item) { return item.id; }));
    if (target.contains(document.activeElement)) focusLost = true;
  });
  document.addEventListener("htmx:afterSettle", function () {
    keptResults.forEach(function (html, id) {
      const slot = document.getElementById(id);
      if (slot && !slot.innerHTML.trim()) slot.innerHTML = html;
    });
    keptResults.clear();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    // The item a list swap added (a credential or access key just created) is the one that changed.
    if (!idsBefore || !event.target.querySelectorAll) return;
    const added = Array.from(event.target.querySelectorAll("li.tile[id], tr[id]")).filter(function (item) {
      return !idsBefore.has(item.id);
    });
    if (added.length === 1 && idsBefore.size) remembered = { id: added[0].id, next: null, previous: null, added: true };
    idsBefore = null;
  }, true);
})();

// The credential overlay's own controls: Show/Hide on a secret, the problem summary's links, and the
// organization rows' dropdowns.
(function () {
  "use strict";

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
  // are labelled with the organization chosen ("Acme EU — Password").
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
})();
