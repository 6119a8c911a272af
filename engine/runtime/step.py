"""One engine step: load an instance, run SpiffWorkflow, write what changed.

A step that runs a process's code (a completion, a start, a message, a timer) is computed outside
any write transaction and written after (`Step.commit`, `Step.defer`): scripts and conditions may
run for seconds, and no one else's write waits for them.

`Step.load` takes the live workflow from the in-process cache when the cached revision is the
stored one (else it rebuilds it from the header and task rows). `Step.save` writes, in the
caller's transaction: the instance row only if its revision is still the one loaded (optimistic
concurrency), the task rows that changed, the projection rows that changed (human tasks, timers,
waiting messages) and the audit event, chained to the head kept on the instance row. The
statements go through `engine.fastsql` (plain SQL on the session's connection): this is the path
every task completion takes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine import config, spiff
from engine.core import Engine, Live, Projection, decode, encode
from engine.errors import Conflict, NotFound
from engine.runtime import audit, places
from engine.runtime.projections import sync_projections
from engine.spiff import json_read
from engine.store.fastsql import Sql


@dataclass
class InstanceRef:
    """The instance row's columns a step needs (the stored state is read only on a cache miss)."""

    id: int
    process_version_id: int
    process_id: str
    village_code: str
    status: str
    revision: int
    last_seq: int
    last_hash: str


INSTANCE_COLUMNS = "id, process_version_id, process_id, village_code, status, revision, last_seq, last_hash"


def instance_ref(sql: Sql, instance_id: int, lock: str = "") -> InstanceRef | None:
    found = sql.one(f"SELECT {INSTANCE_COLUMNS} FROM instance WHERE id = :id {lock}", id=instance_id)
    return InstanceRef(*found) if found else None


def load_live(sql: Sql, instance_id: int, spec: spiff.Spec) -> Live:
    """Rebuild an instance from the database alone."""
    found = load_lives(sql, {instance_id: spec})
    if instance_id not in found:
        raise NotFound(f"no instance {instance_id}")
    return found[instance_id]


def load_lives(sql: Sql, specs: dict[int, spiff.Spec]) -> dict[int, Live]:
    """Rebuild instances (by id, each with its spec) from the database alone: six queries for
    all of them (header, task rows, the three projections and where the dashboard counts each),
    not six per instance. An instance that does not exist is left out."""
    if not specs:
        return {}
    marks, params = sql.in_list("i", list(specs))
    where = f"instance_id IN ({marks})"
    headers = {
        r[0]: r[1] for r in sql.all(f"SELECT id, header FROM instance WHERE id IN ({marks})", **params)
    }
    parsed = {i: json_read.loads(decode(sql.blob(header))) for i, header in headers.items()}
    tasks = stored_tasks(sql, list(headers), [i for i, dct in parsed.items() if dct.get("packed")])
    projections: dict[int, Projection] = {i: Projection() for i in headers}
    for r in sql.all(
        f"SELECT instance_id, place, provinsi, kabupaten FROM instance_place WHERE {where}", **params
    ):
        projections[r[0]] = places.Placed(place=r[1], provinsi=r[2], kabupaten=r[3], read=True)
    for r in sql.all(f"SELECT instance_id, id, due_at FROM human_task WHERE {where}", **params):
        projections[r[0]].human[r[1]] = sql.read_ts(r[2])
    for r in sql.all(f"SELECT instance_id, id, due_at FROM timer WHERE {where}", **params):
        projections[r[0]].timers[r[1]] = sql.read_ts(r[2])  # type: ignore[assignment]
    for r in sql.all(f"SELECT instance_id, id, name FROM waiting_message WHERE {where}", **params):
        projections[r[0]].messages[r[1]] = r[2]
    lives = {}
    for instance_id, header in parsed.items():
        spec = specs[instance_id]
        rows, packed = tasks[instance_id]
        workflow, ledger = spiff.restore(header, rows, spec, packed)
        lives[instance_id] = Live(workflow, ledger, projections[instance_id], spec)
    return lives


StoredRows = tuple[list[tuple[str, spiff.StoredTask]], list[str]]


def stored_tasks(
    sql: Sql, instance_ids: list[int], packed_in: list[int] | None = None
) -> dict[int, StoredRows]:
    """By instance: every stored task row, those of its own and those a packed row holds, and the
    subprocesses whose rows are packed (`engine.spiff.packing`). `packed_in`: the instances whose
    header names packed subprocesses (the others' are not looked for); None: look for all."""
    found: dict[int, StoredRows] = {i: ([], []) for i in instance_ids}
    if not instance_ids:
        return found
    marks, params = sql.in_list("i", instance_ids)
    where = f"instance_id IN ({marks})"
    for r in sql.all(
        f"SELECT instance_id, task_id, workflow, ord, body FROM instance_task WHERE {where}", **params
    ):
        found[r[0]][0].append((r[1], spiff.StoredTask(0.0, None, r[2], r[3], r[4])))
    if packed_in is not None:
        if not packed_in:
            return found
        marks, params = sql.in_list("p", packed_in)
        where = f"instance_id IN ({marks})"
    for r in sql.all(f"SELECT instance_id, workflow, body FROM instance_packed WHERE {where}", **params):
        rows, packed = found[r[0]]
        rows.extend(spiff.unpack(r[1], sql.blob(r[2])))
        packed.append(r[1])
    return found


FROM_WORKFLOW = "from-workflow"  # `save(status=...)`: take the status from the workflow, even if held
HELD = ("suspended", "failed", "cancelled")


@dataclass
class Step:
    engine: Engine
    sql: Sql
    row: InstanceRef
    spec: spiff.Spec | None
    live: Live | None
    now: datetime
    carried: Live | None = None  # a bare step's cached workflow, handed on to the next revision
    open_tasks: list[spiff.HumanTaskView] = field(default_factory=list)  # after save: what is open now
    deferred: list[tuple[datetime, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)

    @property
    def workflow(self) -> Any:
        assert self.live is not None, "this step did not load its workflow"
        return self.live.workflow

    @classmethod
    def load(cls, engine: Engine, session: Session, instance_id: int, now: datetime) -> Step:
        sql = Sql.of(session)
        row = instance_ref(sql, instance_id)
        if row is None:
            raise NotFound(f"no instance {instance_id}")
        deployed = engine.specs.get(session, row.process_version_id)
        live = engine.workflows.take(row.id, row.revision)
        if live is None:
            spec = deployed.spec_for_instance()
            live = load_live(sql, row.id, spec)
        else:
            spec = live.spec
        return cls(engine, sql, row, spec, live, now)

    @classmethod
    def load_many(
        cls, engine: Engine, session: Session, rows: list[InstanceRef], now: datetime
    ) -> dict[int, Step]:
        """`load` for several instances whose rows the caller read (and locked): the workflows not
        in the cache are rebuilt with one set of queries for all of them."""
        sql = Sql.of(session)
        lives: dict[int, Live] = {}
        missing: dict[int, spiff.Spec] = {}
        for row in rows:
            live = engine.workflows.take(row.id, row.revision)
            if live is None:
                missing[row.id] = engine.specs.get(session, row.process_version_id).spec_for_instance()
            else:
                lives[row.id] = live
        lives.update(load_lives(sql, missing))
        return {
            row.id: cls(engine, sql, row, lives[row.id].spec, lives[row.id], now)
            for row in rows
            if row.id in lives
        }

    @classmethod
    def bare(cls, engine: Engine, session: Session, instance_id: int, now: datetime) -> Step:
        """A step that changes no workflow state (claims, suspension): nothing is deserialized."""
        sql = Sql.of(session)
        row = instance_ref(sql, instance_id)
        if row is None:
            raise NotFound(f"no instance {instance_id}")
        return cls(engine, sql, row, None, None, now, carried=engine.workflows.take(row.id, row.revision))

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
        state_written: bool = False,
        preceding: tuple[audit.EventHead, ...] = (),
    ) -> audit.EventHead:
        """Write this step. Without a live workflow (a bare step) only the row and the event are
        written; so too with `state_written`: a save of this step before wrote the state as it is.
        `preceding` are events of this step to write before its own, the chain of the instance's
        events continued (`save_deferred`)."""
        row, sql = self.row, self.sql
        loaded = row.revision
        if expected_revision is not None and expected_revision != loaded:
            raise Conflict(
                f"instance {row.id} changed since you loaded it (revision {expected_revision}, "
                f"now {loaded}); reload and try again"
            )
        snapshot = None
        if self.live is not None and not state_written:
            snapshot = self.live.ledger.snapshot(self.live.workflow)
        new_status = status or row.status
        if snapshot is not None and (status == FROM_WORKFLOW or (status is None and row.status not in HELD)):
            new_status = snapshot.status
        last_seq, last_hash = (
            (preceding[-1].seq, preceding[-1].hash) if preceding else (row.last_seq, row.last_hash)
        )
        event = audit.prepare(
            row.id, last_seq, last_hash, event_type, actor, self.now, data, task_id, bpmn_id
        )
        params: dict[str, Any] = {
            "revision": loaded + 1,
            "updated_at": sql.ts(self.now),
            "error": error,
            "last_seq": event.seq,
            "last_hash": event.hash,
        }
        if new_status != row.status:  # an indexed column: set only when it changes
            params["status"] = new_status
        if snapshot is not None:
            params["header"] = encode(snapshot.header)
        assignments = ", ".join(f"{column} = :{column}" for column in params)
        changed = sql.run(
            f"UPDATE instance SET {assignments} WHERE id = :id AND revision = :loaded",
            id=row.id,
            loaded=loaded,
            **params,
        )
        if changed != 1:
            raise Conflict(
                f"instance {row.id} was changed by someone else at the same time; nothing was saved"
            )
        row.revision, row.status, row.last_seq, row.last_hash = loaded + 1, new_status, event.seq, event.hash
        if snapshot is not None and self.live is not None:
            write_tasks(sql, row.id, snapshot)
            if new_status in ("completed", "cancelled", "failed"):
                views, waiting = [], []
            else:
                views, waiting = snapshot.human, spiff.waiting_events(self.live.workflow, completed=False)
            sync_projections(sql, row, self.live, views, waiting, self.now, new_status == "suspended")
            self.open_tasks = views
        audit.insert(sql, *preceding, event)
        if config.settings().verify_state and self.live is not None:
            verify_stored(sql, row.id, self.live.workflow, self.spec)
        return event

    @staticmethod
    @contextmanager
    def reading(engine: Engine) -> Iterator[Session]:
        """A session to compute steps in: reads only, all from one snapshot of the database (a
        read transaction on SQLite, REPEATABLE READ on PostgreSQL), so the revision a step loads
        is the one its state was read at, and the write's revision check covers everything."""
        connect = engine.db.engine
        if not engine.db.is_sqlite:
            connect = connect.execution_options(isolation_level="REPEATABLE READ")
        # As `Database.transaction` does for writes: the session joins the connection's
        # transaction, and `engine.store.fastsql` uses the connection directly.
        with connect.connect() as connection, connection.begin():
            session = Session(bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only")
            session.info["desa_connection"] = connection
            try:
                yield session
            finally:
                session.close()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction for a step computed outside one; `save` in it writes there.

        The process's code (scripts, conditions) ran while the step held no write lock: the lock
        is taken only now, to write, and `save`'s revision check refuses the write (Conflict) if
        anyone changed the instance since it was loaded."""
        with self.engine.db.transaction() as session:
            self.sql = Sql.of(session)
            yield session

    def commit(self, *args: Any, **kwargs: Any) -> audit.EventHead:
        """`save` in a write transaction of its own (`writing`)."""
        with self.writing():
            return self.save(*args, **kwargs)

    def defer(self, *args: Any, **kwargs: Any) -> None:
        """Note a `save` (same arguments) to make later with `save_deferred`, at this step's time."""
        self.deferred.append((self.now, args, kwargs))

    def save_deferred(self, sql: Sql) -> int:
        """Make the saves `defer` noted, in order, in the caller's transaction; how many. The state
        the step reached is written once, and each save's event, at its own time; all under the
        revision check. Saves that name only their event (a timer's firing) are made as one: one
        write of the instance's row and one statement for their events."""
        self.sql = sql
        noted, self.deferred = self.deferred, []
        events: list[audit.EventHead] = []
        written = False
        for n, (at, args, kwargs) in enumerate(noted):
            self.now = at
            if n + 1 < len(noted) and not kwargs and len(args) <= 5:  # its event goes with the next save's
                last = events[-1] if events else None
                seq, hashed = (last.seq, last.hash) if last else (self.row.last_seq, self.row.last_hash)
                kind, actor, data, task_id, bpmn_id = (*args, None, None, None)[:5]
                events.append(
                    audit.prepare(self.row.id, seq, hashed, kind, actor, at, data, task_id, bpmn_id)
                )
                continue
            self.save(*args, **{**kwargs, "state_written": written, "preceding": tuple(events)})
            events, written = [], True
        return len(noted)

    def keep(self) -> None:
        """After the transaction committed: keep the live workflow for the next step."""
        live = self.live or self.carried
        if live is not None:
            self.engine.workflows.put(self.row.id, self.row.revision, live)


def write_tasks(sql: Sql, instance_id: int, snapshot: spiff.Snapshot) -> None:
    # Rows are keyed by the task's creation order, so a step's writes land on the last pages of
    # the instance's rows instead of pages scattered by random task ids.
    sql.many(
        "INSERT INTO instance_task (instance_id, ord, task_id, workflow, body) "
        "VALUES (:instance_id, :ord, :task_id, :workflow, :body) "
        "ON CONFLICT (instance_id, ord) DO UPDATE SET "
        "task_id = excluded.task_id, workflow = excluded.workflow, body = excluded.body",
        [
            {"instance_id": instance_id, "task_id": tid, "workflow": t.workflow, "ord": t.ord, "body": t.body}
            for tid, t in snapshot.upserts
        ],
    )
    if snapshot.removed:
        marks, params = sql.in_list("o", [str(o) for o in snapshot.removed])
        sql.run(
            f"DELETE FROM instance_task WHERE instance_id = :id AND ord IN ({marks})",
            id=instance_id,
            **params,
        )
    if snapshot.packs:
        sql.many(
            "INSERT INTO instance_packed (instance_id, workflow, body) "
            "VALUES (:instance_id, :workflow, :body) "
            "ON CONFLICT (instance_id, workflow) DO UPDATE SET body = excluded.body",
            [{"instance_id": instance_id, "workflow": key, "body": body} for key, body in snapshot.packs],
        )
    if snapshot.unpacked:
        marks, params = sql.in_list("w", snapshot.unpacked)
        sql.run(
            f"DELETE FROM instance_packed WHERE instance_id = :id AND workflow IN ({marks})",
            id=instance_id,
            **params,
        )


def verify_stored(sql: Sql, instance_id: int, workflow: Any, spec: spiff.Spec | None) -> None:
    """Check (in tests) that what is stored rebuilds exactly the live workflow."""
    assert spec is not None
    rebuilt = load_live(sql, instance_id, spec).workflow
    live_view, stored_view = spiff.normalised_view(workflow), spiff.normalised_view(rebuilt)
    if live_view != stored_view:
        live_only = [r for r in live_view if r not in stored_view]
        stored_only = [r for r in stored_view if r not in live_view]
        detail = []
        for (bpmn_id, state, data), (_, stored_state, stored_data) in zip(
            live_only, stored_only, strict=False
        ):
            live_data, kept = json.loads(data), json.loads(stored_data)
            keys = sorted(k for k in set(live_data) | set(kept) if live_data.get(k) != kept.get(k))
            detail.append(f"{bpmn_id} {state}/{stored_state}: {keys}")
        raise AssertionError(
            f"stored state of instance {instance_id} differs from the live one: {detail[:5]}"
        )
