"""Moving running villages to a new version of their process, and the plan that says who can move.

`plan(engine, process_id, to_spec, ...)` tells, per running instance, where it stands towards the
processes the change touches: *before* (it has not reached them: it can move), *inside* (it can
move unless an element it has done or is at was removed or changed in a way that cannot be carried
over: then the reason), *past* (it has finished every changed process: it stays). `migrate` moves
the instances that can, each in one transaction with a `DEFINITION_MIGRATED` event (which replay
re-runs, so the history keeps explaining the state), and refuses the others with their reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine, Projection
from engine.definitions import registry
from engine.errors import Conflict, InvalidInput
from engine.runtime import audit, task_counts
from engine.runtime.projections import clear_projections
from engine.runtime.step import Step, load_live
from engine.store.fastsql import Sql
from engine.store.models import HumanTask, Instance, ProcessVersion, Timer, Village

RUNNING = ("running", "waiting", "suspended")


@dataclass
class InstancePlan:
    instance_id: int
    village_code: str
    village: str
    version: int
    where: list[str]  # the elements it is at (open tasks, timers)
    standing: str  # before | inside | past
    reasons: list[str] = field(default_factory=list)
    result: str = ""  # after migrate: moved | refused | stays | would move

    @property
    def can_move(self) -> bool:
        return self.standing != "past" and not self.reasons

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "can_move": self.can_move}


@dataclass
class ProcessPlan:
    process_id: str
    to_version: int | None  # None: not deployed yet (a dry run of files)
    changes: list[spiff.ElementChange]
    versions: dict[int, int]  # version -> running instances on it
    at_elements: dict[str, int]  # element -> running instances at it
    instances: list[InstancePlan]

    def as_json(self) -> dict[str, Any]:
        return {
            "process_id": self.process_id,
            "to_version": self.to_version,
            "changes": [c.__dict__ for c in self.changes],
            "versions": self.versions,
            "at_elements": self.at_elements,
            "instances": [i.as_json() for i in self.instances],
        }


def standing(workflow: Any, changed_processes: set[str]) -> str:
    places = {spiff.progress_in(workflow, name) for name in changed_processes}
    if "inside" in places:
        return "inside"
    return "before" if "before" in places else "past"


def _where(session: Session, instance_id: int) -> list[str]:
    tasks = session.scalars(select(HumanTask.bpmn_id).where(HumanTask.instance_id == instance_id))
    timers = session.scalars(select(Timer.bpmn_id).where(Timer.instance_id == instance_id))
    return sorted({*tasks, *timers})


def _instances(session: Session, process_id: str, from_version: int | None, village: str | None) -> list[Any]:
    query = (
        select(Instance, ProcessVersion.version, Village.name)
        .join(ProcessVersion, ProcessVersion.id == Instance.process_version_id)
        .join(Village, Village.code == Instance.village_code)
        .where(Instance.process_id == process_id, Instance.status.in_(RUNNING))
        .order_by(Instance.id)
    )
    if from_version is not None:
        query = query.where(ProcessVersion.version == from_version)
    if village is not None:
        query = query.where(Instance.village_code == village)
    return list(session.execute(query).all())


def plan(
    engine: Engine,
    process_id: str,
    to_spec: spiff.Spec,
    to_version: int | None = None,
    from_version: int | None = None,
    village: str | None = None,
) -> ProcessPlan:
    """What moving the running instances of `process_id` to `to_spec` would do, instance by instance."""
    with engine.db.sessions() as session:
        rows = _instances(session, process_id, from_version, village)
        changes_by_version: dict[int, list[spiff.ElementChange]] = {}
        instances, at = [], Counter[str]()
        for row, version, village_name in rows:
            deployed = engine.specs.get(session, row.process_version_id)
            if version not in changes_by_version:
                changes_by_version[version] = spiff.element_changes(deployed.spec, to_spec)
            changed = {c.process_id for c in changes_by_version[version]}
            workflow = load_live(Sql.of(session), row.id, deployed.spec_for_instance()).workflow
            where = _where(session, row.id)
            at.update(where)
            place = standing(workflow, changed) if changed else "past"
            reasons = spiff.blockers(workflow, to_spec) if place != "past" else []
            instances.append(
                InstancePlan(row.id, row.village_code, village_name, version, where, place, reasons)
            )
        base = from_version or session.scalar(
            select(ProcessVersion.version)
            .where(ProcessVersion.process_id == process_id)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        )
        if base is not None and base not in changes_by_version:
            spec = engine.specs.get(session, registry.version_row(session, process_id, base).id).spec
            changes_by_version[base] = spiff.element_changes(spec, to_spec)
    changes = changes_by_version.get(base, []) if base is not None else []
    return ProcessPlan(
        process_id,
        to_version,
        changes,
        dict(sorted(Counter(i.version for i in instances).items())),
        dict(sorted(at.items())),
        instances,
    )


def migrate(
    engine: Engine,
    process_id: str,
    from_version: int,
    to_version: int,
    actor: str,
    village: str | None = None,
    dry_run: bool = False,
) -> ProcessPlan:
    """Move the running instances on `from_version` that can move to `to_version`; the others stay,
    each with its reason."""
    if from_version == to_version:
        raise InvalidInput("the versions to move from and to are the same")
    with engine.db.sessions() as session:
        target = registry.version_row(session, process_id, to_version)
        registry.version_row(session, process_id, from_version)
        to_spec = engine.specs.get(session, target.id).spec
        target_id = target.id
    result = plan(engine, process_id, to_spec, to_version, from_version, village)
    for item in result.instances:
        if not item.can_move:
            item.result = "stays" if item.standing == "past" else "refused"
            continue
        if dry_run:
            item.result = "would move"
            continue
        try:
            _move(engine, item.instance_id, target_id, actor)
            item.result = "moved"
        except Conflict as err:  # changed meanwhile: say so, move the others
            item.result, item.reasons = "refused", [str(err)]
    return result


def _move(engine: Engine, instance_id: int, target_id: int, actor: str) -> None:
    """Move one instance: computed with no lock held (the move runs what the new version makes
    ready, scripts included), then written under the revision check, as every step is."""
    with Step.reading(engine) as session:
        step = Step.load(engine, session, instance_id, clock.now(session))
        deployed = engine.specs.get(session, target_id)
        new_spec = deployed.spec_for_instance()
        reasons = spiff.blockers(step.workflow, new_spec)
        if reasons:
            raise Conflict("; ".join(reasons))
        before = step.row.process_version_id
        claims = dict(
            session.execute(
                select(HumanTask.id, HumanTask.claimed_by).where(
                    HumanTask.instance_id == instance_id, HumanTask.claimed_by.is_not(None)
                )
            ).all()
        )
        from_number = session.scalar(select(ProcessVersion.version).where(ProcessVersion.id == before))
        with clock.pinned(step.now):
            touched = spiff.migrate(step.workflow, new_spec)
            spiff.run_engine(step.workflow)
    assert step.live is not None
    step.live.ledger.forget(touched)
    step.live.spec = step.spec = new_spec
    with step.writing():
        # Every open task is listed again (its name, form or lane may have changed); takes are kept.
        clear_projections(step.sql, instance_id)
        step.live.projection = Projection()
        step.sql.run(
            "UPDATE instance SET process_version_id = :v WHERE id = :id", v=target_id, id=instance_id
        )
        step.row.process_version_id = target_id
        step.save(
            audit.DEFINITION_MIGRATED,
            actor,
            {
                "process_id": deployed.process_id,
                "from_version": from_number,
                "from_version_id": before,
                "to_version": deployed.version,
                "to_version_id": target_id,
            },
        )
        for task_id, who in claims.items():
            rows = task_counts.update(step.sql, "claimed_by = :who", "id = :id", who=who, id=task_id)
            task_counts.claims_changed(step.sql, rows, was_claimed=False)
    step.keep()
