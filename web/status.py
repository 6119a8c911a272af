"""The service status: what the engine holds and whether the database answers.

The page is for anyone (a quick look from a phone); the database's address only for admins."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue

from engine.core import Engine
from engine.views import status as engine_status

from .auth import principal

bp = Blueprint("status", __name__)


def _engine() -> Engine:
    engine: Engine = current_app.extensions["desa"]
    return engine


@bp.get("/status")
def index() -> ResponseReturnValue:
    summary = engine_status.summary(_engine())
    who = principal()
    database = summary.pop("database") if who is not None and who.is_admin else None
    return render_template("status/status.html", s=summary, database=database)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    summary: dict[str, Any] = engine_status.summary(_engine())
    summary.pop("database")  # the address is the admins' (on /status), not every monitor's
    summary["database"] = "ok"
    return jsonify(summary)
