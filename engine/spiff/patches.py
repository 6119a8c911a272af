"""Two adjustments to SpiffWorkflow, installed when `engine.spiff` is imported.

Clock adapter: SpiffWorkflow's timer event definitions call `datetime.now(timezone.utc)` through
the module-level name `datetime` of `bpmn/specs/event_definitions/timer.py`. `install_clock()`
replaces that name with a `datetime` subclass whose `now()` answers the engine clock's pinned time
(see `engine.clock.pinned`), so timers start, wait and fire on the engine's time, not the host's.
SpiffWorkflow compares due times strictly (`due < now`); the engine treats a timer as due *at* its
time, so `tasks.fire_timers` checks them one microsecond past the pinned time.

Data adapter: SpiffWorkflow's DeepMerge (how a task inherits its parent's data, how a join merges
branches) changes shared nested values in place, so merging at a join also rewrote the data of
finished tasks. `install_copy_on_write_merge()` replaces it with the same merge done copy-on-write
(`_merge`); scripts run on deep copies of their task's data (`engine.sandbox.execute`).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine import clock


class EngineDatetime(datetime):
    """`datetime` whose `now()` is the engine clock's pinned time while a step runs."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> EngineDatetime:
        pinned = clock.pinned_now()
        base = pinned if pinned is not None else datetime.now(UTC)
        base = base.astimezone(tz) if tz is not None else base.astimezone().replace(tzinfo=None)
        return cls.combine(base.date(), base.time(), base.tzinfo)


def _merge(a: dict[str, Any], b: dict[str, Any], path: list[str] | None = None) -> dict[str, Any]:
    """SpiffWorkflow's DeepMerge.merge, copy-on-write: nested values shared between tasks' data are
    replaced, never changed in place (in place, merging at a join rewrote the data of tasks that
    had finished long before, including ones already stored)."""
    if not a:  # a task inheriting its parent's data: every key is new (the loop below, faster)
        for key, value in b.items():
            kind = type(value)
            if kind is dict or kind is list or kind is set:
                a[key] = value.copy()
            else:
                a[key] = copy.copy(value) if isinstance(value, dict | list | set) else value
        return a
    path = path or []
    for key in b:
        if key in a:
            if a[key] == b[key]:
                continue
            if isinstance(a[key], dict) and isinstance(b[key], dict):
                a[key] = _merge(dict(a[key]), b[key], [*path, str(key)])
            elif isinstance(a[key], list) and isinstance(b[key], list):
                merged = list(a[key])
                _merge_array(merged, b[key], [*path, str(key)])
                a[key] = merged
            else:
                a[key] = copy.copy(b[key]) if isinstance(b[key], dict | list | set) else b[key]
        else:
            a[key] = copy.copy(b[key]) if isinstance(b[key], dict | list | set) else b[key]
    return a


def _merge_array(a: list[Any], b: list[Any], path: list[str]) -> None:
    seen_hashable: set[Any] = set()
    seen_unhashable: list[Any] = []
    for item in a:
        try:
            seen_hashable.add(item)
        except TypeError:
            seen_unhashable.append(item)
    for idx, val in enumerate(b):
        if isinstance(val, dict):
            if len(a) > idx:
                a[idx] = _merge(dict(a[idx]) if isinstance(a[idx], dict) else a[idx], val, [*path, str(idx)])
            else:
                a.append(val)
        else:
            try:
                if val in seen_hashable:
                    continue
                seen_hashable.add(val)
            except TypeError:
                if val in seen_unhashable:
                    continue
                seen_unhashable.append(val)
            a.append(val)
    del a[len(b) :]


def install_copy_on_write_merge() -> None:
    DeepMerge.merge = staticmethod(_merge)
    DeepMerge.merge_array = staticmethod(_merge_array)


def install_clock() -> None:
    spiff_timer.datetime = EngineDatetime
