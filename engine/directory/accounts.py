"""Checking a person's password when they sign in."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select

from engine.core import Engine
from engine.directory.passwords import check_password, hash_password
from engine.store.models import User


@cache
def _dummy_hash() -> str:
    return hash_password("no such account")


def authenticate(engine: Engine, username: str, password: str) -> str | None:
    """The username when the password is right and the account active; None otherwise."""
    with engine.db.sessions() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            check_password(_dummy_hash(), password)  # the same time whether or not the name exists
            return None
        return user.username if check_password(user.password_hash, password) else None


def language(engine: Engine, username: str) -> str:
    """The language the person chose last ("id" until they choose)."""
    with engine.db.sessions() as session:
        found = session.scalar(select(User.language).where(User.username == username))
        return found or "id"


def set_language(engine: Engine, username: str, code: str) -> None:
    with engine.db.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is not None:
            user.language = code
