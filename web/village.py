"""The village page: where a village is in its program, what happened, and the sections its
program's description asks for (a table, before/after scores, single fields)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from engine.definitions import programs
from engine.definitions.programs import text
from engine.errors import NotFound
from engine.views import village as views

from . import program_english
from .auth import engine, login_required
from .i18n import select_locale

bp = Blueprint("village", __name__)
BAR = 60  # px per score point in the chart


def label(value: Any) -> str:
    """A program's text ({id, en}) or a plain value, in the reader's language."""
    return text(value, select_locale())


def _step_names() -> dict[str, str]:
    """Every installed program's steps (process id -> label), in the reader's language."""
    return {s.process: label(s.label) for p in programs.installed() for s in p.steps}


def program_processes() -> set[str]:
    """The processes villages run as a program (drawn as "the whole program")."""
    return {p.process for p in programs.installed()}


def _event_names() -> dict[str, str]:
    return {
        "INSTANCE_STARTED": _("Program dimulai"),
        "TASK_COMPLETED": _("Tugas selesai"),
        "TASK_CLAIMED": _("Tugas diambil"),
        "TASK_UNCLAIMED": _("Tugas dilepaskan"),
        "TASK_REASSIGNED": _("Tugas dialihkan"),
        "DRAFT_SAVED": _("Draf disimpan"),
        "DATA_CORRECTED": _("Data dikoreksi"),
        "DEFINITION_MIGRATED": _("Pindah ke versi proses baru"),
        "TIMER_FIRED": _("Waktu tiba"),
        "MESSAGE_RECEIVED": _("Pesan diterima"),
        "INSTANCE_SUSPENDED": _("Dihentikan sementara"),
        "INSTANCE_RESUMED": _("Dilanjutkan"),
        "INSTANCE_CANCELLED": _("Dibatalkan"),
        "INSTANCE_FAILED": _("Gagal"),
    }


@bp.get("/desa/<code>")
@login_required
def show(code: str) -> ResponseReturnValue:
    try:
        view = views.village_view(engine(), code, g.user)
    except NotFound:
        return render_template("village/not_found.html", code=code), 404
    g.notification_count = view.noticed  # the header's count and the user's grants (for its menus),
    g.principal = view.who  # read with the page
    legend = {"completed": _("Selesai"), "active": _("Sedang berjalan"), "plain": _("Belum")}
    # The SVG is built with lxml from the stored BPMN: every name in it is escaped.
    svgs = [(process, Markup(program_english.diagram(svg))) for process, svg in views.diagrams(view, legend)]
    return render_template(
        "village/show.html",
        v=view,
        svgs=svgs,
        step_names={s.process: label(s.label) for s in view.steps},
        event_names=_event_names(),
        label=label,
        bar=BAR,
    )
