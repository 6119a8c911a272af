"""What every PostgreSQL connection and schema of the engine is set up with (the suite's
PostgreSQL pass runs these; on SQLite they are skipped): JIT compilation off unless asked for,
DESA_DATABASE_OPTIONS added per connection, and row-count estimates per instance that keep
reading one batch of instances an index lookup whatever the table's sample statistics say."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.store.db import Database
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (DESA_TEST_DATABASE_URL)")


def _setting(db: Database, name: str) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(text(f"SHOW {name}")).scalar_one())


def test_jit_is_off_and_options_are_added(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _setting(db, "jit") == "off"
    monkeypatch.setenv("DESA_DATABASE_OPTIONS", "-c statement_timeout=31s")
    tuned = Database(PG_URL)
    try:
        assert (_setting(tuned, "jit"), _setting(tuned, "statement_timeout")) == ("off", "31s")
    finally:
        tuned.dispose()
    monkeypatch.setenv("DESA_DATABASE_OPTIONS", "-c jit=on")
    asked = Database(PG_URL)
    try:
        assert _setting(asked, "jit") == "on"
    finally:
        asked.dispose()


def test_rows_per_instance_are_estimated_from_the_schema_not_the_sample(db: Database) -> None:
    """At 83,762 villages the sample of 15 million task rows saw few instance ids and PostgreSQL
    planned 100,000 rows per instance (a parallel scan, seconds of JIT for a batch of 25); the
    ratio is part of the schema instead. (A table small enough for a test is sampled well, so
    the misestimate itself cannot be shown here; the setting is what this checks.)"""
    with db.engine.connect() as conn:
        found = dict(
            conn.execute(
                text(
                    "SELECT c.relname, a.attoptions FROM pg_attribute a "
                    "JOIN pg_class c ON c.oid = a.attrelid "
                    "WHERE a.attname = 'instance_id' AND c.relname IN ('instance_task', 'audit_event')"
                )
            ).all()
        )
    estimates = {t: [o for o in options if o.startswith("n_distinct=")] for t, options in found.items()}
    assert estimates == {"instance_task": ["n_distinct=-0.01"], "audit_event": ["n_distinct=-0.02"]}, found
