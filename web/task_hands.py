"""Whose hands a task is in: *Ambil* (take it), *Lepaskan* (release it) and *Alihkan* (give it to
someone else), on the task page.

Ambil and Lepaskan are buttons of the task form itself (`formaction`), so what the person typed is
posted with them: when it differs from what the page was drawn with, it is kept as their draft and
comes back on the page. Alihkan lists the people who may take the task (its role, covering the
village); a refusal comes back on the task page in the error style, in the person's language.
"""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.runtime import actions as runtime
from engine.runtime import drafts
from engine.runtime.duties import Separated
from engine.views.task import TaskView

from . import formdata
from .auth import engine, login_required
from .tasks import (
    CONTROL,
    REVISION,
    _drawn,
    _forbidden,
    _load,
    _load_view,
    _not_found,
    _page,
    _separated,
    bp,
)


def _keep_typed(task_id: str, before: TaskView | None) -> None:
    """What the person typed into the form they took or released it from, kept as their draft
    when it differs from what the page was drawn with."""
    if before is None or REVISION not in request.form:
        return
    schema = before.schema or {}
    raw = formdata.form_raw((k, request.form.getlist(k)) for k in request.form if k not in CONTROL)
    typed = formdata.parse(schema, raw)
    if typed == formdata.parse(schema, _drawn(before)):
        return
    try:
        drafts.save(engine(), task_id, g.user, typed)
    except (NotFound, Conflict, Forbidden):
        flash(_("Isian Anda tidak dapat disimpan sebagai draf."))


def _claim(task_id: str, take: bool) -> ResponseReturnValue:
    before = _load_view(task_id)
    try:
        if take:
            runtime.claim(engine(), task_id, g.user)
            flash(_("Tugas ini sekarang Anda ambil."))
        else:
            _keep_typed(task_id, before)  # while it is still theirs to keep a draft of
            runtime.unclaim(engine(), task_id, g.user)
            flash(_("Tugas ini sudah Anda lepaskan."))
    except NotFound:
        return _not_found()
    except Separated as error:
        return _separated(error)
    except Forbidden:
        return _forbidden()
    except Conflict as error:
        flash(_("Tidak dapat diubah: %(reason)s", reason=str(error)))
        return redirect(url_for("tasks.show", task_id=task_id))
    if take:
        _keep_typed(task_id, before)
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tugas/<task_id>/ambil")
@login_required
def claim(task_id: str) -> ResponseReturnValue:
    return _claim(task_id, take=True)


@bp.post("/tugas/<task_id>/lepas")
@login_required
def release(task_id: str) -> ResponseReturnValue:
    return _claim(task_id, take=False)


def _refusal(error: InvalidInput | Conflict, to_user: str, view: TaskView) -> str:
    """Why the task cannot go to `to_user`, in the person's language."""
    cause = error.__cause__
    if isinstance(cause, Separated):
        return str(
            _(
                "%(who)s tidak dapat diberi tugas ini: tugas ini harus dikerjakan orang lain "
                "daripada yang mengerjakan '%(earlier)s', dan %(who)s yang mengerjakannya.",
                who=to_user,
                earlier=cause.earlier,
            )
        )
    if isinstance(error, Conflict):
        return str(_("Tugas ini tidak dapat dialihkan sekarang: proses desa ini sedang ditahan."))
    return str(
        _(
            "%(who)s tidak memegang peran %(role)s untuk %(village)s.",
            who=to_user,
            role=view.role,
            village=view.village_name,
        )
    )


@bp.post("/tugas/<task_id>/alihkan")
@login_required
def reassign(task_id: str) -> ResponseReturnValue:
    """Alihkan: a fasilitator pusat or an admin gives the task to someone else."""
    to_user = request.form.get("kepada", "").strip()
    view = _load(task_id)
    if not isinstance(view, TaskView):
        return view
    problem = "" if to_user else str(_("Pilih orang yang akan menerima tugas ini."))
    if not problem:
        try:
            runtime.reassign(engine(), task_id, g.user, to_user)
            flash(_("Tugas dialihkan kepada %(who)s.", who=to_user))
            return redirect(url_for("tasks.show", task_id=task_id))
        except NotFound:  # the task was found a moment ago: the person named is not
            problem = str(_("Tidak ada pengguna aktif bernama %(who)s.", who=to_user))
        except Forbidden:
            return _forbidden(view)
        except (InvalidInput, Conflict) as error:
            problem = _refusal(error, to_user, view)
    fresh = _load_view(task_id) or view
    return _page(fresh, _drawn(fresh), None, status=422, reassign_error=problem)
