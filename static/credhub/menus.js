// Menus: plain lists of actions in the HTML, which is what they are without JavaScript; here they open from
// their "More options" button and behave as ARIA menus (Enter or ↓ opens, ↑/↓/Home/End move, Escape closes).
(function (credhub) {
  "use strict";

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

  function closeMenus(except) {
    document.querySelectorAll('[aria-haspopup="menu"][aria-expanded="true"]').forEach(function (button) {
      if (button === except) return;
      button.setAttribute("aria-expanded", "false");
      const menu = document.getElementById(button.getAttribute("aria-controls"));
      if (menu) menu.classList.remove("open");
    });
  }
  credhub.closeMenus = closeMenus;

  function buttonOf(menu) {
    return document.querySelector('[aria-controls="' + menu.id + '"]');
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
    // A menu item that acts in place (Test connection) closes its menu and returns focus to the button;
    // one that opens a dialog leaves that to the dialog (dialogs.js notes the button as its opener).
    const item = event.target.closest('[role="menuitem"]');
    if (item && !item.hasAttribute("data-opens-dialog")) {
      const menu = item.closest('[role="menu"]');
      const button = menu && buttonOf(menu);
      closeMenus();
      if (button) button.focus();
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
    if (event.key === "Escape" && (menu || menuButton)) {
      const button = menu ? buttonOf(menu) : null;
      closeMenus();
      if (button) button.focus();
      return;
    }
    if (!menu) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const items = Array.from(menu.querySelectorAll('[role="menuitem"]'));
      const index = items.indexOf(document.activeElement);
      const next = event.key === "ArrowDown" ? (index + 1) % items.length : (index - 1 + items.length) % items.length;
      items[next].focus();
    }
    if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      const items = menu.querySelectorAll('[role="menuitem"]');
      items[event.key === "Home" ? 0 : items.length - 1].focus();
    }
    if (event.key === "Tab") closeMenus();
  });
})(window.credhub);
