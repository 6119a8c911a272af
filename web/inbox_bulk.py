"""Tugas Saya with several tasks at once: take the ticked tasks, or give them to someone who may
take them, each in its own engine call, with a summary of what was done and what was refused
and why; and the filters a person keeps under names of their own."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.runtime import actions as runtime
from engine.runtime.duties import Separated
from engine.views import saved_filters

from .auth import engine, login_required
from .inbox import bp

MOST_AT_ONCE = 100
FILTER_KEYS = ("desa", "tahap", "peran", "status")


def _refusal(error: Exception, give: bool) -> str:
    """Why one task was refused, in the person's language."""
    if isinstance(error, InvalidInput):
        return str(_("penerima tidak memegang peran tugas itu di desanya"))
    if isinstance(error, NotFound):
        if give:
            return str(_("tugas sudah selesai atau penerima tidak dikenal"))
        return str(_("sudah selesai atau tidak ditemukan"))
    if isinstance(error, Separated):
        return str(_("harus dikerjakan orang lain (pemisahan tugas)"))
    if isinstance(error, Forbidden):
        return str(_("di luar wewenang"))
    return str(_("sudah diambil atau berubah"))


def _back() -> ResponseReturnValue:
    query = request.form.get("kembali", "")
    return redirect(url_for("inbox.index") + ("?" + query if query else ""))


@bp.post("/tugas/massal")
@login_required
def bulk() -> ResponseReturnValue:
    ids = request.form.getlist("tugas")[:MOST_AT_ONCE]
    to_user = request.form.get("kepada", "").strip()
    give = request.form.get("aksi") == "alihkan"
    if not ids:
        flash(_("Pilih dulu tugas yang akan diproses."))
        return _back()
    if give and not to_user:
        flash(_("Isi nama pengguna yang akan menerima tugas."))
        return _back()
    done, refused = 0, []
    for task_id in ids:
        try:
            if give:
                runtime.reassign(engine(), task_id, g.user, to_user)
            else:
                runtime.claim(engine(), task_id, g.user)
            done += 1
        except (NotFound, Separated, Forbidden, Conflict, InvalidInput) as error:
            refused.append(_refusal(error, give))
    if give:
        flash(_("%(n)s tugas dialihkan ke %(who)s.", n=done, who=to_user))
    else:
        flash(_("%(n)s tugas Anda ambil.", n=done))
    for reason in sorted(set(refused)):
        flash(_("%(n)s tugas ditolak: %(reason)s.", n=refused.count(reason), reason=reason))
    return _back()


@bp.post("/tugas/saringan")
@login_required
def save_filter() -> ResponseReturnValue:
    name = request.form.get("nama", "").strip()[:100]
    query = urlencode([(k, request.form[k]) for k in FILTER_KEYS if request.form.get(k)])
    if not name:
        flash(_("Beri nama saringan ini."))
    elif saved_filters.save(engine(), g.user, name, query):
        flash(_('Saringan "%(name)s" disimpan.', name=name))
    else:
        flash(_("Saringan terlalu banyak: hapus salah satu dulu."))
    return redirect(url_for("inbox.index") + ("?" + query if query else ""))


@bp.post("/tugas/saringan/hapus")
@login_required
def remove_filter() -> ResponseReturnValue:
    filter_id = request.form.get("id", "")
    if filter_id.isdigit():
        saved_filters.remove(engine(), g.user, int(filter_id))
        flash(_("Saringan dihapus."))
    return redirect(url_for("inbox.index"))
