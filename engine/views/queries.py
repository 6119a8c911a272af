"""Read-only views for lists and pages: inboxes (from `engine.inbox`), instances, timers.

None deserializes a workflow: `instance_data` (what a village page shows of the data) reads the
stored task rows (`spiff.stored`), and rebuilds the workflow only for rows that reader refuses."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.core import Engine
from engine.errors import NotFound
from engine.runtime import audit
from engine.store.models import (
    AuditEvent,
    HumanTask,
    Instance,
    InstancePacked,
    InstanceTask,
    ProcessVersion,
    Timer,
    Village,
)
from engine.views.inbox import (
    TASK_COLUMNS,
    Inbox,
    InboxSummary,
    TaskPage,
    TaskRow,
    inbox,
    inbox_summary,
    kept_apart_of,
    task_page,
    task_row,
    tasks,
)

__all__ = [
    "TASK_COLUMNS",
    "Inbox",
    "InboxSummary",
    "TaskPage",
    "TaskRow",
    "inbox",
    "inbox_summary",
    "kept_apart_of",
    "task_page",
    "task_row",
    "tasks",
]


def _iso(value: datetime | None) -> str | None:
    return clock.as_utc(value).isoformat() if value is not None else None


@dataclass
class InstanceRow:
    id: int
    process_id: str
    version: int
    village: str
    status: str
    error: str | None
    revision: int
    started_by: str
    created_at: str | None
    updated_at: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _instance_query() -> Any:
    return select(Instance, ProcessVersion.version).join(
        ProcessVersion, ProcessVersion.id == Instance.process_version_id
    )


def _instance_row(row: Instance, version: int) -> InstanceRow:
    return InstanceRow(
        row.id,
        row.process_id,
        version,
        row.village_code,
        row.status,
        row.error,
        row.revision,
        row.started_by,
        _iso(row.created_at),
        _iso(row.updated_at),
    )


def instances(engine: Engine, village: str | None = None, limit: int = 1000) -> list[InstanceRow]:
    with engine.db.sessions() as session:
        query = _instance_query()
        if village is not None:
            query = query.where(Instance.village_code == village)
        rows = session.execute(query.order_by(Instance.id).limit(limit)).all()
        return [_instance_row(r[0], r[1]) for r in rows]


def instance_detail(engine: Engine, instance_id: int, state_bytes: bool = True) -> dict[str, Any]:
    """An instance with its open tasks, waiting timers and history; with `state_bytes`, the size of
    its stored state too (which reads every task row: pages that only show the history skip it)."""
    with engine.db.sessions() as session:
        found = session.execute(_instance_query().where(Instance.id == instance_id)).first()
        if found is None:
            raise NotFound(f"no instance {instance_id}")
        detail = _instance_row(found[0], found[1]).to_json()
        detail["tasks"] = [
            task_row(t).to_json()
            for t in session.execute(select(*TASK_COLUMNS).where(HumanTask.instance_id == instance_id))
        ]
        detail["timers"] = [
            {"id": t.id, "bpmn_id": t.bpmn_id, "name": t.name, "due_at": _iso(t.due_at)}
            for t in session.scalars(
                select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.due_at)
            )
        ]
        detail["history"] = [event_json(e) for e in audit.history(session, instance_id)]
        if state_bytes:
            detail["state_bytes"] = (
                len(found[0].header)
                + int(
                    session.scalar(
                        select(func.coalesce(func.sum(func.length(InstanceTask.body)), 0)).where(
                            InstanceTask.instance_id == instance_id
                        )
                    )
                    or 0
                )
                + int(
                    session.scalar(
                        select(func.coalesce(func.sum(func.length(InstancePacked.body)), 0)).where(
                            InstancePacked.instance_id == instance_id
                        )
                    )
                    or 0
                )
            )
        return detail


def event_json(e: AuditEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "type": e.type,
        "actor": e.actor,
        "task_id": e.task_id,
        "bpmn_id": e.bpmn_id,
        "data": e.data,
        "engine_time": _iso(e.engine_time),
        "wall_time": _iso(e.wall_time),
        "hash": e.hash,
    }


def timers(engine: Engine, limit: int = 1000) -> list[dict[str, Any]]:
    with engine.db.sessions() as session:
        rows = session.execute(
            select(Timer, Instance.village_code, Instance.status)
            .join(Instance, Instance.id == Timer.instance_id)
            .order_by(Timer.due_at)
            .limit(limit)
        ).all()
        return [
            {
                "id": t.id,
                "instance": t.instance_id,
                "village": village,
                "bpmn_id": t.bpmn_id,
                "name": t.name,
                "due_at": _iso(t.due_at),
                "suspended": t.suspended or status == "suspended",
            }
            for t, village, status in rows
        ]


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count(AuditEvent.id))) or 0)


def village_rows(engine: Engine) -> list[Village]:
    with engine.db.sessions() as session:
        return list(session.scalars(select(Village).order_by(Village.code)))


def instance_data(engine: Engine, instance_id: int) -> dict[str, Any]:
    """The data the instance holds now, as JSON-ready values: its open tasks' data merged over the
    data of the last task that ran (what a village page or an auditor reads)."""
    with engine.db.sessions() as session:
        return data_in(engine, session, instance_id)


def data_in(engine: Engine, session: Session, instance_id: int) -> dict[str, Any]:
    """`instance_data` in the caller's session: read from the instance's stored task rows without
    rebuilding its workflow (`spiff.stored`); by restoring the workflow when that reader refuses
    the rows (`stored.Unreadable`), which then reports what is wrong with them."""
    from engine import spiff
    from engine.runtime.step import load_live, stored_tasks
    from engine.spiff import stored
    from engine.store.fastsql import Sql

    found, _ = stored_tasks(Sql.of(session), [instance_id])[instance_id]
    rows = [(task_id, entry.workflow, entry.ord, entry.body) for task_id, entry in found]
    if rows:
        try:
            return stored.current_data(rows)
        except stored.Unreadable:
            pass
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"no instance {instance_id}")
    spec = engine.specs.get(session, row.process_version_id).spec_for_instance()
    workflow = load_live(Sql.of(session), instance_id, spec).workflow
    return spiff.current_data(workflow)


def now(engine: Engine) -> datetime:
    """The engine clock's time (for marking what is overdue)."""
    with engine.db.sessions() as session:
        return clock.now(session)
