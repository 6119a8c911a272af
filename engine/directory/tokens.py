"""API tokens: bearer secrets for scripts using the JSON API.

A token is random (`secrets.token_urlsafe(32)`), shown once when it is made, and stored only as its
sha256 with a name and its user. It stops working when revoked or when its user is disabled
(disabling an account also revokes all its tokens, so enabling it again brings none back).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.core import Engine
from engine.errors import Conflict, InvalidInput, NotFound
from engine.store.models import ApiToken, User


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    # Wall time: when a token was made or used is about people, not the engine's program clock.
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


@dataclass
class TokenInfo:
    id: int
    user: str
    name: str
    created_at: str | None
    last_used_at: str | None
    revoked_at: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _info(token: ApiToken, username: str) -> TokenInfo:
    return TokenInfo(
        token.id,
        username,
        token.name,
        _iso(token.created_at),
        _iso(token.last_used_at),
        _iso(token.revoked_at),
    )


def create(session: Session, username: str, name: str = "") -> tuple[TokenInfo, str]:
    """A new token for `username`: its description and the secret (shown once, never stored)."""
    if len(name) > 100:
        raise InvalidInput("a token name has at most 100 characters")
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(secret), created_at=_now())
    session.add(token)
    session.flush()
    return _info(token, user.username), secret


def revoke(session: Session, token_id: int) -> TokenInfo:
    found = session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).where(ApiToken.id == token_id)
    ).first()
    if found is None:
        raise NotFound(f"no token {token_id}")
    token, username = found
    if token.revoked_at is not None:
        raise Conflict(f"token {token_id} was already revoked at {_iso(token.revoked_at)}")
    token.revoked_at = _now()
    session.flush()
    return _info(token, username)


def revoke_all(session: Session, username: str) -> int:
    """Revoke every live token of `username` (the account is being disabled): how many."""
    user_id = session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise NotFound(f"no user '{username}'")
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def listing(session: Session, username: str | None = None) -> list[TokenInfo]:
    query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if username is not None:
        query = query.where(User.username == username)
    return [_info(t, u) for t, u in session.execute(query.order_by(ApiToken.id))]


USE_RECORDED_EVERY = timedelta(minutes=1)  # how fresh `last_used_at` is kept


def authenticate(engine: Engine, secret: str) -> str | None:
    """The username a live token belongs to; None for anything else. Its use is recorded to the
    minute: a call within a minute of the last recorded one writes nothing. One statement reads
    and, at most once a minute, one more writes, each committed on its own (no transaction of
    their own to begin and end around them: the check runs before every API call)."""
    if not secret:
        return None
    with engine.db.statements() as sql:
        found = sql.one(
            "SELECT t.id, u.username, t.last_used_at FROM api_token t "
            "JOIN user_account u ON u.id = t.user_id "
            "WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND u.active = :yes",
            hash=_hash(secret),
            yes=True,
        )
        if found is None:
            return None
        now, last = _now(), sql.read_ts(found[2])
        if last is None or now - last >= USE_RECORDED_EVERY:
            sql.run("UPDATE api_token SET last_used_at = :now WHERE id = :id", now=sql.ts(now), id=found[0])
    return str(found[1])
