// The offline rules shared by the crew pages and their service worker.
// Run with `node --test crew/js_tests/` (make test does).
const test = require("node:test");
const assert = require("node:assert/strict");
const core = require("../../static/crew/offline-core.js");

const EVENT = "/crew/events/0b5e7f9e-2f4c-4f7a-9c1e-3d2b1a0f9e8d/";
const PERSON = "0123456789abcdef0123456789abcdef";

const headers = (values) => new Headers(values);

test("the crew home and event pages are kept offline; nothing else is", () => {
  assert.ok(core.isOfflinePage("/crew/"));
  assert.ok(core.isOfflinePage(EVENT));
  for (const path of ["/crew/login", "/crew/logout", EVENT + "checklist", "/crew/calendar/x.ics", "/admin/", "/g/x", "/crew/events/nope/"]) {
    assert.equal(core.isOfflinePage(path), false, path);
  }
});

test("only a signed-in person's page, as it is, is kept", () => {
  const page = (status, values, redirected = false) => ({ status, redirected, headers: headers(values) });
  const html = { "Content-Type": "text/html; charset=utf-8", "X-Crew-Person": PERSON };
  assert.ok(core.keepable(page(200, html)));
  assert.equal(core.keepable(page(200, { "Content-Type": "text/html" })), false); // the sign-in page
  assert.equal(core.keepable(page(404, html)), false);
  assert.equal(core.keepable(page(200, html, true)), false);
  assert.equal(core.keepable(page(200, { ...html, "Content-Type": "text/calendar" })), false);
  assert.equal(core.personOf(headers({ "X-Crew-Person": "<script>" })), ""); // not a key: nobody
});

test("another person's caches are the ones to forget; everyone's at sign-out", () => {
  const names = ["crew-shell-abc", "crew-pages-" + PERSON, "crew-pages-ffffffffffffffff", "other"];
  assert.deepEqual(core.othersCaches(names, PERSON), ["crew-pages-ffffffffffffffff"]);
  assert.deepEqual(core.othersCaches(names, ""), ["crew-pages-" + PERSON, "crew-pages-ffffffffffffffff"]);
  assert.deepEqual(core.oldShellCaches(["crew-shell-old", "crew-shell-new", "x"], "new"), ["crew-shell-old"]);
});

test("the banner says when the page was fetched, in the brand's zone", () => {
  const placeholder = '<div class="offline-banner" id="offline-banner" data-tz="America/Los_Angeles" hidden></div>';
  const at = Date.UTC(2024, 4, 30, 17, 42); // 10:42 AM in San Diego
  const html = core.withBanner(`<main>${placeholder}<h1>Harbor charter</h1></main>`, at);
  assert.match(html, /role="status">Offline — as of 10:42 AM<\/div><h1>/);
  assert.match(html, /data-as-of="2024-05-30T17:42:00.000Z"/);
  assert.doesNotMatch(html, / hidden>/);
  assert.equal(core.formatAsOf(at, "Europe/London"), "6:42 PM");
  assert.equal(core.withBanner("<p>no banner here</p>", at), "<p>no banner here</p>");
});

test("the offline fallback shows nobody's data", () => {
  const html = core.offlineFallback();
  assert.match(html, /You are offline/);
  assert.doesNotMatch(html, /crew-person|Casey|charter —/);
});

test("a checklist tick with an Idempotency-Key may be queued; other POSTs may not", () => {
  const keyed = headers({ "Idempotency-Key": "k-123456789" });
  assert.equal(core.queueKind(EVENT + "checklist", "POST", keyed), "checklist");
  assert.equal(core.queueKind(EVENT + "checklist", "POST", headers({})), null); // no key: not replayable
  assert.equal(core.queueKind(EVENT + "checklist", "GET", keyed), null);
  assert.equal(core.queueKind(EVENT + "roles/deckhand/1/claim", "POST", keyed), null); // claims need the network
  assert.equal(core.queueKind(EVENT + "start", "POST", keyed), null);
});

test("sign-out is either logout POST; a bounce to sign in says where to go back", () => {
  assert.ok(core.isSignInBounce(new URL("http://x/crew/login?next=%2Fcrew%2F")));
  assert.equal(core.isSignInBounce(new URL("http://x/crew/login")), false);
  assert.ok(core.isSignOut("/crew/logout", "POST"));
  assert.ok(core.isSignOut("/crew/logout/everywhere", "POST"));
  assert.equal(core.isSignOut("/crew/logout", "GET"), false);
});

test("a kept tap says what it is about and how to send it again", () => {
  const entry = core.entryFor({
    kind: "checklist",
    key: "key-1",
    url: "https://crew.example" + EVENT + "checklist",
    body: "csrfmiddlewaretoken=t&item=41&version=3&state=complete",
    csrf: "t",
    person: PERSON,
    seq: 1,
    now: 5,
  });
  assert.deepEqual(
    [entry.id, entry.url, entry.event, entry.item, entry.state, entry.version],
    ["key-1", EVENT + "checklist", "0b5e7f9e-2f4c-4f7a-9c1e-3d2b1a0f9e8d", "41", "complete", "3"]
  );
});

test("what a replay's answer means", () => {
  const h = (values) => headers(values || {});
  assert.equal(core.outcome(200, h()), "done");
  assert.equal(core.outcome(200, h({ "X-Idempotent-Replay": "already" })), "already");
  assert.equal(core.outcome(409, h()), "conflict");
  assert.equal(core.outcome(401, h()), "signed-out");
  assert.equal(core.outcome(0, h()), "signed-out"); // a redirect (to sign in) not followed
  assert.equal(core.outcome(302, h()), "signed-out");
  for (const status of [400, 403, 404]) assert.equal(core.outcome(status, h()), "refused");
  for (const status of [429, 500, 502, 503]) assert.equal(core.outcome(status, h()), "retry");
});

test("the latest kept state of each item is what the page shows as pending", () => {
  const entries = [
    { kind: "checklist", item: "1", state: "complete", seq: 3 },
    { kind: "checklist", item: "1", state: "in_progress", seq: 1 },
    { kind: "checklist", item: "2", state: "pending", seq: 2 },
  ];
  assert.deepEqual(core.pendingStates(entries), { "checklist:1": "complete", "checklist:2": "pending" });
});

// --- Replays -------------------------------------------------------------------------------

function tap(store, id, item, state, version, seq, person = PERSON) {
  return store.put({
    id, seq, person, kind: "checklist", url: EVENT + "checklist", event: "e", item, state, version,
    body: `item=${item}&state=${state}&version=${version}`, csrf: "t",
  });
}

function server(answers) {
  const sent = [];
  const send = async (entry) => {
    sent.push({ id: entry.id, body: entry.body });
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return { status: answer[0], headers: headers(answer[1] || {}), body: answer[2] || "" };
  };
  return { sent, send };
}

test("taps are replayed in the order they were made, each once", async () => {
  const store = core.memoryStore();
  await tap(store, "b", "2", "complete", "1", 2);
  await tap(store, "a", "1", "complete", "1", 1);
  const { sent, send } = server([[200, { "X-Item-Version": "2" }, "<li>1</li>"], [200, { "X-Item-Version": "2" }]]);
  const results = await core.replay(store, PERSON, send, 0);
  assert.deepEqual(sent.map((s) => s.id), ["a", "b"]);
  assert.deepEqual(results.map((r) => r.outcome), ["done", "done"]);
  assert.deepEqual(await store.list(PERSON), []);
  assert.deepEqual(await core.replay(store, PERSON, send, 0), []); // nothing sent twice
});

test("a second tap on the same item carries the version the first one made", async () => {
  const store = core.memoryStore();
  await tap(store, "a", "1", "in_progress", "1", 1);
  await tap(store, "b", "1", "complete", "1", 2);
  const { sent, send } = server([[200, { "X-Item-Version": "2" }], [200, { "X-Item-Version": "3" }]]);
  await core.replay(store, PERSON, send, 0);
  assert.equal(new URLSearchParams(sent[1].body).get("version"), "2");
});

test("the version moves on in the store too, should the network drop between taps", async () => {
  const store = core.memoryStore();
  await tap(store, "a", "1", "in_progress", "1", 1);
  await tap(store, "b", "1", "complete", "1", 2);
  const first = server([[200, { "X-Item-Version": "2" }], new TypeError("offline")]);
  assert.deepEqual((await core.replay(store, PERSON, first.send, 0)).map((r) => r.outcome), ["done", "retry"]);
  const [kept] = await store.list(PERSON);
  assert.equal(kept.id, "b");
  assert.equal(kept.version, "2");
  const second = server([[200, { "X-Item-Version": "3" }]]);
  await core.replay(store, PERSON, second.send, 0);
  assert.equal(new URLSearchParams(second.sent[0].body).get("version"), "2");
});

test("a tap that reached the server before (answer lost) is already done, and moves the version on", async () => {
  const store = core.memoryStore();
  await tap(store, "a", "1", "in_progress", "1", 1);
  await tap(store, "b", "1", "complete", "1", 2);
  const { sent, send } = server([[200, { "X-Idempotent-Replay": "already", "X-Item-Version": "2" }], [200, {}]]);
  const results = await core.replay(store, PERSON, send, 0);
  assert.deepEqual(results.map((r) => r.outcome), ["already", "done"]);
  assert.equal(new URLSearchParams(sent[1].body).get("version"), "2");
});

test("a conflict is kept with both states and never sent again; later taps on it join it", async () => {
  const store = core.memoryStore();
  await tap(store, "a", "1", "in_progress", "1", 1);
  await tap(store, "b", "2", "complete", "1", 2);
  await tap(store, "c", "1", "complete", "1", 3);
  const theirs = '<li id="item-1" class="check-item state-pending">changed by Dana</li>';
  const { sent, send } = server([[409, {}, theirs], [200, { "X-Item-Version": "2" }]]);
  const results = await core.replay(store, PERSON, send, 7);
  assert.deepEqual(sent.map((s) => s.id), ["a", "b"]); // "c" is not sent over Dana's change
  assert.deepEqual(results.map((r) => [r.entry.id, r.outcome]), [["a", "conflict"], ["b", "done"], ["c", "conflict"]]);
  const [conflict] = await store.listConflicts(PERSON);
  assert.deepEqual([conflict.item, conflict.mine, conflict.theirs, conflict.at], ["1", "complete", theirs, 7]);
  assert.deepEqual(await store.list(PERSON), []);
});

test("a refused tap is dropped; signed out or a server error keeps the rest for later", async () => {
  const store = core.memoryStore();
  await tap(store, "a", "1", "complete", "1", 1);
  await tap(store, "b", "2", "complete", "1", 2);
  await tap(store, "c", "3", "complete", "1", 3);
  const { send } = server([[403, {}], [401, {}]]);
  const results = await core.replay(store, PERSON, send, 0);
  assert.deepEqual(results.map((r) => r.outcome), ["refused", "signed-out"]);
  assert.deepEqual((await store.list(PERSON)).map((e) => e.id).sort(), ["b", "c"]);
  const retry = server([[503, {}]]);
  assert.deepEqual((await core.replay(store, PERSON, retry.send, 0)).map((r) => r.outcome), ["retry"]);
  assert.equal((await store.list(PERSON)).length, 2);
});

test("only the signed-in person's taps are replayed", async () => {
  const store = core.memoryStore();
  await tap(store, "mine", "1", "complete", "1", 1);
  await tap(store, "theirs", "2", "complete", "1", 2, "ffffffffffffffff");
  const { sent, send } = server([[200, {}]]);
  await core.replay(store, PERSON, send, 0);
  assert.deepEqual(sent.map((s) => s.id), ["mine"]);
});

// --- Boarding check-ins ----------------------------------------------------------------------

test("a boarding check-in with an Idempotency-Key may be queued like a tick", () => {
  const keyed = headers({ "Idempotency-Key": "k" });
  assert.equal(core.queueKind(EVENT + "check-in", "POST", keyed), "check-in");
  assert.equal(core.queueKind(EVENT + "check-in", "POST", headers({})), null);
  assert.equal(core.queueKind(EVENT + "walk-up", "POST", keyed), null); // a new guest needs the network
  const entry = core.entryFor({
    kind: "check-in",
    key: "k1",
    url: "https://crew.example" + EVENT + "check-in",
    body: "guest=12&version=0&boarded=yes",
    person: PERSON,
    seq: 1,
    now: 0,
  });
  assert.deepEqual([entry.kind, entry.item, entry.state, entry.version], ["check-in", "12", "yes", "0"]);
});

test("a guest tapped aboard then off offline replays in order, the second on the first's version", async () => {
  const store = core.memoryStore();
  for (const [id, boarded, seq] of [["a", "yes", 1], ["b", "no", 2]]) {
    await store.put({
      id, seq, person: PERSON, kind: "check-in", url: EVENT + "check-in", event: "e", item: "12", state: boarded,
      version: "0", body: `guest=12&version=0&boarded=${boarded}`, csrf: "t",
    });
  }
  const { sent, send } = server([[200, { "X-Item-Version": "1" }], [200, { "X-Item-Version": "2" }]]);
  const results = await core.replay(store, PERSON, send, 0);
  assert.deepEqual(results.map((r) => r.outcome), ["done", "done"]);
  assert.equal(new URLSearchParams(sent[1].body).get("version"), "1");
});

test("a check-in someone else changed meanwhile is a conflict, kept with the person's last wish", async () => {
  const store = core.memoryStore();
  await store.put({
    id: "a", seq: 1, person: PERSON, kind: "check-in", url: EVENT + "check-in", event: "e", item: "12", state: "yes",
    version: "0", body: "guest=12&version=0&boarded=yes", csrf: "t",
  });
  const { send } = server([[409, {}, "<p>changed</p>"]]);
  const [result] = await core.replay(store, PERSON, send, 0);
  assert.equal(result.outcome, "conflict");
  const [conflict] = await store.listConflicts(PERSON);
  assert.deepEqual([conflict.kind, conflict.item, conflict.mine], ["check-in", "12", "yes"]);
});
