"""One engine step = one transaction: load an instance, run SpiffWorkflow, write everything back.

`Step` loads the instance row and its workflow (from the in-process cache when the cached revision
is the stored one), and `Step.save` writes the new state, bumps the revision only if it is still
the one loaded (optimistic concurrency), rewrites the instance's projections (human tasks, timers,
waiting messages) and appends the audit event, all in the caller's transaction.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import audit, spiff
from .access import kabupaten_code_of
from .db import Database
from .errors import Conflict, NotFound
from .models import AuditEvent, HumanTask, Instance, Role, Timer, WaitingMessage
from .registry import SpecCache


class WorkflowCache:
    """Live workflows by instance, valid for one revision. A step takes its entry out while it
    works, so two threads never share a workflow object; a failed step simply does not put it back."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[int, tuple[int, Any]] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def take(self, instance_id: int, revision: int) -> Any | None:
        with self._lock:
            entry = self._items.pop(instance_id, None)
        return entry[1] if entry and entry[0] == revision else None

    def put(self, instance_id: int, revision: int, workflow: Any) -> None:
        with self._lock:
            self._items[instance_id] = (revision, workflow)
            self._items.move_to_end(instance_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Engine:
    """A database plus the in-process caches that serve it; what the web app, CLI and worker hold."""

    def __init__(self, db: Database, cache_size: int = 256) -> None:
        self.db = db
        self.workflows = WorkflowCache(cache_size)
        self.specs = SpecCache()


def encode_state(workflow: Any) -> bytes:
    return zlib.compress(spiff.state_to_json(workflow).encode("utf-8"), 1)


def decode_state(blob: bytes, spec: spiff.Spec) -> Any:
    return spiff.state_from_json(zlib.decompress(blob).decode("utf-8"), spec)


@dataclass
class Step:
    engine: Engine
    session: Session
    row: Instance
    spec: spiff.Spec
    workflow: Any
    now: datetime

    @classmethod
    def load(
        cls, engine: Engine, session: Session, instance_id: int, now: datetime, lock: bool = False
    ) -> Step:
        query = select(Instance).where(Instance.id == instance_id)
        if lock:
            query = query.with_for_update()
        row = session.scalars(query).first()
        if row is None:
            raise NotFound(f"no instance {instance_id}")
        spec = engine.specs.get(session, row.process_version_id)
        workflow = engine.workflows.take(row.id, row.revision)
        if workflow is None:
            workflow = decode_state(row.state, spec)
        return cls(engine, session, row, spec, workflow, now)

    def save(
        self,
        event_type: str,
        actor: str,
        data: dict[str, Any] | None = None,
        task_id: str | None = None,
        bpmn_id: str | None = None,
        expected_revision: int | None = None,
        status: str | None = None,
        error: str | None = None,
        state_changed: bool = True,
    ) -> AuditEvent:
        loaded = self.row.revision
        if expected_revision is not None and expected_revision != loaded:
            raise Conflict(
                f"instance {self.row.id} changed since you loaded it (revision {expected_revision}, "
                f"now {loaded}); reload and try again"
            )
        new_status = status or self.row.status
        if status is None and state_changed and self.row.status != "suspended":
            new_status = spiff.status(self.workflow)
        values: dict[str, Any] = {
            "revision": loaded + 1,
            "updated_at": self.now,
            "status": new_status,
            "error": error,
        }
        if state_changed:
            values["state"] = encode_state(self.workflow)
        result = self.session.execute(
            update(Instance)
            .where(Instance.id == self.row.id, Instance.revision == loaded)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                f"instance {self.row.id} was changed by someone else at the same time; nothing was saved"
            )
        self.row.revision = loaded + 1
        self.row.status = new_status
        if state_changed:
            sync_projections(
                self.session, self.row, self.workflow, self.now, suspended=new_status == "suspended"
            )
        event = audit.append(self.session, self.row.id, event_type, actor, self.now, data, task_id, bpmn_id)
        self.session.flush()
        return event

    def keep(self) -> None:
        """After the transaction committed: keep the live workflow for the next step."""
        self.engine.workflows.put(self.row.id, self.row.revision, self.workflow)


def default_role(session: Session) -> str:
    return session.scalars(select(Role.name).where(Role.is_default)).first() or ""


def sync_projections(session: Session, row: Instance, workflow: Any, now: datetime, suspended: bool) -> None:
    """Rewrite this instance's human-task, timer and waiting-message rows from its workflow."""
    if row.status in ("completed", "cancelled", "failed"):
        views, waiting = [], []
    else:
        views, waiting = spiff.human_tasks(workflow), spiff.waiting_events(workflow)
    existing = {t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.instance_id == row.id))}
    due_by_task = spiff.boundary_timer_due(workflow) if views else {}
    fallback_role = default_role(session) if any(v.lane is None for v in views) else ""
    kabupaten_code = kabupaten_code_of(row.village_code)
    keep = {v.id for v in views}
    for task_id, old in existing.items():
        if task_id not in keep:
            session.delete(old)
    for view in views:
        task = existing.get(view.id)
        if task is None:
            task = HumanTask(id=view.id, instance_id=row.id, created_at=now, claimed_by=None)
            session.add(task)
        task.village_code = row.village_code
        task.kabupaten_code = kabupaten_code
        task.process_id = view.process_id
        task.bpmn_id = view.bpmn_id
        task.name = view.name
        task.role = view.lane or fallback_role
        task.form = view.form
        task.due_at = due_by_task.get(view.id)
        task.suspended = suspended
    session.execute(delete(Timer).where(Timer.instance_id == row.id))
    session.execute(delete(WaitingMessage).where(WaitingMessage.instance_id == row.id))
    for event in waiting:
        if event.kind == "timer" and event.due_at is not None:
            session.add(
                Timer(
                    id=event.task_id,
                    instance_id=row.id,
                    bpmn_id=event.bpmn_id,
                    name=event.name,
                    due_at=event.due_at,
                    suspended=suspended,
                )
            )
        elif event.kind == "message":
            session.add(
                WaitingMessage(
                    id=event.task_id,
                    instance_id=row.id,
                    village_code=row.village_code,
                    name=event.name,
                    bpmn_id=event.bpmn_id,
                )
            )
