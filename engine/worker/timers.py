"""The timer sweep a worker runs: fire every due timer exactly once, each instance on its own.

`fire_due(engine, now)` reads the timer projection (no workflow is deserialized to find work),
loads only instances with a due timer, and fires their timers in due order, each at its own due
time, so a clock moved six months ahead plays the months out in order. Instances are taken in
batches, one transaction (one commit) per batch and a savepoint per instance: one that fails is
rolled back alone, marked failed and logged, and the sweep goes on. A batch is computed with reads
only (the timers' scripts run with no lock held) and written after in one transaction, each
instance under the revision check of `Step.save`: when a person acts on the instance meanwhile, or
two workers took it, the first write wins and the other is dropped, so no timer fires twice. On
PostgreSQL several workers may sweep at once; each takes its instances by an advisory lock, so
they share the work.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine
from engine.errors import Conflict, EngineError
from engine.runtime import audit, count_folding
from engine.runtime.actions import fail, sent_messages
from engine.runtime.step import InstanceRef, Step
from engine.spiff.tasks import release
from engine.store.fastsql import Sql
from engine.store.models import Instance, Timer
from engine.worker import mailer

log = logging.getLogger("desa.timers")
ACTIVE = ("running", "waiting")
MAX_FIRINGS_PER_INSTANCE = 1000
BATCH = 25  # instances per transaction in a sweep (one commit each)
CANDIDATES_PER_CLAIM = 4  # due instances read per instance a batch takes (others' claims skipped)
FOLD_EVERY = 60.0  # seconds between two folds of the kept counts by a worker
CLAIMS = 0x15D5  # the advisory-lock space of the timer sweep's claims (PostgreSQL)


def due_instances(engine: Engine, now: datetime, limit: int) -> list[int]:
    """The instances with a timer due at or before `now`, the earliest due first (for listings)."""
    with engine.db.sessions() as session:
        rows = session.execute(
            select(Timer.instance_id, func.min(Timer.due_at))
            .join(Instance, Instance.id == Timer.instance_id)
            .where(Timer.due_at <= now, Timer.suspended.is_(False), Instance.status.in_(ACTIVE))
            .group_by(Timer.instance_id)
            .order_by(func.min(Timer.due_at))
            .limit(limit)
        ).all()
    return [r[0] for r in rows]


def count_due(engine: Engine, now: datetime) -> int:
    """How many instances have a timer due at or before `now` (for a progress bar)."""
    with engine.db.sessions() as session:
        found = session.scalar(
            select(func.count(func.distinct(Timer.instance_id)))
            .join(Instance, Instance.id == Timer.instance_id)
            .where(Timer.due_at <= now, Timer.suspended.is_(False), Instance.status.in_(ACTIVE))
        )
    return int(found or 0)


def fire_due(
    engine: Engine,
    now: datetime | None = None,
    limit: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> int:
    """Fire every timer due at or before `now` (the engine clock by default); returns how many fired.

    Instances are taken `batch` at a time, earliest due first: computed with reads only, then
    written in one transaction per batch (one commit for many instances), each in a savepoint and
    under the revision check: one that fails is rolled back alone, and marked failed after the
    batch commits; one that changed meanwhile is left to the next sweep. At most `limit` instances
    per call; `progress(done, total)` after each batch."""
    if now is None:
        with engine.db.sessions() as session:
            now = clock.now(session)
    now = clock.as_utc(now)
    total = count_due(engine, now) if progress is not None else 0
    fired = done = 0
    passed: set[int] = set()  # instances this sweep already took (fired or found nothing to fire)
    while done < limit:
        # The first batch's workflows are kept in the cache for the steps that follow (a small
        # sweep's); a backlog's would only push each other out of it, so they are taken apart.
        with _collector_paused():
            taken, count, _ = _fire_batch(engine, now, min(batch, limit - done), passed, keep=done == 0)
        if not taken:
            break
        passed.update(taken)
        fired += count
        done += len(taken)
        if progress is not None:
            progress(done, max(total, done))
    return fired


def _candidates(
    engine: Engine, session: Session, now: datetime, size: int, passed: set[int]
) -> list[InstanceRef]:
    """Up to `size` active instances with a due timer, earliest due first: their rows as a step
    needs them (the revision read here is the one the write checks)."""
    columns = [getattr(Instance, c) for c in InstanceRef.__dataclass_fields__]
    query = (
        select(*columns)
        .join(Timer, Timer.instance_id == Instance.id)
        .where(Timer.due_at <= now, Timer.suspended.is_(False), Instance.status.in_(ACTIVE))
        .order_by(Timer.due_at)
        .limit(size)  # an instance with several due timers comes once per timer: fewer than size
    )
    found: dict[int, InstanceRef] = {}
    for row in session.execute(query):
        if row[0] not in passed and row[0] not in found:
            values: tuple[Any, ...] = tuple(row)
            found[row[0]] = InstanceRef(*values)
    return list(found.values())[:size]


@dataclass
class _Due:
    id: str
    bpmn_id: str
    due_at: datetime


def _due_timers(sql: Sql, instance_ids: list[int], now: datetime) -> dict[int, list[_Due]]:
    """The due timers of these instances, earliest first: read after their rows were locked, so a
    timer another worker fired meanwhile is not among them."""
    found: dict[int, list[_Due]] = {i: [] for i in instance_ids}
    if not instance_ids:
        return found
    marks, params = sql.in_list("i", instance_ids)
    for instance_id, timer_id, bpmn_id, due_at in sql.all(
        f"SELECT instance_id, id, bpmn_id, due_at FROM timer WHERE instance_id IN ({marks}) "
        "AND due_at <= :now ORDER BY due_at",
        now=sql.ts(now),
        **params,
    ):
        found[instance_id].append(_Due(timer_id, bpmn_id, clock.as_utc(sql.read_ts(due_at))))  # type: ignore[arg-type]
    return found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch runs. A batch holds its restored workflows (a few
    thousand objects each) until it commits, so the collector would move them to its oldest
    generation and soon run a full pass over the heap: measured, a third of a sweep's CPU time.
    After the batch their cycles are broken (`release`) and reference counting frees them; what
    else the batch left is collected as usual once collection resumes (process-wide: other
    threads' collection waits for the batch too)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _fire_batch(
    engine: Engine, now: datetime, size: int, passed: set[int], keep: bool = True
) -> tuple[list[int], int, list[tuple[int, str]]]:
    with _claims(engine) as claim:
        taken, fired, failures = _claimed_batch(engine, now, size, passed, keep, claim)
        for instance_id, message in failures:  # while still taken: no other worker runs it again
            try:
                fail(engine, instance_id, f"timer: {message}", now)
            except Exception:
                log.exception("could not mark instance %s failed", instance_id)
        return taken, fired, failures


@contextmanager
def _claims(engine: Engine) -> Iterator[Callable[[list[InstanceRef], int], list[InstanceRef]]]:
    """How a batch takes its instances: on PostgreSQL, where several workers may sweep at once,
    each instance by an advisory lock held on a connection of its own until the batch is written,
    so the workers share the work. Unlike a row lock it keeps no one else's write waiting while
    the timers' code runs. (Correctness does not depend on it: the revision check does that.)"""
    if engine.db.is_sqlite:
        yield lambda rows, size: rows[:size]
        return
    with engine.db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        # One statement for the batch: the candidates in order, each tried until `size` are taken
        # (the LIMIT stops the scan, so no lock is taken beyond it).
        lock = text(
            "SELECT c.id FROM unnest(CAST(:ids AS integer[])) AS c(id) "
            "WHERE pg_try_advisory_lock(:space, c.id) LIMIT :size"
        )

        def claim(rows: list[InstanceRef], size: int) -> list[InstanceRef]:
            if not rows:
                return []
            ids = [row.id for row in rows]
            taken: set[int] = set(
                connection.execute(lock, {"ids": ids, "space": CLAIMS, "size": size}).scalars()
            )
            return [row for row in rows if row.id in taken]

        try:
            yield claim
        finally:
            connection.execute(text("SELECT pg_advisory_unlock_all()"))


def _claimed_batch(
    engine: Engine,
    now: datetime,
    size: int,
    passed: set[int],
    keep: bool,
    claim: Callable[[list[InstanceRef], int], list[InstanceRef]],
) -> tuple[list[int], int, list[tuple[int, str]]]:
    failures: list[tuple[int, str]] = []
    computed: list[tuple[Step, int]] = []
    # Computed with reads only: the timers' scripts and expressions run while no write lock (and
    # on PostgreSQL no row lock) is held, so no one else's write waits for them.
    with Step.reading(engine) as session:
        rows = claim(_candidates(engine, session, now, size * CANDIDATES_PER_CLAIM, passed), size)
        taken = [row.id for row in rows]
        due = _due_timers(Sql.of(session), taken, now)
        with_due = [row for row in rows if due[row.id]]
        try:
            with session.begin_nested():
                steps = Step.load_many(engine, session, with_due, now)
        except Exception:  # one instance that cannot be rebuilt: each on its own, to find which
            log.exception("loading a batch of instances failed; loading them one by one")
            steps = {}
        for row in with_due:
            try:
                if row.id not in steps:
                    with session.begin_nested():
                        steps[row.id] = Step.load_many(engine, session, [row], now)[row.id]
                computed.append((steps[row.id], _fire_instance(steps[row.id], due[row.id], now)))
            except Exception as err:  # one broken instance must not stop the sweep
                _failed(failures, row.id, err)
    fired, kept = _write_batch(engine, computed, failures)
    for step in kept:  # committed: keep the live workflows for the next step, or free them
        if keep:
            step.keep()
        elif step.live is not None:
            release(step.live.workflow)
            step.live = None
    return taken, fired, failures


def _failed(failures: list[tuple[int, str]], instance_id: int, err: Exception) -> None:
    log.error(
        "instance %s failed while firing timers: %s",
        instance_id,
        err,
        exc_info=not isinstance(err, EngineError),
    )
    failures.append(
        (instance_id, str(err) if isinstance(err, EngineError) else f"{type(err).__name__}: {err}")
    )


def _write_batch(
    engine: Engine, computed: list[tuple[Step, int]], failures: list[tuple[int, str]]
) -> tuple[int, list[Step]]:
    """Write the computed steps in one transaction, a savepoint each; one that lost a race (its
    instance changed since it was read: another worker fired it, or a person acted) is left out."""
    fired, kept = 0, list[Step]()
    if not computed:
        return fired, kept
    with engine.db.transaction() as session:
        for step, count in computed:
            try:
                with session.begin_nested():
                    step.save_deferred(Sql.of(session))
            except Conflict:
                log.info("instance %s changed while its timers ran; left to the next sweep", step.row.id)
                continue
            except Exception as err:
                _failed(failures, step.row.id, err)
                continue
            fired += count
            kept.append(step)
    return fired, kept


def _fire_instance(step: Step, due: list[_Due], now: datetime) -> int:
    """Fire the instance's due timers in due order, each at its own due time; returns how many."""
    fired = 0
    for _ in range(MAX_FIRINGS_PER_INSTANCE):
        if not due:
            break
        at = due[0].due_at
        batch = [t for t in due if t.due_at <= at]
        step.now = at
        before = {e.task_id: e.due_at for e in spiff.waiting_events(step.workflow) if e.kind == "timer"}
        spiff.fire_timers(step.workflow, at)
        after = {e.task_id: e for e in spiff.waiting_events(step.workflow) if e.kind == "timer"}
        # A timer fired when it stopped waiting, or (a cycle) when it now waits for a later time.
        fired_now = [
            t for t in batch if t.id in before and (t.id not in after or after[t.id].due_at != before[t.id])
        ]
        if not fired_now:
            raise EngineError(f"timers {[t.bpmn_id for t in batch]} were due at {at} but did not fire")
        # The messages this firing threw are recorded by its event (the first of the batch).
        sent = sent_messages(step.workflow)
        for timer in fired_now:
            step.defer(
                audit.TIMER_FIRED,
                "system",
                {"due_at": at.isoformat(), "fired_at": now.isoformat(), **sent},
                timer.id,
                timer.bpmn_id,
            )
            sent = {}
            fired += 1
        # What the timer table will hold once the step is written.
        timers = {} if step.workflow.is_completed() else after
        due = sorted(
            (_Due(t, e.bpmn_id, e.due_at) for t, e in timers.items() if e.due_at and e.due_at <= now),
            key=lambda t: t.due_at,
        )
    return fired


class Worker:
    """Runs the sweep every `interval` seconds until stopped (a thread of `desa serve`, or `desa worker`)."""

    def __init__(self, engine: Engine, interval: float = 5.0) -> None:
        self.engine = engine
        self.interval = interval
        self.stopping = threading.Event()
        self.folded_at = 0.0  # when the kept counts were last folded (time.monotonic)

    def sweep(self) -> int:
        """One round: fire what is due, then checkpoint the SQLite log (off any request's path),
        and every FOLD_EVERY seconds fold the kept counts (`count_folding`)."""
        fired = fire_due(self.engine)
        if fired:
            log.info("fired %d timer(s)", fired)
        if time.monotonic() - self.folded_at >= FOLD_EVERY:
            self.folded_at = time.monotonic()
            count_folding.fold_all(self.engine)
        mailer.sweep(self.engine)  # queue the task e-mails now due and send them (when configured)
        self.engine.db.checkpoint()
        return fired

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.sweep()
            except Exception:
                log.exception("timer sweep failed; trying again in %.0f s", self.interval)
            self.stopping.wait(self.interval)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="desa-timer-worker", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()


__all__ = ["fire_due", "Worker", "timedelta"]
