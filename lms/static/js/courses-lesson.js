// Lesson page: counts reading time while the page is visible (a heartbeat every 30 s;
// the server caps what it credits) and scrolls back to where the reader left off.
(function () {
  "use strict";
  var root = document.querySelector("[data-heartbeat-url]");
  if (!root) { return; }
  var url = root.getAttribute("data-heartbeat-url");
  var token = root.getAttribute("data-csrf-token");
  var INTERVAL_MS = 30000;
  var since = Date.now();

  function position() {
    var page = document.documentElement;
    var range = page.scrollHeight - page.clientHeight;
    return range > 0 ? Math.round(100 * page.scrollTop / range) : 100;
  }

  // `leaving`: the page is being hidden; send what was read since the last beat.
  function beat(leaving) {
    var now = Date.now();
    var seconds = Math.round((now - since) / 1000);
    since = now;
    if ((!leaving && document.visibilityState !== "visible") || seconds <= 0) { return; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ seconds: seconds, position: position() })
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        // The time the server credited, as it words it.
        var shown = document.querySelector("[data-time-spent]");
        if (shown && data && data.time_spent) { shown.textContent = data.time_spent; }
      })
      .catch(function () { /* offline for a moment: the next beat counts again */ });
  }

  setInterval(function () { beat(false); }, INTERVAL_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { since = Date.now(); } else { beat(true); }
  });

  var resume = parseInt(root.getAttribute("data-resume-position") || "0", 10);
  if (resume > 0 && resume < 100) {
    window.addEventListener("load", function () {
      var page = document.documentElement;
      window.scrollTo(0, Math.round((page.scrollHeight - page.clientHeight) * resume / 100));
    });
  }
}());
