"""The projections a step keeps: one row per open human task, per waiting timer and per waiting
message of an instance. `sync_projections` writes only the difference between what the tables
hold (remembered beside the live workflow) and what the workflow now shows."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from engine import spiff
from engine.definitions import roles
from engine.directory.access import kabupaten_code_of
from engine.runtime import places, task_counts
from engine.store.fastsql import Sql, insert_sql

if TYPE_CHECKING:
    from engine.core import Live
    from engine.runtime.step import InstanceRef


HUMAN_TASK_COLUMNS = (
    "id",
    "instance_id",
    "village_code",
    "kabupaten_code",
    "process_id",
    "bpmn_id",
    "name",
    "role",
    "form",
    "created_at",
    "due_at",
    "claimed_by",
    "suspended",
)


def default_role(sql: Sql) -> str:
    """The role of the tasks drawn outside any lane: the one a roles file names as its default_role,
    else the built-in role (deployed with every folder that names no default)."""
    found = sql.one("SELECT name FROM role WHERE is_default = :yes", yes=True)
    return str(found[0]) if found else roles.DEFAULT_ROLE


def _delete_ids(sql: Sql, table: str, ids: list[str]) -> None:
    if ids:
        marks, params = sql.in_list("t", ids)
        sql.run(f"DELETE FROM {table} WHERE id IN ({marks})", **params)


def sync_projections(
    sql: Sql,
    row: InstanceRef,
    live: Live,
    views: list[spiff.HumanTaskView],
    waiting: list[spiff.WaitingEvent],
    now: datetime,
    suspended: bool,
) -> None:
    """Write the difference between what the projection tables hold and what the workflow shows."""
    old = live.projection
    due_by_task = spiff.boundary_timer_due(live.workflow) if views else {}
    # A deadline stays when its non-interrupting timer has fired (the escalation it raised does not
    # make the task any less late): the timer is no longer waiting, so the workflow no longer says it.
    new_human = {v.id: due_by_task.get(v.id) or old.human.get(v.id) for v in views}
    counts: Counter[task_counts.Key] = Counter()
    gone = [t for t in old.human if t not in new_human]
    if gone:
        marks, params = sql.in_list("t", gone)
        counts.update(task_counts.delete(sql, f"id IN ({marks})", **params))
    added = [v for v in views if v.id not in old.human]
    if added:
        fallback_role = default_role(sql) if any(v.lane is None for v in added) else ""
        if not suspended:
            counts.update(
                task_counts.key(v.lane or fallback_role, v.process_id, False, new_human[v.id], now)
                for v in added
            )
        kabupaten_code = kabupaten_code_of(row.village_code)
        sql.many(
            insert_sql("human_task", HUMAN_TASK_COLUMNS),
            [
                {
                    "id": v.id,
                    "instance_id": row.id,
                    "village_code": row.village_code,
                    "kabupaten_code": kabupaten_code,
                    "process_id": v.process_id,
                    "bpmn_id": v.bpmn_id,
                    "name": v.name,
                    "role": v.lane or fallback_role,
                    "form": v.form,
                    "created_at": sql.ts(now),
                    "due_at": sql.ts(new_human[v.id]),
                    "claimed_by": None,
                    "suspended": suspended,
                }
                for v in added
            ],
        )
    for task_id, due in new_human.items():
        if task_id in old.human and old.human[task_id] != due:
            rows = task_counts.update(sql, "due_at = :due", "id = :id", due=sql.ts(due), id=task_id)
            counts.update(task_counts.counted(rows))
            was = [(*r[:3], sql.ts(old.human[task_id]), *r[4:]) for r in rows]
            counts.update(task_counts.counted(was, -1))
    task_counts.add(sql, counts)

    new_timers = {e.task_id: e for e in waiting if e.kind == "timer" and e.due_at is not None}
    stale = [t for t in old.timers if t not in new_timers or old.timers[t] != new_timers[t].due_at]
    _delete_ids(sql, "timer", stale)
    sql.many(
        insert_sql("timer", ("id", "instance_id", "bpmn_id", "name", "due_at", "suspended")),
        [
            {
                "id": e.task_id,
                "instance_id": row.id,
                "bpmn_id": e.bpmn_id,
                "name": e.name,
                "due_at": sql.ts(e.due_at),
                "suspended": suspended,
            }
            for t, e in new_timers.items()
            if t not in old.timers or t in stale
        ],
    )
    new_messages = {e.task_id: e for e in waiting if e.kind == "message"}
    _delete_ids(sql, "waiting_message", [m for m in old.messages if m not in new_messages])
    sql.many(
        insert_sql("waiting_message", ("id", "instance_id", "village_code", "name", "bpmn_id")),
        [
            {
                "id": e.task_id,
                "instance_id": row.id,
                "village_code": row.village_code,
                "name": e.name,
                "bpmn_id": e.bpmn_id,
            }
            for m, e in new_messages.items()
            if m not in old.messages
        ],
    )
    place = places.place_of(
        row.status,
        (v.process_id for v in views),
        (e.bpmn_id for e in new_timers.values()),
        (e.bpmn_id for e in new_messages.values()),
        lambda: places.cached_element_steps(live.spec),
    )
    days: Counter[str] = Counter()
    if new_human != old.human:
        days.update(places.due_days(new_human.values()))
        days.subtract(places.due_days(old.human.values()))
    counted = places.record(
        sql,
        row.id,
        row.process_id,
        row.village_code,
        old,
        place,
        Counter({d: n for d, n in days.items() if n}),
    )
    live.projection = places.Placed(
        human=new_human,
        timers={t: e.due_at for t, e in new_timers.items() if e.due_at is not None},
        messages={m: e.name for m, e in new_messages.items()},
        place=counted[0],
        provinsi=counted[1],
        kabupaten=counted[2],
    )


def clear_projections(sql: Sql, instance_id: int) -> None:
    places.cleared(sql, instance_id)
    task_counts.add(sql, task_counts.delete(sql, "instance_id = :id", id=instance_id))
    for table in ("timer", "waiting_message"):
        sql.run(f"DELETE FROM {table} WHERE instance_id = :id", id=instance_id)
