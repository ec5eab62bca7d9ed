/* The exam page: autosave with an offline buffer, a countdown that only displays the
   server's deadline − server now (re-synced from every API answer), and the deadline.
   exam-room.js (moving around, the summary and the submit, sign-out, the offline copy)
   reaches this script through root.lmsExam.

   Every change gets a sequence number and goes into a buffer kept in localStorage before
   it is sent; the server acknowledges by sequence number, and an older number never
   overwrites a newer answer there. So a dropped network, a reload, a crashed browser or an
   expired sign-in lose nothing typed on this device. The buffer also keeps what the server
   acknowledged and the deadline on this device's clock, which bring the service worker's
   copy of the page (a reload while offline) up to date. */
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
  var csrf = root.dataset.csrf;
  var KEY = "lms-exam-buffer-" + root.dataset.attempt;
  var SAVE_DELAY = 800, RETRY_DELAY = 5000, SYNC_EVERY = 30000;
  var GRACE_MS = parseInt(root.dataset.graceMs, 10) || 0;

  var questions = Array.prototype.slice.call(root.querySelectorAll(".exam-q"));
  var navButtons = Array.prototype.slice.call(root.querySelectorAll(".nav-q"));
  var statusBox = document.getElementById("save-status"), countdown = document.getElementById("countdown");

  // store: {seq, pending: {question: {seq, response}}, saved: {question: {seq, response}} (what the
  // server acknowledged), clock: {serverNow, offset: server − device, deadline} (the last sync, in ms)}
  var store = loadStore();
  store.seq = Math.max(store.seq || 0, parseInt(root.dataset.lastSeq, 10) || 0);
  var saveTimer = null, retryTimer = null, inFlight = null, finished = false, needsLogin = false;
  var locked = false, reportAt = 0, reporting = false, shownOver = false;
  // The page is the server's, or the service worker's copy of an earlier one (a reload offline): a copy
  // counts down to the newer deadline of the copy and the last sync, by that sync's server − device offset.
  var pageIsFresh = root.dataset.offlineCopy !== "1", clock = store.clock && store.clock.deadline ? store.clock : null;
  var pageServerNow = Date.parse(root.dataset.serverNow), pageRemaining = parseInt(root.dataset.remainingMs, 10) || 0;
  var deadlineMono = performance.now() + (pageIsFresh ? pageRemaining // the deadline on this device's monotonic clock
    : (clock && clock.serverNow >= pageServerNow ? clock.deadline : pageServerNow + pageRemaining) - (clock ? clock.offset : 0) - Date.now());
  if (pageIsFresh) { store.saved = {}; recordClock(pageServerNow, pageRemaining); }

  function loadStore() {
    var empty = { seq: 0, pending: {}, saved: {} };
    try { return Object.assign(empty, JSON.parse(localStorage.getItem(KEY)) || {}); } catch (e) { return empty; }
  }
  function persist() {
    try { localStorage.setItem(KEY, JSON.stringify(store)); } catch (e) { /* private mode: memory only */ }
  }
  function pendingCount() { return Object.keys(store.pending).length; }
  function recordClock(serverNow, remainingMs) {
    if (!isNaN(serverNow)) { store.clock = { serverNow: serverNow, offset: serverNow - Date.now(), deadline: serverNow + remainingMs }; }
  }

  function setStatus(kind) {
    statusBox.className = "save-status " + kind;
    statusBox.textContent = { saved: msg.saved, saving: msg.saving, offline: msg.offline, login: msg.login, unsaved: msg.unsaved, lost: msg.notKept }[kind];
    document.getElementById("offline-banner").hidden = kind !== "offline" || locked;
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
    });
    root.dispatchEvent(new CustomEvent("exam:nav")); // the current question and the summary follow (exam-room.js)
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
    if (data && typeof data.remaining_ms === "number" && data.open !== false) { // a finished attempt's 0 is no deadline
      deadlineMono = performance.now() + data.remaining_ms;
      recordClock(Date.parse(data.server_now), data.remaining_ms);
      persist();
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
          var sent = entries.filter(function (e) { return e.question === ack.question && e.seq === ack.seq; })[0];
          if (ack.stored && sent) { store.saved[ack.question] = { seq: ack.seq, response: sent.response }; }
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
        // Time over or already submitted: these answers can no longer be stored (showFinished says so).
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
      store.saved = {};
      // Answers saved from another device show here unless this device has newer ones.
      questions.forEach(function (section) {
        var saved = result.data.answers[section.dataset.question];
        var mine = store.pending[section.dataset.question];
        if (saved) { store.saved[section.dataset.question] = saved; }
        if (saved && (!mine || mine.seq <= saved.seq) && section.dataset.type !== "practical") { apply(section, saved.response); }
      });
      persist();
      refreshNav();
      syncClock(result.data);
      if (!finished) { setStatus(locked && timeOver() ? "lost" : (pendingCount() ? "unsaved" : "saved")); }
      return true;
    }, function () { setStatus("offline"); return false; });
  }

  function recordChange(section) {
    if (finished || locked) { return; }
    var response = collect(section);
    if (response === null) { return; }
    store.seq += 1;
    store.pending[section.dataset.question] = { seq: store.seq, response: response };
    persist();
    setStatus("unsaved");
    refreshNav();
    scheduleSave(SAVE_DELAY);
  }

  // --- the deadline: lock the paper, say what the server has, report it, await the server ------------
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (token, name) { return values[name] === undefined ? token : values[name]; });
  }
  function pendingPositions() {
    return questions.filter(function (s) { return store.pending[s.dataset.question]; }).map(function (s) { return s.dataset.position; });
  }
  function serverAnswered() {
    return questions.filter(function (section) {
      if (section.dataset.type === "practical") { return section.querySelector(".uploads strong") !== null; }
      var saved = store.saved[section.dataset.question];
      return saved && saved.response && Object.keys(saved.response).length > 0;
    }).length;
  }
  function timeOver() { return performance.now() - deadlineMono > GRACE_MS; } // past deadline + grace

  function setLocked(on) {
    locked = on;
    root.classList.toggle("time-up", on);
    document.querySelectorAll("#paper input, #paper select, .upload-form input, .upload-form button, #submit-button").forEach(function (el) { el.disabled = on; });
    document.getElementById("timeup-banner").hidden = !on;
    if (on) { document.getElementById("offline-banner").hidden = true; }
  }

  function showTimeUp() {
    var positions = pendingPositions(), over = timeOver();
    var graceLeft = Math.max(0, Math.ceil((deadlineMono + GRACE_MS - performance.now()) / 1000));
    var device = !positions.length ? msg.deviceNone
      : fill(over ? msg.deviceLost : msg.devicePending, { n: positions.length, list: positions.join(", "), seconds: graceLeft });
    var text = [fill(msg.serverHas, { saved: serverAnswered() }), device, navigator.onLine === false ? msg.serverCloses : msg.waiting].join(" ");
    var box = document.getElementById("timeup-text");
    if (box.textContent !== text) { box.textContent = text; }
    navButtons.forEach(function (button, index) { button.classList.toggle("lost", over && !!store.pending[questions[index].dataset.question]); });
    if (over !== shownOver) { shownOver = over; root.dispatchEvent(new CustomEvent("exam:nav")); } // the summary counts them unanswered
    if (over && positions.length) { setStatus("lost"); } else if (!reporting && !inFlight) { statusBox.textContent = msg.timeUp; }
  }

  // The countdown reached zero: send what is buffered, then ask the server to close the attempt.
  function reportTimeUp() {
    reporting = true;
    flush().then(function () {
      return request(root.dataset.submitUrl, { timeout: true });
    }).then(function (result) {
      reporting = false;
      if (result.status === 200 && result.data.open === false) { showFinished(result.data.state); return; }
      reportAt = performance.now() + RETRY_DELAY;
      syncClock(result.data); // the server may still have time left (extra time): tick unlocks
    }, function () { reporting = false; reportAt = performance.now() + RETRY_DELAY; });
  }

  function showFinished(state, message) {
    if (finished) { return; }
    var positions = pendingPositions();
    finished = true;
    clearTimeout(saveTimer); clearTimeout(retryTimer);
    root.classList.add("finished");
    document.getElementById("timeup-banner").hidden = true;
    document.querySelectorAll("#paper input, #paper select, #paper button, .upload-form input, .upload-form button, #submit-form button, #submit-button")
      .forEach(function (el) { el.disabled = true; });
    var text = message || (state === "submitted" ? msg.submitted : msg.auto);
    if (positions.length && timeOver()) { text += " " + fill(msg.deviceLost, { n: positions.length, list: positions.join(", ") }); }
    document.getElementById("finished-text").textContent = text;
    document.getElementById("finished-banner").hidden = false;
    document.getElementById("offline-banner").hidden = true;
    countdown.textContent = "0:00";
    forget();
  }
  function forget() {
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing to clear */ }
    root.dispatchEvent(new CustomEvent("exam:finished")); // exam-room.js drops the offline copy
  }

  // --- the countdown --------------------------------------------------------------------------
  function tick() {
    if (finished) { return; }
    // Rounded up, as the server rounds: 0:00 only once the deadline is reached.
    var left = Math.max(0, Math.ceil((deadlineMono - performance.now()) / 1000));
    var hours = Math.floor(left / 3600), minutes = Math.floor((left % 3600) / 60), seconds = left % 60;
    countdown.textContent = (hours ? hours + ":" + String(minutes).padStart(2, "0") : minutes) + ":" + String(seconds).padStart(2, "0");
    root.classList.toggle("hurry", left <= 300);
    if (left > 0) {
      if (locked) { setLocked(false); setStatus(pendingCount() ? "unsaved" : "saved"); } // extra time reached the page
      return;
    }
    if (!locked) { setLocked(true); clearTimeout(saveTimer); }
    showTimeUp();
    if (!reporting && performance.now() >= reportAt) { reportTimeUp(); }
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
  window.addEventListener("online", function () { flush(); if (locked) { reportAt = 0; } });
  window.addEventListener("offline", function () { setStatus("offline"); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(); } else { refreshState().then(flush); }
  });

  // --- start: the saved answers (the page's, then those acknowledged since the page was kept),
  // then what this device buffered, and re-send that -------------------------------------------------
  questions.forEach(function (section) {
    var id = section.dataset.question, practical = section.dataset.type === "practical";
    if (section.dataset.response && !practical) { apply(section, JSON.parse(section.dataset.response)); }
    if (pageIsFresh && section.dataset.response) { store.saved[id] = { seq: 0, response: JSON.parse(section.dataset.response) }; }
    if (!pageIsFresh && store.saved[id] && !practical) { apply(section, store.saved[id].response); }
    var mine = store.pending[id];
    if (mine) { apply(section, mine.response); }
  });
  persist();
  refreshNav();
  setStatus(pendingCount() ? "unsaved" : "saved");
  // What exam-room.js (moving around, the summary, submit, sign-out, the offline copy) needs of this script.
  root.lmsExam = { flush: flush, request: request, fill: fill, setStatus: setStatus, pendingCount: pendingCount,
    needsLogin: function () { return needsLogin; }, isFinished: function () { return finished; }, submitted: forget };
  flush(); // the page itself is the fresh state: saved answers, clock and CSRF token
  setInterval(tick, 250);
  setInterval(function () { if (!finished) { refreshState(); } }, SYNC_EVERY);
  tick();
}());
