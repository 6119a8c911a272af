/* The task form offline: drafts and submissions kept on the device, rows added and removed (part of the offline layer: see offline.js). */
import { CONTROL, notice, t, when } from './dasar.js';
import { run, seal, store, unseal, who } from './simpanan.js';

// --- the task form, offline --------------------------------------------------------------------

export function taskOf(form) {
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

export function fill(form, saved) {
  const values = new Map();
  for (const [k, v] of saved) values.set(k, [...(values.get(k) || []), v]);
  for (const [name, list] of values) { // first as many rows as were kept (outer lists first)
    if (!name.endsWith('-n')) continue;
    const found = rowsOf(name.slice(0, -2));
    for (let n = found ? found.rows.length : 0; found && n < Number(list[0]); n += 1) {
      if (!addRow(name.slice(0, -2), false)) break;
    }
  }
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
  const record = { id: who.tag + ' ' + taskOf(form), pemilik: who.tag, ...(await seal(content)) };
  await run('draf', 'readwrite', (s) => s.put(record));
  notice(t('draf_disimpan'));
}

export async function loadDraft(form) {
  const record = await run('draf', 'readonly', (s) => s.get(who.tag + ' ' + taskOf(form)));
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
    pemilik: who.tag,
    pengguna: who.user,
    tugas: task,
    url: new URL(form.action).pathname,
    kunci: crypto.randomUUID(), // the idempotency key: made now, sent with every try
    status: 'menunggu',
    dibuat: new Date().toISOString(),
  };
  const name = heading ? heading.textContent.trim() : task;
  await store(item, { nama: name, isian: entries(form), tampil: readable(form) });
  await run('draf', 'readwrite', (s) => s.delete(who.tag + ' ' + task));
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

function addRow(list, focus = true) {
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
  if (first && focus) first.focus();
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

export function offlineSubmit(event) {
  if (navigator.onLine) return; // online, the form goes to the server as without this script
  event.preventDefault();
  const form = event.target;
  const button = event.submitter;
  if (button && button.hasAttribute('formaction') && new URL(button.formAction).pathname !== new URL(form.action).pathname) {
    notice(t('perlu_koneksi_aksi'), 'error'); // Ambil, Lepaskan: buttons of this form that go elsewhere
    return;
  }
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
