"""The service status: what the engine holds and whether the database answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue

from engine.core import Engine
from engine.views import status as engine_status

bp = Blueprint("status", __name__)


def _engine() -> Engine:
    engine: Engine = current_app.extensions["desa"]
    return engine


@bp.get("/status")
def index() -> ResponseReturnValue:
    return render_template("status/status.html", s=engine_status.summary(_engine()))


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    summary: dict[str, Any] = engine_status.summary(_engine())
    return jsonify(summary)
