"""The one source of "now" for the engine.

In production the clock is the real UTC time. In demo and test mode (`DESA_ENV` is not
`production`) it can be moved: set to a date, frozen, or advanced by an ISO 8601 duration.
Its setting lives in the database so that the CLI, the web server and the worker agree.

During an engine step the time is pinned (`pinned(now)`), so every timer the step computes uses
the same instant; that instant is recorded in the step's audit event, which makes replay exact.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import config
from engine.errors import Forbidden, InvalidInput
from engine.store.fastsql import Sql
from engine.store.models import ClockSetting

_pinned: ContextVar[datetime | None] = ContextVar("desa_pinned_now", default=None)


def real_now() -> datetime:
    return datetime.now(UTC)


def movable() -> bool:
    return not config.settings().production


def now(session: Session) -> datetime:
    """The engine's current time (aware, UTC)."""
    pinned_now = _pinned.get()
    if pinned_now is not None:
        return pinned_now
    if not movable():
        return real_now()
    sql = Sql.of(session)
    setting = sql.one("SELECT offset_seconds, frozen_at FROM clock_setting WHERE id = 1")
    if setting is None:
        return real_now()
    offset, frozen_at = setting
    if frozen_at is not None:
        return sql.read_ts(frozen_at)  # type: ignore[return-value]
    return real_now() + timedelta(seconds=float(offset))


def pinned_now() -> datetime | None:
    """The time pinned for the running step, if any: what SpiffWorkflow's timers see."""
    return _pinned.get()


@contextmanager
def pinned(at: datetime) -> Iterator[datetime]:
    token = _pinned.set(as_utc(at))
    try:
        yield at
    finally:
        _pinned.reset(token)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _setting(session: Session) -> ClockSetting:
    if not movable():
        raise Forbidden("the clock is real in production and cannot be moved (DESA_ENV=production)")
    setting = session.scalars(select(ClockSetting).where(ClockSetting.id == 1).with_for_update()).first()
    if setting is None:
        setting = ClockSetting(id=1, offset_seconds=0.0, frozen_at=None)
        session.add(setting)
    return setting


def set_time(session: Session, at: datetime, frozen: bool = False) -> datetime:
    """Move the clock to `at`; a frozen clock stands still until moved again."""
    setting = _setting(session)
    at = as_utc(at)
    if frozen:
        setting.frozen_at = at
        setting.offset_seconds = 0.0
    else:
        setting.frozen_at = None
        setting.offset_seconds = (at - real_now()).total_seconds()
    return at


def reset(session: Session) -> datetime:
    setting = _setting(session)
    setting.frozen_at = None
    setting.offset_seconds = 0.0
    return real_now()


def advance(session: Session, duration: str) -> datetime:
    """Advance by an ISO 8601 duration such as P3M, P4D or PT2H; months are calendar months."""
    current = now(session)
    target = add_duration(current, duration)
    setting = _setting(session)
    if setting.frozen_at is not None:
        setting.frozen_at = target
    else:
        setting.offset_seconds += (target - current).total_seconds()
    return target


_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def add_duration(start: datetime, duration: str) -> datetime:
    """`start` plus an ISO 8601 duration.

    A month counts as the length of the calendar month it starts in, exactly as SpiffWorkflow's
    duration timers count it, so advancing the clock by P3M always reaches a "P3M" timer.
    """
    match = _DURATION.match(duration.strip().upper())
    if not match or duration.strip().upper() in ("P", "PT"):
        raise InvalidInput(f"'{duration}' is not an ISO 8601 duration such as P3M, P4D or PT2H")
    parts = {k: float(v) if k == "seconds" else int(v) for k, v in match.groupdict().items() if v}
    months = int(parts.get("years", 0)) * 12 + int(parts.get("months", 0))
    days = float(parts.get("days", 0))
    for idx in range(months):
        year = start.year + (start.month + idx - 1) // 12
        month = (start.month + idx) % 12 or 12
        days += monthrange(year, month)[1]
    return start + timedelta(
        weeks=parts.get("weeks", 0),
        days=days,
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )
