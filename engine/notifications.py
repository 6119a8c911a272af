"""Notifications about tasks: an in-app list per user, and e-mails queued in an outbox.

Both are computed from the human-task projection (no workflow is deserialized). A user hears
about the tasks they may act on: new ones (created in the last two days), ones due soon (within
three days) and overdue ones. `queue_due` adds one outbox row per user with an e-mail address,
task and kind (new or overdue) not queued before; the unique constraint makes it idempotent, and
`engine.mailer` sends the rows.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import access, clock, queries
from .models import HumanTask, OutboxMessage, User, Village
from .steps import Engine

log = logging.getLogger("desa.notifications")
NEW_WINDOW = timedelta(days=2)
SOON_WINDOW = timedelta(days=3)
KINDS = ("overdue", "soon", "new")  # the order the page shows the groups in
MAILED_KINDS = ("new", "overdue")


@dataclass
class Notice:
    kind: str  # new | soon | overdue
    task: queries.TaskRow
    village_name: str
    at: datetime  # created_at for a new task, due_at otherwise


def kinds_of(created_at: datetime | None, due_at: datetime | None, now: datetime) -> list[str]:
    """What to tell about a task: any of new, soon and overdue."""
    found = []
    if due_at is not None:
        due = clock.as_utc(due_at)
        if due < now:
            found.append("overdue")
        elif due - now <= SOON_WINDOW:
            found.append("soon")
    if created_at is not None and now - clock.as_utc(created_at) <= NEW_WINDOW:
        found.append("new")
    return found


def for_user(engine: Engine, username: str, now: datetime | None = None) -> dict[str, list[Notice]]:
    """The user's notices grouped by kind (overdue, soon, new), newest first within each group."""
    now = clock.as_utc(now if now is not None else queries.now(engine))
    tasks = queries.tasks(engine, user=username)
    names = _village_names(engine, {t.village for t in tasks})
    groups: dict[str, list[Notice]] = {kind: [] for kind in KINDS}
    for task in tasks:
        created = datetime.fromisoformat(task.created_at) if task.created_at else None
        due = datetime.fromisoformat(task.due_at) if task.due_at else None
        for kind in kinds_of(created, due, now):
            at = created if kind == "new" else due
            assert at is not None
            groups[kind].append(Notice(kind, task, names.get(task.village, task.village), at))
    for notices in groups.values():
        notices.sort(key=lambda n: n.at, reverse=True)
    return groups


def count(engine: Engine, username: str, now: datetime | None = None) -> int:
    """How many tasks the user has a notice about (for the header)."""
    return len({n.task.id for notices in for_user(engine, username, now).values() for n in notices})


def _village_names(engine: Engine, codes: set[str]) -> dict[str, str]:
    with engine.db.sessions() as session:
        rows = session.execute(select(Village.code, Village.name).where(Village.code.in_(codes)))
        return {row[0]: row[1] for row in rows}


SUBJECTS = {
    "new": "[desa] Tugas baru: {task} — {village}",
    "overdue": "[desa] Tugas terlambat: {task} — {village}",
}
BODIES = {
    "new": "Ada tugas baru untuk Anda: {task}\nDesa/Kelurahan: {village}\n{due}Buka: {link}\n",
    "overdue": "Tugas ini sudah melewati batas waktu: {task}\nDesa/Kelurahan: {village}\n{due}Buka: {link}\n",
}


def _message(kind: str, task: HumanTask, village: str) -> tuple[str, str]:
    base = os.environ.get("DESA_PUBLIC_URL", "").rstrip("/")
    due = f"Batas waktu: {clock.as_utc(task.due_at).date().isoformat()}\n" if task.due_at else ""
    values = {"task": task.name, "village": village, "due": due, "link": f"{base}/tugas/{task.id}"}
    return SUBJECTS[kind].format(**values), BODIES[kind].format(**values)


def queue_due(engine: Engine, now: datetime | None = None) -> int:
    """Queue an e-mail per (user with an e-mail, task, kind) for new and overdue tasks not queued
    before; returns how many were queued. Admins hear only about the tasks their grants cover."""
    now = clock.as_utc(now if now is not None else queries.now(engine))
    queued = 0
    with engine.db.sessions() as session:
        people = session.execute(
            select(User.username, User.email).where(User.active.is_(True), User.email != "")
        ).all()
    for username, email in people:
        try:
            queued += _queue_for(engine, username, email, now)
        except IntegrityError:  # another worker queued the same rows meanwhile
            log.info("notifications for %s were queued by another worker", username)
    return queued


def _queue_for(engine: Engine, username: str, email: str, now: datetime) -> int:
    with engine.db.transaction() as session:
        who = access.principal(session, username)
        if who.is_admin:
            who = access.Principal(who.username, False, who.grants)
        tasks = session.scalars(
            select(HumanTask).where(HumanTask.suspended.is_(False), access.task_filter(who))
        ).all()
        wanted = [
            (task, kind)
            for task in tasks
            for kind in kinds_of(task.created_at, task.due_at, now)
            if kind in MAILED_KINDS
        ]
        if not wanted:
            return 0
        done = {
            (row[0], row[1])
            for row in session.execute(
                select(OutboxMessage.task_id, OutboxMessage.kind).where(
                    OutboxMessage.username == username,
                    OutboxMessage.task_id.in_({task.id for task, _ in wanted}),
                )
            )
        }
        codes = {t.village_code for t, _ in wanted}
        names = {
            row[0]: row[1]
            for row in session.execute(select(Village.code, Village.name).where(Village.code.in_(codes)))
        }
        added = 0
        for task, kind in wanted:
            if (task.id, kind) in done:
                continue
            subject, body = _message(kind, task, names.get(task.village_code, task.village_code))
            session.add(
                OutboxMessage(
                    username=username,
                    task_id=task.id,
                    kind=kind,
                    recipient=email,
                    subject=subject,
                    body=body,
                    created_at=now,
                    attempts=0,
                )
            )
            added += 1
        return added
