{% autoescape off %}/* 通办 service worker (portal/offline.py): keeps the citizen's progress pages and licences
   readable offline. Network first for those pages (a fresh copy is kept on every visit), the copy
   when the network is gone; every other page falls back to the offline page; the site's own static
   files are served from the cache once fetched. Nothing of another origin is touched. */
"use strict";
var PAGES = "tongban-pages-v1";
var SHELL = "tongban-shell-v1";
var OFFLINE = "{{ offline_url }}";
var KEPT = [{% for pattern in kept_pages %}new RegExp("{{ pattern|escapejs }}"){% if not forloop.last %}, {% endif %}{% endfor %}];
var SHELL_FILES = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}OFFLINE];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("tongban-") === 0 && name !== PAGES && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return KEPT.some(function (pattern) { return pattern.test(url.pathname); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (kept(url) && response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return (kept(url) ? caches.match(url.pathname, {cacheName: PAGES}) : Promise.resolve(undefined))
        .then(function (copy) { return copy || caches.match(OFFLINE, {cacheName: SHELL}); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  }
});
{% endautoescape %}
