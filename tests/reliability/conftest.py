"""Databases for the race tests: a fresh SQLite file, and the PostgreSQL database `desa_races`.

The PostgreSQL database is this folder's own (never the suite's `test` database): named by
`DESA_RACES_DATABASE_URL` (default postgresql+psycopg://postgres@127.0.0.1:5432/desa_races),
with a pytest-xdist worker's suffix (`desa_races_gw0`, tests/databases.py),
created when missing, its schema dropped and made again for every test. When the server cannot
be reached those tests are skipped, saying why, unless `CI` is set (then they fail).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from engine.store.db import Database
from tests.databases import ensure_database, for_this_worker

RACES_URL = for_this_worker(
    os.environ.get("DESA_RACES_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/desa_races")
)


def fresh_postgres() -> Database:
    try:
        ensure_database(RACES_URL)
    except psycopg.OperationalError as err:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL for the race tests is unreachable ({RACES_URL}): {err}".strip())
    db = Database(RACES_URL)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.upgrade()
    return db


@pytest.fixture(params=["sqlite", "postgres"])
def race_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database of each kind, with DESA_DATABASE_URL naming it for `desa` subprocesses."""
    if request.param == "postgres":
        db = fresh_postgres()
    else:
        db = Database(f"sqlite:///{tmp_path / 'races.sqlite'}")
        db.upgrade()
    yield db
    db.dispose()
