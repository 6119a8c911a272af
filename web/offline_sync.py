"""The task form's submit as the offline layer sends it: the same fields, answered in JSON.

A phone that kept a submission while offline sends it here when the connection returns, with the
idempotency key made when the person pressed Selesai (`_kunci`) and the revision of the page they
filled (`_revisi`), in the session of the person who filled it (the session cookie and CSRF token
as for any form). The answer says what became of it, in the person's language:

- 200 `{"hasil": "selesai", "pesan": ..., "berikutnya": ...}`: completed (or completed already
  under this key: the same answer again);
- 422 `{"hasil": "ditolak", "pesan": ..., "isian": [{"nama", "label", "pesan"}], "ringkasan": [...]}`:
  the server refused fields (the browser checks only what HTML can);
- 409 `{"hasil": "konflik", "pesan": ...}`: completed by someone else, changed since, taken, held;
- 404 `{"hasil": "hilang", ...}`, 403 `{"hasil": "bukan", ...}`: no longer there, or no longer theirs.

A session that has ended is redirected to sign-in as every page is (`login_required`): the phone
keeps the submission and waits.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.runtime import actions as runtime
from engine.runtime.actions import StepResult
from engine.runtime.idempotency import KeyReused
from engine.views import task as taskview

from . import formdata, formrender, tasks
from .auth import engine, login_required

bp = Blueprint("offline_sync", __name__)


def _answer(status: int, outcome: str, message: str, **more: Any) -> ResponseReturnValue:
    response = jsonify({"hasil": outcome, "pesan": message, **more})
    response.headers["Cache-Control"] = "no-store"
    return response, status


def _gone() -> ResponseReturnValue:
    return _answer(404, "hilang", _("Tugas ini tidak ada lagi, atau tidak dapat Anda buka lagi."))


def _refused(schema: dict[str, Any], raw: formdata.Raw, error: InvalidInput) -> ResponseReturnValue:
    lang = tasks.lang()
    form = formrender.build(schema, raw, lang, tasks.messages(error.fields), tasks.yes_no())
    fields = [{"nama": f.name, "label": f.label, "pesan": " ".join(f.errors)} for f in form.with_errors()]
    message = _("Ada isian yang perlu diperbaiki; tidak ada yang disimpan.")
    if not error.fields:
        message = _("Isian tidak dapat diterima.") + " " + str(error)
    return _answer(422, "ditolak", message, isian=fields, ringkasan=form.summary)


@bp.post("/tugas/<task_id>/luring")
@login_required
def submit(task_id: str) -> ResponseReturnValue:
    raw = formdata.form_raw((k, request.form.getlist(k)) for k in request.form if k not in tasks.CONTROL)
    revision = tasks.posted_revision()
    key = tasks.posted_key(task_id, raw, revision)
    try:  # sent before under this key (the answer was lost, another tab sent it): that answer again
        answered = runtime.replay(engine(), g.user, key) if key is not None else None
    except KeyReused:
        return _answer(409, "konflik", tasks.key_reused_message())
    if answered is not None:
        return _completed(*answered)
    try:
        view = taskview.task_view(engine(), task_id, g.user)
    except NotFound:
        return _gone()
    except Conflict as error:
        return _answer(409, "konflik", tasks.completed_message(error))
    schema = view.schema or {}
    data = formdata.parse(schema, raw)
    try:
        result = runtime.complete(engine(), task_id, g.user, data, expected_revision=revision, key=key)
    except KeyReused:
        return _answer(409, "konflik", tasks.key_reused_message())
    except InvalidInput as error:
        return _refused(schema, raw, error)
    except NotFound:
        return _gone()
    except Forbidden:
        return _answer(403, "bukan", _("Tugas ini bukan tugas Anda lagi: %(lane)s.", lane=view.role))
    except Conflict as error:
        return _answer(409, "konflik", _conflict_message(task_id, revision, error))
    return _completed(result, view.name)


def _completed(result: StepResult, name: str) -> ResponseReturnValue:
    following = "; ".join(f"{t.name} ({t.lane})" for t in result.open_tasks)
    return _answer(
        200,
        "selesai",
        _("Tugas selesai: %(name)s", name=name),
        berikutnya=_("Berikutnya: %(next)s", next=following) if following else "",
    )


def _conflict_message(task_id: str, revision: int | None, error: Conflict) -> str:
    try:
        fresh = taskview.task_view(engine(), task_id, g.user)
    except NotFound:
        return str(_("Tugas ini tidak ada lagi, atau tidak dapat Anda buka lagi."))
    except Conflict as done:
        return tasks.completed_message(done)
    if "is suspended" in str(error):  # an admin holds the instance
        return str(
            _(
                "Proses tugas ini sedang ditahan oleh admin; tidak ada yang disimpan. Isi ulang setelah "
                "prosesnya dilanjutkan."
            )
        )
    if fresh.claimed_by and fresh.claimed_by != g.user:  # taken, or given to someone else meanwhile
        return str(
            _(
                "Tugas ini sekarang dikerjakan oleh %(who)s; isian Anda tidak disimpan di sana.",
                who=fresh.claimed_by,
            )
        )
    if revision is not None and fresh.revision != revision:
        return str(
            _(
                "Tugas ini diubah orang lain sejak Anda membukanya; tidak ada yang disimpan. "
                "Periksa isian Anda, lalu kirim lagi."
            )
        )
    return str(_("Tugas ini tidak dapat diselesaikan sekarang: %(reason)s", reason=str(error)))
