"""Tugas Saya: the open tasks a person may act on, across their villages, nearest deadline first."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, g, render_template, request
from flask.typing import ResponseReturnValue

from engine import queries, taskview
from engine.dashboard import STEPS

from .auth import engine, login_required

bp = Blueprint("inbox", __name__)
SOON = timedelta(days=3)
STATUSES = ("semua", "saya", "belum", "terlambat")


def _mark(due_at: str | None, now: datetime) -> str:
    if not due_at:
        return ""
    due = datetime.fromisoformat(due_at)
    if due < now:
        return "overdue"
    return "soon" if due - now <= SOON else ""


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    eng = engine()
    now = queries.now(eng)
    tasks = queries.tasks(eng, user=g.user)
    names = taskview.village_names(eng, {t.village for t in tasks})
    village = request.args.get("desa", "")
    status = request.args.get("status", "semua")
    status = status if status in STATUSES else "semua"
    marks = {t.id: _mark(t.due_at, now) for t in tasks}
    counts = {
        "semua": len(tasks),
        "saya": sum(1 for t in tasks if t.claimed_by == g.user),
        "belum": sum(1 for t in tasks if not t.claimed_by),
        "terlambat": sum(1 for t in tasks if marks[t.id] == "overdue"),
    }
    step = request.args.get("tahap", "")
    role = request.args.get("peran", "")
    shown = [t for t in tasks if not village or t.village == village]
    shown = [t for t in shown if not step or t.process_id == step]
    shown = [t for t in shown if not role or t.lane == role]
    if status == "saya":
        shown = [t for t in shown if t.claimed_by == g.user]
    elif status == "belum":
        shown = [t for t in shown if not t.claimed_by]
    elif status == "terlambat":
        shown = [t for t in shown if marks[t.id] == "overdue"]
    return render_template(
        "inbox/index.html",
        tasks=shown,
        names=names,
        marks=marks,
        counts=counts,
        village=village,
        status=status,
        villages=sorted(names.items(), key=lambda item: item[1]),
        step=step,
        steps=[(key, label) for key, label in STEPS if any(t.process_id == key for t in tasks)],
        role=role,
        roles=sorted({t.lane for t in tasks}),
    )
