/* desa's service worker: Tugas Saya, its task pages and the static files, kept for use offline.
 *
 * Pages (the signed-in person's own): network first (the kept copy when the network fails or has
 * not answered in SLOW_MS); a copy of Tugas Saya ("/") and of each task
 * page ("/tugas/<id>") is kept in the cache "desa-halaman", marked with when it was taken
 * (data-disimpan on <html>, which offline.js shows as "Offline: terakhir disinkronkan ...") and
 * with the language it is in (a copy in another language than the inbox's is taken again).
 * Offline, that copy is served; a page never kept gets a short bilingual page saying so.
 * Bounds: at most MAX_PAGES pages of at most MAX_PAGE_BYTES each, none served older than MAX_AGE.
 * Static files (/static/, the manifest): served from "desa-statis-<VERSION>", refreshed behind.
 * The page script (offline.js) asks for the inbox's task pages to be kept ("simpan") and for the
 * pages to be deleted at sign-out or when someone else signs in ("hapus"). POSTs, the API and
 * every other page go to the network untouched.
 */
'use strict';

const VERSION = '4';
const STATIC_CACHE = 'desa-statis-' + VERSION;
const PAGE_CACHE = 'desa-halaman';
const STATIC_FILES = [
  '/static/desa.css',
  '/static/offline.css',
  '/static/offline.js',
  '/static/luring/dasar.js',
  '/static/luring/simpanan.js',
  '/static/luring/formulir.js',
  '/static/luring/kirim.js',
  '/static/ikon.svg',
  '/static/ikon-192.png',
  '/static/ikon-512.png',
  '/manifest.webmanifest',
];
const MAX_PAGES = 60; // Tugas Saya and its 50 tasks (one inbox page), with room
const MAX_PAGE_BYTES = 1024 * 1024;
const MAX_AGE_MS = 14 * 24 * 3600 * 1000; // a copy older than two weeks is not served
const REFRESH_MS = 30 * 60 * 1000; // a task page kept less than 30 minutes ago is not fetched again
const SLOW_MS = 6000; // a page the network has not answered in 6 s is served from the kept copy

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE).then((cache) => cache.addAll(STATIC_FILES)).then(() => self.skipWaiting())
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((names) => Promise.all(
      names.filter((n) => n.startsWith('desa-statis-') && n !== STATIC_CACHE).map((n) => caches.delete(n))
    )).then(() => self.clients.claim())
  );
});

function keptPage(url) {
  if (url.origin !== self.location.origin) return false;
  if (url.pathname === '/') return url.search === '';
  return /^\/tugas\/[^/]+$/.test(url.pathname) && url.search === '';
}

async function keep(url, response) {
  if (response.status !== 200 || response.type !== 'basic') return false;
  if (!(response.headers.get('Content-Type') || '').startsWith('text/html')) return false;
  const text = await response.text();
  if (text.length > MAX_PAGE_BYTES || !text.includes('name="desa-luring"')) return false; // signed-in pages only
  const now = new Date().toISOString();
  const language = (text.match(/<html[^>]*\slang="([^"]*)"/) || [])[1] || '';
  const marked = text
    .replace('<html ', '<html data-disimpan="' + now + '" ')
    .replace(/<p class="flash" role="status">[^<]*<\/p>/g, ''); // a message of that moment, not of later
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(url.pathname, new Response(marked, {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'X-Desa-Disimpan': now, 'X-Desa-Bahasa': language },
  }));
  const names = await cache.keys();
  for (const old of names.slice(0, Math.max(0, names.length - MAX_PAGES))) await cache.delete(old);
  return true;
}

async function copyOf(url) {
  const cache = await caches.open(PAGE_CACHE);
  const found = await cache.match(url.pathname);
  if (!found) return null;
  const taken = Date.parse(found.headers.get('X-Desa-Disimpan') || '');
  return Date.now() - taken <= MAX_AGE_MS ? found : null;
}

function notKept() {
  const body = '<!doctype html><html lang="id"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Offline · desa</title><link rel="stylesheet" href="/static/desa.css"></head><body>' +
    '<header class="bar"><a class="brand" href="/">desa</a></header><main>' +
    '<h1>Offline</h1><p>Halaman ini belum tersimpan di perangkat ini, jadi tidak dapat dibuka tanpa koneksi.</p>' +
    '<p lang="en">This page is not kept on this device, so it cannot be opened without a connection.</p>' +
    '<p><a href="/">Tugas Saya</a></p></main></body></html>';
  return new Response(body, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

async function page(request) {
  const url = new URL(request.url);
  const network = fetch(request).then(async (response) => {
    if (keptPage(url)) await keep(url, response.clone());
    return response;
  });
  const kept = keptPage(url) ? await copyOf(url) : null;
  if (!kept) return network.catch(() => notKept());
  // A weak signal: the kept copy after SLOW_MS; the network's answer, when it comes, still renews it.
  const slow = new Promise((resolve) => { setTimeout(() => resolve(null), SLOW_MS); });
  const first = await Promise.race([network.catch(() => null), slow]);
  if (first) return first;
  network.catch(() => null);
  return kept;
}

async function staticFile(request) {
  const cache = await caches.open(STATIC_CACHE);
  const found = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (found) {
    fresh.catch(() => null);
    return found;
  }
  return fresh;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(page(request));
  } else if (STATIC_FILES.includes(url.pathname)) {
    event.respondWith(staticFile(request));
  }
});

/* Keep the task pages of Tugas Saya (one at a time, to spare a slow connection and the server),
 * and drop the kept task pages that are no longer in it. A page kept recently is taken again only
 * when it is in another language than `language` (the inbox's: the person changed it meanwhile). */
async function keepAll(paths, prune, language) {
  const cache = await caches.open(PAGE_CACHE);
  const wanted = new Set(paths);
  for (const old of prune ? await cache.keys() : []) {
    const path = new URL(old.url).pathname;
    if (path !== '/' && !wanted.has(path)) await cache.delete(old);
  }
  let kept = 0;
  for (const path of paths.slice(0, MAX_PAGES - 1)) {
    const url = new URL(path, self.location.origin);
    if (!keptPage(url)) continue;
    const have = await cache.match(url.pathname);
    const recent = have && Date.now() - Date.parse(have.headers.get('X-Desa-Disimpan') || '') < REFRESH_MS;
    const sameLanguage = !language || (have && have.headers.get('X-Desa-Bahasa') === language);
    if (recent && sameLanguage && path !== '/') {
      kept += 1;
      continue;
    }
    try {
      const response = await fetch(url, { credentials: 'same-origin', redirect: 'manual' });
      if (await keep(url, response)) kept += 1;
      else if (response.type === 'opaqueredirect') break; // signed out meanwhile
    } catch (offline) {
      break;
    }
  }
  return kept;
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  const reply = (answer) => { if (event.ports[0]) event.ports[0].postMessage(answer); };
  if (data.type === 'simpan') {
    const language = typeof data.language === 'string' ? data.language : '';
    event.waitUntil(
      keepAll((data.paths || []).map(String), Boolean(data.prune), language).then((kept) => reply({ kept }))
    );
  } else if (data.type === 'hapus') {
    event.waitUntil(caches.delete(PAGE_CACHE).then(() => reply({ deleted: true })));
  }
});
