// Focus after a change: the tile or row that changed (added, edited), or the next one after a delete,
// briefly highlighted; focus never falls back to the page, and moving it never scrolls the page.
(function (credhub) {
  "use strict";

  function itemOf(element) { return element && element.closest && element.closest("li.tile[id], tr[id]"); }

  credhub.rememberItem = function (element) {
    const item = itemOf(element);
    if (!item) { credhub.remembered = null; return; }
    const next = item.nextElementSibling && item.nextElementSibling.id ? item.nextElementSibling.id : null;
    const previous = item.previousElementSibling && item.previousElementSibling.id ? item.previousElementSibling.id : null;
    credhub.remembered = { id: item.id, next: next, previous: previous };
  };

  // The focusable control of a tile or row: its More options button, else its first link or button.
  function controlOf(item) {
    return item.querySelector('[aria-haspopup="menu"]') || item.querySelector("button, a[href]") || item;
  }

  // After a dialog closed on a change: the item that changed (added, edited), else the one after the item
  // that was deleted (or before it, at the end of the list), else the control that opened the dialog.
  credhub.itemAfterChange = function () {
    const remembered = credhub.remembered;
    const opener = credhub.opener;
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
  };

  // Move focus without scrolling the page, then bring the item into view only if it is outside it, and
  // highlight it briefly so the eye finds what changed.
  credhub.focusChanged = function (element, highlight) {
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
  };

  // The item a list swap added (a credential or access key just created) is the one that changed. Capture
  // phase: noted before the dialog's close handler asks where focus goes.
  let idsBefore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    idsBefore = null;
    if (!target || !target.querySelectorAll) return;
    idsBefore = new Set(Array.from(target.querySelectorAll("li.tile[id], tr[id]")).map(function (item) { return item.id; }));
    if (target.contains(document.activeElement)) credhub.focusLost = true;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!idsBefore || !event.target.querySelectorAll) return;
    const added = Array.from(event.target.querySelectorAll("li.tile[id], tr[id]")).filter(function (item) {
      return !idsBefore.has(item.id);
    });
    if (added.length === 1 && idsBefore.size) credhub.remembered = { id: added[0].id, next: null, previous: null, added: true };
    idsBefore = null;
  }, true);

  // Content swapped into the page (a renamed tile) may name a message to announce and a control to focus,
  // since the element that had focus was replaced. Dialogs' own content is dialogs.js's concern.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.closest && event.target.closest("dialog")) return;
    const announced = event.target.querySelector && event.target.querySelector("[data-announce]");
    if (announced) credhub.announce(announced.textContent.trim());
    const focus = event.target.querySelector && event.target.querySelector("[data-focus-after-swap]");
    if (focus) credhub.focusChanged(focus);
    else if (credhub.focusLost) {
      // The control that had focus was replaced (Show, Regenerate, Generate API key): its successor, or the
      // first control of what replaced it, takes focus so it never falls back to the page.
      const successor = event.target.querySelector && event.target.querySelector(credhub.FIELDS + ", button, a[href]");
      if (successor) credhub.focusChanged(successor);
    }
    credhub.focusLost = false;
  });
})(window.credhub);
