"""Backing up a SQLite database while the server and worker run, and restoring a backup.

`backup` copies the database with SQLite's online backup API in a single step: the copy reads one
snapshot (a read transaction; in WAL mode writers go on meanwhile), so every instance's state,
projections and history in the copy are as one transaction left them. The copy is written beside
the target, made a self-contained file (no write-ahead log), checked with `integrity_check`, and
renamed into place.

`restore` checks that a file is a desa database at a schema revision these migrations know,
refuses to replace a database that holds data unless forced, upgrades a copy of the file to the
newest revision when it is older, and copies it over the target with the backup API (so SQLite
itself deals with the target's write-ahead log). Stop the server and the worker first.

PostgreSQL databases are backed up with pg_dump and restored with pg_restore:
`postgres_commands` gives the commands (docs/operations.md).
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from engine.errors import Conflict, InvalidInput
from engine.store.db import MIGRATIONS, Database, normalise_url

DESA_TABLES = ("alembic_version", "instance", "audit_event", "human_task", "user_account", "village")
COUNTED = {
    "villages": "village",
    "users": "user_account",
    "process versions": "process_version",
    "instances": "instance",
    "events": "audit_event",
    "open tasks": "human_task",
}
DATA_TABLES = ("village", "user_account", "process_version", "instance", "audit_event")


@dataclass
class Summary:
    """What a backup or a restored database holds."""

    path: str
    revision: str
    counts: dict[str, int] = field(default_factory=dict)
    newest_event: str | None = None  # wall time of the newest event
    upgraded_from: str | None = None  # the revision the file had, when restore upgraded it

    def describe(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        newest = f"; newest event {self.newest_event}" if self.newest_event else ""
        return f"schema revision {self.revision}: {counts}{newest}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for any other database."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise InvalidInput("an in-memory SQLite database has nothing to back up or restore into")
    return Path(parsed.database)


def known_revisions() -> tuple[list[str], str]:
    """The revisions of the migrations, oldest first, and the newest."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    revisions = [s.revision for s in reversed(list(script.walk_revisions()))]
    return revisions, str(script.get_current_head())


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _summary(path: Path) -> Summary:
    with closing(sqlite3.connect(path)) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        counts = {
            what: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
            for what, table in COUNTED.items()
        }
        newest = conn.execute("SELECT max(wall_time) FROM audit_event").fetchone()[0]
    return Summary(str(path), str(revision), counts, str(newest) if newest else None)


def check_file(path: Path) -> str:
    """The schema revision of a desa database file; InvalidInput when it is not one we know."""
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise InvalidInput(f"{path} is not a SQLite database")
    try:
        with closing(sqlite3.connect(path)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise InvalidInput(f"{path} is damaged: {result}")
            missing = [t for t in DESA_TABLES if t not in _tables(conn)]
            if missing:
                raise InvalidInput(f"{path} is not a desa database (no table {', '.join(missing)})")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as err:
        raise InvalidInput(f"{path} cannot be read as a SQLite database: {err}") from err
    revisions, head = known_revisions()
    if row is None or row[0] not in revisions:
        found = row[0] if row else "none"
        raise InvalidInput(
            f"{path} is at schema revision {found}, which this desa does not know (newest: {head}); "
            "restore it with the desa version that made it"
        )
    return str(row[0])


def has_data(path: Path) -> bool:
    """Whether a database file holds villages, people, versions or instances."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(path)) as conn:
        present = _tables(conn)
        return any(
            conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() is not None  # noqa: S608
            for t in DATA_TABLES
            if t in present
        )


def _copy(source: sqlite3.Connection, target: Path) -> None:
    with closing(sqlite3.connect(target)) as dest:
        source.backup(dest)  # all pages in one step: one consistent snapshot of the source


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)


def backup(url: str, target: Path, force: bool = False) -> Summary:
    """Copy the SQLite database of `url` to the file `target`; the server and worker may run."""
    source = sqlite_path(url)
    if source is None:
        raise InvalidInput("desa backup copies SQLite databases; back up PostgreSQL with pg_dump")
    if not source.is_file():
        raise InvalidInput(f"there is no database at {source}")
    if target.exists() and not force:
        raise Conflict(f"{target} exists; choose another file or give --force to replace it")
    if target.resolve() == source.resolve():
        raise InvalidInput("the backup cannot be the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    _remove(part)
    try:
        with closing(sqlite3.connect(source, timeout=30)) as conn:
            conn.execute("PRAGMA busy_timeout = 30000")
            _copy(conn, part)
        with closing(sqlite3.connect(part)) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        check_file(part)
        os.replace(part, target)
    finally:
        _remove(part)
    return _summary(target)


def restore(url: str, source: Path, force: bool = False) -> Summary:
    """Replace the SQLite database of `url` with the backup `source` (upgraded if older)."""
    target = sqlite_path(url)
    if target is None:
        raise InvalidInput("desa restore writes SQLite databases; restore PostgreSQL with pg_restore")
    revision = check_file(source)
    if source.resolve() == target.resolve():
        raise InvalidInput("the backup is the database itself")
    if has_data(target) and not force:
        raise Conflict(
            f"{target} already holds data; stop the server and the worker and give --force to replace it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(target.name + ".restoring")
    _remove(work)
    try:
        with closing(sqlite3.connect(source)) as conn:
            _copy(conn, work)
        _, head = known_revisions()
        if revision != head:
            upgraded = Database(f"sqlite:///{work}")
            upgraded.upgrade()
            upgraded.dispose()
        with closing(sqlite3.connect(work)) as conn, closing(sqlite3.connect(target, timeout=30)) as dest:
            conn.backup(dest)
            dest.execute("PRAGMA journal_mode = WAL")  # as the server and worker use it
    finally:
        _remove(work)
    summary = _summary(target)
    if revision != summary.revision:
        summary.upgraded_from = revision
    return summary


def postgres_commands(url: str, file: str) -> tuple[str, list[str]]:
    """The pg_dump command that backs up `url` to `file`, and the commands that restore it."""
    parsed = make_url(normalise_url(url))
    # libpq's own URI, without the password: pg_dump reads it from PGPASSWORD or ~/.pgpass.
    bare = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database)
    dsn = shlex.quote(bare.render_as_string(hide_password=False))
    name = shlex.quote(file)
    dump = f"pg_dump --format=custom --no-owner --no-privileges --file={name} --dbname={dsn}"
    restore_steps = [
        "pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction "
        f"--dbname={dsn} {name}",
        "desa init",
        "desa audit verify --all",
    ]
    return dump, restore_steps
