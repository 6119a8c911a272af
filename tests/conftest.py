"""Test fixtures: a fresh database per test (SQLite by default, PostgreSQL when
DESA_TEST_DATABASE_URL names one), the basic BPMN fixtures deployed, villages and staff."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import access, registry, users, villages
from engine.db import Database
from engine.models import Base
from engine.steps import Engine

FIXTURES = Path(__file__).parent / "fixtures"
BASIC = FIXTURES / "basic" / "processes"
PG_URL = os.environ.get("DESA_TEST_DATABASE_URL", "")

LEMPUR = "15.01.01.2003"  # Lempur Mudik, Gunung Raya, Kerinci
SIGI = "62.11.03.2005"  # Sigi, Kahayan Tengah, Pulang Pisau
GOHONG = "62.11.05.2006"  # Gohong, Kahayan Hilir, Pulang Pisau


def _fresh_postgres(url: str) -> Database:
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
    registry.deploy(engine.db, [BASIC])
    with engine.db.transaction() as s:
        villages.upsert(s, LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        villages.upsert(s, SIGI, "Sigi", "Kahayan Tengah", "Kab. Pulang Pisau", "Kalimantan Tengah")
        villages.upsert(s, GOHONG, "Gohong", "Kahayan Hilir", "Kab. Pulang Pisau", "Kalimantan Tengah")
        for name, role, village, kabupaten in [
            ("rina", "Pendamping", LEMPUR, None),
            ("sari", "Pendamping", SIGI, None),
            ("budi", "Fasilitator Daerah", None, "62.11"),
            ("dewi", "Fasilitator Pusat", None, None),
        ]:
            users.add(s, name, password="rahasia-" + name)
            access.assign(s, name, role, village, kabupaten)
        users.add(s, "admin", password="rahasia-admin", admin=True)
    return engine


__all__ = ["Base"]
