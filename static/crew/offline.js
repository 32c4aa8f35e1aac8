// The crew pages' side of working offline (the service worker is /sw.js):
// - registers the worker for /crew/ and tells it who is signed in on this page;
// - from the crew home, asks it to keep the person's next event pages;
// - gives every checklist tick and boarding check-in an Idempotency-Key, shows a tick the worker kept as
//   pending (also after a reload offline), and the worker's replay as it lands: done,
//   or a conflict with both states — never silently overwritten;
// - says when the phone goes offline and, for the taps that need the network, that they
//   were not sent.
/* global CrewOffline, htmx */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.CrewOffline) return;

  var store = CrewOffline.idbStore(window.indexedDB);
  var STATE_LABELS = { pending: "Pending", in_progress: "In progress", complete: "Complete" };

  function person() {
    var meta = document.querySelector('meta[name="crew-person"]');
    return meta ? meta.content : "";
  }

  function tell(message) {
    var worker = navigator.serviceWorker.controller;
    if (worker) worker.postMessage(message);
  }

  function toast(text, kind) {
    var holder = document.querySelector(".toasts") || document.body.appendChild(Object.assign(document.createElement("div"), { className: "toasts" }));
    var p = document.createElement("p");
    p.className = "toast toast-" + (kind || "success");
    p.setAttribute("role", kind === "error" ? "alert" : "status");
    p.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { p.remove(); });
    p.appendChild(close);
    holder.appendChild(p);
  }

  // --- The worker ------------------------------------------------------------------------

  function greet() {
    if (person()) tell({ type: "hello", person: person() });
    var home = document.querySelector("[data-offline-pages]");
    if (home) tell({ type: "keep-offline", urls: JSON.parse(home.dataset.offlinePages || "[]") });
  }

  navigator.serviceWorker.register("/sw.js", { scope: "/crew/" }).then(function (registration) {
    if ("sync" in registration) {
      window.addEventListener("offline", function () { registration.sync.register("crew-taps").catch(function () {}); });
    }
  }).catch(function () { /* no worker: the pages still work online */ });
  navigator.serviceWorker.addEventListener("controllerchange", greet);
  if (navigator.serviceWorker.controller) greet();

  // --- The banner ------------------------------------------------------------------------

  function banner() {
    return document.getElementById("offline-banner");
  }

  window.addEventListener("offline", function () {
    var b = banner();
    if (!b || !b.hidden) return;
    b.hidden = false;
    b.dataset.live = "1";
    b.textContent = "Offline — as of " + CrewOffline.formatAsOf(Date.now(), b.dataset.tz) + ". Checklist ticks and check-ins are kept on this phone.";
  });

  // While ticks wait and the phone says it is online, ask again every few seconds: the
  // first "online" can come before the connection really carries (one bar of signal).
  setInterval(function () {
    if (navigator.onLine && document.querySelector("li.check-item.pending, li.pending[data-guest]")) tell({ type: "replay" });
  }, 3000);

  window.addEventListener("online", function () {
    var b = banner();
    if (b && b.dataset.live) {
      b.hidden = true;
      delete b.dataset.live;
    } else if (b && !b.hidden && b.dataset.asOf) {
      b.textContent = "Back online — this page is as of " + CrewOffline.formatAsOf(Date.parse(b.dataset.asOf), b.dataset.tz) + ". Reload for the latest.";
    }
    tell({ type: "replay" });
  });

  // --- Ticks -----------------------------------------------------------------------------

  function itemElement(id) {
    return document.getElementById("item-" + id);
  }

  function press(li, state) {
    li.querySelectorAll('button[name="state"]').forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === state ? "true" : "false");
    });
  }

  function note(li, className, html) {
    var old = li.querySelector(".offline-note");
    if (old) old.remove();
    if (!html) return null;
    var p = document.createElement("div");
    p.className = "offline-note " + className;
    p.setAttribute("role", "status");
    p.innerHTML = html;
    li.insertBefore(p, li.querySelector("form"));
    return p;
  }

  function markPending(id, state) {
    var li = itemElement(id);
    if (!li) return;
    li.classList.add("pending");
    press(li, state);
    note(li, "pending-note", "Saved on this phone: <strong>" + (STATE_LABELS[state] || state) + "</strong> — sent when you are back online.");
  }

  function replaceItem(id, html) {
    var li = itemElement(id);
    if (!li || !html || html.indexOf('id="item-' + id + '"') < 0) return li;
    var holder = document.createElement("ul");
    holder.innerHTML = html.trim();
    var fresh = holder.querySelector("#item-" + id);
    li.replaceWith(fresh);
    if (window.htmx) htmx.process(fresh);
    return fresh;
  }

  function showConflict(conflict) {
    var li = replaceItem(conflict.item, conflict.theirs) || itemElement(conflict.item);
    if (!li) return;
    li.classList.add("conflict");
    var box = note(
      li,
      "conflict-note",
      "<strong>Not saved — changed meanwhile.</strong> Now: <strong>" + (li.querySelector('button[aria-pressed="true"]') || { textContent: "?" }).textContent +
        "</strong> (above). Yours, from offline: <strong>" + (STATE_LABELS[conflict.mine] || conflict.mine) + "</strong>." +
        '<span class="conflict-actions"><button type="button" data-use="mine">Use mine</button>' +
        '<button type="button" class="btn-secondary" data-use="theirs">Keep theirs</button></span>'
    );
    box.querySelector('[data-use="mine"]').addEventListener("click", function () {
      store.removeConflict(conflict.id).then(function () {
        var button = li.querySelector('button[name="state"][value="' + conflict.mine + '"]');
        if (button) button.click();
      });
    });
    box.querySelector('[data-use="theirs"]').addEventListener("click", function () {
      store.removeConflict(conflict.id).then(function () {
        li.classList.remove("conflict");
        note(li, "", "");
      });
    });
  }

  // --- Boarding check-ins (the same queue: a guest tapped aboard or off) -----------------

  function guestElement(id) {
    return document.getElementById("guest-" + id);
  }

  function markGuestPending(id, boarded) {
    var li = guestElement(id);
    if (!li) return;
    li.classList.add("pending");
    note(li, "pending-note", "Saved on this phone: <strong>" + (boarded === "yes" ? "Aboard" : "Not aboard") + "</strong> — sent when you are back online.");
  }

  function guestReplayed(result) {
    var li = guestElement(result.item);
    if (li) { li.classList.remove("pending"); note(li, "", ""); }
    if (result.outcome === "conflict") {
      // Someone else tapped this guest meanwhile: theirs stands; the page shows it on reload.
      store.removeConflict("check-in:" + result.item).catch(function () {});
      toast("A check-in kept offline was not saved: someone changed that guest meanwhile. Reload and check.", "error");
    } else if (result.outcome === "refused") {
      toast("A check-in kept offline was refused: it was not saved.", "error");
    }
  }

  // What this page's items look like once the worker's kept taps are counted.
  function showKept() {
    if (!person()) return;
    store.list(person()).then(function (entries) {
      var states = CrewOffline.pendingStates(entries);
      Object.keys(states).forEach(function (thing) {
        var parts = thing.split(":");
        if (parts[0] === "checklist") markPending(parts[1], states[thing]);
        if (parts[0] === "check-in") markGuestPending(parts[1], states[thing]);
      });
    });
    store.listConflicts(person()).then(function (conflicts) {
      conflicts.forEach(function (conflict) {
        if (conflict.kind === "check-in") guestReplayed({ item: conflict.item, outcome: "conflict" });
        else showConflict(conflict);
      });
    });
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(16)), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    var checkIn = elt && elt.closest && elt.closest("form[data-check-in-form]");
    if (checkIn) {
      event.detail.headers["Idempotency-Key"] = newKey();
      checkIn.dataset.tapped = (new FormData(checkIn)).get("boarded") || "";
      return;
    }
    var form = elt && elt.closest && elt.closest("form.tri");
    if (!form) return;
    event.detail.headers["Idempotency-Key"] = newKey();
    var parameters = event.detail.parameters;
    var state = parameters && (typeof parameters.get === "function" ? parameters.get("state") : parameters.state);
    form.dataset.tapped = state || "";
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 204 || !xhr.getResponseHeader("X-Crew-Queued")) return;
    var checkIn = event.detail.elt.closest("form[data-check-in-form]");
    if (checkIn) {
      markGuestPending((new FormData(checkIn)).get("guest"), checkIn.dataset.tapped);
      return;
    }
    var form = event.detail.elt.closest("form.tri");
    var li = form && form.closest("li.check-item");
    if (li) markPending(li.id.replace("item-", ""), form.dataset.tapped);
  });

  document.addEventListener("htmx:sendError", function () {
    toast("No connection: that was not sent. Claims, releases, assignments and the start need the network; checklist ticks are kept on this phone.", "error");
  });

  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "replayed") return;
    var signedOut = false;
    data.results.forEach(function (result) {
      if (result.kind === "check-in" && result.outcome !== "retry") {
        if (result.outcome === "signed-out") signedOut = true;
        else guestReplayed(result);
        return;
      }
      if (result.kind !== "checklist") return;
      if (result.outcome === "done" || result.outcome === "already") {
        var li = replaceItem(result.item, result.body);
        if (li) { li.classList.remove("pending"); note(li, "", ""); }
      } else if (result.outcome === "conflict") {
        store.listConflicts(person()).then(function (conflicts) {
          conflicts.filter(function (c) { return c.item === result.item; }).forEach(showConflict);
        });
      } else if (result.outcome === "refused") {
        var refused = replaceItem(result.item, result.body) || itemElement(result.item);
        if (refused) { refused.classList.remove("pending"); note(refused, "", ""); }
        toast("A tick kept offline was refused: it was not saved.", "error");
      } else if (result.outcome === "signed-out") {
        signedOut = true;
      }
    });
    if (signedOut) toast("Sign in again to send the checklist ticks kept on this phone.", "error");
  });

  // Signing out forgets this person's pages and kept taps on this phone: ask first when
  // ticks made offline have not reached the server yet.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.getAttribute("action") || "";
    if (action.indexOf("/crew/logout") !== 0 || !person() || form.dataset.confirmed) return;
    event.preventDefault();
    var go = function () {
      form.dataset.confirmed = "1";
      tell({ type: "sign-out" });
      form.submit();
    };
    store.list(person()).then(function (entries) {
      var question = entries.length + " checklist tick(s) made offline have not reached the server yet. Signing out forgets them. Sign out anyway?";
      if (!entries.length || window.confirm(question)) go();
    }, go);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showKept);
  else showKept();
})();
