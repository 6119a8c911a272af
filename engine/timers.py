"""The timer sweep a worker runs: fire every due timer exactly once, each instance on its own.

`fire_due(engine, now)` reads the timer projection (no workflow is deserialized to find work),
loads only instances with a due timer, and fires their timers in due order, each at its own due
time, so a clock moved six months ahead plays the months out in order. Instances are taken in
batches, one transaction (one commit) per batch and a savepoint per instance: one that fails is
rolled back alone, marked failed and logged, and the sweep goes on. On PostgreSQL, several
workers may sweep at once: a batch's instance rows are taken with FOR UPDATE SKIP LOCKED, and the
due timers are read again under that lock, so no timer fires twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit, clock, mailer, spiff
from .errors import EngineError
from .models import Instance, Timer
from .runtime import fail
from .steps import Engine, Step

log = logging.getLogger("desa.timers")
ACTIVE = ("running", "waiting")
MAX_FIRINGS_PER_INSTANCE = 1000
BATCH = 25  # instances per transaction in a sweep (one commit each; their rows locked meanwhile)


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

    Instances are taken `batch` at a time, earliest due first, in one transaction per batch (one
    commit for many instances); on PostgreSQL their rows are locked FOR UPDATE SKIP LOCKED, so
    workers sweeping at once share the work. Each instance runs in a savepoint: one that fails
    is rolled back alone, and marked failed after the batch commits. At most `limit` instances
    per call; `progress(done, total)` after each batch."""
    if now is None:
        with engine.db.sessions() as session:
            now = clock.now(session)
    now = clock.as_utc(now)
    total = count_due(engine, now) if progress is not None else 0
    fired = done = 0
    passed: set[int] = set()  # instances this sweep already took (fired or found nothing to fire)
    while done < limit:
        taken, count, failures = _fire_batch(engine, now, min(batch, limit - done), passed)
        for instance_id, message in failures:
            try:
                fail(engine, instance_id, f"timer: {message}", now)
            except Exception:
                log.exception("could not mark instance %s failed", instance_id)
        if not taken:
            break
        passed.update(taken)
        fired += count
        done += len(taken)
        if progress is not None:
            progress(done, max(total, done))
    return fired


def _candidates(engine: Engine, session: Session, now: datetime, size: int, passed: set[int]) -> list[int]:
    """Up to `size` active instances with a due timer, earliest due first, locked on PostgreSQL."""
    query = (
        select(Instance.id)
        .join(Timer, Timer.instance_id == Instance.id)
        .where(Timer.due_at <= now, Timer.suspended.is_(False), Instance.status.in_(ACTIVE))
        .order_by(Timer.due_at)
        .limit(size)  # an instance with several due timers comes once per timer: fewer than size
    )
    if not engine.db.is_sqlite:
        query = query.with_for_update(of=Instance, skip_locked=True)
    found: list[int] = []
    for (instance_id,) in session.execute(query):
        if instance_id not in passed and instance_id not in found:
            found.append(instance_id)
    return found[:size]


def _fire_batch(
    engine: Engine, now: datetime, size: int, passed: set[int]
) -> tuple[list[int], int, list[tuple[int, str]]]:
    steps: list[Step] = []
    failures: list[tuple[int, str]] = []
    fired = 0
    with engine.db.transaction() as session:
        taken = _candidates(engine, session, now, size, passed)
        for instance_id in taken:
            try:
                with session.begin_nested():
                    count, step = _fire_instance(engine, session, instance_id, now)
            except Exception as err:  # one broken instance must not stop the sweep
                log.exception("instance %s failed while firing timers", instance_id)
                failures.append(
                    (
                        instance_id,
                        str(err) if isinstance(err, EngineError) else f"{type(err).__name__}: {err}",
                    )
                )
                continue
            fired += count
            if step is not None:
                steps.append(step)
    for step in steps:  # committed: keep the live workflows for the next step
        step.keep()
    return taken, fired, failures


def _fire_instance(
    engine: Engine, session: Session, instance_id: int, now: datetime
) -> tuple[int, Step | None]:
    fired = 0
    row = session.execute(select(Instance.status).where(Instance.id == instance_id)).first()
    if row is None or row.status not in ACTIVE:
        return 0, None  # it ended meanwhile
    step: Step | None = None
    for _ in range(MAX_FIRINGS_PER_INSTANCE):
        # Read the due timers again under the lock: another worker may have fired them already.
        due = session.execute(
            select(Timer.id, Timer.bpmn_id, Timer.due_at)
            .where(Timer.instance_id == instance_id, Timer.due_at <= now)
            .order_by(Timer.due_at)
        ).all()
        if not due:
            break
        at = clock.as_utc(due[0].due_at)
        batch = [t for t in due if clock.as_utc(t.due_at) <= at]
        if step is None:
            step = Step.load(engine, session, instance_id, at)
        step.now = at
        before = {e.task_id: e.due_at for e in spiff.waiting_events(step.workflow) if e.kind == "timer"}
        spiff.fire_timers(step.workflow, at)
        after = {e.task_id: e.due_at for e in spiff.waiting_events(step.workflow) if e.kind == "timer"}
        # A timer fired when it stopped waiting, or (a cycle) when it now waits for a later time.
        fired_now = [
            t for t in batch if t.id in before and (t.id not in after or after[t.id] != before[t.id])
        ]
        if not fired_now:
            raise EngineError(f"timers {[t.bpmn_id for t in batch]} were due at {at} but did not fire")
        for timer in fired_now:
            step.save(
                audit.TIMER_FIRED,
                "system",
                {"due_at": at.isoformat(), "fired_at": now.isoformat()},
                timer.id,
                timer.bpmn_id,
            )
            fired += 1
    return fired, step


class Worker:
    """Runs the sweep every `interval` seconds until stopped (a thread of `desa serve`, or `desa worker`)."""

    def __init__(self, engine: Engine, interval: float = 5.0) -> None:
        self.engine = engine
        self.interval = interval
        self.stopping = threading.Event()

    def sweep(self) -> int:
        """One round: fire what is due, then checkpoint the SQLite log (off any request's path)."""
        fired = fire_due(self.engine)
        if fired:
            log.info("fired %d timer(s)", fired)
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
