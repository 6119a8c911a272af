"""Desa Saya: the villages in a person's scope, with step, status, next deadline and late tasks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request
from flask.typing import ResponseReturnValue

from engine.directory import access
from engine.views import my_villages as views
from engine.views.dashboard import step_labels

from .auth import engine, login_required, principal
from .village import label

bp = Blueprint("my_villages", __name__)
STATUSES = ("", "berjalan", "selesai", "belum")


@bp.app_context_processor
def my_villages_menu() -> dict[str, Any]:
    """Whether the header shows "Desa Saya": for whoever sees villages (a designer sees none)."""
    who = principal()
    return {"may_see_villages": bool(who is not None and access.may_anywhere(who, "see"))}


@bp.get("/desa-saya")
@login_required
def index() -> ResponseReturnValue:
    args = request.args
    status = args.get("status", "")
    filters = views.Filters(
        name=args.get("nama", "").strip()[:100],
        provinsi=args.get("provinsi", "")[:200],
        kabupaten=args.get("kabupaten", "")[:200],
        step=args.get("tahap", "")[:200],
        status=status if status in STATUSES else "",
        late=args.get("terlambat") == "1",
        after=args.get("setelah", "")[:32],
    )
    found = views.page(engine(), g.user, filters)
    kept = {k: v for k, v in args.items() if k != "setelah" and v}
    return render_template(
        "my_villages/index.html",
        p=found,
        f=filters,
        kept=kept,
        step_names={key: label(name) for key, name in step_labels()},
    )
