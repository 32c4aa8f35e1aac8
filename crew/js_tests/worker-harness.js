// A service worker's world in Node, small and in memory: the worker's own code (as /sw.js
// serves it: a SHELL line, offline-core.js, sw.js) runs against fake caches, IndexedDB,
// clients and a network the test switches off and answers for.
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const STATIC = path.join(__dirname, "..", "..", "static");
const ORIGIN = "http://localhost:8000";

// --- Cache Storage -----------------------------------------------------------------------------

function keyOf(request) {
  return new URL(typeof request === "string" ? request : request.url, ORIGIN + "/sw.js").href;
}

function fakeCaches() {
  const stores = new Map();
  const open = async (name) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const entries = stores.get(name);
    return {
      put: async (request, response) => { entries.set(keyOf(request), response.clone()); },
      match: async (request) => {
        const found = entries.get(keyOf(request).split(/[?#]/)[0]) || entries.get(keyOf(request));
        return found ? found.clone() : undefined;
      },
      addAll: async (urls) => { urls.forEach((url) => entries.set(keyOf(url), new Response(`/* ${url} */`))); },
      keys: async () => [...entries.keys()].map((url) => ({ url })),
    };
  };
  return {
    stores,
    open,
    keys: async () => [...stores.keys()],
    delete: async (name) => stores.delete(name),
  };
}

// --- IndexedDB (what offline-core's idbStore uses of it) ------------------------------------------

function fakeIndexedDB() {
  const data = new Map(); // store name → Map(key → value)
  const request = (produce) => {
    const req = {};
    setImmediate(() => {
      req.result = produce();
      if (req.onsuccess) req.onsuccess();
    });
    return req;
  };
  const objectStore = (name, keyPath) => ({
    get: (key) => request(() => structuredClone(data.get(name).get(key))),
    getAll: () => request(() => [...data.get(name).values()].map((v) => structuredClone(v))),
    put: (value) => request(() => data.get(name).set(value[keyPath], structuredClone(value))),
    delete: (key) => request(() => data.get(name).delete(key)),
  });
  const keyPaths = new Map();
  const db = {
    objectStoreNames: { contains: (name) => data.has(name) },
    createObjectStore: (name, options) => { data.set(name, new Map()); keyPaths.set(name, options.keyPath); },
    transaction: (name) => {
      const tx = { objectStore: (n) => objectStore(n, keyPaths.get(n)) };
      setImmediate(() => setImmediate(() => tx.oncomplete && tx.oncomplete()));
      return tx;
    },
  };
  return {
    data,
    open: () => {
      const req = {};
      setImmediate(() => {
        req.result = db;
        if (!data.size && req.onupgradeneeded) req.onupgradeneeded();
        req.onsuccess();
      });
      return req;
    },
  };
}

// --- The worker --------------------------------------------------------------------------------

function loadWorker({ assets = ["/static/css/crew.css"], version = "v1" } = {}) {
  const listeners = {};
  const posted = [];
  const network = { online: true, requests: [], answer: null };
  const self = {
    location: new URL(ORIGIN + "/sw.js"),
    addEventListener: (type, fn) => { listeners[type] = fn; },
    skipWaiting: async () => {},
    clients: {
      claim: async () => {},
      matchAll: async () => [{ postMessage: (message) => posted.push(message) }],
    },
  };
  const caches = fakeCaches();
  const indexedDB = fakeIndexedDB();
  self.indexedDB = indexedDB;
  const fetch = async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url, ORIGIN);
    const method = init.method || (typeof input === "string" ? "GET" : input.method);
    const headers = new Headers(init.headers || (typeof input === "string" ? {} : input.headers));
    network.requests.push({ path: url.pathname, method, headers, body: init.body });
    if (!network.online) throw new TypeError("Failed to fetch");
    return network.answer({ path: url.pathname, method, headers, body: init.body });
  };
  const context = vm.createContext({
    self, caches, fetch, Headers, Request, Response, URL, URLSearchParams, Intl, Date, Promise, JSON, Number,
    String, Object, Array, Math, setTimeout, console,
    SHELL: { version, assets },
  });
  context.self.CrewOffline = undefined;
  const source = ["offline-core.js", "sw.js"].map((name) => fs.readFileSync(path.join(STATIC, "crew", name), "utf8"));
  vm.runInContext(source[0].replace("typeof self !== \"undefined\" ? self : this", "self"), context);
  vm.runInContext(source[1], context);

  const waitFor = async (type, event) => {
    const waits = [];
    let answer;
    listeners[type]({
      ...event,
      waitUntil: (p) => waits.push(p),
      respondWith: (p) => { answer = p; },
    });
    await Promise.all(waits);
    return answer;
  };
  return {
    caches,
    indexedDB,
    network,
    posted,
    install: () => waitFor("install", {}),
    activate: () => waitFor("activate", {}),
    /** The worker's answer to a request (undefined when it lets the browser handle it). */
    request: async ({ path: p, method = "GET", mode = "cors", headers = {}, body = "" }) => {
      const request = {
        url: ORIGIN + p,
        method,
        mode,
        headers: new Headers(headers),
        clone() { return { ...this, headers: new Headers(this.headers) }; },
        text: async () => body,
      };
      return waitFor("fetch", { request });
    },
    message: (data) => waitFor("message", { data }),
    settle: () => new Promise((done) => setTimeout(done, 30)),
  };
}

module.exports = { loadWorker, ORIGIN };
