// The crew pages' service worker (served at /sw.js, scope /crew/, after offline-core.js
// and a line naming this version's SHELL: its version and the files every page needs).
//
// Online, everything goes to the server as before; the responses of the crew home and
// event pages are kept, per signed-in person. Offline, those pages are shown from what was
// kept, with an "Offline — as of …" banner; checklist ticks are kept and replayed when the
// network is back. Signing out (or someone else signing in) forgets the person's pages.
/* global SHELL, CrewOffline */
"use strict";

var core = self.CrewOffline;
var store = core.idbStore(self.indexedDB);
var KEEP_FRESH_MS = 5 * 60 * 1000; // a kept event page younger than this is not fetched again
var seq = 0;
// Moves on at every sign-out: a page fetched before it is never kept after it.
var generation = 0;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(core.shellCacheName(SHELL.version)).then(function (cache) { return cache.addAll(SHELL.assets); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) { return Promise.all(core.oldShellCaches(names, SHELL.version).map(function (n) { return caches.delete(n); })); })
      .then(function () { return self.clients.claim(); })
  );
});

// --- Who is signed in -------------------------------------------------------------------------

function currentPerson() {
  return store.getMeta("person");
}

/** `person` is signed in on this phone now: whatever was kept for anyone else goes. */
async function adoptPerson(person) {
  var current = await currentPerson();
  if (current === person) return;
  await forget(person);
  await store.setMeta("person", person);
}

/** Forget every kept page, tap and conflict of anyone but `keep` ("" : everyone). */
async function forget(keep) {
  if (!keep) generation++;
  var names = await caches.keys();
  await Promise.all(core.othersCaches(names, keep).map(function (name) { return caches.delete(name); }));
  await store.forgetOthers(keep);
  if (!keep) await store.setMeta("person", "");
}

/** The session is over (a crew page sent us to sign in): the pages go; taps wait for the same person. */
async function forgetPages() {
  var names = await caches.keys();
  await Promise.all(core.othersCaches(names, "").map(function (name) { return caches.delete(name); }));
}

// --- Pages ------------------------------------------------------------------------------------

async function keep(request, response, since) {
  if (since !== generation) return; // signed out while it was on its way
  var url = new URL(request.url);
  var person = core.personOf(response.headers);
  if (!person) {
    // Sent to sign in from a crew page (signed out elsewhere, the session over): the pages go.
    if (core.isSignInBounce(url)) await forgetPages();
    return;
  }
  await adoptPerson(person);
  if (!core.isOfflinePage(url.pathname) || !core.keepable(response)) return;
  var headers = new Headers(response.headers);
  headers.set(core.CACHED_AT_HEADER, String(Date.now()));
  var body = await response.blob();
  var cache = await caches.open(core.pagesCacheName(person));
  if (since !== generation) return;
  await cache.put(url.pathname, new Response(body, { status: 200, headers: headers }));
}

async function keptPage(url) {
  var person = await currentPerson();
  if (!person) return null;
  var cache = await caches.open(core.pagesCacheName(person));
  var found = await cache.match(new URL(url).pathname);
  if (!found) return null;
  var html = core.withBanner(await found.text(), Number(found.headers.get(core.CACHED_AT_HEADER)));
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function page(request) {
  var since = generation;
  try {
    var response = await fetch(request);
    await keep(request, response.clone(), since);
    replaySoon();
    return response;
  } catch (offline) {
    var kept = await keptPage(request.url);
    if (kept) return kept;
    return new Response(core.offlineFallback(), { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

/** Fetch and keep the pages a crew home names (the person's next events), unless fresh. */
async function keepOffline(urls) {
  var since = generation;
  var person = await currentPerson();
  if (!person) return;
  var cache = await caches.open(core.pagesCacheName(person));
  for (var i = 0; i < urls.length; i++) {
    var url = new URL(urls[i], self.location.origin);
    if (url.origin !== self.location.origin || !core.isOfflinePage(url.pathname)) continue;
    var kept = await cache.match(url.pathname);
    if (kept && Date.now() - Number(kept.headers.get(core.CACHED_AT_HEADER)) < KEEP_FRESH_MS) continue;
    try {
      var response = await fetch(url.pathname, { credentials: "same-origin" });
      if (core.personOf(response.headers) === person) await keep(new Request(url.href), response, since);
    } catch (offline) {
      return;
    }
  }
}

async function shell(request) {
  var cache = await caches.open(core.shellCacheName(SHELL.version));
  var found = await cache.match(request, { ignoreSearch: true });
  return found || fetch(request);
}

// --- Taps -------------------------------------------------------------------------------------

async function queueOrSend(request, kind) {
  var person = await currentPerson();
  var waiting = person ? await store.list(person) : [];
  if (!waiting.length) {
    try {
      return await fetch(request.clone());
    } catch (offline) {
      // Kept below. (Had it reached the server after all, its key makes the replay "already done".)
    }
  }
  if (!person) return new Response("Offline, and not signed in on this phone.", { status: 503 });
  var entry = core.entryFor({
    kind: kind,
    key: request.headers.get("Idempotency-Key"),
    url: request.url,
    body: await request.text(),
    csrf: request.headers.get("X-CSRFToken"),
    person: person,
    seq: Date.now() * 1000 + (seq++ % 1000),
    now: Date.now(),
  });
  await store.put(entry);
  if (waiting.length) replaySoon();
  return new Response(null, { status: 204, headers: { "X-Crew-Queued": entry.id } });
}

function send(entry) {
  return fetch(entry.url, {
    method: "POST",
    credentials: "same-origin",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "HX-Request": "true",
      "Idempotency-Key": entry.id,
      "X-CSRFToken": entry.csrf,
    },
    body: entry.body,
  }).then(function (response) {
    return response.text().then(function (body) {
      return { status: response.status, headers: response.headers, body: body };
    });
  });
}

var replaying = null;

/** Replay the signed-in person's kept taps (one replay at a time) and tell the pages. */
function replayNow() {
  if (replaying) return replaying;
  replaying = (async function () {
    var person = await currentPerson();
    if (!person) return [];
    var results = await core.replay(store, person, send, Date.now());
    if (results.length) {
      var told = results.map(function (r) {
        return { kind: r.entry.kind, item: r.entry.item, event: r.entry.event, state: r.entry.state, outcome: r.outcome, status: r.status || 0, body: r.body || "" };
      });
      var pages = await self.clients.matchAll({ type: "window" });
      pages.forEach(function (client) { client.postMessage({ type: "replayed", results: told }); });
    }
    return results;
  })().finally(function () { replaying = null; });
  return replaying;
}

function replaySoon() {
  setTimeout(function () { replayNow(); }, 0);
}

self.addEventListener("sync", function (event) {
  if (event.tag === "crew-taps") event.waitUntil(replayNow());
});

// --- Requests and messages --------------------------------------------------------------------

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (core.isSignOut(url.pathname, request.method)) {
    event.respondWith(
      forget("").then(function () {
        return fetch(request).catch(function () {
          return new Response(
            "<!doctype html><meta charset=utf-8><title>Signed out</title><p>Your pages are gone from this phone. " +
              "You are offline: sign out again once you are back online to end the session itself.</p>",
            { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
          );
        });
      })
    );
    return;
  }
  var kind = core.queueKind(url.pathname, request.method, request.headers);
  if (kind) {
    event.respondWith(queueOrSend(request, kind));
    return;
  }
  if (request.method !== "GET") {
    // A form posted offline (no JavaScript's htmx, e.g. a claim from the crew home): say so.
    if (request.mode === "navigate" && url.pathname.indexOf("/crew/") === 0) {
      event.respondWith(
        fetch(request).catch(function () {
          return new Response(core.needsNetwork(), { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
        })
      );
    }
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/crew/") === 0) {
    event.respondWith(page(request));
  } else if (SHELL.assets.indexOf(url.pathname) >= 0) {
    event.respondWith(shell(request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var done;
  if (data.type === "hello" && data.person) {
    done = adoptPerson(data.person).then(replayNow);
  } else if (data.type === "keep-offline" && Array.isArray(data.urls)) {
    done = keepOffline(data.urls);
  } else if (data.type === "replay") {
    done = replayNow();
  } else if (data.type === "sign-out") {
    done = forget("");
  }
  if (done) {
    event.waitUntil(
      done.then(function () {
        if (event.ports && event.ports[0]) event.ports[0].postMessage({ ok: true });
      })
    );
  }
});
