"""Verification of a history: is it complete and unaltered, and does it explain the stored state?

For each instance, `verify_instance`:
1. walks the hash chain: every event must carry the next number, hash to what it recorded and
   point at the previous event's hash, and the last one must be the head the instance row keeps;
   a broken link is named (an edited, deleted, moved or inserted event) with the event concerned;
2. replays the history on its definition version (`engine.replay`) and compares the result with
   the stored state (each task's BPMN id, state and data), the instance's status and its open
   tasks and timers; a difference names the task and fields and the event that last touched it.

Each result is kept in `audit_check` (the auditor's badge); a history shorter than at an earlier
verification is reported even when its chain was rebuilt to look whole.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine
from engine.errors import NotFound
from engine.history.replay import Divergence, Event, Replay, events_of, instance_ids, spec_source
from engine.runtime import audit
from engine.runtime.step import load_live
from engine.store.fastsql import Sql
from engine.store.models import AuditCheck, HumanTask, Instance, Timer

OK_MESSAGE = "history complete and unaltered; replay matches the stored state"


@dataclass
class Check:
    instance_id: int
    village_code: str
    process_id: str
    events: int
    ok: bool
    kind: str | None = None  # edited | deleted | moved | inserted | replay | state
    seq: int | None = None  # the first event concerned
    message: str = OK_MESSAGE

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Broken:
    kind: str
    seq: int
    message: str


def _recorded_at(event: Event, limit: int) -> int | None:
    """The position this event's content was recorded at, if it was moved (its hash says so)."""
    for seq in range(1, limit + 1):
        if audit.event_hash(event, seq) == event.hash:
            return seq
    return None


def check_chain(events: list[Event], head_seq: int, head_hash: str) -> Broken | None:
    previous, limit = audit.GENESIS, max(head_seq, len(events)) + 1
    for position, event in enumerate(events, start=1):
        if event.seq > position:
            return Broken(
                "deleted",
                position,
                f"event #{position} is missing: the history goes from #{position - 1} to #{event.seq}",
            )
        if audit.event_hash(event) != event.hash:
            recorded = _recorded_at(event, limit)
            following = events[position] if position < len(events) else None
            swapped = following is not None and _recorded_at(following, limit) == event.seq
            if recorded == event.seq + 1 and not swapped:
                return Broken(
                    "deleted",
                    event.seq,
                    f"event #{event.seq} is missing: the events after it were renumbered",
                )
            if recorded is not None:
                return Broken(
                    "moved",
                    event.seq,
                    f"event #{event.seq} holds what was recorded as event #{recorded}: "
                    "events were swapped or moved",
                )
            return Broken(
                "edited",
                event.seq,
                f"event #{event.seq} ({event.type} by {event.actor}) was altered after "
                "it was recorded: its content no longer matches its hash",
            )
        if event.prev_hash != previous:
            return Broken(
                "inserted",
                event.seq,
                f"the chain breaks before event #{event.seq}: it does not follow "
                f"event #{event.seq - 1} (an event was inserted, or one before it replaced)",
            )
        previous = event.hash
    last = events[-1].seq if events else 0
    if last < head_seq:
        return Broken(
            "deleted",
            last + 1,
            f"events #{last + 1} to #{head_seq} are missing (the instance recorded {head_seq} events)",
        )
    if last > head_seq:
        return Broken(
            "inserted",
            head_seq + 1,
            f"event #{head_seq + 1} was added after the last event the instance recorded (#{head_seq})",
        )
    if events and previous != head_hash:
        return Broken("edited", last, f"event #{last} is not the last event the instance recorded")
    return None


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_changes(stored: str, replayed: str) -> str:
    a, b = json.loads(stored), json.loads(replayed)
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return "; ".join(
        f"'{k}' is {_short(a.get(k))} stored, {_short(b.get(k))} by the history" for k in keys[:3]
    )


def _first_touch(events: list[Event], bpmn_ids: set[str]) -> Event | None:
    """The earliest event that acted on one of these tasks: where a stored difference begins (the
    tasks after it inherit its data, so they differ too)."""
    return next((e for e in events if e.bpmn_id in bpmn_ids), None)


def compare_state(session: Session, row: Instance, replay: Replay, events: list[Event]) -> Broken | None:
    """The stored state against the state its history gives."""
    last = events[-1].seq if events else 0
    assert replay.workflow is not None
    stored_view = spiff.normalised_view(
        load_live(Sql.of(session), row.id, replay.spec_of(row.process_version_id)).workflow
    )
    replayed_view = spiff.normalised_view(replay.workflow)
    if stored_view != replayed_view:
        stored_only = Counter(stored_view) - Counter(replayed_view)
        replayed_only = Counter(replayed_view) - Counter(stored_view)
        differing = {r[0] for r in stored_only} | {r[0] for r in replayed_only}
        origin = _first_touch(events, differing)
        seq = origin.seq if origin is not None else last
        first = origin.bpmn_id if origin is not None else sorted(differing)[0]
        for bpmn_id, state, data in sorted(stored_only, key=lambda r: r[0] != first):
            twin = next((r for r in replayed_only if r[0] == bpmn_id and r[1] == state), None)
            detail = _field_changes(data, twin[2]) if twin else "the history does not give it in that state"
            return Broken(
                "state",
                seq,
                f"the stored state differs from its history from event #{seq} on: task "
                f"'{bpmn_id}' ({state}): {detail}",
            )
        bpmn_id, state, _ = sorted(replayed_only)[0]
        return Broken(
            "state", seq, f"the stored state lacks task '{bpmn_id}' ({state}) that its history gives"
        )
    if row.status != replay.status:
        return Broken(
            "state", last, f"the instance is '{row.status}' but its history makes it '{replay.status}'"
        )
    if row.status in ("completed", "cancelled", "failed"):
        return None
    return _compare_projections(session, row, replay, last)


def _compare_projections(session: Session, row: Instance, replay: Replay, last: int) -> Broken | None:
    stored_tasks = Counter(session.scalars(select(HumanTask.bpmn_id).where(HumanTask.instance_id == row.id)))
    open_tasks = Counter(v.bpmn_id for v in spiff.human_tasks(replay.workflow))
    if stored_tasks != open_tasks:
        extra = sorted((stored_tasks - open_tasks) or (open_tasks - stored_tasks))
        return Broken(
            "state", last, f"the task list of the instance does not match its history ({', '.join(extra)})"
        )
    stored_timers = Counter(
        (r[0], clock.as_utc(r[1]))
        for r in session.execute(select(Timer.bpmn_id, Timer.due_at).where(Timer.instance_id == row.id))
    )
    waiting = Counter(
        (w.bpmn_id, w.due_at)
        for w in spiff.waiting_events(replay.workflow)
        if w.kind == "timer" and w.due_at is not None
    )
    if stored_timers != waiting:
        extra = sorted(b for b, _ in (stored_timers - waiting) or (waiting - stored_timers))
        return Broken(
            "state", last, f"the timers of the instance do not match its history ({', '.join(extra)})"
        )
    return None


def _previous_length(session: Session, instance_id: int) -> tuple[int, str] | None:
    """The longest history an earlier verification found whole, and when."""
    found = session.execute(
        select(AuditCheck.events, AuditCheck.checked_at)
        .where(AuditCheck.instance_id == instance_id, AuditCheck.ok.is_(True))
        .order_by(AuditCheck.events.desc())
        .limit(1)
    ).first()
    return (found[0], f"{clock.as_utc(found[1]):%Y-%m-%d %H:%M} UTC") if found else None


def verify_instance(engine: Engine, session: Session, instance_id: int) -> Check:
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"no instance {instance_id}")
    events = events_of(session, instance_id)
    check = Check(row.id, row.village_code, row.process_id, len(events), ok=True)
    broken = check_chain(events, row.last_seq, row.last_hash)
    earlier = _previous_length(session, instance_id)
    if broken is None and earlier is not None and earlier[0] > len(events):
        broken = Broken(
            "deleted",
            len(events) + 1,
            f"the history had {earlier[0]} events when it was verified on "
            f"{earlier[1]}; it now has {len(events)}",
        )
    if broken is None:
        replay = Replay(spec_source(engine, session))
        try:
            replay.apply_all(events)
            broken = compare_state(session, row, replay, events)
        except Divergence as err:
            broken = Broken("replay", err.seq, f"replay stops at event #{err.seq}: {err.reason}")
    if broken is not None:
        check.ok, check.kind, check.seq, check.message = False, broken.kind, broken.seq, broken.message
    return check


def record(session: Session, check: Check, checked_by: str) -> None:
    head = session.scalar(select(Instance.last_hash).where(Instance.id == check.instance_id)) or ""
    session.add(
        AuditCheck(
            instance_id=check.instance_id,
            checked_at=clock.real_now(),
            checked_by=checked_by,
            ok=check.ok,
            kind=check.kind,
            seq=check.seq,
            message=check.message,
            events=check.events,
            head_hash=head,
        )
    )


def verify(
    engine: Engine,
    village: str | None = None,
    checked_by: str = "system",
    progress: Callable[[int, int], None] | None = None,
    villages: set[str] | None = None,
) -> list[Check]:
    """Verify every instance (of one village, or among `villages`), keeping each result."""
    with engine.db.sessions() as session:
        ids = instance_ids(session, village)
        if villages is not None:
            allowed = set(
                session.scalars(select(Instance.id).where(Instance.village_code.in_(sorted(villages))))
            )
            ids = [i for i in ids if i in allowed]
    checks = []
    for done, instance_id in enumerate(ids, start=1):
        with engine.db.sessions() as session:  # replay reads only: no writer waits for it
            check = verify_instance(engine, session, instance_id)
        with engine.db.transaction() as session:
            record(session, check, checked_by)
        checks.append(check)
        if progress is not None:
            progress(done, len(ids))
    return checks


def last_checks(session: Session, instance_ids_: list[int]) -> dict[int, AuditCheck]:
    """The newest verification result of each instance that has one."""
    if not instance_ids_:
        return {}
    newest = (
        select(func.max(AuditCheck.id))
        .where(AuditCheck.instance_id.in_(instance_ids_))
        .group_by(AuditCheck.instance_id)
    )
    return {c.instance_id: c for c in session.scalars(select(AuditCheck).where(AuditCheck.id.in_(newest)))}
