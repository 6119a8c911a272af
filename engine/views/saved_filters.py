"""A person's named inbox filters (Tugas Saya's query string), kept on the server."""

from __future__ import annotations

from sqlalchemy import delete, select

from engine import clock
from engine.core import Engine
from engine.store.models import SavedFilter

MOST = 20  # filters a person keeps


def of(engine: Engine, username: str) -> list[tuple[int, str, str]]:
    """(id, name, query) of the person's filters, by name."""
    with engine.db.sessions() as session:
        rows = session.execute(
            select(SavedFilter.id, SavedFilter.name, SavedFilter.query)
            .where(SavedFilter.username == username)
            .order_by(SavedFilter.name)
        ).all()
        return [(r.id, r.name, r.query) for r in rows]


def save(engine: Engine, username: str, name: str, query: str) -> bool:
    """Keep `query` under `name` (replacing a filter of that name); False when the person already
    keeps MOST others."""
    with engine.db.transaction() as session:
        found = session.scalars(
            select(SavedFilter).where(SavedFilter.username == username, SavedFilter.name == name)
        ).first()
        if found is not None:
            found.query = query
            return True
        kept = session.scalars(select(SavedFilter.id).where(SavedFilter.username == username)).all()
        if len(kept) >= MOST:
            return False
        session.add(SavedFilter(username=username, name=name, query=query, created_at=clock.now(session)))
        return True


def remove(engine: Engine, username: str, filter_id: int) -> None:
    with engine.db.transaction() as session:
        session.execute(
            delete(SavedFilter).where(SavedFilter.id == filter_id, SavedFilter.username == username)
        )
