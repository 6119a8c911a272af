/* desa's page script: the pages' offline layer. Our own code, no framework, no inline script.
 *
 * Without it every page works as it does; with it:
 * - the service worker (/sw.js) is registered, and Tugas Saya asks it to keep its task pages;
 * - a page served from the kept copy says "Offline: terakhir disinkronkan ...";
 * - offline, a task form's "Simpan Draf" keeps the draft on this device and "Selesaikan tugas"
 *   keeps the submission in IndexedDB ("Menunggu koneksi"), with an idempotency key made then;
 * - online (at page load and when the connection returns) each waiting submission is sent once to
 *   /tugas/<id>/luring (one tab at a time: a Web Lock), and the answer is shown: "Terkirim", or
 *   "Perlu ditinjau" with what happened, the input, and "Isi ulang" (the input back in the form as
 *   a draft, to check and send again) or "Hapus";
 * - signing out deletes this person's kept pages, drafts and submissions, after a warning when
 *   any is unsent; a page with no one signed in deletes the kept pages (they hold the key).
 * What is kept is encrypted (AES-GCM) with the key the server gives this person's pages
 * (<meta name="desa-luring">), and labelled with their tag: a page lists and sends only its own
 * person's submissions.
 * The parts: luring/dasar.js (texts, elements), luring/simpanan.js (IndexedDB, encryption, kept
 * pages), luring/formulir.js (the task form offline), luring/kirim.js (sending, the panel).
 */
import { channel, csrf, el, main, notice, OWNER_MARK, root, t, when } from './luring/dasar.js';
import { bytes, drop, everything, forgetPages, mine, run, who, worker } from './luring/simpanan.js';
import { loadDraft, offlineSubmit } from './luring/formulir.js';
import { reentered, render, sync } from './luring/kirim.js';

const meta = document.querySelector('meta[name="desa-luring"]');

function keepInbox() {
  const paths = Array.from(document.querySelectorAll('ul.tasks a.name'), (a) => new URL(a.href).pathname);
  const language = document.documentElement.lang;
  worker({ type: 'simpan', paths: ['/', ...paths], prune: true, language }).then((answer) => {
    root.dataset.luringTersimpan = String(answer ? answer.kept : 0);
  });
}

function banner() {
  const kept = root.dataset.disimpan;
  let text = '';
  if (kept && !navigator.onLine) text = t('offline_disimpan', { waktu: when(kept) });
  else if (kept) text = t('salinan', { waktu: when(kept) });
  else if (!navigator.onLine) text = t('offline');
  let shown = document.getElementById('luring-status');
  if (!text) {
    if (shown) shown.remove();
    return;
  }
  if (!shown) {
    shown = el('p', { id: 'luring-status', class: 'luring-status', role: 'status' });
    main.prepend(shown);
  }
  shown.textContent = text;
}

// --- signing out, and pages with no one signed in ----------------------------------------------

function holdOtherForms() {
  // Offline, any other form (take a task, reassign, the language) would end on the browser's
  // error page: say that it needs a connection instead.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (navigator.onLine || form.matches('form.task-form, form[data-luring="keluar"]')) return;
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post') return;
    event.preventDefault();
    notice(t('perlu_koneksi_aksi'), 'error');
  });
}

function hookSignOut() {
  const form = document.querySelector('form[data-luring="keluar"]');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    if (form.dataset.siap) return;
    event.preventDefault();
    if (!navigator.onLine) { // the session ends on the server: nothing is cleared until it can
      notice(t('keluar_perlu_koneksi'), 'error');
      return;
    }
    const unsent = (await mine()).filter((x) => x.item.status !== 'terkirim');
    if (unsent.length && !window.confirm(t('peringatan_keluar', { n: unsent.length }))) return;
    const ids = (await everything()).filter((i) => i.pemilik === who.tag).map((i) => i.id);
    for (const id of ids) await drop(id);
    const drafts = await run('draf', 'readonly', (s) => s.getAll());
    for (const d of drafts.filter((x) => x.pemilik === who.tag)) await run('draf', 'readwrite', (s) => s.delete(d.id));
    await forgetPages();
    if (channel) channel.postMessage('berubah');
    form.dataset.siap = '1';
    form.submit();
  });
}

async function nobodySignedIn() {
  await forgetPages();
  const waiting = (await everything()).filter((i) => i.status !== 'terkirim');
  const owners = new Map();
  for (const item of waiting) owners.set(item.pemilik, [...(owners.get(item.pemilik) || []), item]);
  for (const [tag, items] of owners) {
    const who = items[0].pengguna;
    const shown = notice(t('menunggu_akun', { n: items.length, pengguna: who }));
    try {
      const response = await fetch('/luring/pemilik', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
        body: JSON.stringify({ pengguna: who, tanda: tag }),
      });
      const answer = await response.json();
      shown.append(' ', answer.pesan || '');
      if (answer.aktif === false) {
        shown.className = 'error';
        const remove = el('button', { type: 'button', class: 'secondary' }, t('hapus'));
        remove.addEventListener('click', async () => {
          for (const item of items) await drop(item.id);
          shown.remove();
        });
        shown.append(' ', remove);
      }
    } catch (e) {
      continue; // offline: the count alone
    }
  }
}

async function signedIn() {
  who.key = await crypto.subtle.importKey('raw', bytes(meta.content), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  who.tag = meta.dataset.tanda;
  who.user = meta.dataset.pengguna;
  if (localStorage.getItem(OWNER_MARK) !== who.tag) {
    await forgetPages(); // someone else's pages, kept before this person signed in
    localStorage.setItem(OWNER_MARK, who.tag);
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => null);
  banner();
  const said = sessionStorage.getItem('desa-pesan');
  if (said) {
    sessionStorage.removeItem('desa-pesan');
    notice(said);
  }
  const form = document.querySelector('form.task-form');
  if (form && form.querySelector('button[name="_kirim"]')) {
    form.addEventListener('submit', offlineSubmit);
    await reentered(form);
    await loadDraft(form);
  }
  hookSignOut();
  holdOtherForms();
  if (location.pathname === '/' && !location.search && navigator.onLine && !root.dataset.disimpan) keepInbox();
  window.addEventListener('online', () => { banner(); sync(); });
  window.addEventListener('offline', banner);
  if (channel) channel.addEventListener('message', () => render());
  await render();
  await sync();
}

function start() {
  if (!window.indexedDB || !window.crypto || !crypto.subtle || !main) return; // the pages work as they are
  if (navigator.serviceWorker) navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => null);
  (meta ? signedIn() : nobodySignedIn()).catch((error) => notice(t('galat') + ' ' + error, 'error'))
    .finally(() => { root.dataset.luring = 'siap'; });
}

start();
