"""Sign-in sessions of the web UI, kept on the server so they can be ended.

Signing in makes a random secret (`secrets.token_urlsafe(32)`); the browser's signed cookie
carries it, the `web_session` table only its sha256, with the person, when it was made, last seen
and until when it holds. Every request reads its row once (by the indexed hash, with the person's
account): a session signed out, ended by an admin, of a disabled account, or idle longer than
`IDLE` is refused from the next request on, wherever the cookie was copied to. When it was last
seen is written at most once a minute (`SEEN_RECORDED_EVERY`), so a page view opens no write
transaction; each such write also moves the expiry to `IDLE` from then.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.core import Engine
from engine.errors import NotFound
from engine.store.models import User, WebSession

IDLE = timedelta(hours=12)  # a session unused this long has ended
RETENTION = timedelta(days=90)  # how long ended sessions stay on record
SEEN_RECORDED_EVERY = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    # Wall time: sessions are about people, not the engine's program clock.
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def begin(engine: Engine, username: str) -> str:
    """A new session for `username` (signed in just now): the secret for the cookie."""
    secret, now = secrets.token_urlsafe(32), _now()
    with engine.db.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            raise NotFound(f"no user '{username}'")
        session.execute(delete(WebSession).where(WebSession.expires_at < now - RETENTION))
        session.add(
            WebSession(
                user_id=user_id,
                token_hash=_hash(secret),
                created_at=now,
                last_seen_at=now,
                expires_at=now + IDLE,
            )
        )
    return secret


def user_of(engine: Engine, secret: str | None) -> str | None:
    """The username of a live session; None for a session ended, expired, of a disabled account,
    or unknown."""
    if not secret:
        return None
    now = _now()
    with engine.db.sessions() as session:
        found = session.execute(
            select(WebSession.id, User.username, WebSession.last_seen_at, WebSession.expires_at)
            .join(User, User.id == WebSession.user_id)
            .where(
                WebSession.token_hash == _hash(secret), WebSession.revoked_at.is_(None), User.active.is_(True)
            )
        ).first()
    if found is None or _aware(found.expires_at) <= now:
        return None
    if now - _aware(found.last_seen_at) >= SEEN_RECORDED_EVERY:
        with engine.db.transaction() as session:
            session.execute(
                update(WebSession)
                .where(WebSession.id == found.id)
                .values(last_seen_at=now, expires_at=now + IDLE)
            )
    return str(found.username)


def end(engine: Engine, secret: str | None) -> None:
    """Sign out: this session ends, in every browser holding its cookie."""
    if not secret:
        return
    with engine.db.transaction() as session:
        session.execute(
            update(WebSession)
            .where(WebSession.token_hash == _hash(secret), WebSession.revoked_at.is_(None))
            .values(revoked_at=_now())
        )


def end_all(session: Session, username: str, keep: str | None = None) -> int:
    """End every live session of `username` (but the one whose secret is `keep`): how many."""
    user_id = session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise NotFound(f"no user '{username}'")
    query = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if keep:
        query = query.where(WebSession.token_hash != _hash(keep))
    result = session.execute(query.values(revoked_at=_now()))
    return int(getattr(result, "rowcount", 0) or 0)


def live(session: Session) -> dict[str, int]:
    """How many live sessions each person has (only people with at least one)."""
    now = _now()
    query = (
        select(User.username, WebSession.expires_at)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.revoked_at.is_(None), WebSession.expires_at > now, User.active.is_(True))
    )
    counts: dict[str, int] = {}
    for username, expires in session.execute(query):
        if _aware(expires) > now:
            counts[username] = counts.get(username, 0) + 1
    return counts
