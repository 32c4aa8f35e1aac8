// The crew pages' service worker itself (static/crew/sw.js over offline-core.js), run in
// a simulated worker: pages kept per person and shown offline with a banner, nothing of
// one person for another, sign-out forgets everything, ticks queued and replayed once.
// Run with `node --test crew/js_tests/` (make test does).
const test = require("node:test");
const assert = require("node:assert/strict");
const { loadWorker } = require("./worker-harness.js");

const EVENT = "/crew/events/0b5e7f9e-2f4c-4f7a-9c1e-3d2b1a0f9e8d/";
const CASEY = "0123456789abcdef0123456789abcdef";
const RILEY = "fedcba9876543210fedcba9876543210";
const BANNER = '<div class="offline-banner" id="offline-banner" data-tz="America/Los_Angeles" hidden></div>';

function page(person, title) {
  const headers = { "Content-Type": "text/html; charset=utf-8" };
  if (person) headers["X-Crew-Person"] = person;
  return new Response(`<html><body>${BANNER}<h1>${title}</h1></body></html>`, { status: 200, headers });
}

async function worker() {
  const w = loadWorker({ assets: ["/static/css/crew.css", "/static/crew/offline.js"] });
  await w.install();
  await w.activate();
  return w;
}

async function visit(w, path, person, title) {
  w.network.answer = () => page(person, title);
  const response = await w.request({ path, mode: "navigate" });
  await w.settle();
  return response;
}

test("installing keeps the shell; a new version drops the old one", async () => {
  const w = await worker();
  assert.deepEqual(await w.caches.keys(), ["crew-shell-v1"]);
  const shell = await w.request({ path: "/static/crew/offline.js" });
  assert.ok(shell);
  w.network.online = false;
  assert.equal((await w.request({ path: "/static/css/crew.css" })).status, 200); // from the shell, offline
  assert.equal(await w.request({ path: "/static/guests/guest.css" }), undefined); // not the worker's business
});

test("an event page opened online is shown offline, with when it was fetched", async () => {
  const w = await worker();
  const online = await visit(w, EVENT, CASEY, "Harbor charter");
  assert.match(await online.text(), / hidden><\/div><h1>Harbor charter/); // online: no banner
  w.network.online = false;
  const offline = await w.request({ path: EVENT, mode: "navigate" });
  const html = await offline.text();
  assert.equal(offline.status, 200);
  assert.match(html, /<h1>Harbor charter<\/h1>/);
  assert.match(html, /role="status">Offline — as of \d{1,2}:\d\d [AP]M<\/div>/);
});

test("a page never opened, offline, is the fallback with nobody's data", async () => {
  const w = await worker();
  await visit(w, "/crew/", CASEY, "Hi Casey");
  w.network.online = false;
  const response = await w.request({ path: EVENT, mode: "navigate" });
  assert.equal(response.status, 503);
  const html = await response.text();
  assert.match(html, /You are offline/);
  assert.doesNotMatch(html, /Casey/);
});

test("pages that are not a crew home or event page are never kept", async () => {
  const w = await worker();
  await visit(w, "/crew/login", "", "Crew sign-in");
  await visit(w, "/crew/calendar/abc.ics", CASEY, "calendar");
  assert.deepEqual([...w.caches.stores.keys()].filter((n) => n.startsWith("crew-pages-")).map((n) => [...w.caches.stores.get(n).keys()]).flat(), []);
});

test("someone else signing in on the phone: the first person's pages are gone", async () => {
  const w = await worker();
  await visit(w, EVENT, CASEY, "Casey's charter");
  await visit(w, "/crew/", RILEY, "Hi Riley");
  assert.deepEqual(await w.caches.keys(), ["crew-shell-v1", "crew-pages-" + RILEY]);
  w.network.online = false;
  const html = await (await w.request({ path: EVENT, mode: "navigate" })).text();
  assert.doesNotMatch(html, /Casey/);
  assert.match(html, /You are offline/);
});

test("sent to sign in from a crew page (signed out elsewhere, expired): the pages go", async () => {
  const w = await worker();
  await visit(w, EVENT, CASEY, "Harbor charter");
  await visit(w, "/crew/login?next=" + encodeURIComponent(EVENT), "", "Crew sign-in");
  w.network.online = false;
  assert.match(await (await w.request({ path: EVENT, mode: "navigate" })).text(), /You are offline/);
});

test("opening the sign-in page of one's own accord forgets nothing", async () => {
  const w = await worker();
  await visit(w, EVENT, CASEY, "Harbor charter");
  await visit(w, "/crew/login", "", "Crew sign-in");
  w.network.online = false;
  assert.match(await (await w.request({ path: EVENT, mode: "navigate" })).text(), /Harbor charter/);
});

test("signing out forgets every page and every kept tap before the server is asked", async () => {
  const w = await worker();
  await visit(w, EVENT, CASEY, "Harbor charter");
  w.network.online = false;
  await w.request({
    path: EVENT + "checklist",
    method: "POST",
    headers: { "Idempotency-Key": "tap-00000001" },
    body: "item=4&state=complete&version=1",
  });
  assert.equal(w.indexedDB.data.get("queue").size, 1);
  w.network.online = true;
  w.network.answer = () => new Response(null, { status: 302, headers: { Location: "/crew/login" } });
  await w.request({ path: "/crew/logout", method: "POST", mode: "navigate" });
  assert.deepEqual(await w.caches.keys(), ["crew-shell-v1"]);
  assert.equal(w.indexedDB.data.get("queue").size, 0);
  assert.equal(w.network.requests.at(-1).path, "/crew/logout");
  w.network.online = false;
  assert.match(await (await w.request({ path: EVENT, mode: "navigate" })).text(), /You are offline/);
});

test("a page still on its way when the person signs out is not kept", async () => {
  const w = await worker();
  await visit(w, "/crew/", CASEY, "Hi Casey");
  let arrive;
  w.network.answer = () => new Promise((resolve) => { arrive = () => resolve(page(CASEY, "Harbor charter")); });
  const slow = w.request({ path: EVENT, mode: "navigate" });
  await w.settle();
  w.network.answer = () => new Response(null, { status: 302 });
  await w.request({ path: "/crew/logout", method: "POST", mode: "navigate" });
  arrive();
  await slow;
  await w.settle();
  w.network.online = false;
  assert.match(await (await w.request({ path: EVENT, mode: "navigate" })).text(), /You are offline/);
  assert.deepEqual(await w.caches.keys(), ["crew-shell-v1"]);
});

test("online, a tick goes straight to the server", async () => {
  const w = await worker();
  await visit(w, EVENT, CASEY, "Harbor charter");
  w.network.answer = () => new Response("<li>done</li>", { status: 200, headers: { "X-Item-Version": "2" } });
  const response = await w.request({
    path: EVENT + "checklist",
    method: "POST",
    headers: { "Idempotency-Key": "tap-00000001" },
    body: "item=4&state=complete&version=1",
  });
  assert.equal(response.status, 200);
  assert.equal(w.indexedDB.data.get("queue").size, 0);
});

test("offline, a tick is kept (204, X-Crew-Queued) and replayed once, with its key, when asked", async () => {
  const w = await worker();
  await visit(w, EVENT, CASEY, "Harbor charter");
  w.network.online = false;
  const queued = await w.request({
    path: EVENT + "checklist",
    method: "POST",
    headers: { "Idempotency-Key": "tap-00000001", "X-CSRFToken": "csrf-1" },
    body: "csrfmiddlewaretoken=csrf-1&item=4&state=complete&version=1",
  });
  assert.equal(queued.status, 204);
  assert.equal(queued.headers.get("X-Crew-Queued"), "tap-00000001");
  const [kept] = [...w.indexedDB.data.get("queue").values()];
  assert.deepEqual([kept.person, kept.item, kept.state, kept.version], [CASEY, "4", "complete", "1"]);

  w.network.online = true;
  w.network.requests.length = 0;
  w.network.answer = () => new Response('<li id="item-4">Complete</li>', { status: 200, headers: { "X-Item-Version": "2" } });
  await w.message({ type: "replay" });
  await w.settle();
  const sent = w.network.requests.filter((r) => r.method === "POST");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].headers.get("Idempotency-Key"), "tap-00000001");
  assert.equal(sent[0].headers.get("HX-Request"), "true");
  assert.equal(sent[0].headers.get("X-CSRFToken"), "csrf-1");
  assert.equal(w.indexedDB.data.get("queue").size, 0);
  const told = w.posted.find((m) => m.type === "replayed");
  // (Posted from the worker's realm: compared as plain data.)
  assert.deepEqual(JSON.parse(JSON.stringify(told.results.map((r) => [r.item, r.outcome]))), [["4", "done"]]);

  await w.message({ type: "replay" });
  await w.settle();
  assert.equal(w.network.requests.filter((r) => r.method === "POST").length, 1); // never twice
});

test("while ticks are waiting, a new one waits behind them (order kept)", async () => {
  const w = await worker();
  await visit(w, EVENT, CASEY, "Harbor charter");
  w.network.online = false;
  const tick = (key, state) =>
    w.request({ path: EVENT + "checklist", method: "POST", headers: { "Idempotency-Key": key }, body: `item=4&state=${state}&version=1` });
  await tick("tap-00000001", "in_progress");
  w.network.online = true;
  let version = 1;
  w.network.answer = () => new Response("<li></li>", { status: 200, headers: { "X-Item-Version": String(++version) } });
  const second = await tick("tap-00000002", "complete");
  assert.equal(second.status, 204); // kept, not sent ahead of the first
  await w.settle();
  const sent = w.network.requests.filter((r) => r.method === "POST" && r.headers.get("HX-Request"));
  assert.deepEqual(sent.map((r) => r.headers.get("Idempotency-Key")), ["tap-00000001", "tap-00000002"]);
  assert.equal(new URLSearchParams(sent[1].body).get("version"), "2");
});

test("a conflict on replay is kept for the page with both states", async () => {
  const w = await worker();
  await visit(w, EVENT, CASEY, "Harbor charter");
  w.network.online = false;
  await w.request({ path: EVENT + "checklist", method: "POST", headers: { "Idempotency-Key": "tap-00000001" }, body: "item=4&state=complete&version=1" });
  w.network.online = true;
  w.network.answer = () => new Response('<li id="item-4">In progress — Dana</li>', { status: 409 });
  await w.message({ type: "replay" });
  await w.settle();
  const [conflict] = [...w.indexedDB.data.get("conflicts").values()];
  assert.deepEqual([conflict.item, conflict.mine, conflict.person], ["4", "complete", CASEY]);
  assert.match(conflict.theirs, /In progress — Dana/);
  assert.equal(w.indexedDB.data.get("queue").size, 0);
});

test("a tick offline with nobody signed in on the phone is not kept", async () => {
  const w = await worker();
  w.network.online = false;
  const response = await w.request({ path: EVENT + "checklist", method: "POST", headers: { "Idempotency-Key": "tap-00000001" }, body: "item=4" });
  assert.equal(response.status, 503);
  assert.equal(w.indexedDB.data.get("queue")?.size || 0, 0);
});

test("a form posted offline that cannot be kept says it was not sent", async () => {
  const w = await worker();
  await visit(w, "/crew/", CASEY, "Hi Casey");
  w.network.online = false;
  const response = await w.request({ path: EVENT + "roles/deckhand/1/claim", method: "POST", mode: "navigate" });
  assert.equal(response.status, 503);
  assert.match(await response.text(), /That was not sent: it needs the network/);
  w.network.online = true;
  w.network.answer = () => new Response(null, { status: 303 });
  assert.equal((await w.request({ path: EVENT + "roles/deckhand/1/claim", method: "POST", mode: "navigate" })).status, 303);
});

test("requests outside the crew pages pass by", async () => {
  const w = await worker();
  assert.equal(await w.request({ path: "/admin/", mode: "navigate" }), undefined);
  assert.equal(await w.request({ path: "/api/events/", method: "POST", headers: { "Idempotency-Key": "tap-00000001" } }), undefined);
  assert.equal(await w.request({ path: EVENT + "roles/deckhand/1/claim", method: "POST" }), undefined);
});
