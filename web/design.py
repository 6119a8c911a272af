"""The program designer's pages: every program with the validation of its files on disk and its
processes and their versions, a version's diagrams with where the running villages are, and two
versions compared.

Admins and holders of a designer role only. With `desa serve --reload-processes` the validation
shown is the reloader's last look, so a designer sees their mistake here instead of a crash.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from engine.definitions.reload import program_folders
from engine.errors import Forbidden, NotFound
from engine.views import design as design_view
from engine.views import diagram

from .auth import engine, login_required, principal
from .village import label

bp = Blueprint("design", __name__, url_prefix="/perancangan")


@bp.app_context_processor
def designer_menu() -> dict[str, Any]:
    """Whether the header shows "Perancangan": for program designers and admins."""
    who = principal()
    return {"is_designer": bool(who is not None and who.is_designer)}


def _refused(err: Forbidden) -> ResponseReturnValue:
    return render_template("design/refused.html", message=str(err)), 403


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    reloader = current_app.extensions.get("desa_reload")
    folders = reloader.folders if reloader is not None else program_folders()
    try:
        found = design_view.by_program(engine(), g.user, folders, getattr(reloader, "states", None))
    except Forbidden as err:
        return _refused(err)
    return render_template("design/index.html", programs=found, reloading=reloader is not None, label=label)


@bp.get("/<process_id>/<int:version>")
@login_required
def version(process_id: str, version: int) -> ResponseReturnValue:
    try:
        view = design_view.version_view(engine(), g.user, process_id, version)
    except Forbidden as err:
        return _refused(err)
    except NotFound:
        abort(404)
    legend = {"completed": _("Selesai"), "active": _("Ada desa di sini"), "plain": _("Tidak ada desa")}
    svgs = [
        (p, Markup(diagram.render(view.sources, p, set(), set(view.at_elements), legend_labels=legend)))
        for p in view.drawn
    ]
    return render_template("design/version.html", v=view, svgs=svgs)


@bp.get("/<process_id>/beda/<int:v1>/<int:v2>")
@login_required
def diff(process_id: str, v1: int, v2: int) -> ResponseReturnValue:
    try:
        view = design_view.diff_view(engine(), g.user, process_id, v1, v2)
    except Forbidden as err:
        return _refused(err)
    except NotFound:
        abort(404)
    changed = {c.bpmn_id for c in view.changes if c.change == "changed"}
    removed = {c.bpmn_id for c in view.changes if c.change == "removed"}
    added = {c.bpmn_id for c in view.changes if c.change == "added"}
    before = {"completed": _("Diubah"), "active": _("Dihapus"), "plain": _("Sama")}
    after = {"completed": _("Diubah"), "active": _("Ditambah"), "plain": _("Sama")}
    pairs = []
    for process in view.drawn:
        old = new = Markup("")
        if process in diagram.read_model(view.old_sources).files:
            old = Markup(diagram.render(view.old_sources, process, changed, removed, legend_labels=before))
        if process in diagram.read_model(view.new_sources).files:
            new = Markup(diagram.render(view.new_sources, process, changed, added, legend_labels=after))
        pairs.append((process, old, new))
    return render_template("design/diff.html", v=view, pairs=pairs)
