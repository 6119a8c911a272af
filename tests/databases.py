"""PostgreSQL databases for the tests: each pytest-xdist worker gets a database of its own.

With `-n 2` two processes run tests side by side; were they to share the database
DESA_TEST_DATABASE_URL names, each test's fresh schema would be dropped under the other's feet.
A worker ("gw0", "gw1", …) instead uses that name with its own suffix (`test_gw0`), created on
the same server when missing. Without xdist the name is used as given.
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def for_this_worker(url: str) -> str:
    """`url` with the database name suffixed by this xdist worker's id; `url` itself outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


_KNOWN: set[str] = set()


def ensure_database(url: str) -> None:
    """Create the database `url` names when it does not exist, through the server's `postgres` one
    (asked once per process and database)."""
    if url in _KNOWN:
        return
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(parsed.database))))
    _KNOWN.add(url)
