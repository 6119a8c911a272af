"""Pinging a pooled PostgreSQL connection before use only when it has been idle a while.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` on every checkout, so that a connection the server
closed (a restart, a failover, an idle timeout) is replaced instead of failing the request that
takes it. A request takes the pool's connections several times (its session, the page's reads,
the step's read and write transactions): an inbox page paid four round trips for pings and a task
completion about four, on connections used milliseconds before. Here a connection is pinged only
when it comes back to use after more than `after` seconds in the pool, the case pre-ping is for;
a connection in steady use is not. A connection the server closed within those seconds fails the
statement that uses it; SQLAlchemy then drops it and every connection of the pool made before it,
and the next request connects afresh.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, exc

IDLE = "desa_idle_since"  # in a pooled connection's record: when it was last returned to the pool
PING_AFTER = 5.0  # seconds idle in the pool after which a connection is pinged before use


def install(engine: Engine, after: float = PING_AFTER) -> None:
    """Ping `engine`'s pooled connections on checkout when idle more than `after` seconds."""
    dialect = engine.dialect

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[IDLE] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(IDLE, None)
        if since is None or time.monotonic() - since <= after:
            return  # just connected, or in use moments ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool drops the connection and checks out another (a fresh one, if all are gone).
            raise exc.DisconnectionError(f"a pooled connection no longer answers: {error}") from error

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)
