// The web shell's behaviour: menu bar (click to open, keyboard shortcuts) and entity lists
// (row selection with Ctrl/Shift, right-click context menu, Ja/Nein confirmation, posting the action).
(function () {
  "use strict";

  // -- menu bar -------------------------------------------------------------------------------

  function initMenuBar() {
    var menus = Array.prototype.slice.call(document.querySelectorAll(".menubar .menu"));
    menus.forEach(function (menu) {
      menu.querySelector(".menu-title").addEventListener("click", function () {
        var open = !menu.classList.contains("open");
        menus.forEach(function (other) { other.classList.remove("open"); });
        menu.classList.toggle("open", open);
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".menubar")) {
        menus.forEach(function (menu) { menu.classList.remove("open"); });
      }
    });
    var shortcuts = Array.prototype.slice.call(document.querySelectorAll(".menubar [data-shortcut]"));
    document.addEventListener("keydown", function (event) {
      shortcuts.forEach(function (link) {
        if (matchesShortcut(event, link.dataset.shortcut)) {
          event.preventDefault();
          window.location.href = link.href;
        }
      });
    });
  }

  // "Ctrl+K", "Strg+Umschalt+N", "Alt+1", "F9"
  function matchesShortcut(event, shortcut) {
    var parts = shortcut.split("+").map(function (part) { return part.trim().toLowerCase(); });
    var key = parts.pop();
    var want = { ctrl: false, alt: false, shift: false };
    parts.forEach(function (part) {
      if (part === "ctrl" || part === "strg") { want.ctrl = true; }
      else if (part === "alt") { want.alt = true; }
      else if (part === "shift" || part === "umschalt") { want.shift = true; }
    });
    var typing = /^(input|textarea|select)$/i.test(event.target.tagName || "");
    if (typing && !want.ctrl && !want.alt && !/^f\d+$/.test(key)) { return false; }
    return event.key.toLowerCase() === key && (event.ctrlKey || event.metaKey) === want.ctrl &&
      event.altKey === want.alt && event.shiftKey === want.shift;
  }

  // -- entity lists ---------------------------------------------------------------------------

  function initEntityList(root) {
    var menu = root.querySelector(".context-menu");
    var dialog = root.querySelector(".confirm-dialog");
    var form = root.querySelector(".action-form");
    var status = root.querySelector(".list-selection");
    var anchor = null;

    function rows() { return Array.prototype.slice.call(root.querySelectorAll("tbody tr[data-id]")); }
    function selected() { return rows().filter(function (row) { return row.classList.contains("selected"); }); }

    function setSelected(row, on) {
      row.classList.toggle("selected", on);
      row.setAttribute("aria-selected", on ? "true" : "false");
    }

    function selectOnly(row) {
      rows().forEach(function (other) { setSelected(other, other === row); });
      anchor = row;
    }

    function selectRange(row) {
      var all = rows();
      var from = all.indexOf(anchor || row);
      var to = all.indexOf(row);
      var low = Math.min(from, to), high = Math.max(from, to);
      all.forEach(function (other, index) { setSelected(other, index >= low && index <= high); });
    }

    function select(row, event) {
      if (event.ctrlKey || event.metaKey) {
        setSelected(row, !row.classList.contains("selected"));
        anchor = row;
      } else if (event.shiftKey) {
        selectRange(row);
      } else {
        selectOnly(row);
      }
      showCount();
    }

    function showCount() {
      var count = selected().length;
      status.textContent = count ? count + " markiert" : "";
    }

    function openMenu(x, y) {
      var count = selected().length;
      menu.querySelector(".context-menu-head").textContent = count + " markiert";
      menu.querySelectorAll("button[data-name]").forEach(function (button) {
        button.disabled = button.dataset.selection === "one" && count !== 1;
      });
      menu.hidden = false;
      var width = menu.offsetWidth, height = menu.offsetHeight;
      menu.style.left = Math.max(0, Math.min(x, window.innerWidth - width - 4)) + "px";
      menu.style.top = Math.max(0, Math.min(y, window.innerHeight - height - 4)) + "px";
      var first = menu.querySelector("button:not([disabled])");
      if (first) { first.focus({ preventScroll: true }); }
    }

    function closeMenu() { menu.hidden = true; }

    function run(button) {
      var chosen = selected();
      var ids = chosen.map(function (row) { return row.dataset.id; });
      closeMenu();
      form.elements.owner.value = button.dataset.owner;
      form.elements.name.value = button.dataset.name;
      form.elements.confirmed.value = "";
      form.querySelectorAll("input[name=ids]").forEach(function (input) { input.remove(); });
      ids.forEach(function (id) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "ids";
        input.value = id;
        form.appendChild(input);
      });
      var one = ids.length === 1 && button.dataset.confirmOne && chosen[0].dataset.label;
      var question = one ? button.dataset.confirmOne : button.dataset.confirm;
      if (!question) {
        form.submit();
        return;
      }
      dialog.querySelector(".confirm-text").textContent = one
        ? question.split("{label}").join(chosen[0].dataset.label)
        : question.split("{count}").join(String(ids.length));
      dialog.returnValue = "";
      dialog.showModal();
    }

    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "yes") {
        form.elements.confirmed.value = "1";
        form.submit();
      }
    });

    root.addEventListener("mousedown", function (event) {
      if (event.shiftKey && event.target.closest("tbody tr[data-id]")) { event.preventDefault(); }
    });

    root.addEventListener("click", function (event) {
      var row = event.target.closest("tbody tr[data-id]");
      if (!row || event.target.closest("a, button, input")) { return; }
      closeMenu();
      select(row, event);
    });

    root.addEventListener("contextmenu", function (event) {
      var row = event.target.closest("tbody tr[data-id]");
      if (!row) { return; }
      event.preventDefault();
      if (!row.classList.contains("selected")) {
        if (event.ctrlKey || event.metaKey) { setSelected(row, true); anchor = row; } else { selectOnly(row); }
        showCount();
      }
      if (event.clientX || event.clientY) {
        openMenu(event.clientX, event.clientY);
      } else {  // opened from the keyboard: place it at the row
        var box = row.getBoundingClientRect();
        openMenu(box.left + 24, box.bottom);
      }
    });

    root.addEventListener("keydown", function (event) {
      var row = event.target.closest("tbody tr[data-id]");
      if (row && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        var all = rows();
        var next = all[all.indexOf(row) + (event.key === "ArrowDown" ? 1 : -1)];
        if (next) {
          event.preventDefault();
          next.focus();
          if (event.shiftKey) { selectRange(next); showCount(); } else { select(next, event); }
        }
      } else if (row && event.key === " ") {
        event.preventDefault();
        select(row, { ctrlKey: true });
      } else if (row && event.key === "F10" && event.shiftKey) {
        event.preventDefault();
        if (!row.classList.contains("selected")) { selectOnly(row); showCount(); }
        var box = row.getBoundingClientRect();
        openMenu(box.left + 24, box.bottom);
      }
    });

    menu.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-name]");
      if (button && !button.disabled) { run(button); }
    });

    menu.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(menu.querySelectorAll("button:not([disabled])"));
      var index = buttons.indexOf(document.activeElement);
      if (event.key === "Escape") {
        event.preventDefault();
        closeMenu();
        var current = selected()[0];
        if (current) { current.focus(); }
      } else if (event.key === "ArrowDown" && buttons.length) {
        event.preventDefault();
        buttons[(index + 1) % buttons.length].focus();
      } else if (event.key === "ArrowUp" && buttons.length) {
        event.preventDefault();
        buttons[(index - 1 + buttons.length) % buttons.length].focus();
      }
    });

    document.addEventListener("click", function (event) {
      if (!menu.hidden && !menu.contains(event.target)) { closeMenu(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeMenu(); }
    });
    window.addEventListener("scroll", closeMenu, true);
    window.addEventListener("resize", closeMenu);
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMenuBar();
    document.querySelectorAll(".entity-list").forEach(initEntityList);
  });
})();
