// credhub's script, first part: what the other parts share. The page works without any of it: links and
// forms fall back to full page loads. Loaded first (base.html), before menus, dialogs, focus, feedback
// and overlay, which attach to `window.credhub`.
document.documentElement.classList.add("js");

window.credhub = (function () {
  "use strict";

  // Screen reader announcements go through one live region in base.html.
  function announce(message) {
    const region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  return {
    announce: announce,
    // The fields a dialog's focus may land on.
    FIELDS: "input:not([type=hidden]):not([tabindex='-1']):not([disabled]), select:not([disabled]), textarea",
    // The control that opened the dialog now open (a menu's "More options" button, a link).
    opener: null,
    // { id, next, previous, added } of the tile or row a dialog was opened from, or that a list swap added.
    remembered: null,
    // The control that had focus was replaced by a swap: its successor takes focus.
    focusLost: false,
  };
})();
