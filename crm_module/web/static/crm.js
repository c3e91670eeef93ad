// The CRM pages' behaviour: tabs of the edit dialog, adding and removing phone and contact rows,
// the Ja/Nein question of forms with data-confirm, the merge preview's choice of the surviving record.
(function () {
  "use strict";

  // -- tabs: one form, one panel shown; the address (#statistik) or the first tab with an error opens

  function initTabs(form) {
    var tabs = Array.prototype.slice.call(form.querySelectorAll("[role=tab]"));
    if (!tabs.length) { return; }

    function show(tab, remember) {
      tabs.forEach(function (other) {
        var selected = other === tab;
        other.setAttribute("aria-selected", selected ? "true" : "false");
        other.tabIndex = selected ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
      });
      if (remember) { history.replaceState(null, "", "#" + tab.getAttribute("aria-controls")); }
    }

    function byPanel(id) {
      return tabs.filter(function (tab) { return tab.getAttribute("aria-controls") === id; })[0];
    }

    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () { show(tab, true); });
      tab.addEventListener("keydown", function (event) {
        var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!step) { return; }
        event.preventDefault();
        var next = tabs[(index + step + tabs.length) % tabs.length];
        show(next, true);
        next.focus();
      });
    });

    var wanted = byPanel(window.location.hash.slice(1));
    var withError = form.querySelector("[role=tab].has-error");
    show(withError || wanted || tabs[0], false);
    var firstInvalid = withError && document.getElementById(withError.getAttribute("aria-controls"))
      .querySelector("[aria-invalid=true]");
    if (firstInvalid) { firstInvalid.focus(); }
  }

  // -- repeated rows (phones, contact persons) -------------------------------------------------

  function initRepeats(form) {
    form.addEventListener("click", function (event) {
      var remove = event.target.closest(".remove-row");
      if (remove) {
        remove.closest(".repeat-row").remove();
        return;
      }
      var add = event.target.closest(".add-row");
      if (!add) { return; }
      var index = parseInt(add.dataset.next, 10);
      add.dataset.next = String(index + 1);
      var html = document.getElementById(add.dataset.template).innerHTML.split("__i__").join(String(index));
      var rows = add.closest(".repeat").querySelector(".repeat-rows");
      rows.insertAdjacentHTML("beforeend", html);
      var input = rows.lastElementChild.querySelector("input:not([type=hidden]):not([type=radio])");
      if (input) { input.focus(); }
    });
  }

  // -- Ja/Nein before sending a form with data-confirm -----------------------------------------

  function initConfirm() {
    var dialog = document.querySelector("dialog.crm-confirm");
    if (!dialog) { return; }
    var pending = null;
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.confirmed === "1") { return; }
        event.preventDefault();
        pending = form;
        dialog.querySelector(".confirm-text").textContent = form.dataset.confirm;
        dialog.returnValue = "";
        dialog.showModal();
      });
    });
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "yes" && pending) {
        pending.dataset.confirmed = "1";
        if (pending.elements.confirmed) { pending.elements.confirmed.value = "1"; }
        pending.submit();
      }
      pending = null;
    });
  }

  // -- merge preview: choosing the surviving record updates the preview ------------------------

  function initSurvivorChoice() {
    var form = document.querySelector("form.merge-form");
    if (!form) { return; }
    var refresh = form.querySelector("button[name=refresh]");
    form.addEventListener("change", function (event) {
      if (event.target.name === "survivor") { form.requestSubmit(refresh); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var dialogForm = document.getElementById("prospect-form");
    if (dialogForm) {
      initTabs(dialogForm);
      initRepeats(dialogForm);
    }
    initConfirm();
    initSurvivorChoice();
  });
})();
