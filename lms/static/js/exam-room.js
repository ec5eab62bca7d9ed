/* The exam room around the paper (exam.js keeps the answers and the clock): moving between
   questions, the summary before the submit and its confirmation, a sign-out that asks
   first, and the copy of the page a service worker shows when a reload finds no network. */
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root || !root.lmsExam) { return; }
  var exam = root.lmsExam;
  var msg = document.getElementById("exam-messages").dataset;
  var MODE_KEY = "lms-exam-mode";
  var CACHE = "lms-exam-v1"; // the service worker's cache (static/js/exam-sw.js)
  var questions = Array.prototype.slice.call(root.querySelectorAll(".exam-q"));
  var navButtons = Array.prototype.slice.call(root.querySelectorAll(".nav-q"));
  var current = 0;

  // --- moving around the paper ------------------------------------------------------------------
  function markCurrent() {
    navButtons.forEach(function (button, index) {
      button.classList.toggle("current", index === current && root.classList.contains("mode-single"));
    });
  }

  function show(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach(function (section, i) { section.classList.toggle("active", i === current); });
    markCurrent();
    exam.flush();
  }

  // From the summary (a link) the question is brought into view; from the buttons above it already is.
  function goTo(questionId, fromLink) {
    var index = questions.findIndex(function (section) { return section.dataset.question === String(questionId); });
    if (index < 0) { return; }
    if (root.classList.contains("mode-single")) { show(index); } else { exam.flush(); }
    if (fromLink || root.classList.contains("mode-all")) { questions[index].scrollIntoView(); }
  }

  function setMode(mode) {
    root.classList.toggle("mode-single", mode === "single");
    root.classList.toggle("mode-all", mode === "all");
    document.getElementById("toggle-mode").textContent = mode === "single" ? msg.all : msg.single;
    try { localStorage.setItem(MODE_KEY, mode); } catch (e) { /* ignore */ }
    markCurrent();
  }

  root.addEventListener("click", function (event) {
    var target = event.target;
    if (target.dataset.goto) { event.preventDefault(); goTo(target.dataset.goto, target.tagName === "A"); }
    else if (target.classList.contains("next")) { show(current + 1); }
    else if (target.classList.contains("prev")) { show(current - 1); }
    else if (target.classList.contains("review")) { exam.flush(); document.getElementById("submit-step").scrollIntoView(); }
    else if (target.id === "toggle-mode") { setMode(root.classList.contains("mode-single") ? "all" : "single"); }
  });

  // --- the summary: answered, unanswered and flagged, each a link back to its question -----------------
  function groups() {
    var found = { answered: [], unanswered: [], flagged: [] };
    navButtons.forEach(function (button) {
      // A change that stayed on the device past the grace is not an answer the server has.
      var answered = button.classList.contains("answered") && !button.classList.contains("lost");
      found[answered ? "answered" : "unanswered"].push(button);
      if (button.classList.contains("flagged")) { found.flagged.push(button); }
    });
    return found;
  }

  function links(box, buttons) {
    box.textContent = "";
    if (!buttons.length) { box.textContent = msg.none; return; }
    buttons.forEach(function (button, index) {
      var question = questions[navButtons.indexOf(button)];
      var link = document.createElement("a");
      link.href = "#" + question.id;
      link.dataset.goto = button.dataset.goto;
      link.textContent = button.textContent;
      link.setAttribute("aria-label", button.getAttribute("aria-label"));
      if (index) { box.appendChild(document.createTextNode(", ")); }
      box.appendChild(link);
    });
  }

  function summary() {
    var found = groups();
    ["answered", "unanswered", "flagged"].forEach(function (name) {
      links(document.getElementById(name + "-list"), found[name]);
      document.getElementById(name + "-count").textContent = found[name].length;
    });
    document.getElementById("unanswered-none").hidden = found.unanswered.length > 0;
    return found;
  }

  root.addEventListener("exam:nav", function () { summary(); markCurrent(); });

  // --- the submit: the summary's button asks once more, in a dialog ------------------------------------
  var submitDialog = document.getElementById("submit-dialog");
  document.getElementById("submit-button").addEventListener("click", function () {
    exam.flush();
    var found = summary();
    document.getElementById("submit-dialog-text").textContent = exam.fill(msg.summary, {
      answered: found.answered.length, total: navButtons.length, unanswered: found.unanswered.length, flagged: found.flagged.length });
    document.getElementById("submit-error").hidden = true;
    submitDialog.showModal();
  });
  document.getElementById("submit-cancel").addEventListener("click", function () { submitDialog.close(); });

  // Only once every answer has reached the server: otherwise the dialog says what is missing.
  document.getElementById("submit-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var button = document.getElementById("submit-confirm"), error = document.getElementById("submit-error");
    function refused(status) {
      button.disabled = false;
      exam.setStatus(status);
      if (exam.pendingCount() || status === "offline") {
        error.textContent = exam.fill(msg.submitUnsent, { n: exam.pendingCount() });
        error.hidden = false;
      }
    }
    button.disabled = true;
    error.hidden = true;
    exam.flush().then(function () {
      if (exam.isFinished()) { submitDialog.close(); return undefined; }
      if (exam.pendingCount()) { refused(exam.needsLogin() ? "login" : "offline"); return undefined; }
      return exam.request(root.dataset.submitUrl, {}).then(function (result) {
        if (result.status === 200) {
          exam.submitted();
          window.location.assign(result.data.result_url);
        } else {
          refused(result.status === 401 ? "login" : "unsaved");
        }
      }, function () { refused("offline"); });
    });
  });

  // --- sign-out asks first; the language switch comes back to this page ------------------------------
  var logoutForm = document.getElementById("logout-form");
  var logoutDialog = document.getElementById("logout-dialog");
  if (logoutForm) {
    logoutForm.addEventListener("submit", function (event) {
      if (exam.isFinished() || logoutForm.dataset.confirmed) { return; }
      event.preventDefault();
      exam.flush();
      var pending = document.getElementById("logout-pending");
      pending.textContent = exam.fill(msg.logoutPending, { n: exam.pendingCount() });
      pending.hidden = exam.pendingCount() === 0;
      logoutDialog.showModal();
    });
    document.getElementById("logout-cancel").addEventListener("click", function () { logoutDialog.close(); });
    document.getElementById("logout-confirm").addEventListener("click", function () {
      // Send what can be sent first; what cannot stays buffered on this device for the next sign-in here.
      // The page's copy goes: on a shared tablet the next person must not find this paper offline.
      var leave = function () { dropCopy().then(function () { logoutForm.dataset.confirmed = "1"; logoutForm.requestSubmit(); }); };
      Promise.race([exam.flush(), new Promise(function (resolve) { setTimeout(resolve, 3000); })]).then(leave, leave);
    });
  }
  document.querySelectorAll(".topbar input[name=next]").forEach(function (input) { input.value = root.dataset.pageUrl; });

  // --- the offline copy: the service worker and what it keeps -----------------------------------------
  function keepForOffline() {
    if (!("serviceWorker" in navigator) || !window.caches) { return; }
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope }).catch(function () { /* no offline copy */ });
    var assets = Array.prototype.map.call(document.querySelectorAll("link[rel=stylesheet][href], script[src], #paper img[src]"),
      function (element) { return element.href || element.src; })
      .filter(function (url) { return new URL(url, window.location.href).origin === window.location.origin; });
    caches.open(CACHE).then(function (cache) {
      assets.forEach(function (url) { cache.match(url).then(function (hit) { return hit || cache.add(url); }).catch(function () { /* next time */ }); });
      // A page the worker saw is already kept (a plain load or the start); the first page of a
      // device is fetched once more, at a random moment of the next 10 s, not all at the start.
      // Fetched while the network is away, it is tried again once the device is back online.
      var keepPage = function () {
        if (exam.isFinished()) { return; }
        cache.add(root.dataset.pageUrl).catch(function () {
          window.addEventListener("online", function () { setTimeout(keepPage, Math.random() * 10000); }, { once: true });
        });
      };
      if (!controlled) { setTimeout(keepPage, Math.random() * 10000); }
    }).catch(function () { /* no cache storage */ });
  }

  function dropCopy() {
    if (!window.caches) { return Promise.resolve(); }
    return caches.open(CACHE).then(function (cache) { return cache.delete(root.dataset.pageUrl, { ignoreVary: true }); }).catch(function () { /* none */ });
  }
  root.addEventListener("exam:finished", function () {
    [submitDialog, logoutDialog].forEach(function (dialog) { if (dialog.open) { dialog.close(); } });
    dropCopy();
  });

  // --- start -----------------------------------------------------------------------------------------
  var mode = "single";
  try { mode = localStorage.getItem(MODE_KEY) || "single"; } catch (e) { /* default */ }
  setMode(mode);
  var hash = window.location.hash.match(/^#q(\d+)$/);
  show(hash ? parseInt(hash[1], 10) - 1 : 0);
  summary();
  keepForOffline();
}());
