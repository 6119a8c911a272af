"""Notifications about tasks: an in-app list per user, and e-mails queued in an outbox.

Both are computed from the human-task projection (no workflow is deserialized), in statements
whose number does not grow with the number of tasks or people. A user hears
about the tasks they may act on: new ones (created in the last two days), ones due soon (within
three days) and overdue ones. `queue_due` adds one outbox row per user with an e-mail address,
task and kind (new or overdue) not queued before; the unique constraint makes it idempotent, and
`engine.mailer` sends the rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock, config
from engine.core import Engine
from engine.directory import access
from engine.runtime import duties
from engine.store.models import HumanTask, OutboxMessage, Role, RoleAssignment, User, Village
from engine.views import inbox, queries

log = logging.getLogger("desa.notifications")
NEW_WINDOW = inbox.NEW_WINDOW
SOON_WINDOW = inbox.SOON_WINDOW
KINDS = ("overdue", "soon", "new")  # the order the page shows the groups in
MAILED_KINDS = ("new", "overdue")
LIST_LIMIT = 500  # notices on the page at most


@dataclass
class Notice:
    kind: str  # new | soon | overdue
    task: queries.TaskRow
    village_name: str
    at: datetime  # created_at for a new task, due_at otherwise
    apart: duties.Apart | None = None  # why the user may not do it though their role may


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


def _noticed(now: datetime) -> ColumnElement[bool]:
    """Tasks with something to tell: due within SOON_WINDOW (or overdue), or new."""
    return inbox.noticed(now)


def for_user(engine: Engine, username: str, now: datetime | None = None) -> dict[str, list[Notice]]:
    """The user's notices grouped by kind (overdue, soon, new), newest first within each group."""
    now = clock.as_utc(now if now is not None else queries.now(engine))
    with engine.db.sessions() as session:
        who = access.principal(session, username)
        scope = access.task_filter(who)
        rows = session.execute(
            select(*queries.TASK_COLUMNS, Village.name)
            .outerjoin(Village, Village.code == HumanTask.village_code)
            .where(HumanTask.suspended.is_(False), scope, _noticed(now))
            .order_by(HumanTask.due_at, HumanTask.created_at, HumanTask.id)
            .limit(LIST_LIMIT)
        ).all()
        tasks = [(r[0], r[1], r[4], r[2]) for r in rows]  # id, instance, BPMN id, village
        apart = duties.kept_apart(engine, session, who, tasks)
    groups: dict[str, list[Notice]] = {kind: [] for kind in KINDS}
    for row in rows:
        task = queries.task_row(row)
        created = datetime.fromisoformat(task.created_at) if task.created_at else None
        due = datetime.fromisoformat(task.due_at) if task.due_at else None
        for kind in kinds_of(created, due, now):
            at = created if kind == "new" else due
            assert at is not None
            groups[kind].append(Notice(kind, task, str(row[-1] or task.village), at, apart.get(task.id)))
    for notices in groups.values():
        notices.sort(key=lambda n: n.at, reverse=True)
    return groups


def count(engine: Engine, username: str, now: datetime | None = None) -> int:
    """How many tasks the user has a notice about (for the header): one counting statement."""
    now = clock.as_utc(now if now is not None else queries.now(engine))
    with engine.db.sessions() as session:
        return inbox.notice_count(session, access.principal(session, username), now)


SUBJECTS = {
    "new": "[desa] Tugas baru: {task} — {village}",
    "overdue": "[desa] Tugas terlambat: {task} — {village}",
}
BODIES = {
    "new": "Ada tugas baru untuk Anda: {task}\nDesa/Kelurahan: {village}\n{due}Buka: {link}\n",
    "overdue": "Tugas ini sudah melewati batas waktu: {task}\nDesa/Kelurahan: {village}\n{due}Buka: {link}\n",
}


def _message(kind: str, task_id: str, name: str, due_at: datetime | None, village: str) -> tuple[str, str]:
    base = config.settings().public_url
    due = f"Batas waktu: {clock.as_utc(due_at).date().isoformat()}\n" if due_at else ""
    values = {"task": name, "village": village, "due": due, "link": f"{base}/tugas/{task_id}"}
    return SUBJECTS[kind].format(**values), BODIES[kind].format(**values)


def queue_due(engine: Engine, now: datetime | None = None) -> int:
    """Queue an e-mail per (user with an e-mail, task, kind) for new and overdue tasks not queued
    before; returns how many were queued. Admins hear only about the tasks their grants cover.

    Set-based: per kind, one statement finds every (person, task) pair not queued yet, whoever
    and wherever they are: the grants that cover each task (village, kabupaten/kota, national;
    not read-only) and the person who took it. The unique constraint keeps it idempotent; rows
    another worker queued meanwhile are left out on a second try."""
    now = clock.as_utc(now if now is not None else queries.now(engine))
    for attempt in (1, 2):
        try:
            with engine.db.transaction() as session:
                return _queue(session, now)
        except IntegrityError:  # another worker queued some of the same rows meanwhile
            if attempt == 2:
                raise
            log.info("notifications were being queued by another worker; trying again")
    return 0


def _recipients(kind: str, now: datetime) -> Any:
    """(username, email, task id, task name, due at, village name) of the pairs to queue for `kind`."""
    wanted = HumanTask.created_at >= now - NEW_WINDOW if kind == "new" else HumanTask.due_at < now
    columns = (User.username, User.email, HumanTask.id, HumanTask.name, HumanTask.due_at, Village.name)
    queued = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.username == User.username,
            OutboxMessage.task_id == HumanTask.id,
            OutboxMessage.kind == kind,
        )
        .exists()
    )
    common = (HumanTask.suspended.is_(False), wanted, User.active.is_(True), User.email != "", ~queued)
    parts = []
    for grant_acts in access.acting_grants_of_task():
        parts.append(
            select(*columns)
            .select_from(HumanTask)
            .join(RoleAssignment, grant_acts)
            .join(User, User.id == RoleAssignment.user_id)
            .outerjoin(Role, Role.name == RoleAssignment.role)
            .outerjoin(Village, Village.code == HumanTask.village_code)
            .where(*common, func.coalesce(Role.read_only, False).is_(False))
        )
    parts.append(
        select(*columns)
        .select_from(HumanTask)
        .join(User, User.username == HumanTask.claimed_by)
        .outerjoin(Village, Village.code == HumanTask.village_code)
        .where(*common)
    )
    return union(*parts)


def _queue(session: Session, now: datetime) -> int:
    rows = []
    for kind in MAILED_KINDS:
        for found in session.execute(_recipients(kind, now)):
            username, email, task_id = str(found[0]), str(found[1]), str(found[2])
            subject, body = _message(kind, task_id, str(found[3]), found[4], str(found[5] or ""))
            rows.append(
                {
                    "username": username,
                    "task_id": task_id,
                    "kind": kind,
                    "recipient": email,
                    "subject": subject,
                    "body": body,
                    "created_at": now,
                    "attempts": 0,
                }
            )
    if rows:
        session.execute(insert(OutboxMessage), rows)
    return len(rows)
