"""`bench/steps.py --breakdown`: where an engine completion's milliseconds go, as self time per
function, measured by wrapping the engine's functions at run time (nothing edited). The time is
this process's CPU time: on a machine shared with other jobs, the wall clock charges the waits for
a core to whichever function was running.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Runner(Protocol):
    """A bench path: completes one instance's tasks per call and says how many."""

    def run_one(self) -> tuple[int, float]: ...

    def close(self) -> None: ...


class SelfTimer:
    """Wraps functions so each call's time, minus the time of wrapped calls inside it, adds to its label."""

    def __init__(self) -> None:
        self.self_time: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._stack: list[float] = []  # time spent in wrapped children, per open call
        self._undo: list[Callable[[], None]] = []

    @contextmanager
    def timing(self, label: str) -> Iterator[None]:
        self._stack.append(0.0)
        t0 = time.process_time()
        try:
            yield
        finally:
            elapsed = time.process_time() - t0
            children = self._stack.pop()
            self.self_time[label] += elapsed - children
            self.calls[label] += 1
            if self._stack:
                self._stack[-1] += elapsed

    def wrap(self, owner: Any, name: str, label: str | Callable[..., str] | None = None) -> None:
        original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        if original is None:
            print(f"  (breakdown: {getattr(owner, '__name__', owner)}.{name} not found; not timed)")
            return
        is_classmethod = isinstance(original, classmethod)
        func = original.__func__ if is_classmethod else original
        qualname = f"{getattr(owner, '__name__', owner)}.{name}"

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            text = label(*args, **kwargs) if callable(label) else (label or qualname)
            with self.timing(text):
                return func(*args, **kwargs)

        setattr(owner, name, classmethod(wrapper) if is_classmethod else wrapper)
        self._undo.append(lambda: setattr(owner, name, original))

    def restore(self) -> None:
        while self._undo:
            self._undo.pop()()


def breakdown(path: Runner, instances: int) -> list[tuple[str, float, float]]:
    """(label, ms per completion, calls per completion) of the engine path, self time, biggest first."""
    from sqlalchemy.engine import Connection, Engine

    from engine import clock, spiff
    from engine.definitions import forms
    from engine.directory import access
    from engine.runtime import actions as runtime
    from engine.runtime import audit
    from engine.runtime import step as engine_steps
    from engine.store.fastsql import Sql

    path.run_one()  # warm the spec cache and SQLAlchemy's statement cache
    timer = SelfTimer()
    timer.wrap(runtime, "complete", "runtime.complete: rest (checks, result)")
    timer.wrap(Engine, "connect", "connect (from the pool)")
    timer.wrap(Connection, "begin", "BEGIN IMMEDIATE")
    timer.wrap(access, "principal", "access.principal (user + grants, one SELECT)")
    timer.wrap(runtime, "open_task", "runtime.open_task (human_task row)")
    timer.wrap(clock, "now", "clock.now (SELECT clock setting)")
    timer.wrap(forms, "validate", "forms.validate (jsonschema)")
    timer.wrap(engine_steps.Step, "load", "Step.load (SELECT instance; workflow from cache)")
    timer.wrap(spiff, "complete", "spiff.complete (SpiffWorkflow runs the step)")
    timer.wrap(spiff, "occurrence", "spiff.occurrence (a parallel instance's place)")
    timer.wrap(engine_steps.Step, "save", "Step.save: rest (UPDATE instance)")
    timer.wrap(spiff.Ledger, "snapshot", "Ledger.snapshot (find and serialize changed tasks)")
    timer.wrap(engine_steps, "write_tasks", "steps.write_tasks (upsert changed task rows)")
    timer.wrap(engine_steps, "sync_projections", "steps.sync_projections (human_task/timer rows)")
    timer.wrap(audit, "prepare", "audit.prepare (event JSON, sha256)")
    timer.wrap(audit, "insert", "audit.insert (INSERT event)")
    timer.wrap(Sql, "run", "Sql.run / Sql.one / Sql.all (statements)")
    timer.wrap(Sql, "many", "Sql.many (executemany)")
    done = 0
    try:
        for _ in range(instances):
            done += path.run_one()[0]
    finally:
        timer.restore()
        path.close()
    rows = [(label, 1000 * t / done, timer.calls[label] / done) for label, t in timer.self_time.items()]
    return sorted(rows, key=lambda r: -r[1])
