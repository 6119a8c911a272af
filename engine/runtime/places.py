"""The dashboard's counts, kept by the steps: where each instance is counted (`instance_place`),
the villages per program, provinsi and place (`place_count`) and the open tasks per kabupaten/kota
and day due (`overdue_count`). `sync_projections` calls `record` after writing the projections, in
the step's transaction, so the dashboard reads a few hundred rows instead of the nation.

A step that leaves its instance where it was (most completions: the next task of the same step)
and adds or removes no task with a deadline writes nothing here; with its workflow cached it reads
nothing either (the place rides on the cached projection, `Placed`), else it reads the instance's
row of `instance_place`. Counts are added in a slot of
the writing connection (`slot`), so concurrent workers do not queue on one row.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import clock, spiff
from engine.core import Projection
from engine.store.fastsql import Sql

FINISHED = "(finished)"  # completed, cancelled or failed: not a process id (those are XML names)
UNKNOWN = "-"  # running, and no open task, timer or message tells its step
FINISHED_STATUSES = ("completed", "cancelled", "failed")
SLOTS = 8


@dataclass
class Placed(Projection):
    """A projection that also knows where the instance is counted (what `instance_place` holds)."""

    place: str = UNKNOWN
    provinsi: str = ""
    kabupaten: str = ""
    read: bool = False  # read from `instance_place` by this step (not kept from an earlier one)


def place_of(
    status: str,
    steps: Iterable[str],
    timers: Iterable[str],
    messages: Iterable[str],
    element_steps: Callable[[], dict[str, str]],
) -> str:
    """Where the dashboard counts an instance: finished, else the (first) step process of its open
    tasks, else the step process of its (first) waiting timer's element, else of its waiting
    message's; UNKNOWN when none tells."""
    if status in FINISHED_STATUSES:
        return FINISHED
    step = min(steps, default=None)
    if step is not None:
        return step
    element = min(timers, default=None) or min(messages, default=None)
    if element is None:
        return UNKNOWN
    return element_steps().get(element) or UNKNOWN


def element_steps_of(spec: spiff.Spec) -> dict[str, str]:
    """BPMN element id -> the step process it belongs to."""
    return {name: process.name for process in spiff.all_specs(spec) for name in process.task_specs}


_STEPS: dict[int, tuple[weakref.ref[spiff.Spec], dict[str, str]]] = {}


def cached_element_steps(spec: spiff.Spec) -> dict[str, str]:
    """`element_steps_of`, kept while the spec object lives (specs are shared by their instances)."""
    found = _STEPS.get(id(spec))
    if found is not None and found[0]() is spec:
        return found[1]
    if len(_STEPS) > 256:
        _STEPS.clear()
    mapping = _STEPS[id(spec)] = (weakref.ref(spec), element_steps_of(spec))
    return mapping[1]


def due_day(due: datetime) -> str:
    return clock.as_utc(due).date().isoformat()


def due_days(dues: Iterable[datetime | None]) -> Counter[str]:
    return Counter(due_day(d) for d in dues if d is not None)


def slot(sql: Sql) -> int:
    """The writing connection's slot: on PostgreSQL its server process, so two connections writing
    at once rarely share a row (SQLite has one writer at a time)."""
    if sql.sqlite:
        return 0
    return int(sql.cursor.connection.info.backend_pid) % SLOTS


def add_places(sql: Sql, changes: Counter[tuple[str, str, str]]) -> None:
    """Add to the villages counted per (process, provinsi, place), in a fixed order."""
    rows = [
        {"process_id": p, "provinsi": prov, "place": place, "slot": slot(sql), "n": n}
        for (p, prov, place), n in sorted(changes.items())
        if n
    ]
    sql.many(
        "INSERT INTO place_count (process_id, provinsi, place, slot, n) "
        "VALUES (:process_id, :provinsi, :place, :slot, :n) "
        "ON CONFLICT (process_id, provinsi, place, slot) DO UPDATE SET n = place_count.n + excluded.n",
        rows,
    )


def add_overdue(sql: Sql, changes: Counter[tuple[str, str]]) -> None:
    """Add to the open tasks counted per (kabupaten/kota, day due), in a fixed order."""
    rows = [
        {"kabupaten": k, "due_day": day, "slot": slot(sql), "n": n}
        for (day, k), n in sorted(((day, k), n) for (k, day), n in changes.items())
        if n
    ]
    sql.many(
        "INSERT INTO overdue_count (due_day, kabupaten, slot, n) VALUES (:due_day, :kabupaten, :slot, :n) "
        "ON CONFLICT (due_day, kabupaten, slot) DO UPDATE SET n = overdue_count.n + excluded.n",
        rows,
    )


def _stored(sql: Sql, instance_id: int) -> tuple[str, str, str] | None:
    found = sql.one(
        "SELECT place, provinsi, kabupaten FROM instance_place WHERE instance_id = :id", id=instance_id
    )
    return (str(found[0]), str(found[1]), str(found[2])) if found else None


def _village_names(sql: Sql, village_code: str) -> tuple[str, str]:
    found = sql.one("SELECT provinsi, kabupaten FROM village WHERE code = :c", c=village_code)
    return (str(found[0] or ""), str(found[1] or "")) if found else ("", "")


def record(
    sql: Sql,
    instance_id: int,
    process_id: str,
    village_code: str,
    old: Projection,
    place: str,
    days: Counter[str],
) -> tuple[str, str, str]:
    """Count the instance at `place` with `days` added to its tasks' days due (negative: removed).
    Returns (place, provinsi, kabupaten) as now stored."""
    if isinstance(old, Placed) and old.place == place and not days:
        return old.place, old.provinsi, old.kabupaten
    # Read, not taken from a cached projection (a repair, `place_check`, may have renamed it since),
    # unless this step read it when it loaded the instance.
    stored = (old.place, old.provinsi, old.kabupaten) if isinstance(old, Placed) and old.read else None
    stored = stored or _stored(sql, instance_id)
    places: Counter[tuple[str, str, str]] = Counter()
    if stored is None:  # a new instance (or one not yet counted)
        provinsi, kabupaten = _village_names(sql, village_code)
        sql.run(
            "INSERT INTO instance_place (instance_id, process_id, provinsi, kabupaten, place) "
            "VALUES (:id, :p, :provinsi, :kabupaten, :place)",
            id=instance_id,
            p=process_id,
            provinsi=provinsi,
            kabupaten=kabupaten,
            place=place,
        )
        places[(process_id, provinsi, place)] += 1
    else:
        was, provinsi, kabupaten = stored
        if was != place:
            sql.run(
                "UPDATE instance_place SET place = :place WHERE instance_id = :id",
                place=place,
                id=instance_id,
            )
            places[(process_id, provinsi, was)] -= 1
            places[(process_id, provinsi, place)] += 1
    add_places(sql, places)
    add_overdue(sql, Counter({(kabupaten, day): n for day, n in days.items()}))
    return place, provinsi, kabupaten


def cleared(sql: Sql, instance_id: int) -> None:
    """The instance's projections are about to be deleted outside a step (`clear_projections`):
    its tasks leave the overdue counts and it is counted as finished (when its status says so) or
    as UNKNOWN (the step that follows, if any, counts it where it then is)."""
    row = sql.one("SELECT process_id, village_code, status FROM instance WHERE id = :id", id=instance_id)
    if row is None:
        return
    dues = [
        sql.read_ts(r[0])
        for r in sql.all("SELECT due_at FROM human_task WHERE instance_id = :id", id=instance_id)
    ]
    days = Counter({day: -n for day, n in due_days(dues).items()})
    place = FINISHED if row[2] in FINISHED_STATUSES else UNKNOWN
    record(sql, instance_id, str(row[0]), str(row[1]), Projection(), place, days)


def sums(rows: Iterable[Any]) -> dict[tuple[Any, ...], int]:
    """Rows of (key..., n) added up by key, zero sums left out."""
    found: Counter[tuple[Any, ...]] = Counter()
    for r in rows:
        found[tuple(r[:-1])] += int(r[-1])
    return {k: n for k, n in found.items() if n}
