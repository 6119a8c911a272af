"""Database connection: the URL, SQLite settings, sessions, and schema upgrades with Alembic.

`DESA_DATABASE_URL` names the database. Without it the embedded SQLite file `instance/desa.sqlite`
in the current folder is used (WAL mode, so the web server and the worker can share it). On
PostgreSQL the pool is sized by DESA_DB_POOL_SIZE / DESA_DB_MAX_OVERFLOW / DESA_DB_POOL_RECYCLE
and session settings can be passed with DESA_DATABASE_OPTIONS (see `pool_settings`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from engine import config
from engine.store import idle_ping
from engine.store.fastsql import Sql

MIGRATIONS = Path(__file__).parent / "migrations"
AUTOCHECKPOINT_PAGES = 10_000  # 40 MB of log at most before a request pays for a checkpoint


def pool_settings() -> dict[str, int]:
    """The PostgreSQL connection pool of each process (DESA_DB_POOL_SIZE, DESA_DB_MAX_OVERFLOW,
    DESA_DB_POOL_RECYCLE): a web process holds at most pool_size + max_overflow connections (its
    threads, plus the timer worker thread of `desa serve`); every process has its own pool, so the
    server's max_connections must cover the sum over all web and worker processes
    (docs/operations.md). Connections idle longer than pool_recycle seconds are replaced; one idle a few
    seconds is pinged before use, and dropped if the server closed it (`idle_ping`)."""
    found = config.settings()
    return {
        "pool_size": found.db_pool_size,
        "max_overflow": found.db_max_overflow,
        "pool_recycle": found.db_pool_recycle,
    }


def default_url() -> str:
    return f"sqlite:///{Path('instance').resolve() / 'desa.sqlite'}"


def database_url() -> str:
    return config.settings().database_url or default_url()


PG_OPTIONS = "-c jit=off"


def normalise_url(url: str) -> str:
    # psycopg 3 is the PostgreSQL driver; accept the plain scheme people copy from elsewhere.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Checkpoints (copying the write-ahead log into the database file, with an fsync) are run by
    # the timer worker after each sweep (`Database.checkpoint`), off the path of a person's
    # request; the automatic one only catches up when no worker runs.
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A write transaction takes the write lock at BEGIN, so two writers queue (busy_timeout)
    # instead of one failing when it upgrades a read lock; readers never block anyone (WAL).
    # (On the DB-API cursor: this runs before every transaction, and needs no statement machinery.)
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":  # `Database.statements`: each commits itself
        return
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if options.get("desa_write") else "BEGIN")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    url = normalise_url(url or database_url())
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"isolation_level": None, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    for option, value in pool_settings().items():
        kwargs.setdefault(option, value)
    ping = "pool_pre_ping" not in kwargs  # else the caller's choice of SQLAlchemy's own
    # Per connection. JIT off: the engine's statements are small lookups, and a misestimated row
    # count made PostgreSQL spend seconds compiling one (docs/operations.md); DESA_DATABASE_OPTIONS
    # adds to it or overrides it (e.g. "-c work_mem=16MB", "-c jit=on").
    options = " ".join(filter(None, [PG_OPTIONS, config.settings().database_options]))
    kwargs.setdefault("connect_args", {"options": options})
    engine = create_engine(url, **kwargs)
    if ping:
        idle_ping.install(engine)
    return engine


class Database:
    """A connected database: the SQLAlchemy engine and a session factory."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine(url)
        self.url = self.engine.url.render_as_string(hide_password=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Write transactions: on SQLite they take the write lock at BEGIN (see _sqlite_begin).
        self._writer = self.engine.execution_options(desa_write=True)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error.

        The transaction is the Core connection's; the ORM session joins it, and the plain SQL of
        `engine.fastsql` uses the connection directly (kept in `session.info`), which spares a
        task completion the session's own transaction bookkeeping."""
        with self._writer.connect() as connection, connection.begin():
            session = Session(bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only")
            session.info["desa_connection"] = connection
            try:
                yield session
                session.flush()
            finally:
                session.close()

    @contextmanager
    def statements(self) -> Iterator[Sql]:
        """Statements each committed on its own, with no transaction around them: for a read that
        is one statement, or a write of one row that needs no other statement beside it. On
        PostgreSQL a transaction's BEGIN and its end are two more round trips, which a request
        that only checks its bearer token would otherwise pay on every call. The statements go
        through SQLAlchemy's connection, so a lost connection is handled as everywhere else (the
        pool renews the connections made before it)."""
        with self._autocommit.connect() as connection:
            yield Sql.on_connection(connection)

    def upgrade(self) -> str:
        """Create the schema or bring it up to the newest migration; returns the revision."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with self.engine.connect() as connection:
            return str(MigrationContext.configure(connection).get_current_revision())

    def checkpoint(self) -> None:
        """Copy the SQLite write-ahead log into the database file, without waiting for readers."""
        if self.is_sqlite:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def is_initialised(self) -> bool:
        return inspect(self.engine).has_table("instance")

    def dispose(self) -> None:
        self.engine.dispose()
