// A background job's progress bar: polls the job's JSON until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var labels = JSON.parse(document.currentScript.getAttribute("data-labels") || "{}");
  var PERIOD = 1500;
  function show(job) {
    var bar = document.getElementById("job-progress");
    bar.max = job.total || 1;
    bar.value = job.state === "done" ? bar.max : job.done;
    document.getElementById("job-done").textContent = job.done;
    document.getElementById("job-total").textContent = job.total;
    document.getElementById("job-state").textContent = labels[job.state] || job.state;
    document.getElementById("job-error").textContent = job.error || "";
    var next = document.getElementById("job-next");
    if (next && job.state === "done") { next.hidden = false; }
  }
  function poll() {
    fetch(box.getAttribute("data-status-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        show(job);
        if (job.state !== "done" && job.state !== "failed") { window.setTimeout(poll, PERIOD); }
      })
      .catch(function () { window.setTimeout(poll, PERIOD * 2); });
  }
  if (box.getAttribute("data-state") !== "done" && box.getAttribute("data-state") !== "failed") { poll(); }
})();
