// The inspector app's service worker: keeps the app's pages, scripts, styles and each
// visited business's checklist and officers on the phone, so that an inspection can be
// done with no network. Served as /gov/app/sw.js (scope /gov/app); the server fills in
// the cache version from the app's files, so a new release replaces the old cache.
"use strict";

const VERSION = "__CACHE_VERSION__";
const PREFIX = "sunshine-inspector-";
const CACHE = PREFIX + VERSION;
const SCOPE = "/gov/app";
const NETWORK_WAIT_MS = 4000; // then answer from the cache (a weak signal is worse than none)
const SHELL = [
  SCOPE,
  "/static/vendor/bootstrap/bootstrap.min.css",
  "/static/app.css",
  "/static/inspector-app.css",
  "/static/inspector-app.js",
  "/static/vendor/htmx/htmx.min.js",
  "/static/inspector.webmanifest",
  "/static/icons/inspector-192.png",
  "/static/icons/inspector-512.png",
];
// Answers that must come from the server itself, or not at all.
const NETWORK_ONLY = [SCOPE + "/sw.js", SCOPE + "/session.json", SCOPE + "/search"];

self.addEventListener("install", function (event) {
  event.waitUntil(keep(SHELL).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.startsWith(PREFIX) && name !== CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

// The page asks for what it will need offline: itself (the first page is loaded before the
// worker runs) and, on a business's page, that business's inspection page and data.
self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) { return; }
  const urls = data.urls.filter(inScope);
  event.waitUntil(keep(urls).then(function () {
    if (event.source) { event.source.postMessage({ type: "kept", urls: urls }); }
  }));
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staleWhileRevalidate(request));
  } else if (inScope(url.pathname) && NETWORK_ONLY.indexOf(url.pathname) < 0) {
    event.respondWith(networkFirst(request, url));
  }
});

function inScope(path) {
  const pathname = new URL(path, self.location.origin).pathname;
  return pathname === SCOPE || pathname.startsWith(SCOPE + "/");
}

// Pages and data are kept by path: /gov/app?q=… or ?record=… is the same shell.
function keyOf(url) {
  const parsed = new URL(url, self.location.origin);
  return parsed.pathname.startsWith("/static/") ? parsed.pathname : parsed.origin + parsed.pathname;
}

function keepable(response) {
  // A redirect means the session ended (to the sign-in page): never keep that as the app.
  return response && response.ok && !response.redirected && response.type === "basic";
}

async function keep(urls) {
  const cache = await caches.open(CACHE);
  await Promise.all(urls.map(async function (url) {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "reload" });
      if (keepable(response)) { await cache.put(keyOf(url), response); }
    } catch (error) {
      // Offline while keeping: what was kept before stays.
    }
  }));
}

// Scripts and styles: from the phone at once, refreshed behind the scenes for next time.
async function staleWhileRevalidate(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(keyOf(request.url));
  const fresh = fetch(request).then(async function (response) {
    if (keepable(response)) { await cache.put(keyOf(request.url), response.clone()); }
    return response;
  });
  if (kept) {
    fresh.catch(function () { return null; }); // offline: the kept copy is the answer
    return kept;
  }
  return fresh;
}

async function networkFirst(request, url) {
  const cache = await caches.open(CACHE);
  const fromNetwork = fetch(request).then(async function (response) {
    if (keepable(response)) { await cache.put(keyOf(url.href), response.clone()); }
    return response;
  });
  fromNetwork.catch(function () { return null; }); // a failure is answered below
  const late = new Promise(function (resolve) { setTimeout(resolve, NETWORK_WAIT_MS, null); });
  try {
    const first = await Promise.race([fromNetwork, late]);
    if (first) { return first; }
    const kept = await cache.match(keyOf(url.href));
    return kept || await fromNetwork;
  } catch (error) {
    const kept = await cache.match(keyOf(url.href));
    if (kept) { return kept; }
    return request.mode === "navigate" ? offlinePage() : offlineJson();
  }
}

function offlinePage() {
  const html = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<link rel=\"stylesheet\" href=\"/static/vendor/bootstrap/bootstrap.min.css\">" +
    "<title>离线 · Offline</title></head><body class=\"container py-4\" id=\"offline-page\">" +
    "<h1 class=\"h5\">离线：此页面未保存在本机</h1><p>Offline: this page is not kept on this phone.</p>" +
    "<p><a class=\"btn btn-primary\" href=\"" + SCOPE + "\">检查App · Inspector app</a></p></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function offlineJson() {
  return new Response(JSON.stringify({ status: 503, detail: "offline" }), {
    status: 503, headers: { "Content-Type": "application/json" },
  });
}
