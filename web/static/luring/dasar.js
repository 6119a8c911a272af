/* What every part of the offline layer uses: its texts, dates, elements and notices (part of the offline layer: see offline.js). */

export const CONTROL = new Set(['csrf_token', '_kunci', '_kirim', '_draf', '_tambah', '_hapus']);
export const PAGE_CACHE = 'desa-halaman';
export const OWNER_MARK = 'desa-halaman-pemilik';
export const root = document.documentElement;
export const main = document.querySelector('main');
const language = root.lang === 'en' ? 'en-GB' : 'id-ID';
export const channel = 'BroadcastChannel' in window ? new BroadcastChannel('desa-luring') : null;
const T = (function () {
  const found = document.getElementById('desa-luring-teks');
  try { return found ? JSON.parse(found.textContent) : {}; } catch (e) { return {}; }
}());

export function t(name, values) {
  let text = T[name] || name;
  for (const [k, v] of Object.entries(values || {})) text = text.split('{' + k + '}').join(String(v));
  return text;
}

export function when(iso) {
  try {
    return new Date(iso).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });
  } catch (e) {
    return iso;
  }
}

export function el(tag, attrs, text) {
  const made = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) made.setAttribute(k, v);
  if (text !== undefined) made.textContent = text;
  return made;
}

export function csrf() {
  const found = document.querySelector('input[name="csrf_token"]');
  return found ? found.value : '';
}

export function notice(text, kind) {
  const shown = el('p', { class: kind === 'error' ? 'error' : 'flash', role: kind === 'error' ? 'alert' : 'status' }, text);
  main.prepend(shown);
  shown.scrollIntoView({ block: 'nearest' });
  return shown;
}
