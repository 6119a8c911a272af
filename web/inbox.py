"""Tugas Saya: the open tasks a person may act on, across their villages, nearest deadline first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine.directory import access
from engine.views import queries, saved_filters
from engine.views.dashboard import step_labels

from .auth import engine, login_required, principal
from .village import label

bp = Blueprint("inbox", __name__)
SOON = timedelta(days=3)
STATUSES = ("semua", "saya", "belum", "terlambat")
PAGE_SIZE = 50  # tasks per inbox page


def _mark(due_at: str | None, now: datetime) -> str:
    if not due_at:
        return ""
    due = datetime.fromisoformat(due_at)
    if due < now:
        return "overdue"
    return "soon" if due - now <= SOON else ""


def _links(endpoint: str, argument: str, values: Iterable[str]) -> dict[str, str]:
    """`url_for(endpoint, argument=value)` for each value, with one `url_for`: the rule's path ends
    in the value, quoted as werkzeug's default converter quotes it (a page links 50 tasks and
    their villages: 100 calls of `url_for` were a third of the template's time)."""
    marker = "__value__"
    values_of: dict[str, Any] = {argument: marker}
    pattern = url_for(endpoint, **values_of)
    return {v: pattern.replace(marker, quote(v, safe="!$&'()*+,/:;=@")) for v in values}


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    who = principal()
    if (
        who is not None
        and not who.is_admin
        and who.grants
        and all(g.read_only or g.designer for g in who.grants)
    ):
        # No task is ever theirs: auditors start at their audit page, designers at Perancangan.
        return redirect(url_for("audit.index" if who.is_auditor else "design.index"))
    eng = engine()
    village = request.args.get("desa", "")
    status = request.args.get("status", "semua")
    status = status if status in STATUSES else "semua"
    step = request.args.get("tahap", "")
    role = request.args.get("peran", "")
    # One page of tasks in inbox order, read from the indexes in that order (keyset pagination:
    # `setelah` is where the previous page ended), and the counts in one grouped statement.
    found = queries.inbox(
        eng,
        g.user,
        village=village or None,
        process_id=step or None,
        role=role or None,
        status=status,
        after=request.args.get("setelah") or None,
        limit=PAGE_SIZE,
    )
    now, page, summary = found.now, found.page, found.summary
    g.notification_count = summary.noticed  # the header's count, already counted here
    g.principal = found.who  # and the user's grants, for the header's menus
    names = {**page.names, **summary.villages}  # the page's villages come with its tasks
    counts = {
        "semua": summary.total,
        "saya": summary.mine,
        "belum": summary.unclaimed,
        "terlambat": summary.overdue,
    }
    return render_template(
        "inbox/index.html",
        tasks=page.tasks,
        next_page=page.next,
        names=names,
        task_links=_links("tasks.show", "task_id", (t.id for t in page.tasks)),
        village_links=_links("village.show", "code", {t.village for t in page.tasks}),
        marks={t.id: _mark(t.due_at, now) for t in page.tasks},
        apart=found.apart,
        counts=counts,
        village=village,
        status=status,
        villages=sorted(summary.villages.items(), key=lambda item: item[1]),
        step=step,
        steps=[(key, label(name)) for key, name in step_labels() if key in summary.process_ids],
        role=role,
        roles=sorted(summary.roles),
        may_reassign=found.who is not None and access.may(found.who, "change"),
        saved=saved_filters.of(eng, g.user),
        query=request.query_string.decode("utf-8", "replace"),
    )


from . import inbox_bulk  # noqa: E402, F401  (several tasks at once, saved filters: routes of this blueprint)
