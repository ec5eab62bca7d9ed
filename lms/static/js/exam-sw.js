/* The exam's service worker (served as /exams/sw.js, so that its scope covers the exam
   pages): a reload, or a tablet restarted without network, still shows the paper.

   What it keeps, in one cache: the exam page of an attempt (which never holds the key:
   only the questions, their options and the candidate's own saved answers) and the
   assets exam.js lists for that page (its CSS, scripts, the paper's images). It never
   keeps a JSON answer, a result or a review: only those three kinds of request are
   answered here, everything else goes to the network untouched. The network is always
   tried first; the cache answers only when the network fails (or the server is down),
   and a page the server no longer serves (finished, signed out) is dropped from it. */
"use strict";

var CACHE = "lms-exam-v1";
var SCOPE = new URL(self.registration.scope).pathname; // "/exams/" (or under a prefix)
var ATTEMPT_PAGE = new RegExp("^" + escaped(SCOPE) + "attempts/\\d+$");
var START = new RegExp("^" + escaped(SCOPE) + "sessions/\\d+/parts/\\d+/start$");
var ASSETS = ["style", "script", "image", "font"];
// A slow commune network: after this long, a kept copy of the page is shown instead.
var PAGE_TIMEOUT = 10000;

function escaped(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("lms-exam-") === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isExamPage(response) {
  return response.ok && response.type === "basic" && !response.redirected
    && (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

function pageKey(url) { return url.origin + url.pathname; }

// The kept copy says it is one: exam.js then takes the clock and the acknowledged answers
// from what the device recorded since, not from the copy.
function marked(hit) {
  if (!hit) { return hit; }
  return hit.text().then(function (html) {
    return new Response(html.replace('<div id="exam" ', '<div id="exam" data-offline-copy="1" '), { status: 200, headers: hit.headers });
  });
}

// Network first; the kept copy when the network fails, answers 5xx, or is slower than PAGE_TIMEOUT.
function attemptPage(event, url) {
  var key = pageKey(url);
  return caches.open(CACHE).then(function (cache) {
    var kept = function () { return cache.match(key, { ignoreVary: true }).then(marked); };
    var network = fetch(event.request).then(function (response) {
      if (isExamPage(response)) {
        event.waitUntil(cache.put(key, response.clone()));
      } else if (response.status < 500) {
        // Finished (a redirect to the result), signed out, or not this user's: nothing to show offline.
        event.waitUntil(cache.delete(key, { ignoreVary: true }));
      }
      return response;
    });
    return new Promise(function (resolve, reject) {
      var done = false;
      function settle(response) { if (!done) { done = true; clearTimeout(timer); resolve(response); } }
      var timer = setTimeout(function () { kept().then(function (hit) { if (hit) { settle(hit); } }); }, PAGE_TIMEOUT);
      network.then(function (response) {
        if (response.status < 500) { settle(response); return; }
        kept().then(function (hit) { settle(hit || response); });
      }, function (error) {
        kept().then(function (hit) { if (hit) { settle(hit); } else if (!done) { done = true; clearTimeout(timer); reject(error); } });
      });
    });
  });
}

// The start answers with the exam page itself: keep it under the attempt's own address.
function startPage(event) {
  return fetch(event.request).then(function (response) {
    if (isExamPage(response)) {
      var copy = response.clone();
      event.waitUntil(copy.text().then(function (html) {
        var found = /<div id="exam"[^>]*\sdata-page-url="([^"]+)"/.exec(html);
        if (!found) { return undefined; }
        var key = pageKey(new URL(found[1], self.location.href));
        return caches.open(CACHE).then(function (cache) {
          return cache.put(key, new Response(html, { headers: { "Content-Type": copy.headers.get("Content-Type") } }));
        });
      }));
    }
    return response;
  });
}

// Only the assets an exam page listed are answered here (network first, the kept copy offline).
function asset(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      if (!hit) { return fetch(request); }
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") { cache.put(request, response.clone()); }
        return response;
      }, function () { return hit; });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && request.method === "GET" && ATTEMPT_PAGE.test(url.pathname)) {
    event.respondWith(attemptPage(event, url));
  } else if (request.mode === "navigate" && request.method === "POST" && START.test(url.pathname)) {
    event.respondWith(startPage(event));
  } else if (request.method === "GET" && ASSETS.indexOf(request.destination) >= 0) {
    event.respondWith(asset(request));
  }
});
