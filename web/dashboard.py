"""Dasbor: every program across all villages, for the central facilitators: its figures drawn as
bar charts, and every count a link to the villages it counts (Desa Saya, filtered)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from engine.errors import Forbidden
from engine.views import dashboard as engine_dashboard

from .auth import engine, login_required
from .charts import bars
from .village import label

bp = Blueprint("dashboard", __name__)


def villages_link(**filters: Any) -> str:
    """Desa Saya filtered to what a count counts."""
    return url_for("my_villages.index", **{k: v for k, v in filters.items() if v})


def _charts(board: engine_dashboard.Dashboard) -> list[tuple[str, Markup]]:
    """Villages per step and per province (every program together), late tasks per kabupaten."""
    steps: dict[str, int] = {}
    provinces: dict[str, int] = {}
    names: dict[str, str] = {}
    for b in board.boards:
        names.update({key: label(name) for key, name in b.steps})
        for provinsi, counts in b.by_province.items():
            for key, n in counts.items():
                steps[key] = steps.get(key, 0) + n
            provinces[provinsi] = (
                provinces.get(provinsi, 0) + sum(counts.values()) + b.finished.get(provinsi, 0)
            )
    ordered = [key for key in names if key in steps] + [key for key in steps if key not in names]
    per_step = [(names.get(k, k), steps[k], villages_link(tahap=k, status="berjalan")) for k in ordered]
    per_province = [(p, n, villages_link(provinsi=p)) for p, n in sorted(provinces.items())]
    charts = [(_("Desa per tahap"), per_step, "#0b3d2e"), (_("Desa per provinsi"), per_province, "#2b5d8a")]
    if board.overdue:
        late = [(k, n, villages_link(kabupaten=k, terlambat="1")) for k, n in board.overdue[:15]]
        charts.append((_("Tugas terlambat per kabupaten/kota"), late, "#b3261e"))
    return [(title, bars(title, rows, colour)) for title, rows, colour in charts]


@bp.get("/dasbor")
@login_required
def index() -> ResponseReturnValue:
    try:
        board = engine_dashboard.dashboard(engine(), g.user)
    except Forbidden:
        abort(403)
    return render_template(
        "dashboard/index.html", d=board, label=label, charts=_charts(board), villages_link=villages_link
    )
