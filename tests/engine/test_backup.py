"""`desa backup` / `desa restore`: a backup taken while work goes on restores to a database whose
every history verifies; restore refuses what it should, and upgrades an older backup."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select, update

from engine.cli import main
from engine.core import Engine
from engine.history import verify
from engine.runtime import actions as runtime
from engine.store import backup
from engine.store.db import Database
from engine.store.models import AuditEvent, Instance
from engine.worker import timers
from tests.conftest import LEMPUR, PG_URL, SIGI
from tests.engine.helpers import open_task, set_clock

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="desa backup and restore copy SQLite files")
T0 = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)


def desa(*args: str, url: str | None = None) -> Result:
    env = {"DESA_DATABASE_URL": url} if url else None
    return CliRunner().invoke(main, list(args), env=env)


class Work(threading.Thread):
    """Keeps the program busy through the engine: tasks completed, instances started, timers fired."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine, self.rounds, self.fired = engine, 0, 0
        self.stop = threading.Event()
        self.error: Exception | None = None

    def run(self) -> None:
        now = T0
        try:
            while not self.stop.is_set():
                simple = runtime.start(self.engine, "simple", SIGI, "dewi").instance_id
                runtime.complete(
                    self.engine, open_task(self.engine, simple, "isi_data").id, "sari", {"jumlah": 7}
                )
                runtime.complete(self.engine, open_task(self.engine, simple, "periksa").id, "budi", {})
                runtime.start(self.engine, "timers", LEMPUR, "dewi")
                now += timedelta(days=4)  # each report is late: its reminder fires
                set_clock(self.engine, now)
                self.fired += timers.fire_due(self.engine, now)
                self.rounds += 1
        except Exception as err:  # reported by the test
            self.error = err

    def wait_for(self, rounds: int) -> None:
        deadline = time.monotonic() + 120
        while self.rounds < rounds and self.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.error is None, self.error
        assert self.rounds >= rounds, "the work did not go on"


def _count(engine: Engine, what: object) -> int:
    with engine.db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def test_a_backup_taken_while_work_goes_on_restores_and_verifies(basic: Engine, tmp_path: Path) -> None:
    set_clock(basic, T0)
    work = Work(basic)
    work.start()
    backups = []
    try:
        for n in range(3):
            work.wait_for(2 * (n + 1))
            target = tmp_path / f"desa-{n}.sqlite"
            made = desa("backup", str(target))
            assert made.exit_code == 0, made.output
            assert f"to {target}" in made.output and "instances" in made.output
            backups.append(target)
        rounds_at_last_backup = work.rounds
        work.wait_for(rounds_at_last_backup + 2)  # work went on after the last backup
    finally:
        work.stop.set()
        work.join(timeout=60)
    assert work.error is None, work.error
    assert work.fired > 0

    for n, file in enumerate(backups):
        url = f"sqlite:///{tmp_path / f'restored-{n}.sqlite'}"
        restored = desa("restore", str(file), url=url)
        assert restored.exit_code == 0, restored.output
        assert f"restored {file}" in restored.output and "events" in restored.output
        engine = Engine(Database(url))
        checks = verify.verify(engine)
        assert checks and all(c.ok for c in checks), [c.message for c in checks if not c.ok]
        assert _count(engine, Instance) >= 4 * (n + 1)  # two instances per round, two rounds per backup
        with engine.db.sessions() as s:
            fired = s.scalar(select(func.count()).where(AuditEvent.type == "TIMER_FIRED"))
        assert fired
        assert _count(engine, Instance) < _count(basic, Instance)
        engine.db.dispose()


def test_restore_refuses_a_database_with_data_unless_forced(basic: Engine, tmp_path: Path) -> None:
    file = tmp_path / "backup.sqlite"
    assert desa("backup", str(file)).exit_code == 0
    again = desa("backup", str(file))
    assert again.exit_code == 1 and "exists" in again.output
    assert desa("backup", str(file), "--force").exit_code == 0

    runtime.start(basic, "simple", LEMPUR, "dewi")  # the live database now differs from the backup
    refused = desa("restore", str(file))
    assert refused.exit_code == 1 and "already holds data" in refused.output and "--force" in refused.output
    assert _count(basic, Instance) == 1
    forced = desa("restore", str(file), "--force")
    assert forced.exit_code == 0, forced.output
    assert _count(basic, Instance) == 0  # as it was when backed up
    fresh = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert desa("init", url=fresh).exit_code == 0  # an empty, initialised database may be restored into
    assert desa("restore", str(file), url=fresh).exit_code == 0


def _make(path: Path, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from engine.store.db import MIGRATIONS, make_engine

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.exec_driver_sql(
            "INSERT INTO village (code, name, kecamatan, kabupaten, kabupaten_code, provinsi, provinsi_code) "
            "VALUES ('15.01.01.2003', 'Lempur Mudik', 'Gunung Raya', 'Kab. Kerinci', '15.01', 'Jambi', '15')"
        )
    engine.dispose()


def test_an_older_backup_is_upgraded_when_restored(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    _make(old, "0006")
    url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    restored = desa("restore", str(old), url=url)
    assert restored.exit_code == 0, restored.output
    _, head = backup.known_revisions()
    assert f"upgraded from schema revision 0006 to {head}" in restored.output
    assert "1 villages" in restored.output
    db = Database(url)
    assert db.upgrade() == head
    db.dispose()


def test_restore_refuses_files_that_are_not_a_desa_database_it_knows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'target.sqlite'}"
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE things (id INTEGER)")
    future = tmp_path / "future.sqlite"
    _make(future, "head")
    with closing(sqlite3.connect(future)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    for file, reason in [
        (tmp_path / "missing.sqlite", "does not exist"),
        (text, "is not a SQLite database"),
        (other, "is not a desa database"),
        (future, "schema revision 9999, which this desa does not know"),
    ]:
        refused = desa("restore", str(file), url=url)
        assert refused.exit_code == 1 and reason in refused.output, refused.output
    assert not (tmp_path / "target.sqlite").exists()


def test_on_postgresql_both_commands_print_what_to_run_instead(tmp_path: Path) -> None:
    url = "postgresql://desa:rahasia@db.example:5432/desa"
    made = desa("backup", "desa.dump", url=url)
    assert made.exit_code == 1
    assert "pg_dump --format=custom --no-owner --no-privileges --file=desa.dump" in made.output
    assert "postgresql://desa@db.example:5432/desa" in made.output and "rahasia" not in made.output
    restored = desa("restore", "desa.dump", url=url)
    assert restored.exit_code == 1
    assert "pg_restore --clean --if-exists" in restored.output and "desa init" in restored.output
    assert "rahasia" not in restored.output


def test_a_backup_is_one_self_contained_file_without_what_is_not_committed(
    basic: Engine, tmp_path: Path
) -> None:
    runtime.start(basic, "simple", LEMPUR, "dewi")
    url = basic.db.engine.url.render_as_string(hide_password=False)
    file = tmp_path / "copy.sqlite"
    with basic.db.transaction() as session:  # a writer holds the write lock while the backup runs
        session.execute(update(Instance).values(status="suspended"))
        started = time.monotonic()
        summary = backup.backup(url, file)
        assert time.monotonic() - started < 5  # the backup did not wait for the writer
    assert summary.counts["instances"] == 1 and summary.counts["events"] == 1
    assert not Path(f"{file}-wal").exists() and not Path(f"{file}.part").exists()
    with closing(sqlite3.connect(file)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT status FROM instance").fetchall() == [("running",)]
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone()[0] == _count(basic, AuditEvent)
