"""Signing in with throttling: repeated failures refuse further attempts for a while.

Every attempt is recorded in `sign_in_attempt` (wall time, the name as typed, the client address,
the outcome), so all web processes share the counts and failed sign-ins are on record. Two limits,
each over the last `WINDOW`:

- per username: `USER_LIMIT` failures (counted since the name's last successful sign-in, so a
  success starts the count again);
- per client address: `ADDRESS_LIMIT` failures across all names (a success does not clear it:
  otherwise one valid account would let an address go on guessing everyone else's password). It
  is higher than the per-name limit because a village office or a kantor dinas shares one address.

While refused, the password is not checked, the attempt is recorded as `refused` and not counted
(so waiting `retry_after` seconds always helps). Two processes checking at the same moment may each
let one more guess through; the limits are about thousands of guesses, not one.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from engine.core import Engine
from engine.directory import accounts
from engine.store.models import SignInAttempt

WINDOW = timedelta(minutes=15)
USER_LIMIT = 5
ADDRESS_LIMIT = 20
RETENTION = timedelta(days=90)  # how long attempts stay on record
FAILED, REFUSED, OK = "failed", "refused", "ok"
log = logging.getLogger("desa.signin")


@dataclass(frozen=True)
class SignIn:
    """The outcome: the username when signed in; `retry_after` seconds when refused for now."""

    user: str | None = None
    retry_after: int | None = None


def _key(username: str) -> str:
    return username.strip().lower()[:100]


def _wait(failures: list[datetime], limit: int, now: datetime) -> int | None:
    """Seconds until fewer than `limit` of these failures (oldest first) are inside the window."""
    if len(failures) < limit:
        return None
    expires = _aware(failures[len(failures) - limit]) + WINDOW
    return max(1, math.ceil((expires - now).total_seconds()))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _utc(now: datetime | None) -> datetime:
    # Wall time, in UTC (SQLite keeps times without their offset): attempts are about people,
    # not the engine's program clock.
    return datetime.now(UTC) if now is None else _aware(now).astimezone(UTC)


def retry_after(engine: Engine, username: str, address: str, now: datetime | None = None) -> int | None:
    """Seconds this name or address must wait before trying again, or None when it may try."""
    now = _utc(now)
    since = now - WINDOW
    name = _key(username)
    with engine.db.sessions() as session:
        last_ok = session.scalar(
            select(func.max(SignInAttempt.at)).where(
                SignInAttempt.username == name, SignInAttempt.outcome == OK
            )
        )
        user_since = max(since, _aware(last_ok)) if last_ok is not None else since
        by_name = list(
            session.scalars(
                select(SignInAttempt.at)
                .where(
                    SignInAttempt.username == name,
                    SignInAttempt.outcome == FAILED,
                    SignInAttempt.at > user_since,
                )
                .order_by(SignInAttempt.at)
            )
        )
        by_address = list(
            session.scalars(
                select(SignInAttempt.at)
                .where(
                    SignInAttempt.address == address,
                    SignInAttempt.outcome == FAILED,
                    SignInAttempt.at > since,
                )
                .order_by(SignInAttempt.at)
            )
        )
    waits = [w for w in (_wait(by_name, USER_LIMIT, now), _wait(by_address, ADDRESS_LIMIT, now)) if w]
    return max(waits) if waits else None


def record(engine: Engine, username: str, address: str, outcome: str, now: datetime | None = None) -> None:
    """Keep one attempt (and forget attempts older than `RETENTION`)."""
    now = _utc(now)
    with engine.db.transaction() as session:
        session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - RETENTION))
        session.add(SignInAttempt(at=now, username=_key(username), address=address[:64], outcome=outcome))


def sign_in(
    engine: Engine, username: str, password: str, address: str, now: datetime | None = None
) -> SignIn:
    """Check the password unless this name or address is throttled; record the attempt."""
    now = _utc(now)
    wait = retry_after(engine, username, address, now)
    if wait is not None:
        record(engine, username, address, REFUSED, now)
        log.warning(
            "sign-in refused for %r from %s: too many failures (retry in %ss)", username, address, wait
        )
        return SignIn(retry_after=wait)
    user = accounts.authenticate(engine, username, password)
    record(engine, username, address, OK if user else FAILED, now)
    if user is None:
        log.warning("sign-in failed for %r from %s", username, address)
    return SignIn(user=user)
