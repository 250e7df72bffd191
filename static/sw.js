// Redis Lab's service worker: keeps one complete build of the app (every file
// of dist/, listed with its content hash by scripts/postbuild.mjs) in a cache
// named after the build, and answers from it, so the page opens offline.
//
// A new build changes VERSION, so the browser sees a new worker on its next
// update check (each navigation). It downloads the whole new build into a
// cache of its own, then takes over; the old cache is deleted only then, and a
// page keeps the build it started with: old and new files never mix.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = "redis-lab-" + VERSION;
const PREFIX = "redis-lab-";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Files named after their content hash (Trunk's) can come from the HTTP
      // cache, where the visit that registered this worker has just put them;
      // the others (index.html, the manifest) are revalidated with the server,
      // so an older build's copy cannot end up in this build's cache.
      const hashed = /-[0-9a-f]{8,16}(_bg)?\.[a-z]+$/;
      await cache.addAll(FILES.map((f) => new Request(f, { cache: hashed.test(f) ? "default" : "no-cache" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      // The page is index.html (its routes live in the hash), at "./" or by name.
      const page = url.pathname === scope.pathname || url.pathname === scope.pathname + "index.html";
      const hit = await cache.match(page ? "./" : request, { ignoreSearch: page });
      if (hit) return hit;
      return fetch(request);
    })(),
  );
});
