"""The dashboard's and the inbox's kept counts against the same counts made from scratch (every
instance with its village, open tasks, timers and waiting messages): `check` lists what differs,
`repair` writes the difference. The schema migration fills the counts with `repair`, `desa
dashboard check` runs it for operators (and after a village import renamed villages), and the
tests compare after every kind of step.

Made from scratch, the counts scan the nation: this is for operators, never for a page. `repair`
is exact when no step is written meanwhile (stop the workers and the web app first); the counts a
step adds are differences, so one written during a repair is not lost, only possibly counted twice
(run `check` again)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select, update

from engine import spiff
from engine.runtime import places, task_counts
from engine.store.models import (
    HumanTask,
    Instance,
    InstancePlace,
    OverdueCount,
    PlaceCount,
    ProcessVersion,
    TaskCount,
    Timer,
    Village,
    WaitingMessage,
)

PlaceRow = tuple[str, str, str, str]  # process_id, provinsi, kabupaten, place


@dataclass
class Summary:
    instances: dict[int, PlaceRow] = field(default_factory=dict)
    places: dict[tuple[Any, ...], int] = field(default_factory=dict)  # (process, provinsi, place) -> n
    overdue: dict[tuple[Any, ...], int] = field(default_factory=dict)  # (kabupaten, day) -> n
    tasks: dict[tuple[Any, ...], int] = field(default_factory=dict)  # task_counts.Key -> n


def stored_steps(connection: Connection) -> Callable[[int], dict[str, str]]:
    """Per definition version: element id -> step process, from the stored specs (read once each)."""
    found: dict[int, dict[str, str]] = {}

    def steps(version_id: int) -> dict[str, str]:
        if version_id not in found:
            row = connection.execute(
                select(ProcessVersion.process_id, ProcessVersion.spec).where(ProcessVersion.id == version_id)
            ).one()
            found[version_id] = places.element_steps_of(spiff.spec_from_dict(row[0], row[1]))
        return found[version_id]

    return steps


def expected(
    connection: Connection, steps: Callable[[int], dict[str, str]] | None = None, inbox: bool = True
) -> Summary:
    """The counts made from scratch, as the dashboard (and with `inbox`, the inbox) counted before
    they were kept."""
    steps = steps or stored_steps(connection)
    human: dict[int, list[str]] = {}
    timers: dict[int, list[str]] = {}
    messages: dict[int, list[str]] = {}
    for i, p in connection.execute(select(HumanTask.instance_id, HumanTask.process_id)):
        human.setdefault(i, []).append(p)
    for i, b in connection.execute(select(Timer.instance_id, Timer.bpmn_id)):
        timers.setdefault(i, []).append(b)
    for i, b in connection.execute(select(WaitingMessage.instance_id, WaitingMessage.bpmn_id)):
        messages.setdefault(i, []).append(b)
    summary = Summary()
    counts: Counter[tuple[Any, ...]] = Counter()
    rows = connection.execute(
        select(
            Instance.id,
            Instance.process_id,
            Instance.process_version_id,
            Instance.status,
            Village.provinsi,
            Village.kabupaten,
        ).join(Village, Village.code == Instance.village_code)
    )
    for i, process_id, version_id, status, provinsi, kabupaten in rows:
        of_version: Callable[[], dict[str, str]] = partial(steps, version_id)
        place = places.place_of(status, human.get(i, ()), timers.get(i, ()), messages.get(i, ()), of_version)
        summary.instances[i] = (process_id, provinsi or "", kabupaten or "", place)
        counts[(process_id, provinsi or "", place)] += 1
    summary.places = dict(counts)
    due = connection.execute(
        select(Village.kabupaten, HumanTask.due_at)
        .join(Village, Village.code == HumanTask.village_code)
        .where(HumanTask.due_at.is_not(None))
    )
    days: Counter[tuple[Any, ...]] = Counter()
    for kabupaten, due_at in due:
        if due_at is not None:
            days[(kabupaten or "", places.due_day(due_at))] += 1
    summary.overdue = dict(days)
    if not inbox:
        return summary
    open_tasks = connection.execute(
        select(
            HumanTask.role, HumanTask.process_id, HumanTask.claimed_by, HumanTask.due_at, HumanTask.created_at
        ).where(HumanTask.suspended.is_(False))
    )
    keys = Counter(task_counts.key(r, p, c is not None, d, made) for r, p, c, d, made in open_tasks)
    summary.tasks = dict(keys)
    return summary


def kept(connection: Connection, inbox: bool = True) -> Summary:
    """The counts the steps kept (with `inbox`, the inbox's too)."""
    summary = Summary()
    for i, p, prov, kab, place in connection.execute(
        select(
            InstancePlace.instance_id,
            InstancePlace.process_id,
            InstancePlace.provinsi,
            InstancePlace.kabupaten,
            InstancePlace.place,
        )
    ):
        summary.instances[i] = (p, prov, kab, place)
    summary.places = places.sums(
        connection.execute(select(PlaceCount.process_id, PlaceCount.provinsi, PlaceCount.place, PlaceCount.n))
    )
    summary.overdue = places.sums(
        connection.execute(select(OverdueCount.kabupaten, OverdueCount.due_day, OverdueCount.n))
    )
    if not inbox:
        return summary
    summary.tasks = places.sums(
        connection.execute(
            select(
                TaskCount.role,
                TaskCount.process_id,
                TaskCount.claimed,
                TaskCount.due_day,
                TaskCount.created_day,
                TaskCount.n,
            )
        )
    )
    return summary


def _differ(what: str, want: dict[Any, Any], have: dict[Any, Any]) -> list[str]:
    return [
        f"{what} {key}: kept {have.get(key)}, counted {want.get(key)}"
        for key in sorted(set(want) | set(have), key=repr)
        if want.get(key) != have.get(key)
    ]


def _differences(want: Summary, have: Summary) -> list[str]:
    return (
        _differ("villages at", want.places, have.places)
        + _differ("tasks due", want.overdue, have.overdue)
        + _differ("instance", want.instances, have.instances)
        + _differ("open tasks", want.tasks, have.tasks)
    )


def check(connection: Connection, steps: Callable[[int], dict[str, str]] | None = None) -> list[str]:
    """What differs between the kept counts and the counts made from scratch (empty when none)."""
    return _differences(expected(connection, steps), kept(connection))


def repair(
    connection: Connection, steps: Callable[[int], dict[str, str]] | None = None, inbox: bool = True
) -> list[str]:
    """Write what `check` finds different (the counts' differences added in slot 0); returns it.
    Without `inbox`, the dashboard's counts only (before the schema had the inbox's)."""
    want, have = expected(connection, steps, inbox), kept(connection, inbox)
    found = _differences(want, have)
    gone = [i for i in have.instances if i not in want.instances]
    if gone:
        connection.execute(delete(InstancePlace).where(InstancePlace.instance_id.in_(gone)))
    rows = [
        {"instance_id": i, "process_id": p, "provinsi": prov, "kabupaten": kab, "place": place}
        for i, (p, prov, kab, place) in want.instances.items()
        if have.instances.get(i) != (p, prov, kab, place)
    ]
    changed = [r for r in rows if r["instance_id"] in have.instances]
    for r in changed:
        connection.execute(
            update(InstancePlace).where(InstancePlace.instance_id == r["instance_id"]).values(**r)
        )
    added = [r for r in rows if r["instance_id"] not in have.instances]
    if added:
        connection.execute(insert(InstancePlace), added)
    _add(connection, PlaceCount, ("process_id", "provinsi", "place"), want.places, have.places)
    _add(connection, OverdueCount, ("kabupaten", "due_day"), want.overdue, have.overdue)
    task_columns = ("role", "process_id", "claimed", "due_day", "created_day")
    _add(connection, TaskCount, task_columns, want.tasks, have.tasks)
    return found


def _add(
    connection: Connection,
    model: type[PlaceCount] | type[OverdueCount] | type[TaskCount],
    columns: tuple[str, ...],
    want: dict[tuple[Any, ...], int],
    have: dict[tuple[Any, ...], int],
) -> None:
    table = cast(Table, model.__table__)
    for key in set(want) | set(have):
        diff = want.get(key, 0) - have.get(key, 0)
        if not diff:
            continue
        where = [table.c[c] == v for c, v in zip(columns, key, strict=True)] + [table.c.slot == 0]
        if connection.execute(update(table).where(*where).values(n=table.c.n + diff)).rowcount == 0:
            connection.execute(insert(table).values(**dict(zip(columns, key, strict=True)), slot=0, n=diff))
