"""The step's plain statements: `Sql.many` writes every row, whether the rows go as one statement
of several rows (a few rows of an INSERT on PostgreSQL), one by one, or through executemany."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.store import fastsql
from engine.store.db import Database
from engine.store.fastsql import Sql

UPSERT = (
    "INSERT INTO overdue_count (due_day, kabupaten, slot, n) VALUES (:due_day, :kabupaten, :slot, :n) "
    "ON CONFLICT (due_day, kabupaten, slot) DO UPDATE SET n = overdue_count.n + excluded.n"
)


@pytest.mark.parametrize("rows", [1, 3, fastsql.MULTI_ROWS, fastsql.MULTI_ROWS + 5])
def test_many_writes_every_row_and_adds_to_those_there(db: Database, rows: int) -> None:
    days = [f"2027-01-{d:02d}" for d in range(1, 32)] + [f"2027-02-{d:02d}" for d in range(1, 29)]
    batch = [{"due_day": days[i], "kabupaten": "Kab. Kerinci", "slot": 0, "n": i + 1} for i in range(rows)]
    with db.sessions() as session:
        sql = Sql.of(session)
        sql.many(UPSERT, batch)
        sql.many(UPSERT, batch)  # the second time, each row adds to its own
        found = {str(r[0]): int(r[1]) for r in session.execute(text("SELECT due_day, n FROM overdue_count"))}
    assert found == {days[i]: 2 * (i + 1) for i in range(rows)}


def test_a_statement_with_parameters_after_its_row_is_not_rewritten() -> None:
    assert (
        fastsql._multi_values("INSERT INTO t (a) VALUES (:a) ON CONFLICT (a) DO UPDATE SET a = :b", 2) is None
    )
    assert fastsql._multi_values("UPDATE t SET a = :a", 2) is None
    assert fastsql._multi_values("INSERT INTO t (a, b) VALUES (:a, COALESCE(:b, 0))", 2) is None
    assert fastsql._multi_values("INSERT INTO t (a, b) VALUES (:a, :b)", 2) == (
        "INSERT INTO t (a, b) VALUES (%(a_0)s, %(b_0)s), (%(a_1)s, %(b_1)s)"
    )
