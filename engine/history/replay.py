"""Replay: rebuild an instance at any point of its history by re-running its recorded inputs.

The history (`engine.audit`) records every external input to an instance: the start with its
definition version and data, each completed task with the data submitted, each timer with its
due time, each message with its payload, cancellations and admin corrections. `Replay.apply`
feeds one event to a fresh workflow of the recorded definition version, at the engine time the
event recorded (timers at their due time), so the same inputs give the same state. SpiffWorkflow
task uuids are random in every run: a completed task is found again by its BPMN id and, among
parallel instances of one element, by the order the event recorded.

An event that cannot be applied (its task is not open in the replay, its timer is not waiting)
raises `Divergence` naming the event: the history does not explain what was stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine
from engine.errors import EngineError, NotFound
from engine.runtime import audit
from engine.store.models import AuditEvent, Instance

HELD = ("suspended", "failed", "cancelled")


class Divergence(EngineError):
    """The recorded history cannot be re-run from event `seq` on."""

    def __init__(self, seq: int, message: str) -> None:
        super().__init__(f"event #{seq}: {message}")
        self.seq = seq
        self.reason = message


@dataclass(frozen=True)
class Event:
    """An audit event as replay and the auditor's views read it (a plain copy of the row)."""

    instance_id: int
    seq: int
    type: str
    actor: str
    task_id: str | None
    bpmn_id: str | None
    data: dict[str, Any]
    engine_time: datetime
    wall_time: datetime
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, row: AuditEvent) -> Event:
        return cls(
            row.instance_id,
            row.seq,
            row.type,
            row.actor,
            row.task_id,
            row.bpmn_id,
            dict(row.data or {}),
            clock.as_utc(row.engine_time),
            clock.as_utc(row.wall_time),
            row.prev_hash,
            row.hash,
        )


def events_of(session: Session, instance_id: int) -> list[Event]:
    return [Event.of(row) for row in audit.history(session, instance_id)]


SpecOf = Callable[[int], spiff.Spec]


def spec_source(engine: Engine, session: Session) -> SpecOf:
    """Definition version id -> a spec for one replayed instance (private where SpiffWorkflow changes it)."""
    return lambda version_id: engine.specs.get(session, version_id).spec_for_instance()


@dataclass
class Replay:
    """An instance being rebuilt from its history, one event at a time."""

    spec_of: SpecOf
    workflow: Any = None
    version_id: int | None = None
    status: str = "new"
    seq: int = 0
    last_timer_at: datetime | None = None
    applied: list[Event] = field(default_factory=list)

    def apply(self, event: Event) -> None:
        if event.seq != self.seq + 1:
            raise Divergence(event.seq, f"follows event #{self.seq}; the history has a gap")
        handler = _HANDLERS.get(event.type)
        if self.workflow is None and event.type != audit.INSTANCE_STARTED:
            raise Divergence(event.seq, f"{event.type} before the instance was started")
        try:
            if handler is not None:
                handler(self, event)
        except Divergence:
            raise
        except EngineError as err:
            raise Divergence(event.seq, f"{event.type} could not be re-run: {err}") from err
        self.seq = event.seq
        self.applied.append(event)

    def apply_all(self, events: Iterable[Event], upto: int | None = None) -> Replay:
        for event in events:
            if upto is not None and event.seq > upto:
                break
            self.apply(event)
        return self

    def _settle(self, status: str | None = None) -> None:
        """The instance's status after a step, decided as the engine decides it when saving."""
        if status is not None:
            self.status = status
        elif self.status not in HELD:
            self.status = spiff.status(self.workflow)


def _started(r: Replay, e: Event) -> None:
    if r.workflow is not None:
        raise Divergence(e.seq, "the instance was started twice")
    version_id = e.data.get("version_id")
    if not isinstance(version_id, int):
        raise Divergence(e.seq, "the start does not name its definition version")
    try:
        spec = r.spec_of(version_id)
    except NotFound as err:
        raise Divergence(e.seq, f"definition version {version_id} is not deployed") from err
    with clock.pinned(e.engine_time):
        r.workflow = spiff.new_workflow(spec, e.data.get("data") or None)
        spiff.run_engine(r.workflow)
    r.version_id = version_id
    r._settle()


def _completed(r: Replay, e: Event) -> None:
    candidates = spiff.ready_human(r.workflow, e.bpmn_id or "")
    occurrence = int(e.data.get("occurrence", 0))
    if occurrence >= len(candidates):
        open_now = sorted({v.bpmn_id for v in spiff.human_tasks(r.workflow)})
        raise Divergence(e.seq, f"task '{e.bpmn_id}' is not open in the replay (open: {', '.join(open_now)})")
    with clock.pinned(e.engine_time):
        spiff.complete(r.workflow, candidates[occurrence], dict(e.data.get("data") or {}))
    r._settle()


def _timer_fired(r: Replay, e: Event) -> None:
    at = clock.as_utc(datetime.fromisoformat(str(e.data.get("due_at") or e.engine_time.isoformat())))
    waiting = [
        w
        for w in spiff.waiting_events(r.workflow)
        if w.kind == "timer" and w.bpmn_id == e.bpmn_id and w.due_at is not None and w.due_at <= at
    ]
    if waiting:
        spiff.fire_timers(r.workflow, at)
        r.last_timer_at = at
    elif r.last_timer_at != at:  # not one of the timers the previous event's firing released too
        raise Divergence(e.seq, f"timer '{e.bpmn_id}' is not waiting until {at:%Y-%m-%d %H:%M} in the replay")
    r._settle()


def _message(r: Replay, e: Event) -> None:
    with clock.pinned(e.engine_time):
        caught = spiff.catch_message(
            r.workflow, str(e.data.get("name", "")), dict(e.data.get("payload") or {})
        )
    if not caught:
        raise Divergence(e.seq, f"nothing in the replay waits for message '{e.data.get('name')}'")
    r._settle()


def _cancelled(r: Replay, e: Event) -> None:
    with clock.pinned(e.engine_time):
        spiff.cancel(r.workflow)
    r._settle("cancelled")


def _corrected(r: Replay, e: Event) -> None:
    spiff.correct_data(r.workflow, dict(e.data.get("changes") or {}))
    r._settle()


def _migrated(r: Replay, e: Event) -> None:
    version_id = e.data.get("to_version_id")
    if not isinstance(version_id, int):
        raise Divergence(e.seq, "the move to a new version does not name that version")
    try:
        spec = r.spec_of(version_id)
    except NotFound as err:
        raise Divergence(e.seq, f"definition version {version_id} is not deployed") from err
    reasons = spiff.blockers(r.workflow, spec)
    if reasons:
        raise Divergence(e.seq, f"the move to version {e.data.get('to_version')} is refused: {reasons[0]}")
    with clock.pinned(e.engine_time):
        spiff.migrate(r.workflow, spec)
        spiff.run_engine(r.workflow)
    r.version_id = version_id
    r._settle()


_HANDLERS: dict[str, Callable[[Replay, Event], None]] = {
    audit.INSTANCE_STARTED: _started,
    audit.TASK_COMPLETED: _completed,
    audit.TIMER_FIRED: _timer_fired,
    audit.MESSAGE_RECEIVED: _message,
    audit.INSTANCE_CANCELLED: _cancelled,
    audit.INSTANCE_SUSPENDED: lambda r, e: r._settle("suspended"),
    audit.INSTANCE_RESUMED: lambda r, e: setattr(r, "status", spiff.status(r.workflow)),
    audit.INSTANCE_FAILED: lambda r, e: r._settle("failed"),
    audit.DATA_CORRECTED: _corrected,
    audit.DEFINITION_MIGRATED: _migrated,
}


def replay_instance(engine: Engine, instance_id: int, upto: int | None = None) -> Replay:
    """The instance rebuilt from its history up to event `upto` (all of it by default)."""
    with engine.db.sessions() as session:
        if session.get(Instance, instance_id) is None:
            raise NotFound(f"no instance {instance_id}")
        events = events_of(session, instance_id)
        return Replay(spec_source(engine, session)).apply_all(events, upto)


def instance_ids(session: Session, village: str | None = None) -> list[int]:
    query = select(Instance.id).order_by(Instance.id)
    if village is not None:
        query = query.where(Instance.village_code == village)
    return list(session.scalars(query))


__all__ = ["Divergence", "Event", "Replay", "events_of", "replay_instance", "spec_source"]
