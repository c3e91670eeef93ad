// The task page: poll its JSON endpoint about once a second, show the progress, and reload the page when
// the task has finished (the page then shows the result or the failure).
(function () {
  "use strict";
  var POLL_MILLISECONDS = 1000;

  function init() {
    var section = document.querySelector(".task[data-status-url]");
    if (!section || section.dataset.finished === "1") { return; }
    var bar = section.querySelector(".task-bar");
    var progress = section.querySelector(".task-progress");
    var message = section.querySelector(".task-message");
    var state = section.querySelector(".task-state");

    function poll() {
      fetch(section.dataset.statusUrl, { headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (task) {
          if (task === null) { window.setTimeout(poll, POLL_MILLISECONDS * 5); return; }
          if (task.finished) { window.location.reload(); return; }
          state.textContent = task.state_label;
          if (task.total) { bar.max = task.total; bar.value = task.done; }
          progress.textContent = task.progress;
          message.textContent = task.message;
          window.setTimeout(poll, POLL_MILLISECONDS);
        })
        .catch(function () { window.setTimeout(poll, POLL_MILLISECONDS * 5); });
    }
    window.setTimeout(poll, POLL_MILLISECONDS);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
