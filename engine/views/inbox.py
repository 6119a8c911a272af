"""Inboxes: the open human tasks a person may act on, a page at a time, and what the page counts.

Read from the human-task projection only (no workflow is deserialized). Pages are in inbox order
(nearest deadline first, tasks without one last, oldest first) and follow one another by key
(keyset pagination): each part of a person's filter reads its own index in that order
(`ix_human_task_*_order`, migration 0009), so a page costs the same whatever the number of tasks.
`engine.queries` re-exports these for the CLI and the other listings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, case, func, or_, select, true, tuple_, union
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BooleanClauseList

from engine import clock
from engine.core import Engine
from engine.directory import access
from engine.errors import NotFound
from engine.runtime import duties
from engine.sandbox import json_input
from engine.store.models import HumanTask, Village
from engine.views import inbox_counts
from engine.views.inbox_counts import InboxSummary as InboxSummary


def _iso(value: datetime | None) -> str | None:
    return clock.as_utc(value).isoformat() if value is not None else None


@dataclass
class TaskRow:
    id: str
    instance: int
    village: str
    process_id: str
    bpmn_id: str
    name: str
    role: str  # the human_task row's role: its lane's name, or the default role outside lanes
    form: str | None
    claimed_by: str | None
    created_at: str | None
    due_at: str | None

    JSON_NAMES: ClassVar[dict[str, str]] = {"role": "lane"}  # the API's and `desa tasks --json`'s names

    def to_json(self) -> dict[str, Any]:
        return {self.JSON_NAMES.get(key, key): value for key, value in asdict(self).items()}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> TaskRow:
        """A row as the API and `desa tasks --json` give it, read back (what else the API adds to
        a row, such as `kept_apart`, left out)."""
        names = {json: name for name, json in cls.JSON_NAMES.items()}
        known = {f.name for f in fields(cls)}
        return cls(**{names.get(k, k): v for k, v in row.items() if names.get(k, k) in known})

    @classmethod
    def json_keys(cls) -> list[str]:
        return [cls.JSON_NAMES.get(f.name, f.name) for f in fields(cls)]


TASK_COLUMNS = (
    HumanTask.id,
    HumanTask.instance_id,
    HumanTask.village_code,
    HumanTask.process_id,
    HumanTask.bpmn_id,
    HumanTask.name,
    HumanTask.role,
    HumanTask.form,
    HumanTask.claimed_by,
    HumanTask.created_at,
    HumanTask.due_at,
)


_KEYS = (HumanTask.id, HumanTask.due_at, HumanTask.created_at)  # what orders a page (and its cursor)


def task_row(r: Any) -> TaskRow:
    return TaskRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], _iso(r[9]), _iso(r[10]))


def tasks(
    engine: Engine,
    user: str | None = None,
    instance_id: int | None = None,
    village: str | None = None,
    limit: int = 500,
) -> list[TaskRow]:
    """Open human tasks; with `user`, only those that user may act on (their inbox), nearest
    deadline first (tasks without one last, oldest first). The first `limit`; `task_page` pages."""
    return task_page(engine, user, instance_id=instance_id, village=village, limit=limit).tasks


@dataclass
class TaskPage:
    tasks: list[TaskRow]
    next: str | None  # the cursor of the page after this one, or None on the last page
    names: dict[str, str] = field(default_factory=dict)  # village code -> name, of this page's tasks


def _cursor(row: TaskRow) -> str:
    return f"{row.due_at or ''}|{row.created_at or ''}|{row.id}"


def _parse_cursor(cursor: str) -> tuple[datetime | None, datetime, str] | None:
    parts = cursor.split("|")
    if len(parts) != 3:
        return None
    try:
        due = datetime.fromisoformat(parts[0]) if parts[0] else None
        return due, datetime.fromisoformat(parts[1]), parts[2]
    except ValueError:
        return None


def _filter(session: Session, user: str | None) -> ColumnElement[bool]:
    return true() if user is None else access.task_filter(access.principal(session, user))


def _scopes(found: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """The OR-ed parts of a user's task filter (each a grant, or the tasks they took)."""
    if isinstance(found, BooleanClauseList) and found.operator is operators.or_:
        return list(found.clauses)
    return [found]


def task_page(
    engine: Engine,
    user: str | None = None,
    *,
    instance_id: int | None = None,
    village: str | None = None,
    process_id: str | None = None,
    role: str | None = None,
    claimed: str | None = None,
    overdue_at: datetime | None = None,
    after: str | None = None,
    limit: int = 50,
) -> TaskPage:
    """One page of open human tasks in inbox order (due_at, then created_at, then id; tasks with
    no deadline after those with one), starting after the `after` cursor (keyset pagination).

    Each part of the user's filter (a grant, the tasks they took) reads its own index in this
    order (`ix_human_task_*_order`), with and without a deadline, at most `limit` + 1 rows each;
    the parts are merged in one statement. Filters: `claimed` is a username, or "" for the
    unclaimed; `overdue_at` keeps tasks due before it."""
    with engine.db.sessions() as session:
        return _page(
            session,
            _filter(session, user),
            instance_id=instance_id,
            village=village,
            process_id=process_id,
            role=role,
            claimed=claimed,
            overdue_at=overdue_at,
            after=after,
            limit=limit,
        )


def _storable(*values: str | None) -> bool:
    """Whether every filter value is text a database can hold (PostgreSQL refuses a NUL)."""
    try:
        json_input.check_names("filter value", *(v for v in values if v is not None))
    except NotFound:
        return False
    return True


def _page(
    session: Session,
    scope: ColumnElement[bool],
    *,
    instance_id: int | None = None,
    village: str | None = None,
    process_id: str | None = None,
    role: str | None = None,
    claimed: str | None = None,
    overdue_at: datetime | None = None,
    after: str | None = None,
    limit: int = 50,
) -> TaskPage:
    if not _storable(village, process_id, role, claimed):  # no task can have such a value
        return TaskPage([], None)
    start = _parse_cursor(after) if after else None
    common: list[ColumnElement[bool]] = [HumanTask.suspended.is_(False)]
    if instance_id is not None:
        common.append(HumanTask.instance_id == instance_id)
    if village is not None:
        common.append(HumanTask.village_code == village)
    if process_id is not None:
        common.append(HumanTask.process_id == process_id)
    if role is not None:
        common.append(HumanTask.role == role)
    if claimed is not None:
        common.append(HumanTask.claimed_by == claimed if claimed else HumanTask.claimed_by.is_(None))
    if overdue_at is not None:
        common.append(HumanTask.due_at < overdue_at)
    parts = []
    for part in _scopes(scope):
        if start is None or start[0] is not None:
            dated = [*common, part, HumanTask.due_at.is_not(None)]
            if start is not None:
                dated.append(tuple_(HumanTask.due_at, HumanTask.created_at, HumanTask.id) > start)
            by_due = (HumanTask.due_at, HumanTask.created_at, HumanTask.id)
            parts.append(select(*_KEYS).where(*dated).order_by(*by_due).limit(limit + 1))
        if overdue_at is None:
            undated = [*common, part, HumanTask.due_at.is_(None)]
            if start is not None and start[0] is None:
                undated.append(tuple_(HumanTask.created_at, HumanTask.id) > (start[1], start[2]))
            # due_at first although it is NULL here: the order is the index's, so it is read in order
            by_age = (HumanTask.due_at, HumanTask.created_at, HumanTask.id)
            parts.append(select(*_KEYS).where(*undated).order_by(*by_age).limit(limit + 1))
    if not parts:
        return TaskPage([], None)
    # The parts give the keys in order, the page's rows are read by id: a union of the keys only
    # is a third of the statement to build (each part a subquery with its own columns), per page.
    merged = union(*(select(p.subquery()) for p in parts)).subquery()
    query = (
        select(*TASK_COLUMNS, Village.name)  # and the villages' names, which the page shows
        .join(merged, merged.c.id == HumanTask.id)
        .outerjoin(Village, Village.code == HumanTask.village_code)
        .order_by(merged.c.due_at.is_(None), merged.c.due_at, merged.c.created_at, merged.c.id)
        .limit(limit + 1)
    )
    found = session.execute(query).all()
    more = len(found) > limit
    rows = [task_row(r) for r in found[:limit]]
    names = {str(r[2]): str(r[-1]) for r in found[:limit] if r[-1] is not None}
    return TaskPage(rows, _cursor(rows[-1]) if more and rows else None, names)


VILLAGE_CHOICES = 500
NEW_WINDOW = timedelta(days=2)  # a task is new this long after it appeared
SOON_WINDOW = timedelta(days=3)  # and due soon this long before its deadline


def noticed(now: datetime) -> ColumnElement[bool]:
    """Tasks with something to tell (engine.notifications): due within SOON_WINDOW or overdue, or new."""
    return or_(HumanTask.due_at <= now + SOON_WINDOW, HumanTask.created_at >= now - NEW_WINDOW)


def notice_count(session: Session, who: access.Principal, now: datetime) -> int:
    """How many of the person's tasks have a notice (the header's count): the roles they hold
    nationwide from the kept counts (`inbox_counts`), the rest in one counting statement."""
    scope, count = access.task_filter(who), 0
    roles = access.national_roles(who)
    if roles != set():
        kept = inbox_counts.kept(session, roles, now, NEW_WINDOW, SOON_WINDOW)
        scope, count = access.task_filter_besides(who, roles), kept.noticed
    found = session.scalar(
        select(func.count()).select_from(HumanTask).where(HumanTask.suspended.is_(False), scope, noticed(now))
    )
    return count + int(found or 0)


def inbox_summary(engine: Engine, user: str, now: datetime) -> InboxSummary:
    """Counts of the user's open tasks (all, taken by them, not taken, overdue, with a notice), the
    steps and roles among them, and the villages they are in when there are at most
    VILLAGE_CHOICES tasks: a few statements."""
    with engine.db.sessions() as session:
        return _summary(session, access.principal(session, user), user, now)


def _summary(session: Session, who: access.Principal, user: str, now: datetime) -> InboxSummary:
    """The roles the person holds nationwide are counted from the kept counts (`inbox_counts`),
    the rest of their inbox from its tasks."""
    scope = access.task_filter(who)
    roles = access.national_roles(who)
    found = _counted(session, scope, who, user, now, roles)
    if found.total <= VILLAGE_CHOICES:  # else the page's own villages (see `inbox`)
        codes = (
            select(HumanTask.village_code).where(HumanTask.suspended.is_(False), scope).distinct().subquery()
        )
        rows = session.execute(
            select(Village.code, Village.name).join(codes, codes.c.village_code == Village.code)
        )
        found.villages = {code: name for code, name in rows}
    return found


def _counted(
    session: Session,
    scope: ColumnElement[bool],
    who: access.Principal,
    user: str,
    now: datetime,
    kept: set[str] | None,
) -> InboxSummary:
    """The counts of `scope`'s tasks, the person's inbox; those of the roles `kept` (the person's
    national roles, `access.national_roles`; None: all; empty: none) from the kept counts, the rest
    from its tasks."""
    found = InboxSummary()
    if kept != set():
        found = inbox_counts.kept(session, kept, now, NEW_WINDOW, SOON_WINDOW)
        # The tasks the person took of those roles are counted with the rest (only as theirs).
        scope = or_(HumanTask.claimed_by == user, access.task_filter_besides(who, kept))
    mine = case((HumanTask.claimed_by == user, 1), else_=0)
    free = case((HumanTask.claimed_by.is_(None), 1), else_=0)
    late = case((HumanTask.due_at < now, 1), else_=0)
    told = case((noticed(now), 1), else_=0)
    groups = session.execute(
        select(
            HumanTask.process_id,
            HumanTask.role,
            func.count(),
            func.sum(mine),
            func.sum(free),
            func.sum(late),
            func.sum(told),
        )
        .where(HumanTask.suspended.is_(False), scope)
        .group_by(HumanTask.process_id, HumanTask.role)
    ).all()
    for row in groups:
        found.mine += int(row[3] or 0)
        if kept is None or row[1] in kept:  # in the kept counts already
            continue
        found.total += int(row[2] or 0)
        found.unclaimed += int(row[4] or 0)
        found.overdue += int(row[5] or 0)
        found.noticed += int(row[6] or 0)
        found.process_ids.add(str(row[0]))
        found.roles.add(str(row[1]))
    return found


def kept_apart_of(engine: Engine, user: str, rows: list[TaskRow]) -> dict[str, duties.Apart]:
    """Of the user's listed tasks `rows`, those separate_from keeps from them, and why (by task id)."""
    with engine.db.sessions() as session:
        who = access.principal(session, user)
        tasks = [(t.id, t.instance, t.bpmn_id, t.village) for t in rows]
        return duties.kept_apart(engine, session, who, tasks)


@dataclass
class Inbox:
    now: datetime
    page: TaskPage
    summary: InboxSummary
    who: access.Principal | None = None  # the user with their grants, as read for the page
    # The page's tasks the user may not do though their role may (separate_from), and why.
    apart: dict[str, duties.Apart] = field(default_factory=dict)


def inbox(
    engine: Engine,
    user: str,
    *,
    village: str | None = None,
    process_id: str | None = None,
    role: str | None = None,
    status: str = "semua",
    after: str | None = None,
    limit: int = 50,
) -> Inbox:
    """What the inbox page shows, in one session: the engine clock, one page of the user's tasks
    (`status`: semua, saya (taken by them), belum (not taken), terlambat (overdue)) and the
    summary. The user and their grants are read once."""
    with engine.db.sessions() as session:
        now = clock.now(session)
        who = access.principal(session, user)
        scope = access.task_filter(who)
        page = _page(
            session,
            scope,
            village=village,
            process_id=process_id,
            role=role,
            claimed={"saya": user, "belum": ""}.get(status),
            overdue_at=now if status == "terlambat" else None,
            after=after,
            limit=limit,
        )
        summary = _summary(session, who, user, now)
        if summary.total > VILLAGE_CHOICES:  # too many to list: the villages of this page, and the chosen one
            summary.villages = dict(page.names)
            if village and village not in summary.villages:
                chosen = session.scalar(select(Village.name).where(Village.code == village))
                if chosen is not None:
                    summary.villages[village] = chosen
        tasks = [(t.id, t.instance, t.bpmn_id, t.village) for t in page.tasks]
        return Inbox(now, page, summary, who, duties.kept_apart(engine, session, who, tasks))
