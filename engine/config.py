"""Every environment variable desa reads, read here and nowhere else.

`settings()` returns the settings of the process's environment as one frozen `Settings`, read from
the environment on first use and kept: the engine asks for them on every step (the clock asks
whether it may be moved), so asking costs a global lookup and nothing else. `reload()` reads the
environment again, for whoever changes it in a running process (the test suite does, after every
`monkeypatch.setenv`).

`VARIABLES` lists each variable with its default and meaning; docs/operations.md shows the same
table (a test keeps the two in step).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InvalidInput


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # as documented ("" when unset means "none")
    what: str


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "DESA_ENV", "development", "`production` pins the engine clock to real time and marks cookies secure"
    ),
    Variable(
        "DESA_DATABASE_URL", "sqlite:///instance/desa.sqlite", "the database (SQLite file or PostgreSQL URL)"
    ),
    Variable("DESA_DATABASE_OPTIONS", "", "per-connection PostgreSQL settings added after `-c jit=off`"),
    Variable("DESA_DB_POOL_SIZE", "10", "PostgreSQL connections kept open per process"),
    Variable("DESA_DB_MAX_OVERFLOW", "20", "extra PostgreSQL connections under a burst"),
    Variable("DESA_DB_POOL_RECYCLE", "1800", "seconds before a PostgreSQL connection is replaced"),
    Variable("DESA_GC_THRESHOLD", "50000", "new objects between two garbage collections in a server process"),
    Variable("DESA_SECRET_KEY", "", "signs the session cookies (else a key kept in instance/secret_key)"),
    Variable("DESA_PUBLIC_URL", "", "the address people open desa at, for the links in e-mails"),
    Variable("DESA_SMTP_HOST", "", "the mail server; without it no e-mail is sent (they wait in the outbox)"),
    Variable("DESA_SMTP_PORT", "25", "the mail server's port"),
    Variable("DESA_SMTP_FROM", "desa@localhost", "the sender of the e-mails"),
    Variable("DESA_SMTP_USER", "", "the mail server's user name, if it asks for one"),
    Variable("DESA_SMTP_PASSWORD", "", "the mail server's password, if it asks for one"),
    Variable("DESA_SMTP_STARTTLS", "", "`1`, `true` or `yes`: encrypt the connection with STARTTLS"),
    Variable(
        "DESA_PROCESSES_DIR", "", "the program folder read by default (else the first under processes/)"
    ),
    Variable("DESA_FORMS_DIR", "", "the forms of that program (else `forms` beside it, or forms/NAME)"),
    Variable(
        "DESA_VERIFY_STATE",
        "",
        "set (to anything): check every saved state against a rebuild (tests, benches)",
    ),
)
NAMES = tuple(v.name for v in VARIABLES)


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str
    user: str | None
    password: str | None
    starttls: bool


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str  # "" when unset: the store's embedded SQLite file
    database_options: str
    db_pool_size: int
    db_max_overflow: int
    db_pool_recycle: int
    gc_threshold: int
    secret_key: str
    public_url: str  # without a trailing slash
    smtp: Smtp | None  # None without DESA_SMTP_HOST
    processes_dir: Path | None  # None when unset (the definitions choose the default folder)
    forms_dir: Path | None
    verify_state: bool

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        def text(name: str) -> str:
            return environ.get(name, "")

        def number(name: str, default: int) -> int:
            value = text(name).strip()
            if not value:
                return default
            try:
                return int(value)
            except ValueError:
                raise InvalidInput(f"{name} must be a whole number, not '{value}'") from None

        host = text("DESA_SMTP_HOST").strip()
        smtp = None
        if host:
            smtp = Smtp(
                host=host,
                port=number("DESA_SMTP_PORT", 25),
                sender=text("DESA_SMTP_FROM") or "desa@localhost",
                user=text("DESA_SMTP_USER") or None,
                password=text("DESA_SMTP_PASSWORD") or None,
                starttls=text("DESA_SMTP_STARTTLS").lower() in ("1", "true", "yes"),
            )
        return cls(
            env=text("DESA_ENV") or "development",
            database_url=text("DESA_DATABASE_URL"),
            database_options=text("DESA_DATABASE_OPTIONS"),
            db_pool_size=number("DESA_DB_POOL_SIZE", 10),
            db_max_overflow=number("DESA_DB_MAX_OVERFLOW", 20),
            db_pool_recycle=number("DESA_DB_POOL_RECYCLE", 1800),
            gc_threshold=number("DESA_GC_THRESHOLD", 50_000),
            secret_key=text("DESA_SECRET_KEY"),
            public_url=text("DESA_PUBLIC_URL").rstrip("/"),
            smtp=smtp,
            processes_dir=Path(text("DESA_PROCESSES_DIR")) if text("DESA_PROCESSES_DIR") else None,
            forms_dir=Path(text("DESA_FORMS_DIR")) if text("DESA_FORMS_DIR") else None,
            verify_state=bool(text("DESA_VERIFY_STATE")),
        )


_built: Settings | None = None


def settings() -> Settings:
    """The settings of the environment, read once."""
    return _built if _built is not None else reload()


def reload() -> Settings:
    """Read the environment again."""
    global _built
    _built = Settings.from_environ(os.environ)
    return _built
