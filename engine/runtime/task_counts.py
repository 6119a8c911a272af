"""The inbox's counts, kept by whatever writes the open human tasks: per role, step process, taken or
not, day due and day created (`task_count`), the tasks that are not suspended. An inbox with a
national grant reads these instead of every task of its role in the nation
(`engine.views.inbox_counts`).

Each writer of `human_task` says what it changed: rows it adds are counted from what it writes,
rows it deletes or updates from what the statement returns (`RETURNING`, on PostgreSQL and SQLite
alike), so the counts follow the table exactly. Counts are added in the writing connection's slot
(`places.slot`), so concurrent workers do not queue on one row. `place_check` compares them with
the tasks counted from scratch, and repairs them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from engine import clock
from engine.runtime import places
from engine.store.fastsql import Sql

Key = tuple[str, str, bool, str, str]  # role, process_id, claimed, due_day ("" for none), created_day

# What a RETURNING clause gives for `counted`: the key's fields and whether the task is suspended.
RETURNED = "role, process_id, claimed_by, due_at, created_at, suspended"


def day(value: datetime | None) -> str:
    return clock.as_utc(value).date().isoformat() if value is not None else ""


def key(role: str, process_id: str, claimed: bool, due: datetime | None, created: datetime | None) -> Key:
    return (role, process_id, claimed, day(due), day(created))


def _stored_day(value: Any) -> str:
    """The day of a timestamp as a row returns it: on SQLite text, naive UTC as `Sql.ts` writes it
    (its first ten characters are the day; with a UTC offset it is read), on PostgreSQL an aware
    datetime."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:10] if len(value) in (19, 26) else day(datetime.fromisoformat(value))
    return day(value)


def counted(rows: Iterable[tuple[Any, ...]], sign: int = 1) -> Counter[Key]:
    """The keys of rows as RETURNED gives them (suspended tasks are not counted), times `sign`."""
    found: Counter[Key] = Counter()
    for role, process_id, claimed_by, due, created, suspended in rows:
        if not suspended:
            found[(role, process_id, claimed_by is not None, _stored_day(due), _stored_day(created))] += sign
    return found


def add(sql: Sql, changes: Counter[Key]) -> None:
    """Add to the tasks counted per key, in a fixed order (two writers lock rows in the same order)."""
    rows = [
        {
            "role": k[0],
            "process_id": k[1],
            "claimed": k[2],
            "due_day": k[3],
            "created_day": k[4],
            "slot": places.slot(sql),
            "n": n,
        }
        for k, n in sorted(changes.items())
        if n
    ]
    sql.many(
        "INSERT INTO task_count (role, process_id, claimed, due_day, created_day, slot, n) "
        "VALUES (:role, :process_id, :claimed, :due_day, :created_day, :slot, :n) "
        "ON CONFLICT (role, process_id, claimed, due_day, created_day, slot) "
        "DO UPDATE SET n = task_count.n + excluded.n",
        rows,
    )


def delete(sql: Sql, where: str, **params: Any) -> Counter[Key]:
    """Delete the human tasks `where` selects; returns their keys, negative (to `add`)."""
    return counted(sql.all(f"DELETE FROM human_task WHERE {where} RETURNING {RETURNED}", **params), -1)


def update(sql: Sql, assignments: str, where: str, **params: Any) -> list[tuple[Any, ...]]:
    """Update the human tasks `where` selects; returns their rows as RETURNED gives them (new values)."""
    return sql.all(f"UPDATE human_task SET {assignments} WHERE {where} RETURNING {RETURNED}", **params)


def claims_changed(sql: Sql, rows: list[tuple[Any, ...]], was_claimed: bool) -> None:
    """Count tasks that `update` gave a holder or took it from, when they were taken (or not) before."""
    changes = counted(rows)
    changes.update(Counter({(k[0], k[1], was_claimed, k[3], k[4]): -n for k, n in changes.items()}))
    add(sql, changes)
