"""Kept counts folded: the rows of a count table (`place_count`, `overdue_count`, `task_count`) that
say one thing made into one row.

The steps add to their counts in the slot of the connection that writes (`places.slot`), and a
count that went back to zero keeps its rows: a task added in one slot and completed in another
leaves a +1 and a -1. The inbox's counts are per day created and day due, so over months of use
a table would grow by rows that sum to nothing, and every read sums them all. `fold` puts each key
with several rows, or summing to zero, back to one row in slot 0 (none when zero). The worker
folds the tables now and then (`Worker.sweep`); what a fold changes sums to the same counts.

It locks the rows it reads (PostgreSQL: `FOR UPDATE`, in the order the steps lock them: by key,
each text compared by code point as Python sorts them), so a step adding to a count waits for it
or it for the step, and nothing added meanwhile is lost. SQLite has one writer at a time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from engine.core import Engine
from engine.store.fastsql import Sql

TABLES = {
    "place_count": ("process_id", "provinsi", "place"),
    "overdue_count": ("due_day", "kabupaten"),
    "task_count": ("role", "process_id", "claimed", "due_day", "created_day"),
}
NOT_TEXT = {"claimed"}  # the key columns that are not text (no collation to order them by)


def fold(sql: Sql, table: str) -> int:
    """Fold one count table (a name of TABLES); returns how many rows fewer it has. Only the rows
    read (and locked) are deleted: a row another writer adds meanwhile stays, and adds to its own."""
    keys = TABLES[table]
    order = ", ".join(k if sql.sqlite or k in NOT_TEXT else f'{k} COLLATE "C"' for k in keys)
    lock = "" if sql.sqlite else " FOR UPDATE"
    sums: Counter[tuple[Any, ...]] = Counter()
    slots: dict[tuple[Any, ...], list[int]] = {}
    for row in sql.all(f"SELECT {', '.join(keys)}, slot, n FROM {table} ORDER BY {order}, slot{lock}"):
        sums[row[:-2]] += int(row[-1])
        slots.setdefault(row[:-2], []).append(int(row[-2]))
    folded = [key for key, read in slots.items() if len(read) > 1 or sums[key] == 0]
    where = " AND ".join(f"{k} = :{k}" for k in keys)
    for key in folded:
        for slot in slots[key]:
            sql.run(
                f"DELETE FROM {table} WHERE {where} AND slot = :slot",
                slot=slot,
                **dict(zip(keys, key, strict=True)),
            )
    columns = (*keys, "slot", "n")
    sql.many(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}, slot) DO UPDATE SET n = {table}.n + excluded.n",
        [{**dict(zip(keys, key, strict=True)), "slot": 0, "n": sums[key]} for key in folded if sums[key]],
    )
    return sum(len(slots[key]) for key in folded) - sum(1 for key in folded if sums[key])


def fold_all(engine: Engine) -> int:
    """Fold every count table, each in a transaction of its own; how many rows fewer in all."""
    fewer = 0
    for table in TABLES:
        with engine.db.transaction() as session:
            fewer += fold(Sql.of(session), table)
    return fewer
