"""Staff accounts and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.directory.passwords import hash_password
from engine.errors import Conflict, InvalidInput
from engine.store.models import RoleAssignment, User


@dataclass
class UserInfo:
    username: str
    full_name: str
    is_admin: bool
    roles: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "is_admin": self.is_admin,
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
            )
        )
    return out
