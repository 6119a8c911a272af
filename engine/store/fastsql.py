"""Plain SQL for the statements every engine step runs, through the session's own connection.

A task completion runs about a dozen small statements. Through the ORM each costs far more in
statement building than in the database (measured: ~10 µs in SQLite, ~100 µs around it), so the
step's reads and writes go to the DB-API cursor of the SQLAlchemy connection that already holds
the step's transaction. Everything else (listings, the directory, deploys) uses SQLAlchemy as
usual; the tables are the ones `engine.models` declares, and the tests run on SQLite and
PostgreSQL alike.

Statements are written with `:name` parameters; for psycopg they become `%(name)s` once.
SQLite stores timestamps as SQLAlchemy does (naive UTC text), PostgreSQL as timestamptz.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


MULTI_ROWS = 32  # rows of an INSERT sent as one statement (`Sql.many`, PostgreSQL)
# A row of plain parameters only: a row with a call in it, `(:a, f(:b))`, is left to executemany.
_VALUES = re.compile(r"^(INSERT INTO [^(]+\([^)]*\) VALUES )(\([^()]*\))(.*)$", re.DOTALL)


@lru_cache(maxsize=512)
def _multi_values(sql: str, n: int) -> str | None:
    """`INSERT INTO t (a, b) VALUES (:a, :b) ...` as one statement of `n` rows (`:a_0, :b_0`, ...),
    in psycopg's parameter style; None for a statement of another shape."""
    found = _VALUES.match(sql)
    if found is None:
        return None
    head, row, tail = found.groups()
    if _NAMED.search(tail):  # parameters outside the row: not repeated per row
        return None
    rows = ", ".join(_NAMED.sub(rf"%(\1_{i})s", row) for i in range(n))
    return head.replace("%", "%%") + rows + tail.replace("%", "%%")


@lru_cache(maxsize=64)
def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """`INSERT INTO table (a, b) VALUES (:a, :b)` for the named columns."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"


class Sql:
    """The step's statements, on the session's connection and transaction.

    `Sql.of(session)` gives the one instance a session's statements share."""

    @classmethod
    def of(cls, session: Session) -> Sql:
        found = session.info.get("desa_sql")
        if found is None:
            found = session.info["desa_sql"] = cls(session)
        return found

    def __init__(self, session: Session) -> None:
        connection = session.info.get("desa_connection") or session.connection()
        self.sqlite = connection.dialect.name == "sqlite"
        self.cursor = connection.connection.cursor()

    @classmethod
    def on_connection(cls, connection: Connection) -> Sql:
        """Statements through a SQLAlchemy connection's own execution (`Database.statements`),
        which handles a lost connection as SQLAlchemy does everywhere."""
        return _ThroughConnection(connection)

    def _sql(self, sql: str) -> str:
        return sql if self.sqlite else _pyformat(sql)

    def one(self, sql: str, **params: Any) -> tuple[Any, ...] | None:
        self.cursor.execute(self._sql(sql), params)
        row = self.cursor.fetchone()
        return tuple(row) if row is not None else None

    def all(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        self.cursor.execute(self._sql(sql), params)
        return [tuple(r) for r in self.cursor.fetchall()]

    def run(self, sql: str, **params: Any) -> int:
        self.cursor.execute(self._sql(sql), params)
        return int(self.cursor.rowcount)

    def many(self, sql: str, rows: list[dict[str, Any]]) -> None:
        """One statement for each row. A few rows of an INSERT go as one statement of several rows
        on PostgreSQL (psycopg's executemany costs about two statements' time for one or three
        rows: measured); rows of an upsert (ON CONFLICT) must then not share a key, as the
        callers' rows, one per key of a Counter or of a table, never do."""
        if not rows:
            return
        if len(rows) == 1:
            self.cursor.execute(self._sql(sql), rows[0])
        elif not self.sqlite and len(rows) <= MULTI_ROWS and (multi := _multi_values(sql, len(rows))):
            self.cursor.execute(multi, {f"{k}_{i}": v for i, row in enumerate(rows) for k, v in row.items()})
        else:
            self.cursor.executemany(self._sql(sql), rows)

    def ts(self, value: datetime | None) -> Any:
        """A timestamp as the column stores it."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def read_ts(self, value: Any) -> datetime | None:
        if value is None:
            return None
        parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    def json(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def read_json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value

    def blob(self, value: Any) -> bytes:
        return bytes(value)

    def in_list(self, name: str, values: list[Any]) -> tuple[str, dict[str, Any]]:
        """`:name0, :name1, ...` and its parameters, for an IN (...) clause."""
        params = {f"{name}{i}": v for i, v in enumerate(values)}
        return ", ".join(f":{k}" for k in params), params


class _ThroughConnection(Sql):
    """`Sql` whose statements go through `Connection.exec_driver_sql`: no statement building, and
    SQLAlchemy's handling of the driver's errors."""

    def __init__(self, connection: Connection) -> None:
        self.sqlite = connection.dialect.name == "sqlite"
        self.connection = connection

    def one(self, sql: str, **params: Any) -> tuple[Any, ...] | None:
        row = self.connection.exec_driver_sql(self._sql(sql), params).first()
        return tuple(row) if row is not None else None

    def all(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.connection.exec_driver_sql(self._sql(sql), params)]

    def run(self, sql: str, **params: Any) -> int:
        return int(self.connection.exec_driver_sql(self._sql(sql), params).rowcount)

    def many(self, sql: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.connection.exec_driver_sql(self._sql(sql), rows)
