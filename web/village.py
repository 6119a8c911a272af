"""The village page: where a village is in the program, what happened, its plan and its scores."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from engine.errors import NotFound
from engine.views import village as views

from .auth import engine, login_required

bp = Blueprint("village", __name__)
SCALE = 5  # scores run from 1 to 5 (docs/ketahanan-sosial.md)
BAR = 60  # px per score point in the chart


def _step_names() -> dict[str, str]:
    return {
        "persiapan": _("Persiapan"),
        "pelaksanaan_pengembangan": _("Pelaksanaan Pengembangan"),
        "monitoring_evaluasi_pelaporan": _("Monitoring, Evaluasi dan Pelaporan"),
        "terminasi": _("Terminasi"),
        "refleksi": _("Refleksi"),
    }


def _dimension_names() -> dict[str, str]:
    return {
        "perlindungan_sosial": _("Perlindungan sosial"),
        "partisipasi": _("Partisipasi"),
        "pengendalian_konflik": _("Pengendalian konflik"),
        "kearifan_lokal": _("Kearifan lokal"),
    }


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
    svgs = [(process, Markup(svg)) for process, svg in views.diagrams(view, legend)]
    return render_template(
        "village/show.html",
        v=view,
        svgs=svgs,
        steps=views.STEPS,
        step_names=_step_names(),
        dimension_names=_dimension_names(),
        event_names=_event_names(),
        scale=SCALE,
        bar=BAR,
    )
