"""One task: what it asks, what came before, and its form, drawn from the task's JSON Schema.

GET shows the form pre-filled with the task's data (and the schema's defaults). POST is either a
row button ("Tambah baris", "Hapus": the form comes back with the input kept and one row more or
less) or the final submit, which completes the task with the revision the page was drawn from and the
page's idempotency key (`_kunci`, new on every page drawn): the same form sent twice (a double tap,
a resend after a dropped connection) completes the task once and answers the same. Everything
works without JavaScript; `web.offline_sync` answers the same submit as JSON for the offline layer.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, ScriptError
from engine.runtime import actions as runtime
from engine.runtime import drafts, idempotency
from engine.runtime.actions import StepResult
from engine.runtime.duties import Separated
from engine.runtime.idempotency import KeyReused
from engine.views import task as taskview
from engine.views.task import TaskView

from . import formdata, formrender, taskwords
from .auth import engine, login_required

bp = Blueprint("tasks", __name__)

ADD = "_tambah"  # value: the list that gets a row (`peserta`)
REMOVE = "_hapus"  # value: the row that goes (`peserta-3`)
SUBMIT = "_kirim"
DRAFT = "_draf"
REVISION = "_revisi"
KEY = "_kunci"  # the idempotency key of this submit
CONTROL = {ADD, REMOVE, SUBMIT, DRAFT, REVISION, KEY, "csrf_token"}
_COMPLETED = re.compile(r"already completed by (?P<who>.+?) at (?P<when>.+?); nothing was changed")


def lang() -> str:
    locale = get_locale()
    return str(locale.language) if locale is not None else "id"


def yes_no() -> tuple[str, str]:
    return _("Ya"), _("Tidak")


def _not_found() -> ResponseReturnValue:
    return (
        render_template(
            "tasks/message.html",
            title=_("Tugas tidak ditemukan"),
            message=_("Tugas ini tidak ada, atau tidak dapat Anda buka."),
        ),
        404,
    )


def _forbidden(view: TaskView | None = None) -> ResponseReturnValue:
    message = (
        _("Tugas ini untuk %(lane)s di %(village)s.", lane=view.role, village=view.village_name)
        if view is not None
        else _("Anda tidak berhak mengerjakan tugas ini.")
    )
    return render_template("tasks/message.html", title=_("Bukan tugas Anda"), message=message), 403


def completed_message(error: Conflict) -> str:
    """Who completed the task and when, in the person's language."""
    found = _COMPLETED.search(str(error))
    if found:
        return str(
            _(
                "Tugas ini sudah diselesaikan oleh %(who)s pada %(when)s; tidak ada yang diubah.",
                who=found["who"],
                when=found["when"],
            )
        )
    return str(_("Tugas ini sudah selesai; tidak ada yang diubah.") + " " + str(error))


def _separated(error: Separated) -> ResponseReturnValue:
    """The person did an earlier task this one must be kept apart from (separate_from)."""
    message = error.message_en if lang() == "en" else error.message
    return render_template("tasks/message.html", title=_("Bukan tugas Anda"), message=message), 403


def _completed(error: Conflict) -> ResponseReturnValue:
    """The task was completed already (perhaps by this person, before a dropped connection)."""
    message = completed_message(error)
    return render_template("tasks/message.html", title=_("Tugas sudah selesai"), message=message), 409


def _load(task_id: str) -> TaskView | ResponseReturnValue:
    try:
        return taskview.task_view(engine(), task_id, g.user)
    except NotFound:
        return _not_found()
    except Conflict as error:
        return _completed(error)


def messages(errors: list[FieldError]) -> list[tuple[str, str]]:
    english = lang() == "en"
    paths = formdata.error_paths((e.path, e.code, e.params) for e in errors)
    return [
        (path, e.message_en if english and e.message_en else e.message)
        for path, e in zip(paths, errors, strict=True)
    ]


def _page(
    view: TaskView,
    raw: formdata.Raw,
    revision: int | None,
    errors: list[FieldError] | None = None,
    notice: str = "",
    status: int = 200,
    success: str = "",
    reassign_error: str = "",
) -> ResponseReturnValue:
    """The task page: `notice` is a refusal (in the error style), `success` what went well."""
    language = lang()
    schema = view.schema or {}
    form = formrender.build(schema, raw, language, messages(errors or []), yes_no())
    return (
        render_template(
            "tasks/show.html",
            view=view,
            form=form,
            form_title=formrender.label(schema, language),
            form_help=formrender.help_text(schema, language),
            shown=_shown(view, language),
            revision=view.revision if revision is None else revision,
            once_key=secrets.token_urlsafe(18),
            notice=notice,
            success=success,
            may_claim=view.may_act and not view.claimed_by,
            may_release=bool(view.claimed_by) and (view.claimed_by == g.user or view.may_act),
            may_reassign=view.may_reassign,
            candidates=_candidates(view),
            reassign_error=reassign_error,
        ),
        status,
    )


def _shown(view: TaskView, language: str) -> list[tuple[str, str, formrender.Display]]:
    """The earlier data the task shows, named as the program's forms and names call it."""
    if not (view.schema or {}).get("x-desa-show"):
        return []
    return taskwords.shown(view, taskview.version_forms(engine(), view.instance), language, yes_no())


def _candidates(view: TaskView) -> list[str]:
    if not view.may_reassign:
        return []
    return [
        u for u in taskview.reassign_candidates(engine(), view.village, view.role) if u != view.claimed_by
    ]


def _drawn(view: TaskView) -> formdata.Raw:
    """The form as the page draws it: the person's saved draft, else the task's data."""
    schema = view.schema or {}
    draft = drafts.load(engine(), view.id, g.user)
    return formdata.to_raw(schema, formdata.initial(schema, draft if draft is not None else view.data))


@bp.get("/tugas/<task_id>")
@login_required
def show(task_id: str) -> ResponseReturnValue:
    view = _load(task_id)
    if not isinstance(view, TaskView):
        return view
    draft = drafts.load(engine(), task_id, g.user) is not None
    success = _("Draf Anda yang tersimpan dimuat; kirim bila sudah lengkap.") if draft else ""
    return _page(view, _drawn(view), view.revision, success=success)


def _load_view(task_id: str) -> TaskView | None:
    view = _load(task_id)
    return view if isinstance(view, TaskView) else None


def posted_revision() -> int | None:
    try:
        return int(request.form.get(REVISION, ""))
    except ValueError:
        return None


@bp.post("/tugas/<task_id>")
@login_required
def submit(task_id: str) -> ResponseReturnValue:
    raw = formdata.form_raw((k, request.form.getlist(k)) for k in request.form if k not in CONTROL)
    revision = posted_revision()
    final = not {ADD, REMOVE, DRAFT} & set(request.form)
    key = posted_key(task_id, raw, revision) if final else None
    try:  # sent before under this key (the answer was lost, or a double tap): that answer again
        answered = runtime.replay(engine(), g.user, key) if key is not None else None
    except KeyReused:
        message = key_reused_message()
        return render_template("tasks/message.html", title=_("Kiriman ditolak"), message=message), 422
    if answered is not None:
        return _done(*answered)
    view = _load(task_id)
    if not isinstance(view, TaskView):
        return view
    schema = view.schema or {}
    if ADD in request.form:
        return _page(view, formdata.add_row(schema, raw, request.form[ADD]), revision)
    if REMOVE in request.form:
        return _page(view, formdata.remove_row(schema, raw, request.form[REMOVE]), revision)
    data: dict[str, Any] = formdata.parse(schema, raw)
    if DRAFT in request.form:  # kept as typed, not checked: a draft may be incomplete
        try:
            drafts.save(engine(), task_id, g.user, data)
        except (NotFound, Conflict):
            return _not_found()
        except Forbidden:
            return _forbidden(view)
        return _page(_load_view(task_id) or view, raw, None, success=_("Draf disimpan."))
    try:
        result = runtime.complete(engine(), task_id, g.user, data, expected_revision=revision, key=key)
    except KeyReused:
        return _page(view, raw, revision, notice=key_reused_message(), status=422)
    except InvalidInput as error:
        notice = "" if error.fields else _("Isian tidak dapat diterima.") + " " + str(error)
        return _page(view, raw, revision, error.fields, notice, 422)
    except ScriptError as error:  # the process's own code failed or was stopped: nothing was saved
        notice = _("Langkah sesudah tugas ini gagal dijalankan; tidak ada yang disimpan.") + " " + str(error)
        return _page(view, raw, revision, notice=notice, status=422)
    except NotFound:
        return _not_found()
    except Separated as error:
        return _separated(error)
    except Forbidden:
        return _forbidden(view)
    except Conflict as error:
        return _conflict(task_id, raw, revision, error)
    return _done(result, view.name)


def _done(result: StepResult, name: str) -> ResponseReturnValue:
    flash(_("Tugas selesai: %(name)s", name=name))
    if result.open_tasks:
        following = "; ".join(f"{t.name} ({t.lane})" for t in result.open_tasks)
        flash(_("Berikutnya: %(next)s", next=following))
    return redirect(url_for("inbox.index"))


def posted_key(task_id: str, raw: formdata.Raw, revision: int | None) -> idempotency.Key | None:
    """The form's idempotency key, with what it came with; None without one (or with one that is
    malformed: the form is then sent as forms were before keys)."""
    value = request.form.get(KEY, "")
    try:
        return idempotency.key_for(value, task_id, {"form": raw, "revision": revision}) if value else None
    except InvalidInput:
        return None


def key_reused_message() -> str:
    return str(
        _(
            "Kiriman ini memakai kunci yang sudah dipakai untuk isian lain; tidak ada yang disimpan. "
            "Periksa isian Anda, lalu kirim lagi."
        )
    )


def _conflict(task_id: str, raw: formdata.Raw, revision: int | None, error: Conflict) -> ResponseReturnValue:
    """Completed meanwhile: say by whom. Changed meanwhile, taken or held: the form again, with
    the input kept, the reason, and the new revision (so a second submit is a deliberate one)."""
    fresh = _load(task_id)
    if not isinstance(fresh, TaskView):
        return fresh
    if revision is not None and fresh.revision != revision:
        notice = _(
            "Tugas ini diubah orang lain sejak Anda membukanya; tidak ada yang disimpan. "
            "Periksa isian Anda, lalu kirim lagi."
        )
    else:
        notice = _("Tugas ini tidak dapat diselesaikan sekarang: %(reason)s", reason=str(error))
    return _page(fresh, raw, fresh.revision, notice=notice, status=409)


# Taking, releasing and reassigning a task (they draw this page again): web/task_hands.py.
from . import task_hands  # noqa: E402, F401  (registers its routes on `bp`)
