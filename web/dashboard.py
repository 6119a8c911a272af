"""Dasbor: every program across all villages, for the central facilitators."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template
from flask.typing import ResponseReturnValue

from engine.errors import Forbidden
from engine.views import dashboard as engine_dashboard

from .auth import engine, login_required
from .village import label

bp = Blueprint("dashboard", __name__)


@bp.get("/dasbor")
@login_required
def index() -> ResponseReturnValue:
    try:
        board = engine_dashboard.dashboard(engine(), g.user)
    except Forbidden:
        abort(403)
    return render_template("dashboard/index.html", d=board, label=label)
