// The web shell's behaviour: menu bar (click to open, keyboard shortcuts, entries that run a list's
// actions), entity lists (row selection with Ctrl/Shift/Ctrl+A, button bar, right-click context menu,
// Ja/Nein confirmation, posting the action, Enter opens a row), flashed messages kept in view, and the
// question before leaving a form with unsaved input.
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
    function closeAll() {
      menus.forEach(function (menu) { menu.classList.remove("open"); });
      if (document.activeElement && document.activeElement.closest(".menubar")) { document.activeElement.blur(); }
    }
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".menubar")) { closeAll(); }
    });
    // An entry for a list action runs it on the rows selected in that list, when the page shows it.
    document.querySelectorAll(".menubar a[data-action]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var list = document.querySelector('.entity-list[data-entity="' + link.dataset.entity + '"]');
        if (!list) { return; }
        event.preventDefault();
        closeAll();
        list.dispatchEvent(new CustomEvent("list-action", { detail: { owner: link.dataset.owner, name: link.dataset.action } }));
      });
    });
    var shortcuts = Array.prototype.slice.call(document.querySelectorAll(".menubar [data-shortcut]"));
    document.addEventListener("keydown", function (event) {
      shortcuts.forEach(function (link) {
        if (matchesShortcut(event, link.dataset.shortcut)) {
          event.preventDefault();
          link.click();  // a click, so that the question about unsaved input is asked too
        }
      });
    });
  }

  function isTyping(target) {
    return /^(input|textarea|select)$/i.test(target.tagName || "") || target.isContentEditable;
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
    var typing = isTyping(event.target);
    if (typing && !want.ctrl && !want.alt && !/^f\d+$/.test(key)) { return false; }
    return event.key.toLowerCase() === key && (event.ctrlKey || event.metaKey) === want.ctrl &&
      event.altKey === want.alt && event.shiftKey === want.shift;
  }

  // -- entity lists ---------------------------------------------------------------------------

  // How many selected rows an action needs: "one" exactly one, "many" one or more, "several" two or more.
  var SELECTION_HINTS = {
    one: "„{label}“ gilt für genau eine Zeile.",
    many: "Bitte markieren Sie zuerst eine Zeile für „{label}“.",
    several: "„{label}“ braucht mindestens zwei markierte Zeilen; weitere mit Strg-Klick dazunehmen."
  };

  function allows(selection, count) {
    if (selection === "one") { return count === 1; }
    if (selection === "several") { return count >= 2; }
    return count >= 1;
  }

  function initEntityList(root) {
    var menu = root.querySelector(".context-menu");
    var dialog = root.querySelector(".confirm-dialog");
    var form = root.querySelector(".action-form");
    var status = root.querySelector(".list-selection");
    var more = root.querySelector(".list-more-menu");
    var moreButton = root.querySelector(".list-more-button");
    var create = root.querySelector(".list-new");
    var menuLinks = Array.prototype.slice.call(
      document.querySelectorAll('.menubar a[data-entity="' + root.dataset.entity + '"]'));
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

    function actionButtons() { return Array.prototype.slice.call(root.querySelectorAll("button[data-name]")); }

    // The selection count, and which actions it allows: in the button bar, the menus and the menu bar.
    function showCount() {
      var count = selected().length;
      status.textContent = count ? count + " markiert" : "";
      actionButtons().forEach(function (button) { button.disabled = !allows(button.dataset.selection, count); });
      menuLinks.forEach(function (link) {
        var button = findAction(link.dataset.owner, link.dataset.action);
        link.setAttribute("aria-disabled", button && !button.disabled ? "false" : "true");
      });
    }

    function findAction(owner, name) {
      return actionButtons().filter(function (button) {
        return button.dataset.owner === owner && button.dataset.name === name;
      })[0];
    }

    function openMenu(x, y) {
      var count = selected().length;
      menu.querySelector(".context-menu-head").textContent = count + " markiert";
      showCount();
      menu.hidden = false;
      var width = menu.offsetWidth, height = menu.offsetHeight;
      menu.style.left = Math.max(0, Math.min(x, window.innerWidth - width - 4)) + "px";
      menu.style.top = Math.max(0, Math.min(y, window.innerHeight - height - 4)) + "px";
      var first = menu.querySelector("button:not([disabled])");
      if (first) { first.focus({ preventScroll: true }); }
    }

    function closeMenu() {
      menu.hidden = true;
      if (more) { more.hidden = true; moreButton.setAttribute("aria-expanded", "false"); }
    }

    function run(button) {
      var chosen = selected();
      var ids = chosen.map(function (row) { return row.dataset.id; });
      closeMenu();
      if (!allows(button.dataset.selection, ids.length)) {  // e.g. chosen from the menu bar
        status.textContent = SELECTION_HINTS[button.dataset.selection].split("{label}").join(button.textContent.trim());
        return;
      }
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

    function open(row) {
      if (row.dataset.open) { window.location.href = row.dataset.open; }
    }

    function selectAll() {
      rows().forEach(function (row) { setSelected(row, true); });
      showCount();
    }

    root.addEventListener("click", function (event) {
      var row = event.target.closest("tbody tr[data-id]");
      if (!row || event.target.closest("a, button, input")) { return; }
      closeMenu();
      select(row, event);
    });

    root.addEventListener("dblclick", function (event) {
      var row = event.target.closest("tbody tr[data-id]");
      if (row) { open(row); }
    });

    root.addEventListener("list-action", function (event) {
      var button = findAction(event.detail.owner, event.detail.name);
      if (button) { run(button); }
    });

    root.querySelectorAll(".list-button").forEach(function (button) {
      button.addEventListener("click", function () { run(button); });
    });

    if (more) {
      moreButton.addEventListener("click", function (event) {
        event.stopPropagation();
        var opening = more.hidden;
        closeMenu();
        more.hidden = !opening;
        moreButton.setAttribute("aria-expanded", opening ? "true" : "false");
        if (opening) {
          showCount();
          var first = more.querySelector("button:not([disabled])");
          if (first) { first.focus(); }
        }
      });
      more.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-name]");
        if (button && !button.disabled) { run(button); }
      });
    }

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
      } else if (row && event.key === "Enter") {
        event.preventDefault();
        open(row);
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

    function menuKeys(event) {
      var buttons = Array.prototype.slice.call(event.currentTarget.querySelectorAll("button:not([disabled])"));
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
    }
    menu.addEventListener("keydown", menuKeys);
    if (more) { more.addEventListener("keydown", menuKeys); }

    document.addEventListener("click", function (event) {
      if (!menu.hidden && !menu.contains(event.target)) { closeMenu(); }
      if (more && !more.hidden && !more.contains(event.target)) { closeMenu(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeMenu(); }
      var plain = !event.shiftKey && !event.altKey;
      if (plain && (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "a" && !isTyping(event.target) &&
          (root.contains(event.target) || event.target === document.body)) {
        event.preventDefault();
        selectAll();
      } else if (create && plain && !event.ctrlKey && !event.metaKey && event.key === "F10") {
        event.preventDefault();
        create.click();
      }
    });
    showCount();
    window.addEventListener("scroll", closeMenu, true);
    window.addEventListener("resize", closeMenu);
  }

  // -- flashed messages: kept in view below the menu bar, also when the page opens at an anchor ---

  function initFlashes() {
    var flashes = document.querySelector(".flashes");
    if (!flashes) { return; }
    function keepTargetsClear() {
      document.documentElement.style.setProperty("--flashes-height", flashes.offsetHeight + "px");
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.setAttribute("aria-label", "Meldungen ausblenden");
    close.textContent = "×";
    close.addEventListener("click", function () {
      flashes.remove();
      document.documentElement.style.removeProperty("--flashes-height");
    });
    flashes.appendChild(close);
    keepTargetsClear();
    setTimeout(function () {  // after the page's own scripts have laid it out (tabs shown or hidden)
      var hash = decodeURIComponent(window.location.hash.slice(1));
      var target = hash && document.getElementById(hash);
      if (target && !target.hidden) { target.scrollIntoView(); } else { window.scrollTo(0, 0); }
    }, 0);
  }

  // -- unsaved input: ask before leaving a form with data-unsaved-guard -------------------------

  function initUnsavedGuard(form) {
    var dialog = document.querySelector("dialog.leave-dialog");
    var saved = snapshot();
    var leaving = false;

    function snapshot() { return new URLSearchParams(new FormData(form)).toString(); }
    function unsaved() { return !leaving && (form.dataset.unsaved === "1" || snapshot() !== saved); }

    function ask(leave) {
      dialog.querySelector(".confirm-text").textContent = form.dataset.unsavedGuard;
      dialog.returnValue = "";
      dialog.addEventListener("close", function answered() {
        dialog.removeEventListener("close", answered);
        if (dialog.returnValue === "yes") {
          leaving = true;
          leave();
        }
      });
      dialog.showModal();
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link || event.defaultPrevented || link.hasAttribute("download") || link.target === "_blank" ||
          event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
      var here = link.pathname === window.location.pathname && link.search === window.location.search;
      if ((here && link.hash) || !unsaved()) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(function () { window.location.href = link.href; });
    }, true);

    document.addEventListener("submit", function (event) {
      var other = event.target;
      if (other === form) { leaving = true; return; }  // saving it
      if (other.method === "dialog" || !unsaved()) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      var submitter = event.submitter;
      ask(function () { other.requestSubmit(submitter && submitter.form === other ? submitter : undefined); });
    }, true);

    window.addEventListener("beforeunload", function (event) {
      if (unsaved()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMenuBar();
    initFlashes();
    document.querySelectorAll(".entity-list").forEach(initEntityList);
    document.querySelectorAll("form[data-unsaved-guard]").forEach(initUnsavedGuard);
  });
})();
