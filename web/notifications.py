"""Pemberitahuan: new, soon-due and overdue tasks of the signed-in person, and the header count."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, g, render_template, session
from flask.typing import ResponseReturnValue

from engine.views import notifications

from .auth import engine, login_required

bp = Blueprint("notifications", __name__)
log = logging.getLogger("desa.web.notifications")


@bp.get("/pemberitahuan")
@login_required
def index() -> ResponseReturnValue:
    groups = notifications.for_user(engine(), g.user)
    return render_template(
        "notifications/index.html", groups=groups, total=sum(len(n) for n in groups.values())
    )


@bp.app_context_processor
def notification_count() -> dict[str, Any]:
    """The number beside "Pemberitahuan" in the header, for a signed-in person."""
    username = session.get("user")
    if not username:
        return {"notification_count": 0}
    if "notification_count" in g:  # counted by the view already (the inbox counts it with its tasks)
        return {"notification_count": g.notification_count}
    try:
        return {"notification_count": notifications.count(engine(), username)}
    except Exception:  # the header must never break a page (e.g. an account closed meanwhile)
        log.exception("could not count the notifications of %s", username)
        return {"notification_count": 0}
