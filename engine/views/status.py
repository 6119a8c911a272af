"""A summary of what the engine holds, for the status page and health checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine import clock
from engine.core import Engine
from engine.definitions import registry
from engine.store.models import HumanTask, Instance, Timer, Village


def summary(engine: Engine) -> dict[str, Any]:
    with engine.db.sessions() as session:
        now = clock.now(session)

        def count(query: Any) -> int:
            return int(session.scalar(query) or 0)

        latest: dict[str, int] = {}
        for v in registry.versions(session):
            latest[v.process_id] = max(latest.get(v.process_id, 0), v.version)
        return {
            "clock": now.isoformat(),
            "database": engine.db.url,
            "processes": [{"process_id": k, "version": v} for k, v in sorted(latest.items())],
            "villages": count(select(func.count()).select_from(Village)),
            "instances": count(select(func.count()).select_from(Instance)),
            "instances_active": count(
                select(func.count()).select_from(Instance).where(Instance.status.in_(("running", "waiting")))
            ),
            "open_tasks": count(select(func.count()).select_from(HumanTask)),
            "timers": count(select(func.count()).select_from(Timer)),
            "timers_due": count(select(func.count()).select_from(Timer).where(Timer.due_at <= now)),
        }
