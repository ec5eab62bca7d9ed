/* The exam page: navigation, autosave with an offline buffer, and a countdown that only
   displays the server's deadline − server now (re-synced from every API answer).

   Every change gets a sequence number and goes into a buffer kept in localStorage
   before it is sent; the server acknowledges by sequence number, and an older number
   never overwrites a newer answer there. So a dropped network, a reload, a crashed
   browser or an expired sign-in lose nothing that was typed on this device. */
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  // The start answers with this page: show the attempt's own address, so that a reload
  // (or a bookmark) asks for the page instead of posting the start again.
  if (window.location.pathname !== root.dataset.pageUrl) {
    window.history.replaceState(null, "", root.dataset.pageUrl + window.location.hash);
  }
  var msg = document.getElementById("exam-messages").dataset;
  var attemptId = root.dataset.attempt;
  var csrf = root.dataset.csrf;
  var KEY = "lms-exam-buffer-" + attemptId;
  var MODE_KEY = "lms-exam-mode";
  var SAVE_DELAY = 800, RETRY_DELAY = 5000, SYNC_EVERY = 30000;

  var questions = Array.prototype.slice.call(root.querySelectorAll(".exam-q"));
  var navButtons = Array.prototype.slice.call(root.querySelectorAll(".nav-q"));
  var statusBox = document.getElementById("save-status");
  var countdown = document.getElementById("countdown");

  var store = loadStore();
  store.seq = Math.max(store.seq || 0, parseInt(root.dataset.lastSeq, 10) || 0);
  var saveTimer = null, retryTimer = null, inFlight = null, finished = false, needsLogin = false;
  // The deadline on this device's monotonic clock, from the server's remaining milliseconds.
  var deadlineMono = performance.now() + (parseInt(root.dataset.remainingMs, 10) || 0);
  var timeUpSent = false;
  var current = 0;

  function loadStore() {
    try { return JSON.parse(localStorage.getItem(KEY)) || { seq: 0, pending: {} }; }
    catch (e) { return { seq: 0, pending: {} }; }
  }
  function persist() {
    try { localStorage.setItem(KEY, JSON.stringify(store)); } catch (e) { /* private mode: memory only */ }
  }
  function pendingCount() { return Object.keys(store.pending).length; }

  function setStatus(kind) {
    statusBox.className = "save-status " + kind;
    statusBox.textContent = { saved: msg.saved, saving: msg.saving, offline: msg.offline, login: msg.login, unsaved: msg.unsaved }[kind];
    document.getElementById("offline-banner").hidden = kind !== "offline";
    document.getElementById("login-banner").hidden = kind !== "login";
  }

  // --- reading and writing a question's inputs -------------------------------------------
  function collect(section) {
    var type = section.dataset.type;
    if (type === "single_choice") {
      var picked = section.querySelector("input[type=radio]:checked");
      return picked ? { choice: parseInt(picked.value, 10) } : {};
    }
    if (type === "multiple_response") {
      var chosen = Array.prototype.map.call(section.querySelectorAll("input[type=checkbox][name]:checked"), function (box) { return parseInt(box.value, 10); });
      return chosen.length ? { choices: chosen } : {};
    }
    if (type === "true_false") {
      var tf = section.querySelector("input[type=radio]:checked");
      return tf ? { value: tf.value === "true" } : {};
    }
    if (type === "matching") {
      var pairs = {}, any = false;
      section.querySelectorAll("select[data-left]").forEach(function (select) {
        if (select.value !== "") { pairs[select.dataset.left] = parseInt(select.value, 10); any = true; }
      });
      return any ? { pairs: pairs } : {};
    }
    if (type === "short_answer") {
      var text = section.querySelector(".text-answer").value;
      return text.trim() ? { text: text } : {};
    }
    if (type === "numeric") {
      var value = section.querySelector(".text-answer").value;
      return value.trim() ? { value: value } : {};
    }
    return null; // practical: files go through their own form
  }

  function apply(section, response) {
    response = response || {};
    var type = section.dataset.type;
    if (type === "single_choice" || type === "multiple_response") {
      var wanted = type === "single_choice" ? [response.choice] : (response.choices || []);
      section.querySelectorAll("input[name]").forEach(function (input) { input.checked = wanted.indexOf(parseInt(input.value, 10)) >= 0; });
    } else if (type === "true_false") {
      section.querySelectorAll("input[type=radio]").forEach(function (input) {
        input.checked = response.value !== undefined && String(response.value) === input.value;
      });
    } else if (type === "matching") {
      var pairs = response.pairs || {};
      section.querySelectorAll("select[data-left]").forEach(function (select) {
        var right = pairs[select.dataset.left];
        select.value = right === undefined ? "" : String(right);
      });
    } else if (type === "short_answer") {
      section.querySelector(".text-answer").value = response.text || "";
    } else if (type === "numeric") {
      section.querySelector(".text-answer").value = response.value === undefined ? "" : String(response.value);
    }
  }

  function isAnswered(section) {
    var response = collect(section);
    if (response === null) { return section.querySelector(".uploads strong") !== null; }
    return Object.keys(response).length > 0;
  }

  function refreshNav() {
    questions.forEach(function (section, index) {
      navButtons[index].classList.toggle("answered", isAnswered(section));
      navButtons[index].classList.toggle("flagged", section.querySelector(".flag-box").checked);
      navButtons[index].classList.toggle("current", index === current && root.classList.contains("mode-single"));
    });
    var missing = questions.filter(function (section) { return !isAnswered(section); }).map(function (section) { return section.dataset.position; });
    document.getElementById("unanswered-list").textContent = missing.length ? missing.join(", ") : msg.none;
    document.getElementById("unanswered-none").hidden = missing.length > 0;
    document.getElementById("unanswered-some").hidden = missing.length === 0;
  }

  // --- talking to the server -----------------------------------------------------------------
  function request(url, body) {
    var options = { method: body === undefined ? "GET" : "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrf;
      options.body = JSON.stringify(body);
      options.keepalive = true;
    }
    return fetch(url, options).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("application/json") < 0) {
        // A sign-in page instead of JSON: the session expired.
        return { status: 401, data: {} };
      }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function syncClock(data) {
    if (data && typeof data.remaining_ms === "number") {
      deadlineMono = performance.now() + data.remaining_ms;
    }
    if (data && data.open === false) { showFinished(data.state); }
  }

  function scheduleSave(delay) {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(flush, delay);
  }

  function flush() {
    clearTimeout(saveTimer);
    if (inFlight) { return inFlight.then(flush); }
    if (finished || pendingCount() === 0) { return Promise.resolve(); }
    setStatus("saving");
    var entries = Object.keys(store.pending).map(function (question) {
      var entry = store.pending[question];
      return { question: parseInt(question, 10), seq: entry.seq, response: entry.response };
    }).sort(function (a, b) { return a.seq - b.seq; });
    inFlight = request(root.dataset.saveUrl, { answers: entries }).then(function (result) {
      inFlight = null;
      if (result.status === 200) {
        needsLogin = false;
        var overtaken = false;
        result.data.saved.forEach(function (ack) {
          var entry = store.pending[ack.question];
          if (entry && entry.seq <= ack.seq) { delete store.pending[ack.question]; }
          // Not stored: another tab or device saved a newer answer; show that one.
          if (ack.stored === false) { overtaken = true; }
        });
        persist();
        syncClock(result.data);
        setStatus(pendingCount() ? "unsaved" : "saved");
        if (pendingCount()) { scheduleSave(SAVE_DELAY); }
        if (overtaken) { refreshState(); }
      } else if (result.status === 401) {
        needsLogin = true;
        setStatus("login");
        retryLater();
      } else if (result.status === 400 && typeof result.data.error !== "string") {
        // A stale CSRF token (signed in again elsewhere): fetch a fresh one and retry.
        refreshState().then(function () { scheduleSave(SAVE_DELAY); });
      } else if (result.status === 409) {
        // Time over or already submitted: these answers can no longer be stored.
        store.pending = {};
        persist();
        syncClock(result.data);
        showFinished(result.data.state, result.data.message);
      } else if (result.status === 400 || result.status === 404) {
        var bad = result.data.question;
        if (bad !== undefined) { delete store.pending[bad]; } else { entries.forEach(function (e) { delete store.pending[e.question]; }); }
        persist();
        setStatus("unsaved");
        if (pendingCount()) { scheduleSave(SAVE_DELAY); }
      } else {
        setStatus("unsaved");
        retryLater();
      }
    }, function () {
      inFlight = null;
      setStatus("offline");
      retryLater();
    });
    return inFlight;
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () {
      if (needsLogin) { refreshState().then(function (ok) { if (ok) { flush(); } else { retryLater(); } }); }
      else { flush(); }
    }, RETRY_DELAY);
  }

  function refreshState() {
    return request(root.dataset.stateUrl).then(function (result) {
      if (result.status !== 200) {
        if (result.status === 401) { needsLogin = true; setStatus("login"); }
        return false;
      }
      needsLogin = false;
      csrf = result.data.csrf_token || csrf;
      store.seq = Math.max(store.seq, result.data.last_seq || 0);
      // Answers saved from another device show here unless this device has newer ones.
      questions.forEach(function (section) {
        var saved = result.data.answers[section.dataset.question];
        var mine = store.pending[section.dataset.question];
        if (saved && (!mine || mine.seq <= saved.seq) && section.dataset.type !== "practical") { apply(section, saved.response); }
      });
      persist();
      refreshNav();
      syncClock(result.data);
      if (!finished) { setStatus(pendingCount() ? "unsaved" : "saved"); }
      return true;
    }, function () { setStatus("offline"); return false; });
  }

  function recordChange(section) {
    if (finished) { return; }
    var response = collect(section);
    if (response === null) { return; }
    store.seq += 1;
    store.pending[section.dataset.question] = { seq: store.seq, response: response };
    persist();
    setStatus("unsaved");
    refreshNav();
    scheduleSave(SAVE_DELAY);
  }

  function showFinished(state, message) {
    if (finished) { return; }
    finished = true;
    clearTimeout(saveTimer);
    clearTimeout(retryTimer);
    root.classList.add("finished");
    root.querySelectorAll("#paper input, #paper select, #paper button, #submit-form button").forEach(function (el) { el.disabled = true; });
    document.getElementById("finished-text").textContent = message || (state === "submitted" ? msg.submitted : msg.auto);
    document.getElementById("finished-banner").hidden = false;
    document.getElementById("offline-banner").hidden = true;
    countdown.textContent = "0:00";
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing to clear */ }
  }

  // --- the countdown --------------------------------------------------------------------------
  function tick() {
    if (finished) { return; }
    // Rounded up, as the server rounds: 0:00 only once the deadline is reached.
    var left = Math.max(0, Math.ceil((deadlineMono - performance.now()) / 1000));
    var hours = Math.floor(left / 3600), minutes = Math.floor((left % 3600) / 60), seconds = left % 60;
    countdown.textContent = (hours ? hours + ":" + String(minutes).padStart(2, "0") : minutes) + ":" + String(seconds).padStart(2, "0");
    root.classList.toggle("hurry", left <= 300);
    if (left === 0 && !timeUpSent) {
      timeUpSent = true;
      statusBox.textContent = msg.timeUp;
      flush().then(function () {
        return request(root.dataset.submitUrl, { timeout: true });
      }).then(function (result) {
        if (result.status === 200 && result.data.open === false) { showFinished(result.data.state); }
        else { timeUpSent = false; syncClock(result.data); } // the server still had time left (or was unreachable)
      }, function () { timeUpSent = false; });
    }
  }

  // --- navigation and modes ----------------------------------------------------------------------
  function show(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach(function (section, i) { section.classList.toggle("active", i === current); });
    refreshNav();
    flush();
  }

  function setMode(mode) {
    root.classList.toggle("mode-single", mode === "single");
    root.classList.toggle("mode-all", mode === "all");
    document.getElementById("toggle-mode").textContent = mode === "single" ? msg.all : msg.single;
    try { localStorage.setItem(MODE_KEY, mode); } catch (e) { /* ignore */ }
    refreshNav();
  }

  root.addEventListener("change", function (event) {
    var section = event.target.closest(".exam-q");
    if (!section) { return; }
    if (event.target.classList.contains("flag-box")) {
      refreshNav();
      request(root.dataset.flagUrl, { question: parseInt(section.dataset.question, 10), flagged: event.target.checked }).then(function (result) {
        if (result.status === 200) { syncClock(result.data); }
      }, function () { /* the flag is a reminder only; it is re-sent with the next change */ });
      return;
    }
    recordChange(section);
  });
  root.addEventListener("input", function (event) {
    if (event.target.classList.contains("text-answer")) { recordChange(event.target.closest(".exam-q")); }
  });
  root.addEventListener("click", function (event) {
    var target = event.target;
    if (target.dataset.goto) {
      var index = questions.findIndex(function (section) { return section.dataset.question === target.dataset.goto; });
      if (root.classList.contains("mode-single")) { show(index); } else { questions[index].scrollIntoView(); flush(); }
    } else if (target.classList.contains("next")) { show(current + 1); }
    else if (target.classList.contains("prev")) { show(current - 1); }
    else if (target.classList.contains("review")) { flush(); document.getElementById("submit-step").scrollIntoView(); }
    else if (target.id === "toggle-mode") { setMode(root.classList.contains("mode-single") ? "all" : "single"); }
  });

  document.getElementById("submit-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var button = document.getElementById("submit-button");
    button.disabled = true;
    flush().then(function () {
      if (pendingCount() && !finished) { button.disabled = false; setStatus(needsLogin ? "login" : "offline"); return; }
      return request(root.dataset.submitUrl, {}).then(function (result) {
        if (result.status === 200) {
          try { localStorage.removeItem(KEY); } catch (e) { /* nothing to clear */ }
          window.location.assign(result.data.result_url);
        } else {
          button.disabled = false;
          setStatus(result.status === 401 ? "login" : "unsaved");
        }
      }, function () { button.disabled = false; setStatus("offline"); });
    });
  });

  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", function () { setStatus("offline"); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(); } else { refreshState().then(flush); }
  });

  // --- start: show the saved answers, then what this device buffered, and re-send that -------------
  questions.forEach(function (section) {
    if (section.dataset.response && section.dataset.type !== "practical") { apply(section, JSON.parse(section.dataset.response)); }
    var mine = store.pending[section.dataset.question];
    if (mine) { apply(section, mine.response); }
  });
  var mode = "single";
  try { mode = localStorage.getItem(MODE_KEY) || "single"; } catch (e) { /* default */ }
  setMode(mode);
  var hash = window.location.hash.match(/^#q(\d+)$/);
  show(hash ? parseInt(hash[1], 10) - 1 : 0);
  setStatus(pendingCount() ? "unsaved" : "saved");
  flush(); // the page itself is the fresh state: saved answers, clock and CSRF token
  setInterval(tick, 250);
  setInterval(function () { if (!finished) { refreshState(); } }, SYNC_EVERY);
  tick();
}());
