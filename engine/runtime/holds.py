"""An admin's holds on an instance: suspend it (its tasks and timers wait), resume it, cancel it.

One transaction each, like every step (`engine.steps`); only admins, and an instance someone may
not see is "not found" for them.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine
from engine.directory import access
from engine.errors import Conflict, Forbidden, NotFound
from engine.runtime import audit, task_counts
from engine.runtime.actions import StepResult, step_result
from engine.runtime.step import FROM_WORKFLOW, Step
from engine.store.fastsql import Sql
from engine.store.models import Instance, Timer


def _instance_for(session: Session, instance_id: int, who: access.Principal) -> Instance:
    row = session.get(Instance, instance_id)
    if row is None or not access.may(who, "see", row.village_code):
        raise NotFound(f"no instance {instance_id}")
    return row


def admin_instance(session: Session, actor: str, instance_id: int, what: str) -> Instance:
    who = access.acting(session, actor)
    row = _instance_for(session, instance_id, who)
    if not who.is_admin:
        raise Forbidden(f"only an admin can {what} an instance")
    return row


def suspend(engine: Engine, instance_id: int, actor: str, reason: str = "") -> StepResult:
    with engine.db.transaction() as session:
        row = admin_instance(session, actor, instance_id, "suspend")
        if row.status not in ("running", "waiting"):
            raise Conflict(
                f"instance {instance_id} is {row.status}; only a running instance can be suspended"
            )
        step = Step.bare(engine, session, instance_id, clock.now(session))
        event = step.save(audit.INSTANCE_SUSPENDED, actor, {"reason": reason}, status="suspended")
        _mark_suspended(session, instance_id, True)
        result = step_result(step, event)
    step.keep()
    return result


def resume(engine: Engine, instance_id: int, actor: str) -> StepResult:
    with engine.db.transaction() as session:
        row = admin_instance(session, actor, instance_id, "resume")
        if row.status != "suspended":
            raise Conflict(f"instance {instance_id} is {row.status}, not suspended")
        step = Step.load(engine, session, instance_id, clock.now(session))
        event = step.save(audit.INSTANCE_RESUMED, actor, {}, status=FROM_WORKFLOW)
        _mark_suspended(session, instance_id, False)
        result = step_result(step, event)
    step.keep()
    return result


def _mark_suspended(session: Session, instance_id: int, value: bool) -> None:
    sql = Sql.of(session)
    where = "instance_id = :id AND suspended = :was"
    rows = task_counts.update(sql, "suspended = :now", where, now=value, was=not value, id=instance_id)
    # Suspended tasks are not counted: the rows as they were before (not suspended) leave the counts.
    task_counts.add(sql, task_counts.counted([(*r[:5], False) for r in rows], -1 if value else 1))
    session.execute(update(Timer).where(Timer.instance_id == instance_id).values(suspended=value))


def cancel(engine: Engine, instance_id: int, actor: str, reason: str = "") -> StepResult:
    with engine.db.transaction() as session:
        row = admin_instance(session, actor, instance_id, "cancel")
        if row.status in ("completed", "cancelled"):
            raise Conflict(f"instance {instance_id} is already {row.status}")
        step = Step.load(engine, session, instance_id, clock.now(session))
        with clock.pinned(step.now):
            spiff.cancel(step.workflow)
        event = step.save(audit.INSTANCE_CANCELLED, actor, {"reason": reason}, status="cancelled")
        return step_result(step, event)
