"""Small helpers the engine tests share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.core import Engine
from engine.runtime.step import load_live, stored_tasks
from engine.spiff import packing
from engine.store.fastsql import Sql
from engine.store.models import AuditEvent, Instance, InstancePacked, InstanceTask
from engine.views import queries


def set_clock(engine: Engine, at: datetime) -> None:
    with engine.db.transaction() as session:
        clock.set_time(session, at, frozen=True)


def restored(engine: Engine, instance_id: int) -> Any:
    """The instance's workflow rebuilt from the database alone (as after a restart)."""
    with engine.db.sessions() as session:
        row = session.get(Instance, instance_id)
        assert row is not None
        spec = engine.specs.get(session, row.process_version_id).spec_for_instance()
        return load_live(Sql.of(session), instance_id, spec).workflow


def stored_header(engine: Engine, instance_id: int) -> bytes:
    """The instance's stored header, as it is in the database."""
    with engine.db.sessions() as session:
        row = session.get(Instance, instance_id)
        assert row is not None
        return bytes(row.header)


def stored_rows(engine: Engine, instance_id: int) -> list[tuple[str, str, int, str]]:
    """Every stored task row of the instance (task id, workflow, ord, body), whether stored on its
    own or in a finished subprocess's packed row."""
    with engine.db.sessions() as session:
        found, _ = stored_tasks(Sql.of(session), [instance_id])[instance_id]
    return [(task_id, entry.workflow, entry.ord, entry.body) for task_id, entry in found]


def edit_rows(session: Session, instance_id: int, edit: Callable[[str, str], str]) -> None:
    """Rewrite stored task rows behind the engine's back: `edit(task_id, body)` gives each row's new
    body, wherever the row is stored."""
    for row in session.scalars(select(InstanceTask).where(InstanceTask.instance_id == instance_id)):
        row.body = edit(row.task_id, row.body)
    for packed in session.scalars(select(InstancePacked).where(InstancePacked.instance_id == instance_id)):
        rows = packing.unpack(packed.workflow, packed.body)
        for task_id, entry in rows:
            entry.body = edit(task_id, entry.body)
        packed.body = packing.pack(rows)


def unpacked(session: Session, instance_id: int) -> None:
    """Store the instance's packed rows as rows of their own, as before subprocesses were packed."""
    for packed in session.scalars(select(InstancePacked).where(InstancePacked.instance_id == instance_id)):
        for task_id, entry in packing.unpack(packed.workflow, packed.body):
            session.add(
                InstanceTask(
                    instance_id=instance_id,
                    ord=entry.ord,
                    task_id=task_id,
                    workflow=entry.workflow,
                    body=entry.body,
                )
            )
        session.delete(packed)


def open_task(engine: Engine, instance_id: int, bpmn_id: str) -> queries.TaskRow:
    found = [t for t in queries.tasks(engine, instance_id=instance_id) if t.bpmn_id == bpmn_id]
    assert found, (
        f"no open task {bpmn_id}; open: {[t.bpmn_id for t in queries.tasks(engine, instance_id=instance_id)]}"
    )
    return found[0]


def open_ids(engine: Engine, instance_id: int) -> list[str]:
    return sorted(t.bpmn_id for t in queries.tasks(engine, instance_id=instance_id))


def snapshot(engine: Engine, instance_id: int) -> dict[str, Any]:
    """Everything a step writes: state, revision, projections and history length."""
    with engine.db.sessions() as session:
        row = session.get(Instance, instance_id)
        assert row is not None
        events = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.instance_id == instance_id)
        )
        return {
            "header": row.header,
            "revision": row.revision,
            "status": row.status,
            "events": events,
            "tasks": [(t.id, t.claimed_by) for t in queries.tasks(engine, instance_id=instance_id)],
            "timers": [
                (t["id"], t["due_at"]) for t in queries.timers(engine) if t["instance"] == instance_id
            ],
        }


def downgrade_schema(engine: Engine, revision: str) -> None:
    """The schema taken down to `revision`, what later migrations added dropped (as a database of
    that version is: `engine.db.upgrade()` then upgrades it as a new version of desa would)."""
    from alembic import command
    from alembic.config import Config

    from engine.store.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
