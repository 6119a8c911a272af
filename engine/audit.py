"""The append-only history: one event per external input to an instance, hash-chained per instance.

Each event's hash is the sha256 of a canonical JSON of the event (instance, sequence number,
type, actor, task, data, engine time, wall time) and the previous event's hash, so an edited,
deleted, inserted or reordered row breaks the chain. No code path updates or deletes an event.
Event types read SUBJECT_PAST_TENSE_VERB.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock
from .models import AuditEvent

GENESIS = "0" * 64

INSTANCE_STARTED = "INSTANCE_STARTED"
TASK_COMPLETED = "TASK_COMPLETED"
TASK_CLAIMED = "TASK_CLAIMED"
TASK_UNCLAIMED = "TASK_UNCLAIMED"
TIMER_FIRED = "TIMER_FIRED"
MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
INSTANCE_SUSPENDED = "INSTANCE_SUSPENDED"
INSTANCE_RESUMED = "INSTANCE_RESUMED"
INSTANCE_CANCELLED = "INSTANCE_CANCELLED"
INSTANCE_FAILED = "INSTANCE_FAILED"


def canonical(event: dict[str, Any]) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _iso(value: datetime) -> str:
    return clock.as_utc(value).isoformat()


def event_hash(row: AuditEvent) -> str:
    body = {
        "instance": row.instance_id,
        "seq": row.seq,
        "type": row.type,
        "actor": row.actor,
        "task_id": row.task_id,
        "bpmn_id": row.bpmn_id,
        "data": row.data,
        "engine_time": _iso(row.engine_time),
        "wall_time": _iso(row.wall_time),
        "prev": row.prev_hash,
    }
    return hashlib.sha256(canonical(body)).hexdigest()


def append(
    session: Session,
    instance_id: int,
    type_: str,
    actor: str,
    engine_time: datetime,
    data: dict[str, Any] | None = None,
    task_id: str | None = None,
    bpmn_id: str | None = None,
) -> AuditEvent:
    """Append one event; the caller holds the instance's row (its revision) for this transaction."""
    previous = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    row = AuditEvent(
        instance_id=instance_id,
        seq=(previous.seq + 1) if previous else 1,
        type=type_,
        actor=actor,
        task_id=task_id,
        bpmn_id=bpmn_id,
        # Round-trip through JSON so the hash covers exactly what the database gives back.
        data=json.loads(json.dumps(data or {}, default=str)),
        engine_time=clock.as_utc(engine_time),
        wall_time=clock.real_now(),
        prev_hash=previous.hash if previous else GENESIS,
    )
    row.hash = event_hash(row)
    session.add(row)
    return row


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        )
    )


def verify_chain(events: list[AuditEvent]) -> int | None:
    """The sequence number of the first event that breaks the chain, or None if it holds."""
    previous = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq or event.prev_hash != previous or event_hash(event) != event.hash:
            return event.seq
        previous = event.hash
    return None


def last_completion(session: Session, task_id: str) -> AuditEvent | None:
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.task_id == task_id, AuditEvent.type == TASK_COMPLETED)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
