"""Loading a national rollout fast for bench/scale.py: villages and staff, and what the cloning
of instances (`bench/scale_clone.py`) writes with.

Villages come from the official Kemendagri list (`engine.kemendagri`), spread over the whole
country when fewer than all are asked for. Staff: two pendamping and a Pokja per village
(`p1.<code>`, `p2.<code>`, `pokja.<code>`), a fasilitator daerah per kabupaten/kota
(`fd.<code>`) and five fasilitator pusat (`pusat.andi`, `pusat.dewi`, `pusat.3` ...), all with
an e-mail address and one shared password hash, written in bulk.

Instances: a few template villages played through the engine and cloned into the others
(`bench/scale_clone.py`).
"""

from __future__ import annotations

import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from engine import clock
from engine.core import Engine
from engine.directory import access, kemendagri, passwords
from engine.directory.kemendagri import OfficialVillage
from engine.store.models import Village

TODAY = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
PASSWORD = "bench-scale-sandi"
PUSAT = ["pusat.andi", "pusat.dewi", "pusat.3", "pusat.4", "pusat.5"]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SEP = "\x00"  # joins a template's texts for one substitution pass; never in JSON text
FLUSH = 400  # clones per transaction


def pick(n: int) -> list[OfficialVillage]:
    """n villages of the official list, evenly spread over it (all of them when n is that large)."""
    every = list(kemendagri.iter_villages())
    if n >= len(every):
        return every
    step = len(every) / n
    return [every[int(i * step)] for i in range(n)]


def staff_of(code: str) -> dict[str, str]:
    """Who does what in a village: the username per role."""
    return {
        "Pendamping": f"p1.{code}",
        "Pendamping 2": f"p2.{code}",
        "Pengurus Pokja": f"pokja.{code}",
        "Fasilitator Daerah": f"fd.{access.kabupaten_code_of(code)}",
        "Fasilitator Pusat": PUSAT[0],
    }


_PENDAMPING_TURNS: dict[str, int] = {}


def actor(village: Village, role: str) -> str:
    if role == "Pendamping":  # the two take turns: the report's two approvals are two people's
        turn = _PENDAMPING_TURNS[village.code] = _PENDAMPING_TURNS.get(village.code, 0) + 1
        return staff_of(village.code)["Pendamping" if turn % 2 else "Pendamping 2"]
    return staff_of(village.code).get(role, PUSAT[0])


class Progress:
    """A progress line on standard error: redrawn on a terminal, every 10% in a log file."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.started, self.shown = label, max(total, 1), time.perf_counter(), -1
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int) -> None:
        step = int(done * 100 / self.total)
        if not self.tty and (step // 10 == self.shown // 10 and done < self.total):
            return
        if step == self.shown and done < self.total:
            return
        self.shown = step
        elapsed = time.perf_counter() - self.started
        bar = "#" * (step // 4)
        end = "\n" if not self.tty or done >= self.total else ""
        sys.stderr.write(f"\r{self.label:<28} [{bar:<25}] {done:>7,}/{self.total:,} {elapsed:7.1f} s{end}")
        sys.stderr.flush()


class Writer:
    """Bulk rows into the tables: COPY on PostgreSQL, executemany on SQLite; one transaction per flush."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.db.is_sqlite
        self.rows: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}

    def add(self, table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> None:
        self.rows.setdefault(table, (columns, []))[1].append(row)

    def ts(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        return clock.as_utc(value).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")

    def flush(self) -> None:
        if not self.rows:
            return
        raw = self.engine.db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for table, (columns, rows) in self.rows.items():
                if self.sqlite:
                    marks = ", ".join("?" for _ in columns)
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
                else:
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                        for row in rows:
                            copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        self.rows = {}


USER_COLUMNS = ("id", "username", "full_name", "email", "password_hash", "is_admin", "active", "language")
GRANT_COLUMNS = ("id", "user_id", "role", "scope", "scope_code")


def load_directory(engine: Engine, chosen: list[OfficialVillage]) -> int:
    """The villages and their staff; returns how many users were written."""
    from engine.directory import villages

    with engine.db.transaction() as session:
        villages.bulk_upsert(session, (v.row() for v in chosen))
    shared_hash = passwords.hash_password(PASSWORD)
    writer = Writer(engine)
    people: list[tuple[str, str, str, str]] = []  # username, role, scope, code
    people += [(name, "Fasilitator Pusat", "national", "") for name in PUSAT]
    for kab in sorted({access.kabupaten_code_of(v.code) for v in chosen}):
        people.append((f"fd.{kab}", "Fasilitator Daerah", "kabupaten", kab))
    for v in chosen:
        for n in (1, 2):
            people.append((f"p{n}.{v.code}", "Pendamping", "village", v.code))
        people.append((f"pokja.{v.code}", "Pengurus Pokja", "village", v.code))
    for user_id, (name, role, scope, code) in enumerate(people, start=1):
        writer.add(
            "user_account",
            USER_COLUMNS,
            (user_id, name, name, f"{name}@desa.example", shared_hash, False, True, "id"),
        )
        writer.add("role_assignment", GRANT_COLUMNS, (user_id, user_id, role, scope, code))
    writer.flush()
    fix_sequences(engine)
    return len(people)


def fix_sequences(engine: Engine) -> None:
    """After rows written with their own ids: PostgreSQL's sequences go on from the largest."""
    if engine.db.is_sqlite:
        return
    with engine.db.engine.begin() as conn:
        for table in ("user_account", "role_assignment", "instance"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            )
