"""Staff accounts and their roles; disabling and enabling an account, and setting its password.

Disabling an account refuses its sign-ins, ends its web sessions and revokes its API tokens at
once; enabling it again lets the person sign in, with no session or token brought back. A new
password ends the person's other sessions (all of them when set by an admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.directory import tokens, web_sessions
from engine.directory.passwords import hash_password
from engine.errors import Conflict, InvalidInput, NotFound
from engine.store.models import RoleAssignment, User


@dataclass
class UserInfo:
    username: str
    full_name: str
    is_admin: bool
    roles: list[dict[str, str]]
    active: bool = True
    sessions: int = 0  # live web sessions

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "is_admin": self.is_admin,
            "active": self.active,
            "sessions": self.sessions,
            "roles": self.roles,
            "villages": sorted({r["code"] for r in self.roles if r["scope"] == "village"}),
        }


def add(
    session: Session, username: str, full_name: str = "", password: str | None = None, admin: bool = False
) -> User:
    username = username.strip()
    if not username or any(c.isspace() for c in username):
        raise InvalidInput("a username needs at least one character and no spaces")
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise Conflict(f"user '{username}' already exists")
    user = User(
        username=username,
        full_name=full_name,
        is_admin=admin,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def listing(session: Session) -> list[UserInfo]:
    out = []
    live = web_sessions.live(session)
    for user in session.scalars(select(User).order_by(User.username)):
        grants = session.scalars(
            select(RoleAssignment).where(RoleAssignment.user_id == user.id).order_by(RoleAssignment.role)
        )
        out.append(
            UserInfo(
                user.username,
                user.full_name,
                user.is_admin,
                [{"role": g.role, "scope": g.scope, "code": g.scope_code} for g in grants],
                user.active,
                live.get(user.username, 0),
            )
        )
    return out


@dataclass(frozen=True)
class Ended:
    """What disabling an account (or ending its sessions) ended."""

    sessions: int
    tokens: int = 0


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


def disable(session: Session, username: str) -> Ended:
    """The person can no longer sign in; their sessions end and their API tokens are revoked."""
    _user(session, username).active = False
    return Ended(web_sessions.end_all(session, username), tokens.revoke_all(session, username))


def enable(session: Session, username: str) -> None:
    """The person may sign in again (no session or token of before comes back)."""
    _user(session, username).active = True


def end_sessions(session: Session, username: str) -> Ended:
    """Sign the person out everywhere (their API tokens stay)."""
    return Ended(web_sessions.end_all(session, username))


def set_password(session: Session, username: str, password: str, keep_session: str | None = None) -> Ended:
    """A new password; every session of the person ends but `keep_session` (the secret of the
    session that changed it, when the person changed it themselves)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters")
    _user(session, username).password_hash = hash_password(password)
    return Ended(web_sessions.end_all(session, username, keep=keep_session))


MIN_PASSWORD = 8
