"""Test fixtures: a fresh database per test (SQLite by default, PostgreSQL when
DESA_TEST_DATABASE_URL names one, a database of its own for each pytest-xdist worker), the basic
BPMN fixtures deployed, villages and staff."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import config
from engine.core import Engine
from engine.definitions import registry
from engine.directory import access, users, villages
from engine.store.db import Database
from engine.store.models import Base
from tests.databases import ensure_database, for_this_worker


def _then_reread_settings(change: Callable[..., None]) -> Callable[..., None]:
    def changed(self: pytest.MonkeyPatch, *args: object, **kwargs: object) -> None:
        change(self, *args, **kwargs)
        config.reload()

    return changed


# The engine reads the environment once (engine/config.py); a test that sets a variable with
# monkeypatch, and the undoing of it after the test, make it read the environment again.
for _change in ("setenv", "delenv", "undo"):
    setattr(pytest.MonkeyPatch, _change, _then_reread_settings(getattr(pytest.MonkeyPatch, _change)))

FIXTURES = Path(__file__).parent / "fixtures"
BASIC = FIXTURES / "basic" / "processes"
PG_URL = for_this_worker(os.environ.get("DESA_TEST_DATABASE_URL", ""))

LEMPUR = "15.01.01.2003"  # Lempur Mudik, Gunung Raya, Kerinci
SIGI = "62.11.03.2005"  # Sigi, Kahayan Tengah, Pulang Pisau
GOHONG = "62.11.05.2006"  # Gohong, Kahayan Hilir, Pulang Pisau
OTHER = "15.01.01.2004"  # Lempur Tengah, Gunung Raya, Kerinci
PROGRAM = Path(__file__).resolve().parent.parent / "processes" / "model_desa"

_PLACES = {
    LEMPUR: ("Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi"),
    OTHER: ("Lempur Tengah", "Gunung Raya", "Kab. Kerinci", "Jambi"),
    SIGI: ("Sigi", "Kahayan Tengah", "Kab. Pulang Pisau", "Kalimantan Tengah"),
    GOHONG: ("Gohong", "Kahayan Hilir", "Kab. Pulang Pisau", "Kalimantan Tengah"),
}
# (username, role, village, kabupaten): one user per role, a pendamping in Lempur and one in Sigi.
ONE_PER_ROLE = [
    ("rina", "Pendamping", LEMPUR, None),
    ("sari", "Pendamping", SIGI, None),
    ("budi", "Fasilitator Daerah", None, "62.11"),
    ("dewi", "Fasilitator Pusat", None, None),
]


def _own_password(name: str) -> str:
    return "rahasia-" + name


def set_up(
    engine: Engine,
    processes: Path,
    codes: Iterable[str],
    staff: Iterable[tuple[str, str, str | None, str | None]],
    password: Callable[[str], str] = _own_password,
    admin: bool = False,
) -> Engine:
    """`processes` deployed, the villages `codes` registered, and `staff` (username, role, village,
    kabupaten), each with password(username) ("rahasia-" + username unless told); with `admin`, an
    administrator "admin" too."""
    registry.deploy(engine.db, [processes])
    with engine.db.transaction() as s:
        for code in codes:
            villages.upsert(s, code, *_PLACES[code])
        for name, role, village, kabupaten in staff:
            users.add(s, name, password=password(name))
            access.assign(s, name, role, village, kabupaten)
        if admin:
            users.add(s, "admin", password=password("admin"), admin=True)
    return engine


def _fresh_postgres(url: str) -> Database:
    if url != os.environ.get("DESA_TEST_DATABASE_URL"):
        ensure_database(url)  # a worker's own database (tests/databases.py)
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.upgrade()
    return db


@pytest.fixture(autouse=True)
def verify_stored_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step in the tests checks that what it stored rebuilds exactly the live workflow."""
    monkeypatch.setenv("DESA_VERIFY_STATE", "1")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = _fresh_postgres(PG_URL) if PG_URL else Database(f"sqlite:///{tmp_path / 'test.sqlite'}")
    if not PG_URL:
        database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def engine(db: Database, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DESA_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    return Engine(db)


@pytest.fixture
def basic(engine: Engine) -> Engine:
    """The basic fixtures deployed, three villages in two kabupaten, and one user per role."""
    return set_up(engine, BASIC, [LEMPUR, SIGI, GOHONG], ONE_PER_ROLE, admin=True)


__all__ = ["Base"]
