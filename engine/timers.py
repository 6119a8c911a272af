"""The timer sweep a worker runs: fire every due timer exactly once, each instance on its own.

`fire_due(engine, now)` reads the timer projection (no workflow is deserialized to find work),
loads only instances with a due timer, and fires their timers in due order, each at its own due
time, so a clock moved six months ahead plays the months out in order. Every instance commits
separately; one that fails is marked failed and logged and the sweep goes on. On PostgreSQL,
several workers may sweep at once: an instance row is taken with FOR UPDATE SKIP LOCKED, and the
due timers are read again under that lock, so no timer fires twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from . import audit, clock, mailer, spiff
from .errors import EngineError
from .models import Instance, Timer
from .runtime import fail
from .steps import Engine, Step

log = logging.getLogger("desa.timers")
ACTIVE = ("running", "waiting")
MAX_FIRINGS_PER_INSTANCE = 1000


def due_instances(engine: Engine, now: datetime, limit: int) -> list[int]:
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


def fire_due(
    engine: Engine,
    now: datetime | None = None,
    limit: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Fire every timer due at or before `now` (the engine clock by default); returns how many fired.

    `progress(done, total)` is called after each instance, for a progress bar."""
    if now is None:
        with engine.db.sessions() as session:
            now = clock.now(session)
    now = clock.as_utc(now)
    fired = 0
    due = due_instances(engine, now, limit)
    for done, instance_id in enumerate(due, start=1):
        if progress is not None:
            progress(done, len(due))
        try:
            fired += _fire_instance(engine, instance_id, now)
        except Exception as err:  # one broken instance must not stop the sweep
            log.exception("instance %s failed while firing timers", instance_id)
            message = str(err) if isinstance(err, EngineError) else f"{type(err).__name__}: {err}"
            try:
                fail(engine, instance_id, f"timer: {message}", now)
            except Exception:
                log.exception("could not mark instance %s failed", instance_id)
    return fired


def _fire_instance(engine: Engine, instance_id: int, now: datetime) -> int:
    fired = 0
    with engine.db.transaction() as session:
        query = select(Instance).where(Instance.id == instance_id)
        if not engine.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        row = session.scalars(query).first()
        if row is None or row.status not in ACTIVE:
            return 0  # another worker holds it, or it ended meanwhile
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
    if step is not None:
        step.keep()
    return fired


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
