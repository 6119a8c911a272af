"""The append-only history: one event per external input to an instance, hash-chained per instance.

Each event's hash is the sha256 of a canonical JSON of the event (instance, sequence number,
type, actor, task, data, engine time, wall time) and the previous event's hash, so an edited,
deleted, inserted or reordered row breaks the chain. No code path updates or deletes an event.
Event types read SUBJECT_PAST_TENSE_VERB.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.store.fastsql import Sql, insert_sql
from engine.store.models import AuditEvent

GENESIS = "0" * 64

INSTANCE_STARTED = "INSTANCE_STARTED"
TASK_COMPLETED = "TASK_COMPLETED"
TASK_CLAIMED = "TASK_CLAIMED"
TASK_UNCLAIMED = "TASK_UNCLAIMED"
TASK_REASSIGNED = "TASK_REASSIGNED"
DRAFT_SAVED = "DRAFT_SAVED"
TIMER_FIRED = "TIMER_FIRED"
MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
INSTANCE_SUSPENDED = "INSTANCE_SUSPENDED"
INSTANCE_RESUMED = "INSTANCE_RESUMED"
INSTANCE_CANCELLED = "INSTANCE_CANCELLED"
INSTANCE_FAILED = "INSTANCE_FAILED"
DATA_CORRECTED = "DATA_CORRECTED"
DEFINITION_MIGRATED = "DEFINITION_MIGRATED"


def canonical(event: dict[str, Any]) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _iso(value: datetime) -> str:
    return clock.as_utc(value).isoformat()


def _body(
    instance_id: int,
    seq: int,
    type_: str,
    actor: str,
    task_id: str | None,
    bpmn_id: str | None,
    data: dict[str, Any],
    engine_time: datetime,
    wall_time: datetime,
    prev_hash: str,
) -> dict[str, Any]:
    return {
        "instance": instance_id,
        "seq": seq,
        "type": type_,
        "actor": actor,
        "task_id": task_id,
        "bpmn_id": bpmn_id,
        "data": data,
        "engine_time": _iso(engine_time),
        "wall_time": _iso(wall_time),
        "prev": prev_hash,
    }


class Recorded(Protocol):
    """What an event's hash covers: a stored row, or a copy of one."""

    @property
    def instance_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def task_id(self) -> str | None: ...
    @property
    def bpmn_id(self) -> str | None: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def engine_time(self) -> datetime: ...
    @property
    def wall_time(self) -> datetime: ...
    @property
    def prev_hash(self) -> str: ...


def event_hash(row: Recorded, seq: int | None = None) -> str:
    """The sha256 the event's content gives (as if it stood at `seq`, when given)."""
    body = _body(
        row.instance_id,
        row.seq if seq is None else seq,
        row.type,
        row.actor,
        row.task_id,
        row.bpmn_id,
        row.data,
        row.engine_time,
        row.wall_time,
        row.prev_hash,
    )
    return hashlib.sha256(canonical(body)).hexdigest()


@dataclass
class EventHead:
    """An event ready to insert; its seq and hash become the instance's new chain head."""

    seq: int
    hash: str
    values: dict[str, Any]


def prepare(
    instance_id: int,
    last_seq: int,
    last_hash: str,
    type_: str,
    actor: str,
    engine_time: datetime,
    data: dict[str, Any] | None = None,
    task_id: str | None = None,
    bpmn_id: str | None = None,
) -> EventHead:
    # Round-trip through JSON so the hash covers exactly what the database gives back.
    stored_data = json.loads(json.dumps(data or {}, default=str))
    seq, engine_time, wall_time = last_seq + 1, clock.as_utc(engine_time), clock.real_now()
    body = _body(
        instance_id, seq, type_, actor, task_id, bpmn_id, stored_data, engine_time, wall_time, last_hash
    )
    digest = hashlib.sha256(canonical(body)).hexdigest()
    values = {
        "instance_id": instance_id,
        "seq": seq,
        "type": type_,
        "actor": actor,
        "task_id": task_id,
        "bpmn_id": bpmn_id,
        "data": stored_data,
        "engine_time": engine_time,
        "wall_time": wall_time,
        "prev_hash": last_hash,
        "hash": digest,
    }
    return EventHead(seq, digest, values)


def insert(sql: Sql, *events: EventHead) -> None:
    """Write the events, in one statement."""
    rows = [
        {
            **e.values,
            "data": sql.json(e.values["data"]),
            "engine_time": sql.ts(e.values["engine_time"]),
            "wall_time": sql.ts(e.values["wall_time"]),
        }
        for e in events
    ]
    if rows:
        sql.many(insert_sql("audit_event", tuple(events[0].values)), rows)


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
