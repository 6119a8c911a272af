"""Pooled PostgreSQL connections are pinged before use only after idling in the pool
(engine/store/idle_ping.py): a connection the server closed meanwhile is replaced without the
request noticing, and one in steady use costs no extra round trip. PostgreSQL only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine.store import idle_ping
from engine.store.db import Database
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (DESA_TEST_DATABASE_URL)")


def _backend(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _pings(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    sent: list[object] = []
    ping = db.engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        sent.append(dbapi_connection)
        return bool(ping(dbapi_connection))

    monkeypatch.setattr(db.engine.dialect, "do_ping", counted)
    return sent


def test_a_connection_the_server_closed_while_it_idled_is_replaced(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _backend(db)
    other = Database(PG_URL)  # the server's side, as a restart or an idle timeout would
    try:
        with other.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    finally:
        other.dispose()
    clock = idle_ping.time.monotonic() + idle_ping.PING_AFTER + 1
    monkeypatch.setattr(idle_ping.time, "monotonic", lambda: clock)
    assert _backend(db) != pid  # the dead one was dropped at checkout; the statement ran


def test_a_connection_in_steady_use_is_not_pinged(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _pings(db, monkeypatch)
    first = _backend(db)
    for _ in range(5):
        assert _backend(db) == first
    assert sent == []
    later = idle_ping.time.monotonic() + idle_ping.PING_AFTER + 1
    monkeypatch.setattr(idle_ping.time, "monotonic", lambda: later)
    assert _backend(db) == first
    assert len(sent) == 1


def test_when_the_server_ends_the_pooled_connections_a_lone_statement_fails_once(db: Database) -> None:
    """`Database.statements` (a bearer token's check, before every API call) on connections used
    moments ago, which the idle ping does not look at: the first finds its connection gone and
    fails, and the pool renews every connection made before it, so the next ones succeed."""
    held = [db.engine.connect() for _ in range(3)]
    pids = [int(c.execute(text("SELECT pg_backend_pid()")).scalar_one()) for c in held]
    for conn in held:
        conn.close()
    other = Database(PG_URL)
    try:
        with other.engine.connect() as conn:
            for pid in pids:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        other.dispose()
    failed = 0
    for _ in range(3):
        try:
            with db.statements() as sql:
                assert sql.one("SELECT 1") == (1,)
        except DBAPIError as err:
            assert err.connection_invalidated
            failed += 1
    assert failed == 1
