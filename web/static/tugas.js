/* The task page, a little better with a script (everything works without it):
 * - after "Tambah baris" or "Hapus" the page comes back at the row (the address's #fragment);
 *   the first box of that row gets the focus, so typing goes on there;
 * - a link of the error summary puts the focus in the field it names. */
function focusIn(target) {
  if (!target) return;
  const box = target.matches('input, select, textarea') ? target
    : target.querySelector('input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])');
  if (box) box.focus({ preventScroll: false });
}

function fromHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (id && id.startsWith('f-')) focusIn(document.getElementById(id));
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('.error a[href^="#f-"]');
  if (!link) return;
  event.preventDefault();
  const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!target) return;
  target.scrollIntoView({ block: 'center' });
  focusIn(target);
});

// After the browser has scrolled to the fragment (it does so once the page has loaded).
if (document.readyState === 'complete') fromHash();
else window.addEventListener('load', () => requestAnimationFrame(fromHash));
