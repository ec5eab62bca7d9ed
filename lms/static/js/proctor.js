/* Proctor board: refreshes the figures of a running session from its JSON endpoint. Times
   come from the server already in Hanoi time (whatever the device's clock or zone). */
(function () {
  "use strict";
  var board = document.getElementById("proctor-board");
  if (!board) { return; }
  var url = board.dataset.url;
  var status = board.querySelector("[data-refresh-status]");
  var PERIOD = 15000;
  var labels = {
    active: board.dataset.labelActive,
    updated: board.dataset.labelUpdated,
    offline: board.dataset.labelOffline,
    failures: board.dataset.labelFailures,
    codeFailures: board.dataset.labelCodeFailures
  };

  function clock(seconds) {
    if (seconds === null || seconds === undefined) { return ""; }
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function rowKey(row) { return row.attempt_id ? "a" + row.attempt_id : "c" + row.candidate_id; }

  function busy() {
    // Never rebuild the page under a proctor who is typing a reason.
    return board.querySelector("details[open]") !== null || (document.activeElement && board.contains(document.activeElement) && document.activeElement.tagName !== "BODY");
  }

  function apply(data) {
    Object.keys(data.summary).forEach(function (key) {
      var cell = board.querySelector('[data-summary="' + key + '"]');
      if (cell) { cell.textContent = data.summary[key]; }
    });
    var seen = {};
    board.querySelectorAll("tr[data-candidate]").forEach(function (tr) {
      var attempt = tr.getAttribute("data-attempt");
      seen[attempt ? "a" + attempt : "c" + tr.getAttribute("data-candidate")] = tr;
    });
    var missing = false;
    data.rows.forEach(function (row) {
      var tr = seen[rowKey(row)];
      if (!tr) { missing = true; return; }
      var open = row.state === "in_progress" || row.state === "overdue";
      var label = data.states[row.state] || row.state;
      tr.querySelector('[data-field="state"]').textContent = label + (row.active ? " · " + labels.active : "");
      tr.querySelector('[data-field="remaining"]').textContent = open ? clock(row.remaining_seconds) : "";
      tr.querySelector('[data-field="last_save"]').textContent = row.last_save_local || "";
      tr.querySelector('[data-field="answered"]').textContent = row.answered;
      tr.querySelector('[data-field="late_saves"]').textContent = row.late_saves;
      var failures = tr.querySelector('[data-field="login_failures"]');
      if (failures) {
        failures.textContent = [row.login_failures ? row.login_failures + " " + labels.failures : "",
          row.code_failures ? row.code_failures + " " + labels.codeFailures : ""].filter(Boolean).join(" · ");
      }
      tr.classList.toggle("active", row.active);
    });
    if (missing && !busy()) { window.location.reload(); }
    if (status) { status.textContent = labels.updated + " " + data.server_time_local; }
  }

  function refresh() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(apply)
      .catch(function () { if (status) { status.textContent = labels.offline; } });
  }

  window.setInterval(refresh, PERIOD);
})();
