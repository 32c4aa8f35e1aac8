// The crew pages offline: the rules the service worker (served at /sw.js) and the pages
// share, kept free of browser globals where they can be so that Node's test runner
// covers them (crew/js_tests/). No build step: the service worker is this file followed
// by static/crew/sw.js; pages load it as a plain script (window.CrewOffline).
//
// - Pages: the crew home and event pages are kept per signed-in person (the server names
//   the person in every crew response: X-Crew-Person), shown offline with a banner saying
//   when they were fetched, and forgotten at sign-out or when someone else signs in.
// - Taps: a POST listed in QUEUEABLE that carries an Idempotency-Key is sent at once when
//   the network allows, else kept (IndexedDB) and replayed in order, each carrying the
//   version its person saw (or the one their own earlier tap produced).
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.CrewOffline = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var PERSON_HEADER = "X-Crew-Person";
  var CACHED_AT_HEADER = "X-Crew-Cached-At";
  var PAGES_CACHE_PREFIX = "crew-pages-";
  var SHELL_CACHE_PREFIX = "crew-shell-";
  var UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  var EVENT_PAGE = new RegExp("^/crew/events/" + UUID + "/$");
  var SIGN_OUT_PATHS = ["/crew/logout", "/crew/logout/everywhere"];

  // Taps a phone may queue while offline: POSTs whose writes the server runs once per
  // Idempotency-Key (crew.services.run_once). `item` names the form field that says what
  // the tap is about: taps on the same thing are replayed in order, each on top of the
  // last. A boarding check-in is one too: a guest tapped aboard (or off) on the dock.
  var QUEUEABLE = [
    { kind: "checklist", path: new RegExp("^/crew/events/(" + UUID + ")/checklist$"), item: "item", state: "state" },
    { kind: "check-in", path: new RegExp("^/crew/events/(" + UUID + ")/check-in$"), item: "guest", state: "boarded" },
  ];

  // --- Pages ------------------------------------------------------------------------------

  function pagesCacheName(person) {
    return PAGES_CACHE_PREFIX + person;
  }

  function shellCacheName(version) {
    return SHELL_CACHE_PREFIX + version;
  }

  /** The crew pages kept for offline reading: the home and each event's page. */
  function isOfflinePage(pathname) {
    return pathname === "/crew/" || EVENT_PAGE.test(pathname);
  }

  function isSignOut(pathname, method) {
    return method === "POST" && SIGN_OUT_PATHS.indexOf(pathname) >= 0;
  }

  /** The sign-in page a crew page sends whoever is no longer signed in to (it says where to go back). */
  function isSignInBounce(url) {
    return url.pathname === "/crew/login" && url.searchParams.has("next");
  }

  /** Whose page a response is ("" for a page nobody is signed in to, like the sign-in page). */
  function personOf(headers) {
    var person = headers && headers.get(PERSON_HEADER);
    return person && /^[0-9a-f]{16,64}$/.test(person) ? person : "";
  }

  function isHtml(headers) {
    return /^text\/html\b/.test((headers && headers.get("Content-Type")) || "");
  }

  /** A response worth keeping for offline reading: a signed-in person's page, as it is. */
  function keepable(response) {
    return response.status === 200 && !response.redirected && isHtml(response.headers) && personOf(response.headers) !== "";
  }

  /** Cache names that belong to anyone but `person` (all of them for ""). */
  function othersCaches(names, person) {
    return names.filter(function (name) {
      return name.indexOf(PAGES_CACHE_PREFIX) === 0 && name !== pagesCacheName(person);
    });
  }

  function oldShellCaches(names, version) {
    return names.filter(function (name) {
      return name.indexOf(SHELL_CACHE_PREFIX) === 0 && name !== shellCacheName(version);
    });
  }

  /** "10:42 AM" in the brand's time zone (the pages' own 12-hour style). */
  function formatAsOf(ms, timeZone) {
    var options = { hour: "numeric", minute: "2-digit", hour12: true };
    try {
      return new Intl.DateTimeFormat("en-US", Object.assign({ timeZone: timeZone || undefined }, options)).format(new Date(ms));
    } catch (e) {
      return new Intl.DateTimeFormat("en-US", options).format(new Date(ms));
    }
  }

  var BANNER = /<div class="offline-banner" id="offline-banner" data-tz="([^"]*)" hidden><\/div>/;

  /** The kept page with its banner shown: "Offline — as of 10:42 AM". */
  function withBanner(html, cachedAtMs) {
    return html.replace(BANNER, function (_, timeZone) {
      var asOf = formatAsOf(cachedAtMs, timeZone);
      return (
        '<div class="offline-banner" id="offline-banner" data-tz="' + timeZone + '" data-as-of="' +
        new Date(cachedAtMs).toISOString() + '" role="status">Offline — as of ' + asOf + "</div>"
      );
    });
  }

  /** What an offline navigation gets when no page of the signed-in person is kept. */
  function offlineFallback() {
    return (
      '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · CharterOps crew</title>' +
      '<link rel="stylesheet" href="/static/css/charterops.css"></head><body><main class="page">' +
      '<h1>You are offline</h1><div class="card"><p>This page is not kept on this phone.</p>' +
      '<p class="muted">Your crew home and your next events are readable offline once you have opened them ' +
      "while signed in and online.</p></div></main></body></html>"
    );
  }

  /** What a form sent offline gets when it cannot be kept (a claim, a release, the start). */
  function needsNetwork() {
    return (
      '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · CharterOps crew</title>' +
      '<link rel="stylesheet" href="/static/css/charterops.css"></head><body><main class="page">' +
      '<h1>You are offline</h1><div class="card"><p>That was not sent: it needs the network.</p>' +
      '<p class="muted">Go back and try again once you have signal. Checklist ticks are different: ' +
      "they are kept on this phone and sent later.</p></div></main></body></html>"
    );
  }

  // --- Taps -------------------------------------------------------------------------------

  /** The kind of queueable tap a request is, or null. */
  function queueKind(pathname, method, headers) {
    if (method !== "POST" || !headers || !headers.get("Idempotency-Key")) return null;
    for (var i = 0; i < QUEUEABLE.length; i++) {
      if (QUEUEABLE[i].path.test(pathname)) return QUEUEABLE[i].kind;
    }
    return null;
  }

  function kindNamed(kind) {
    return QUEUEABLE.filter(function (k) { return k.kind === kind; })[0];
  }

  /** The entry kept for a tap: what it is about and how to send it again. */
  function entryFor(options) {
    var kind = kindNamed(options.kind);
    var url = new URL(options.url);
    var fields = new URLSearchParams(options.body);
    return {
      id: options.key,
      seq: options.seq,
      person: options.person,
      kind: options.kind,
      url: url.pathname,
      event: kind.path.exec(url.pathname)[1],
      item: fields.get(kind.item) || "",
      state: fields.get(kind.state) || "",
      version: fields.get("version") || "",
      body: options.body,
      csrf: options.csrf || "",
      createdAt: options.now,
    };
  }

  function withField(body, name, value) {
    var fields = new URLSearchParams(body);
    fields.set(name, value);
    return fields.toString();
  }

  /**
   * What an answer to a replayed tap means:
   * done (applied now), already (applied before: the key was seen), conflict (someone
   * changed it meanwhile; nothing applied), refused (will never apply: drop it),
   * signed-out (keep it until the person signs in again), retry (keep it, try later).
   */
  function outcome(status, headers) {
    if (status >= 200 && status < 300) {
      return headers && headers.get("X-Idempotent-Replay") === "already" ? "already" : "done";
    }
    if (status === 409) return "conflict";
    if (status === 401 || status === 0 || (status >= 300 && status < 400)) return "signed-out";
    if (status === 429 || status >= 500) return "retry";
    return "refused";
  }

  /** The latest queued state of each thing with taps waiting: {kind:item → state}. */
  function pendingStates(entries) {
    var states = {};
    entries
      .slice()
      .sort(function (a, b) { return a.seq - b.seq; })
      .forEach(function (entry) { states[entry.kind + ":" + entry.item] = entry.state; });
    return states;
  }

  /**
   * Send a person's kept taps in the order they were made. `store` keeps them (list,
   * put, remove, putConflict); `send(entry)` answers {status, headers, body} or throws
   * when the network is down. A tap done moves the version on for the person's next tap
   * on the same thing; a conflict stops that thing (its later taps join the conflict, as
   * the person's last wish); signed-out and retry stop the replay with the rest kept.
   */
  async function replay(store, person, send, now) {
    var entries = (await store.list(person)).slice().sort(function (a, b) { return a.seq - b.seq; });
    var results = [];
    var conflicts = {};
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      var thing = entry.kind + ":" + entry.item;
      if (conflicts[thing]) {
        conflicts[thing].mine = entry.state;
        await store.putConflict(conflicts[thing]);
        await store.remove(entry.id);
        results.push({ entry: entry, outcome: "conflict", status: 409, body: conflicts[thing].theirs });
        continue;
      }
      var answer;
      try {
        answer = await send(entry);
      } catch (error) {
        results.push({ entry: entry, outcome: "retry" });
        break;
      }
      var what = outcome(answer.status, answer.headers);
      if (what === "retry" || what === "signed-out") {
        results.push({ entry: entry, outcome: what, status: answer.status });
        break;
      }
      await store.remove(entry.id);
      if (what === "done" || what === "already") {
        var version = answer.headers && answer.headers.get("X-Item-Version");
        if (version) {
          for (var j = i + 1; j < entries.length; j++) {
            if (entries[j].kind + ":" + entries[j].item === thing) {
              entries[j].version = version;
              entries[j].body = withField(entries[j].body, "version", version);
              await store.put(entries[j]);
            }
          }
        }
      } else if (what === "conflict") {
        conflicts[thing] = {
          id: thing,
          person: person,
          kind: entry.kind,
          item: entry.item,
          event: entry.event,
          mine: entry.state,
          theirs: answer.body,
          at: now,
        };
        await store.putConflict(conflicts[thing]);
      }
      results.push({ entry: entry, outcome: what, status: answer.status, body: answer.body });
    }
    return results;
  }

  /** A store kept in memory (tests; and the shape IdbStore follows). */
  function memoryStore() {
    var queue = {};
    var conflicts = {};
    return {
      queue: queue,
      conflicts: conflicts,
      list: async function (person) {
        return Object.keys(queue).map(function (k) { return queue[k]; }).filter(function (e) { return e.person === person; });
      },
      put: async function (entry) { queue[entry.id] = Object.assign({}, entry); },
      remove: async function (id) { delete queue[id]; },
      putConflict: async function (conflict) { conflicts[conflict.id] = Object.assign({}, conflict); },
      listConflicts: async function (person) {
        return Object.keys(conflicts).map(function (k) { return conflicts[k]; }).filter(function (c) { return c.person === person; });
      },
      removeConflict: async function (id) { delete conflicts[id]; },
      clear: async function () {
        Object.keys(queue).forEach(function (k) { delete queue[k]; });
        Object.keys(conflicts).forEach(function (k) { delete conflicts[k]; });
      },
    };
  }

  // --- IndexedDB (the service worker and the pages share one database) ----------------------

  var DB_NAME = "charterops-crew";
  var DB_VERSION = 1;

  function idbStore(indexedDB) {
    var opened = null;
    function db() {
      if (!opened) {
        opened = new Promise(function (resolve, reject) {
          var request = indexedDB.open(DB_NAME, DB_VERSION);
          request.onupgradeneeded = function () {
            var d = request.result;
            if (!d.objectStoreNames.contains("queue")) d.createObjectStore("queue", { keyPath: "id" });
            if (!d.objectStoreNames.contains("conflicts")) d.createObjectStore("conflicts", { keyPath: "id" });
            if (!d.objectStoreNames.contains("meta")) d.createObjectStore("meta", { keyPath: "name" });
          };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
      }
      return opened;
    }
    function run(storeName, mode, work) {
      return db().then(function (d) {
        return new Promise(function (resolve, reject) {
          var tx = d.transaction(storeName, mode);
          var result;
          var request = work(tx.objectStore(storeName));
          if (request) request.onsuccess = function () { result = request.result; };
          tx.oncomplete = function () { resolve(result); };
          tx.onerror = function () { reject(tx.error); };
          tx.onabort = function () { reject(tx.error); };
        });
      });
    }
    function all(storeName) {
      return run(storeName, "readonly", function (s) { return s.getAll(); }).then(function (rows) { return rows || []; });
    }
    return {
      list: function (person) {
        return all("queue").then(function (rows) { return rows.filter(function (e) { return e.person === person; }); });
      },
      put: function (entry) { return run("queue", "readwrite", function (s) { return s.put(entry); }); },
      remove: function (id) { return run("queue", "readwrite", function (s) { return s.delete(id); }); },
      putConflict: function (c) { return run("conflicts", "readwrite", function (s) { return s.put(c); }); },
      listConflicts: function (person) {
        return all("conflicts").then(function (rows) { return rows.filter(function (c) { return c.person === person; }); });
      },
      removeConflict: function (id) { return run("conflicts", "readwrite", function (s) { return s.delete(id); }); },
      getMeta: function (name) {
        return run("meta", "readonly", function (s) { return s.get(name); }).then(function (row) { return row ? row.value : ""; });
      },
      setMeta: function (name, value) {
        return run("meta", "readwrite", function (s) { return s.put({ name: name, value: value }); });
      },
      /** Everything kept about anyone but `person` ("" : everyone). */
      forgetOthers: function (person) {
        return Promise.all([all("queue"), all("conflicts")]).then(function (found) {
          var work = [];
          found[0].forEach(function (e) { if (e.person !== person) work.push(run("queue", "readwrite", function (s) { return s.delete(e.id); })); });
          found[1].forEach(function (c) { if (c.person !== person) work.push(run("conflicts", "readwrite", function (s) { return s.delete(c.id); })); });
          return Promise.all(work);
        });
      },
    };
  }

  return {
    PERSON_HEADER: PERSON_HEADER,
    CACHED_AT_HEADER: CACHED_AT_HEADER,
    QUEUEABLE: QUEUEABLE,
    pagesCacheName: pagesCacheName,
    shellCacheName: shellCacheName,
    isOfflinePage: isOfflinePage,
    isSignOut: isSignOut,
    isSignInBounce: isSignInBounce,
    personOf: personOf,
    keepable: keepable,
    othersCaches: othersCaches,
    oldShellCaches: oldShellCaches,
    formatAsOf: formatAsOf,
    withBanner: withBanner,
    offlineFallback: offlineFallback,
    needsNetwork: needsNetwork,
    queueKind: queueKind,
    entryFor: entryFor,
    withField: withField,
    outcome: outcome,
    pendingStates: pendingStates,
    replay: replay,
    memoryStore: memoryStore,
    idbStore: idbStore,
  };
});
