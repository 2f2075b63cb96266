// Follows a background job: polls its progress URL, moves the bar, reloads when it ends.
(function () {
  "use strict";
  function follow(box) {
    var url = box.getAttribute("data-progress-url");
    var bar = box.querySelector(".job-progress-bar");
    var percent = box.querySelector(".job-progress-percent");
    var rows = box.querySelector(".job-progress-rows");
    var state = box.querySelector(".job-progress-state");
    var failures = 0;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (job) {
          failures = 0;
          bar.value = job.percent;
          bar.textContent = job.percent + " %";
          percent.textContent = job.percent + " %";
          rows.textContent = job.done.toLocaleString() + " of " + job.total.toLocaleString() + " rows";
          state.textContent = job.status.charAt(0).toUpperCase() + job.status.slice(1);
          if (job.finished) {
            window.location.reload();
          } else {
            window.setTimeout(tick, 1000);
          }
        })
        .catch(function () {
          failures += 1;
          state.textContent = "Waiting for the server…";
          window.setTimeout(tick, Math.min(10000, 1000 * Math.pow(2, failures)));
        });
    }
    if (box.getAttribute("data-status") === "queued" || box.getAttribute("data-status") === "running") {
      window.setTimeout(tick, 500);
    }
  }
  document.querySelectorAll(".job-progress[data-progress-url]").forEach(follow);
})();
