"""The auditor's pages: villages with their verification badge, a village's history as a timeline,
one step of it rebuilt by replay, verification on demand, and downloads of the history.

Auditors (a read-only role) and admins only; every page reads, and the only thing an auditor
sends is a request to verify, which records its result and changes nothing else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from engine.errors import Forbidden, InvalidInput, NotFound
from engine.history import verify
from engine.history.export import stream as export
from engine.views import audit as audit_view
from engine.views import diagram

from . import program_english
from .auth import engine, login_required, principal
from .village import _event_names, _step_names, program_processes

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.app_context_processor
def auditor_menu() -> dict[str, Any]:
    """Whether the header shows "Audit": for auditors and admins."""
    who = principal()
    return {"is_auditor": bool(who is not None and who.is_auditor)}


def _refused(err: Forbidden) -> ResponseReturnValue:
    return render_template("audit/refused.html", message=str(err)), 403


def _names() -> dict[str, Any]:
    return {
        "event_names": _event_names(),
        "step_names": _step_names(),
        "program_processes": program_processes(),
    }


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    query = request.args.get("q", "").strip()
    try:
        rows = audit_view.villages(engine(), g.user, query)
    except Forbidden as err:
        return _refused(err)
    return render_template("audit/index.html", rows=rows, q=query, formats=export.FORMATS)


@bp.get("/desa/<code>")
@login_required
def village(code: str) -> ResponseReturnValue:
    try:
        history = audit_view.village_history(engine(), g.user, code)
    except Forbidden as err:
        return _refused(err)
    except NotFound:
        abort(404)
    return render_template("audit/village.html", h=history, formats=export.FORMATS, **_names())


@bp.post("/desa/<code>/verifikasi")
@login_required
def verify_village(code: str) -> ResponseReturnValue:
    try:
        audit_view.village_history(engine(), g.user, code)  # the auditor may read it
    except Forbidden as err:
        return _refused(err)
    except NotFound:
        abort(404)
    checks = verify.verify(engine(), code, checked_by=g.user)
    failed = [c for c in checks if not c.ok]
    if failed:
        flash(_("Verifikasi GAGAL: %(n)s riwayat tidak utuh.", n=len(failed)))
    else:
        flash(
            _("Verifikasi berhasil: riwayat lengkap dan tidak diubah; replay sama dengan keadaan tersimpan.")
        )
    return redirect(url_for("audit.village", code=code))


@bp.get("/desa/<code>/<int:instance_id>/<int:seq>")
@login_required
def step(code: str, instance_id: int, seq: int) -> ResponseReturnValue:
    try:
        view = audit_view.step_view(engine(), g.user, code, instance_id, seq)
    except Forbidden as err:
        return _refused(err)
    except NotFound:
        abort(404)
    legend = {"completed": _("Selesai"), "active": _("Sedang berjalan"), "plain": _("Belum")}
    # The SVG is built with lxml from the stored BPMN: every name in it is escaped.
    svgs = [
        (
            process,
            Markup(
                program_english.diagram(
                    diagram.render(view.sources, process, view.completed, view.active, legend_labels=legend)
                )
            ),
        )
        for process in view.drawn
    ]
    return render_template("audit/step.html", v=view, svgs=svgs, **_names())


@bp.get("/desa/<code>/<int:instance_id>/tanggal")
@login_required
def jump(code: str, instance_id: int) -> ResponseReturnValue:
    try:
        day = date.fromisoformat(request.args.get("tanggal", ""))
    except ValueError:
        flash(_("Tanggal tidak dikenali; tulis seperti 2027-03-01."))
        return redirect(url_for("audit.village", code=code))
    try:
        seq = audit_view.seq_at(engine(), g.user, code, instance_id, day)
    except Forbidden as err:
        return _refused(err)
    except NotFound:
        abort(404)
    return redirect(url_for("audit.step", code=code, instance_id=instance_id, seq=seq))


@bp.get("/ekspor")
@login_required
def download() -> ResponseReturnValue:
    fmt = request.args.get("format", "csv")
    code = request.args.get("desa") or None
    try:
        allowed = audit_view.audited_codes(engine(), g.user)
        chunks = export.chunks(engine(), fmt, village=code, villages=allowed)
    except Forbidden as err:
        return _refused(err)
    except NotFound:
        abort(404)
    except InvalidInput as err:
        return Response(str(err), status=400, mimetype="text/plain")
    name = f"riwayat-{code or 'semua-desa'}.{fmt}"
    return Response(
        chunks,
        mimetype=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
