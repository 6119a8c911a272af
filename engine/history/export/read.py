"""Reading the audit history for the exports: in (instance, seq) order, a bounded batch at a time.

The instances in scope are read a page at a time (keyset on the instance id), with their village;
each instance's `last_seq` says how many events its chain holds, so the events are then read in
groups of whole instances of at most `batch_size` events (`instance_id IN (...)`), and an instance
with more events than that in windows of seq. Every statement reads at most `batch_size` events
through the (instance_id, seq) index, on SQLite and PostgreSQL alike, so memory stays the same
however long the history is, and exporting one village reads only that village's rows.

An instance's events are read up to the `last_seq` seen with the instance, so an event appended
during the export is left for the next one and each case is a whole prefix of its chain.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.core import Engine
from engine.errors import NotFound
from engine.store.models import AuditEvent, Instance, Village

BATCH_SIZE = 500
INSTANCE_PAGE = 1000
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class Case:
    """One instance of a process in one village: a trace of the event log."""

    instance_id: int
    process_id: str
    village_code: str
    village: str
    kecamatan: str
    kabupaten: str
    provinsi: str
    last_seq: int

    @property
    def case_id(self) -> str:
        """The village code and the instance: "15.01.01.2003/12"."""
        return f"{self.village_code}/{self.instance_id}"


@dataclass(frozen=True, slots=True)
class Event:
    """One stored audit event with the case it belongs to."""

    case: Case
    seq: int
    id: int
    type: str
    actor: str
    task_id: str | None
    bpmn_id: str | None
    data: dict[str, Any]
    engine_time: datetime
    wall_time: datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Scope:
    """The villages whose history is exported; None for all of them."""

    villages: frozenset[str] | None

    def where(self, query: Query) -> Query:
        if self.villages is None:
            return query
        return query.where(Instance.village_code.in_(sorted(self.villages)))


def scope(engine: Engine, village: str | None = None, villages: Collection[str] | None = None) -> Scope:
    """The scope of an export: one village (which must exist and be among `villages`, the villages
    the caller may see, when given), the villages the caller may see, or all villages."""
    with engine.db.sessions() as session:
        if village is not None:
            visible = villages is None or village in villages
            if not visible or session.get(Village, village) is None:
                raise NotFound(f"unknown village {village}")
            return Scope(frozenset({village}))
        if villages is None:
            return Scope(None)
        # Only the villages that have instances: the IN list of each page stays short.
        present = session.scalars(select(Instance.village_code).distinct())
        return Scope(frozenset(villages).intersection(present))


def count(engine: Engine, scope: Scope) -> int:
    """How many events the scope holds (each chain is 1..last_seq)."""
    with engine.db.sessions() as session:
        total = session.scalar(scope.where(select(func.coalesce(func.sum(Instance.last_seq), 0))))
    return int(total or 0)


_CASE_COLUMNS = (
    Instance.id,
    Instance.process_id,
    Instance.village_code,
    Village.name,
    Village.kecamatan,
    Village.kabupaten,
    Village.provinsi,
    Instance.last_seq,
)
_EVENT_COLUMNS = (
    AuditEvent.instance_id,
    AuditEvent.seq,
    AuditEvent.id,
    AuditEvent.type,
    AuditEvent.actor,
    AuditEvent.task_id,
    AuditEvent.bpmn_id,
    AuditEvent.data,
    AuditEvent.engine_time,
    AuditEvent.wall_time,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)
_ORDER = (AuditEvent.instance_id, AuditEvent.seq)


def cases(engine: Engine, scope: Scope, page: int = INSTANCE_PAGE) -> Iterator[list[Case]]:
    """The instances in scope with their village, `page` at a time, by instance id."""
    after = 0
    while True:
        query = (
            select(*_CASE_COLUMNS)
            .join(Village, Village.code == Instance.village_code)
            .where(Instance.id > after, Instance.last_seq > 0)
            .order_by(Instance.id)
            .limit(page)
        )
        with engine.db.sessions() as session:
            found = [Case(*_values(row)) for row in session.execute(scope.where(query))]
        if not found:
            return
        yield found
        after = found[-1].instance_id


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row)


@dataclass(frozen=True, slots=True)
class _Window:
    case: Case
    after: int  # seq
    upto: int


def _groups(page: Sequence[Case], batch_size: int) -> Iterator[list[_Window]]:
    """Whole instances together up to batch_size events; a larger one alone, in windows."""
    group: list[_Window] = []
    size = 0
    for case in page:
        if case.last_seq > batch_size:
            for after in range(0, case.last_seq, batch_size):
                yield [_Window(case, after, min(after + batch_size, case.last_seq))]
            continue
        if size + case.last_seq > batch_size:
            yield group
            group, size = [], 0
        group.append(_Window(case, 0, case.last_seq))
        size += case.last_seq
    if group:
        yield group


def _read(session: Session, group: list[_Window], columns: Sequence[Any]) -> list[Any]:
    query = select(*columns).order_by(*_ORDER)
    if len(group) == 1:
        w = group[0]
        query = query.where(
            AuditEvent.instance_id == w.case.instance_id, AuditEvent.seq > w.after, AuditEvent.seq <= w.upto
        )
    else:
        query = query.where(AuditEvent.instance_id.in_([w.case.instance_id for w in group]))
    return list(session.execute(query))


def rows(
    engine: Engine, scope: Scope, batch_size: int = BATCH_SIZE, columns: Sequence[Any] = _EVENT_COLUMNS
) -> Iterator[list[tuple[Case, Any]]]:
    """Batches of (case, row of `columns`) in (instance, seq) order; columns start with instance_id
    and seq, and an event appended after its instance was read is left out."""
    for page in cases(engine, scope):
        for group in _groups(page, batch_size):
            by_id = {w.case.instance_id: w.case for w in group}
            with engine.db.sessions() as session:
                found = _read(session, group, columns)
            batch = [(by_id[r[0]], r) for r in found]
            yield [(case, r) for case, r in batch if r[1] <= case.last_seq]


def events(engine: Engine, scope: Scope, batch_size: int = BATCH_SIZE) -> Iterator[list[Event]]:
    """Batches of whole events, in (instance, seq) order."""
    for batch in rows(engine, scope, batch_size):
        yield [Event(case, *row[1:]) for case, row in batch]


def data_batches(engine: Engine, scope: Scope, batch_size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    """Batches of the events' stored data alone (what the CSV's first pass looks at)."""
    columns = (AuditEvent.instance_id, AuditEvent.seq, AuditEvent.data)
    for batch in rows(engine, scope, batch_size, columns):
        yield [row[2] for _, row in batch]
