/* What this device keeps: IndexedDB (submissions and drafts, encrypted with the person's key) and the kept pages (part of the offline layer: see offline.js). */
import { channel, OWNER_MARK, PAGE_CACHE } from './dasar.js';

export const who = { key: null, tag: '', user: '' }; // the person signed in on this page

// --- IndexedDB: "antrean" (submissions) and "draf" (drafts), both encrypted ----------------------

let opened = null;
function database() {
  opened = opened || new Promise((resolve, reject) => {
    const request = indexedDB.open('desa-luring', 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('antrean', { keyPath: 'id' });
      request.result.createObjectStore('draf', { keyPath: 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

export async function run(store, mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(request ? request.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const everything = () => run('antrean', 'readonly', (s) => s.getAll());
export const one = (id) => run('antrean', 'readonly', (s) => s.get(id));
export const drop = (id) => run('antrean', 'readwrite', (s) => s.delete(id));

export function bytes(base64url) {
  let text = base64url.replace(/-/g, '+').replace(/_/g, '/');
  while (text.length % 4) text += '=';
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export async function seal(value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  return { iv, sandi: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, who.key, plain) };
}

export async function unseal(record) {
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv }, who.key, record.sandi);
  return JSON.parse(new TextDecoder().decode(plain));
}

export async function store(item, content) {
  Object.assign(item, await seal(content));
  await run('antrean', 'readwrite', (s) => s.put(item));
  if (channel) channel.postMessage('berubah');
}

export async function mine() {
  const found = [];
  for (const item of await everything()) {
    if (item.pemilik !== who.tag) continue;
    try {
      found.push({ item, content: await unseal(item) });
    } catch (e) {
      continue; // not readable with this key: not this person's
    }
  }
  return found.sort((a, b) => a.item.dibuat.localeCompare(b.item.dibuat));
}

// --- the kept pages (Cache Storage, filled by the service worker) --------------------------------

export function worker(message) {
  if (!navigator.serviceWorker) return Promise.resolve(null);
  return navigator.serviceWorker.ready.then((registration) => new Promise((resolve) => {
    const reply = new MessageChannel();
    reply.port1.onmessage = (event) => resolve(event.data);
    registration.active.postMessage(message, [reply.port2]);
  }));
}

export async function forgetPages() {
  localStorage.removeItem(OWNER_MARK);
  if (window.caches) await caches.delete(PAGE_CACHE);
}
