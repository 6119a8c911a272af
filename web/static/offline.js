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
 */
(function () {
  'use strict';
  if (!window.indexedDB || !window.crypto || !crypto.subtle || !document.querySelector('main')) return;

  const CONTROL = new Set(['csrf_token', '_kunci', '_kirim', '_draf', '_tambah', '_hapus']);
  const PAGE_CACHE = 'desa-halaman';
  const OWNER_MARK = 'desa-halaman-pemilik';
  const root = document.documentElement;
  const main = document.querySelector('main');
  const meta = document.querySelector('meta[name="desa-luring"]');
  const language = root.lang === 'en' ? 'en-GB' : 'id-ID';
  const channel = 'BroadcastChannel' in window ? new BroadcastChannel('desa-luring') : null;
  const T = (function () {
    const found = document.getElementById('desa-luring-teks');
    try { return found ? JSON.parse(found.textContent) : {}; } catch (e) { return {}; }
  }());
  let me = null; // { key, tag, user } of the person signed in
  let signedOut = false;
  let problem = '';

  function t(name, values) {
    let text = T[name] || name;
    for (const [k, v] of Object.entries(values || {})) text = text.split('{' + k + '}').join(String(v));
    return text;
  }

  function when(iso) {
    try {
      return new Date(iso).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });
    } catch (e) {
      return iso;
    }
  }

  function el(tag, attrs, text) {
    const made = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) made.setAttribute(k, v);
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function csrf() {
    const found = document.querySelector('input[name="csrf_token"]');
    return found ? found.value : '';
  }

  function notice(text, kind) {
    const shown = el('p', { class: kind === 'error' ? 'error' : 'flash', role: kind === 'error' ? 'alert' : 'status' }, text);
    main.prepend(shown);
    shown.scrollIntoView({ block: 'nearest' });
    return shown;
  }

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

  async function run(store, mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  const everything = () => run('antrean', 'readonly', (s) => s.getAll());
  const one = (id) => run('antrean', 'readonly', (s) => s.get(id));
  const drop = (id) => run('antrean', 'readwrite', (s) => s.delete(id));

  function bytes(base64url) {
    let text = base64url.replace(/-/g, '+').replace(/_/g, '/');
    while (text.length % 4) text += '=';
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  async function seal(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(value));
    return { iv, sandi: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, me.key, plain) };
  }

  async function unseal(record) {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv }, me.key, record.sandi);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  async function store(item, content) {
    Object.assign(item, await seal(content));
    await run('antrean', 'readwrite', (s) => s.put(item));
    if (channel) channel.postMessage('berubah');
  }

  async function mine() {
    const found = [];
    for (const item of await everything()) {
      if (item.pemilik !== me.tag) continue;
      try {
        found.push({ item, content: await unseal(item) });
      } catch (e) {
        continue; // not readable with this key: not this person's
      }
    }
    return found.sort((a, b) => a.item.dibuat.localeCompare(b.item.dibuat));
  }

  // --- the kept pages (Cache Storage, filled by the service worker) --------------------------------

  function worker(message) {
    if (!navigator.serviceWorker) return Promise.resolve(null);
    return navigator.serviceWorker.ready.then((registration) => new Promise((resolve) => {
      const reply = new MessageChannel();
      reply.port1.onmessage = (event) => resolve(event.data);
      registration.active.postMessage(message, [reply.port2]);
    }));
  }

  async function forgetPages() {
    localStorage.removeItem(OWNER_MARK);
    if (window.caches) await caches.delete(PAGE_CACHE);
  }

  function keepInbox() {
    const paths = Array.from(document.querySelectorAll('ul.tasks a.name'), (a) => new URL(a.href).pathname);
    worker({ type: 'simpan', paths: ['/', ...paths], prune: true }).then((answer) => {
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

  // --- the task form, offline --------------------------------------------------------------------

  function taskOf(form) {
    return decodeURIComponent(new URL(form.action).pathname.split('/').pop());
  }

  function entries(form) {
    return Array.from(new FormData(form)).filter(([k, v]) => !CONTROL.has(k) && typeof v === 'string');
  }

  function legendOf(group) {
    const legend = group && group.querySelector(':scope > legend');
    return legend ? legend.textContent.trim().replace(/\s*\*$/, '') : '';
  }

  function labelOf(field) {
    const choice = field.type === 'radio' || field.type === 'checkbox';
    const group = field.closest('fieldset');
    const own = choice ? legendOf(group) : (field.labels && field.labels[0] ? field.labels[0].textContent.trim() : field.name);
    const context = legendOf(choice ? group && group.parentElement.closest('fieldset') : group);
    return (context ? context + ' · ' : '') + own.replace(/\s*\*$/, '');
  }

  function readable(form) {
    const shown = [];
    for (const field of form.elements) {
      if (!field.name || CONTROL.has(field.name) || field.type === 'hidden' || field.type === 'submit') continue;
      if ((field.type === 'radio' || field.type === 'checkbox') && !field.checked) continue;
      let value = field.value;
      if (field.type === 'radio' || field.type === 'checkbox') value = field.labels[0] ? field.labels[0].textContent.trim() : value;
      else if (field.tagName === 'SELECT') value = field.selectedOptions[0] ? field.selectedOptions[0].textContent.trim() : '';
      if (value) shown.push([labelOf(field), value]);
    }
    return shown;
  }

  function fill(form, saved) {
    const values = new Map();
    for (const [k, v] of saved) values.set(k, [...(values.get(k) || []), v]);
    for (const [name, list] of values) {
      if (CONTROL.has(name) || name === '_revisi' || name.endsWith('-n')) continue;
      for (const field of form.querySelectorAll('[name="' + CSS.escape(name) + '"]')) {
        if (field.type === 'radio' || field.type === 'checkbox') field.checked = list.includes(field.value);
        else if (field.type !== 'hidden') field.value = list[0];
      }
    }
  }

  async function keepDraft(form) {
    const content = { isian: entries(form), disimpan: new Date().toISOString() };
    const record = { id: me.tag + ' ' + taskOf(form), pemilik: me.tag, ...(await seal(content)) };
    await run('draf', 'readwrite', (s) => s.put(record));
    notice(t('draf_disimpan'));
  }

  async function loadDraft(form) {
    const record = await run('draf', 'readonly', (s) => s.get(me.tag + ' ' + taskOf(form)));
    if (!record) return;
    const content = await unseal(record);
    fill(form, content.isian);
    notice(t('draf_dimuat', { waktu: when(content.disimpan) }));
  }

  async function queue(form) {
    const task = taskOf(form);
    const heading = document.querySelector('main h1');
    const item = {
      id: crypto.randomUUID(),
      pemilik: me.tag,
      pengguna: me.user,
      tugas: task,
      url: new URL(form.action).pathname,
      kunci: crypto.randomUUID(), // the idempotency key: made now, sent with every try
      status: 'menunggu',
      dibuat: new Date().toISOString(),
    };
    const name = heading ? heading.textContent.trim() : task;
    await store(item, { nama: name, isian: entries(form), tampil: readable(form) });
    await run('draf', 'readwrite', (s) => s.delete(me.tag + ' ' + task));
    sessionStorage.setItem('desa-pesan', t('tersimpan', { tugas: name }));
    location.assign('/');
  }

  // Rows offline, as the server does them: "Tambah baris" copies the last row empty, "Hapus" takes
  // a row out and moves the ones below it up (their names, ids and labels renumbered).

  function rowsOf(list) {
    const count = document.querySelector('input[name="' + CSS.escape(list + '-n') + '"]');
    const box = count && count.parentElement;
    if (!box) return null;
    const rows = Array.from(box.children).filter((c) => c.matches('fieldset.row, .form-row'));
    return { count, box, rows };
  }

  function renumber(row, list, from, to) {
    const old = new RegExp(list.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '-' + from + '(?=$|[-\\s])', 'g');
    for (const node of [row, ...row.querySelectorAll('*')]) {
      for (const name of ['name', 'id', 'for', 'aria-describedby', 'value']) {
        const value = node.getAttribute(name);
        if (value && (name !== 'value' || node.name === '_hapus')) node.setAttribute(name, value.replace(old, list + '-' + to));
      }
    }
    const legend = row.querySelector(':scope > legend');
    if (legend) legend.textContent = legend.textContent.replace(/\d+(?!.*\d)/, String(to + 1));
  }

  function addRow(list) {
    const found = rowsOf(list);
    if (!found || !found.rows.length) return false;
    const last = found.rows[found.rows.length - 1];
    const copy = last.cloneNode(true);
    renumber(copy, list, found.rows.length - 1, found.rows.length);
    for (const field of copy.querySelectorAll('input, select, textarea')) {
      if (field.type === 'radio' || field.type === 'checkbox') field.checked = false;
      else if (field.tagName === 'SELECT') field.selectedIndex = 0;
      else if (field.type !== 'hidden' && field.type !== 'submit') field.value = '';
      field.removeAttribute('aria-invalid');
    }
    for (const message of copy.querySelectorAll('.field-error')) message.remove();
    last.after(copy);
    found.count.value = String(found.rows.length + 1);
    const first = copy.querySelector('input:not([type=hidden]), select, textarea');
    if (first) first.focus();
    return true;
  }

  function removeRow(name) {
    const list = name.replace(/-\d+$/, '');
    const index = Number(name.slice(list.length + 1));
    const found = rowsOf(list);
    if (!found || !found.rows[index]) return false;
    found.rows[index].remove();
    for (let i = index + 1; i < found.rows.length; i += 1) renumber(found.rows[i], list, i, i - 1);
    found.count.value = String(found.rows.length - 1);
    return true;
  }

  function offlineSubmit(event) {
    if (navigator.onLine) return; // online, the form goes to the server as without this script
    event.preventDefault();
    const form = event.target;
    const button = event.submitter;
    const action = button && button.name ? button.name : '_kirim';
    if (action === '_tambah' || action === '_hapus') {
      const done = action === '_tambah' ? addRow(button.value) : removeRow(button.value);
      if (!done) notice(t('baris'), 'error');
    } else if (action === '_draf') {
      keepDraft(form);
    } else {
      queue(form);
    }
  }

  // --- sending -------------------------------------------------------------------------------------

  async function send(item, content) {
    const body = new URLSearchParams();
    for (const [k, v] of content.isian) body.append(k, v);
    body.set('csrf_token', csrf());
    body.set('_kunci', item.kunci);
    let response;
    try {
      response = await fetch(item.url + '/luring', {
        method: 'POST', body, credentials: 'same-origin', redirect: 'manual', headers: { Accept: 'application/json' },
      });
    } catch (e) {
      return false; // offline again
    }
    if (response.type === 'opaqueredirect' || response.status === 401) {
      signedOut = true; // the sign-in ended: the submission waits for this person to sign in again
      return false;
    }
    const json = (response.headers.get('Content-Type') || '').includes('application/json');
    const answer = json ? await response.json().catch(() => null) : null;
    if (!answer || !answer.hasil) {
      problem = t('gagal', { status: response.status });
      return false;
    }
    content.hasil = answer;
    content.dikirim = new Date().toISOString();
    item.status = answer.hasil === 'selesai' ? 'terkirim' : 'ditinjau';
    await store(item, content);
    if (item.status === 'terkirim' && window.caches) {
      const cache = await caches.open(PAGE_CACHE);
      await cache.delete(item.url);
      worker({ type: 'simpan', paths: ['/'] });
    }
    return true;
  }

  async function sendAll() {
    for (const { item } of await mine()) {
      const now = await one(item.id); // another tab may have sent it meanwhile
      if (!now || now.status !== 'menunggu') continue;
      if (!await send(now, await unseal(now))) break;
    }
  }

  let sending = false;
  async function sync() {
    if (!me || sending || !navigator.onLine) return;
    sending = true;
    problem = '';
    try {
      if (navigator.locks) await navigator.locks.request('desa-kirim-' + me.tag, sendAll);
      else await sendAll();
    } finally {
      sending = false;
      await render();
      root.dataset.luringTerkirim = String(Date.now());
    }
  }

  // --- what is on this device: the panel, and marks in Tugas Saya ----------------------------------

  function itemView(item, content) {
    const li = el('li', { class: 'luring-item', 'data-status': item.status });
    const title = el('a', { href: item.url }, content.nama);
    li.append(title, el('span', { class: 'meta' }, ' · ' + t('disimpan_pada', { waktu: when(item.dibuat) })));
    const answer = content.hasil || {};
    if (item.status === 'menunggu') {
      li.append(el('p', { class: 'badge luring-menunggu' }, t('menunggu')));
    } else if (item.status === 'terkirim') {
      const said = el('p', { class: 'flash' }, answer.pesan || '');
      if (answer.berikutnya) said.append(el('br'), answer.berikutnya);
      li.append(said);
      li.append(el('button', { type: 'button', class: 'secondary', 'data-tutup': item.id }, t('tutup')));
    } else {
      li.append(el('p', { class: 'error' }, answer.pesan || ''));
      const refused = (answer.isian || []).map((f) => f.label + ': ' + f.pesan).concat(answer.ringkasan || []);
      if (refused.length) {
        const list = el('ul');
        for (const line of refused) list.append(el('li', {}, line));
        li.append(el('p', {}, t('isian_ditolak')), list);
      }
      const kept = el('details', { open: '' });
      kept.append(el('summary', {}, t('isian_anda')));
      const facts = el('dl', { class: 'facts' });
      for (const [label, value] of content.tampil || []) facts.append(el('dt', {}, label), el('dd', {}, value));
      kept.append(facts);
      li.append(kept);
      const actions = el('p', { class: 'luring-actions' });
      actions.append(el('button', { type: 'button', 'data-isi-ulang': item.id }, t('isi_ulang')), ' ');
      actions.append(el('button', { type: 'button', class: 'secondary', 'data-hapus': item.id }, t('hapus')));
      li.append(actions);
    }
    return li;
  }

  async function render() {
    const list = await mine();
    markInbox(list);
    let panel = document.getElementById('luring-kiriman');
    if (!list.length && !signedOut && !problem) {
      if (panel) panel.remove();
      return;
    }
    if (!panel) {
      panel = el('section', { id: 'luring-kiriman', class: 'luring', 'aria-live': 'polite' });
      panel.addEventListener('click', onPanelClick);
      const status = document.getElementById('luring-status');
      if (status) status.after(panel);
      else main.prepend(panel);
    }
    panel.replaceChildren(el('h2', {}, t('judul')));
    if (signedOut) panel.append(el('p', { class: 'error' }, t('sesi_berakhir')));
    if (problem) panel.append(el('p', { class: 'error' }, problem));
    for (const [status, heading] of [['ditinjau', 'perlu_ditinjau'], ['menunggu', 'menunggu'], ['terkirim', 'terkirim']]) {
      const group = list.filter((x) => x.item.status === status);
      if (!group.length) continue;
      const items = el('ul', { class: 'luring-list luring-list-' + status });
      for (const { item, content } of group) items.append(itemView(item, content));
      panel.append(el('h3', {}, t(heading) + ' (' + group.length + ')'), items);
    }
  }

  function markInbox(list) {
    for (const link of document.querySelectorAll('ul.tasks a.name')) {
      const path = new URL(link.href).pathname;
      const found = list.find((x) => x.item.url === path);
      const old = link.parentElement.querySelector('.luring-mark');
      if (old) old.remove();
      if (found) {
        const label = t({ menunggu: 'menunggu', ditinjau: 'perlu_ditinjau', terkirim: 'terkirim' }[found.item.status]);
        link.after(' ', el('span', { class: 'badge luring-mark luring-' + found.item.status }, label));
      }
    }
  }

  async function onPanelClick(event) {
    const button = event.target.closest('button');
    if (!button) return;
    const id = button.dataset.tutup || button.dataset.hapus || button.dataset.isiUlang;
    if (button.dataset.isiUlang) {
      await reenter(id);
      return;
    }
    await drop(id);
    if (channel) channel.postMessage('berubah');
    await render();
  }

  async function reenter(id) {
    if (!navigator.onLine) {
      notice(t('perlu_koneksi'), 'error');
      return;
    }
    const item = await one(id);
    const content = await unseal(item);
    const form = el('form', { method: 'post', action: item.url, hidden: '' });
    const add = (name, value) => form.append(el('input', { type: 'hidden', name, value }));
    for (const [k, v] of content.isian) if (k !== '_revisi') add(k, v);
    add('csrf_token', csrf());
    add('_draf', '1');
    sessionStorage.setItem('desa-isi-ulang', id);
    document.body.append(form);
    form.submit(); // saved as the person's draft on the server, and the form comes back with it
  }

  async function reentered(form) {
    const id = sessionStorage.getItem('desa-isi-ulang');
    if (!id) return;
    sessionStorage.removeItem('desa-isi-ulang');
    const item = await one(id);
    if (!item || item.pemilik !== me.tag || item.tugas !== taskOf(form)) return;
    const answer = (await unseal(item)).hasil || {};
    const shown = notice(t('dimuat_ulang'), 'error');
    if (answer.pesan) shown.append(el('br'), answer.pesan);
    for (const refused of answer.isian || []) {
      const field = form.querySelector('[name="' + CSS.escape(refused.nama) + '"]') ||
        document.getElementById('f-' + refused.nama);
      if (!field) continue;
      field.setAttribute('aria-invalid', 'true');
      (field.closest('.form-row, fieldset') || field.parentElement).append(el('p', { class: 'field-error' }, refused.pesan));
    }
    await drop(id); // the input is the person's draft on the server now
    if (channel) channel.postMessage('berubah');
  }

  // --- signing out, and pages with no one signed in ----------------------------------------------

  function hookSignOut() {
    const form = document.querySelector('form[data-luring="keluar"]');
    if (!form) return;
    form.addEventListener('submit', async (event) => {
      if (form.dataset.siap) return;
      event.preventDefault();
      const unsent = (await mine()).filter((x) => x.item.status !== 'terkirim');
      if (unsent.length && !window.confirm(t('peringatan_keluar', { n: unsent.length }))) return;
      const ids = (await everything()).filter((i) => i.pemilik === me.tag).map((i) => i.id);
      for (const id of ids) await drop(id);
      const drafts = await run('draf', 'readonly', (s) => s.getAll());
      for (const d of drafts.filter((x) => x.pemilik === me.tag)) await run('draf', 'readwrite', (s) => s.delete(d.id));
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
    me = {
      key: await crypto.subtle.importKey('raw', bytes(meta.content), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']),
      tag: meta.dataset.tanda,
      user: meta.dataset.pengguna,
    };
    if (localStorage.getItem(OWNER_MARK) !== me.tag) {
      await forgetPages(); // someone else's pages, kept before this person signed in
      localStorage.setItem(OWNER_MARK, me.tag);
    }
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
    if (location.pathname === '/' && !location.search && navigator.onLine && !root.dataset.disimpan) keepInbox();
    window.addEventListener('online', () => { banner(); sync(); });
    window.addEventListener('offline', banner);
    if (channel) channel.addEventListener('message', () => render());
    await render();
    await sync();
  }

  if (navigator.serviceWorker) navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => null);
  (meta ? signedIn() : nobodySignedIn()).catch((error) => notice(t('galat') + ' ' + error, 'error'))
    .finally(() => { root.dataset.luring = 'siap'; });
}());
