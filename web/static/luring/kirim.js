/* Sending what waits, once, and showing what became of it: the panel and the marks in Tugas Saya (part of the offline layer: see offline.js). */
import { channel, el, main, notice, root, t, when, csrf, PAGE_CACHE } from './dasar.js';
import { drop, mine, one, store, unseal, who, worker } from './simpanan.js';
import { taskOf } from './formulir.js';

let signedOut = false;
let problem = '';

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
export async function sync() {
  if (!who.key || sending || !navigator.onLine) return;
  sending = true;
  problem = '';
  try {
    if (navigator.locks) await navigator.locks.request('desa-kirim-' + who.tag, sendAll);
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

export async function render() {
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

export async function reentered(form) {
  const id = sessionStorage.getItem('desa-isi-ulang');
  if (!id) return;
  sessionStorage.removeItem('desa-isi-ulang');
  const item = await one(id);
  if (!item || item.pemilik !== who.tag || item.tugas !== taskOf(form)) return;
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
