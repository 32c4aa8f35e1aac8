// Run with `node --test cloudfront/` (make test does).
const test = require("node:test");
const assert = require("node:assert/strict");
const { handler } = require("./guest_page_rewrite.js");

const rewrite = (uri) => handler({ request: { uri, method: "GET", headers: {} } }).uri;

test("a clean guest page address gets its .html object", () => {
  assert.equal(rewrite("/g/x"), "/g/x.html");
  assert.equal(rewrite("/g/boatsetter-may-30-2024"), "/g/boatsetter-may-30-2024.html");
});

test("a trailing slash is the same page", () => {
  assert.equal(rewrite("/g/x/"), "/g/x.html");
});

test("an explicit .html address is left alone", () => {
  assert.equal(rewrite("/g/x.html"), "/g/x.html");
});

test("unrelated paths are left alone", () => {
  assert.equal(rewrite("/about"), "/about");
  assert.equal(rewrite("/"), "/");
  assert.equal(rewrite("/g/"), "/g/");
  assert.equal(rewrite("/gallery/x"), "/gallery/x");
  assert.equal(rewrite("/g/photos/brand/event/abc.jpg"), "/g/photos/brand/event/abc.jpg");
});

test("the rest of the request is kept", () => {
  const request = { uri: "/g/x", method: "GET", headers: { host: { value: "queenofsandiego.com" } } };
  const out = handler({ request });
  assert.equal(out.headers.host.value, "queenofsandiego.com");
});
