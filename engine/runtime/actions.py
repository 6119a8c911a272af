"""What people and the worker do to instances: start, complete, claim, reassign, message, fail.

(An admin's holds, suspend, resume and cancel, are in `engine.holds`.)

Each function is one transaction (see `engine.steps`): it checks who is acting, runs the
workflow at the engine clock's time, and writes state, projections and the audit event together.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine, Live, Projection, encode
from engine.definitions import forms, registry
from engine.directory import access
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.runtime import audit, idempotency, task_counts
from engine.runtime.duties import check_given, check_open, check_task
from engine.runtime.projections import clear_projections
from engine.runtime.step import InstanceRef, Step
from engine.sandbox import json_input
from engine.store.fastsql import Sql
from engine.store.models import Instance, Village, WaitingMessage


@dataclass
class OpenTask:
    """A human task open after a step: what the person who acted is told comes next."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None


@dataclass
class StepResult:
    instance_id: int
    revision: int
    status: str
    event_seq: int
    open_tasks: list[OpenTask] = field(default_factory=list)


def step_result(step: Step, event: audit.EventHead) -> StepResult:
    return StepResult(
        step.row.id,
        step.row.revision,
        step.row.status,
        event.seq,
        [OpenTask(v.id, v.bpmn_id, v.name, v.lane) for v in step.open_tasks],
    )


def _village(session: Session, code: str) -> Village:
    json_input.check_names("village with code", code)
    village = session.get(Village, code)
    if village is None:
        raise NotFound(f"no village with code '{code}'")
    return village


def sent_messages(workflow: Any) -> dict[str, Any]:
    """`messages_sent` for the event of a step, when the step threw messages nothing in the instance
    caught (read once: the messages of a step are recorded by that step's event)."""
    thrown = spiff.thrown_messages(workflow)
    return {"messages_sent": thrown} if thrown else {}


def start(
    engine: Engine, process_id: str, village_code: str, actor: str, data: dict[str, Any] | None = None
) -> StepResult:
    """Start the newest version of a process for a village."""
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("start data must be a JSON object")
    json_input.check(data, "start data")
    json_input.check_names("process", process_id)
    with Step.reading(engine) as session:  # the process's code runs with no lock held
        who = access.acting(session, actor)
        village = _village(session, village_code)
        if not access.may(who, "see", village.code):
            raise Forbidden(f"{actor} holds no role for village {village_code}")
        if not access.may(who, "change", village.code):
            raise Forbidden(f"{actor} may read village {village_code} but not start work there")
        version = registry.latest(session, process_id)
        spec = engine.specs.get(session, version.id).spec_for_instance()
        now = clock.now(session)
    with clock.pinned(now):
        workflow = spiff.new_workflow(spec, data)
        spiff.run_engine(workflow)
    with engine.db.transaction() as session:
        row = Instance(
            process_version_id=version.id,
            process_id=process_id,
            village_code=village.code,
            status="running",
            revision=0,
            header=encode("{}"),
            last_seq=0,
            last_hash=audit.GENESIS,
            started_by=actor,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        ref = InstanceRef(row.id, version.id, process_id, village.code, "running", 0, 0, audit.GENESIS)
        step = Step(
            engine, Sql.of(session), ref, spec, Live(workflow, spiff.Ledger(), Projection(), spec), now
        )
        event = step.save(
            audit.INSTANCE_STARTED,
            actor,
            {
                "process_id": process_id,
                "version": version.version,
                "version_id": version.id,
                "data": data or {},
                **sent_messages(workflow),
            },
        )
        result = step_result(step, event)
    step.keep()
    return result


@dataclass
class TaskRef:
    """The human-task projection row of an open task."""

    id: str
    instance_id: int
    village_code: str
    kabupaten_code: str
    bpmn_id: str
    name: str
    role: str
    form: str | None
    claimed_by: str | None
    suspended: bool


TASK_COLUMNS = tuple(TaskRef.__dataclass_fields__)


def open_task(session: Session, task_id: str, who: access.Principal) -> TaskRef:
    json_input.check_names("task", task_id)
    found = Sql.of(session).one(
        f"SELECT {', '.join(TASK_COLUMNS)} FROM human_task WHERE id = :id", id=task_id
    )
    if found is not None:
        task = TaskRef(*found)
        task.suspended = bool(task.suspended)
        if not access.may(who, "see", task.village_code):
            raise NotFound(f"no task {task_id}")
        return task
    done = audit.last_completion(session, task_id)
    if done is not None:
        village = session.scalar(select(Instance.village_code).where(Instance.id == done.instance_id))
        if village is not None and access.may(who, "see", village):
            raise Conflict(
                f"task '{done.data.get('name') or done.bpmn_id}' was already completed by {done.actor} at "
                f"{clock.as_utc(done.engine_time):%Y-%m-%d %H:%M} UTC; nothing was changed"
            )
    raise NotFound(f"no open task {task_id}")


def check_may_act(who: access.Principal, task: TaskRef) -> bool:
    """True when acting is an admin override; raises when the user may not act at all."""
    if task.suspended:
        raise Conflict(f"the instance of task '{task.name}' is suspended; resume it first")
    if task.claimed_by and task.claimed_by != who.username and not who.is_admin:
        raise Conflict(f"task '{task.name}' is taken by {task.claimed_by}")
    if task.claimed_by == who.username or access.holds_role(who, task.role, task.village_code):
        return False
    if access.may(who, "act", task.village_code, task.role):
        return True
    raise Forbidden(f"task '{task.name}' is for role '{task.role}' in village {task.village_code}")


def complete(
    engine: Engine,
    task_id: str,
    actor: str,
    data: dict[str, Any] | None = None,
    expected_revision: int | None = None,
    key: idempotency.Key | None = None,
) -> StepResult:
    """Complete a READY human task with the data submitted for it. With an idempotency `key`, a
    completion this actor made already under it is answered again (`engine.runtime.idempotency`)."""
    data = data or {}
    if not isinstance(data, dict):
        raise InvalidInput("task data must be a JSON object")
    json_input.check(data, "task data")
    once = key
    try:
        with Step.reading(engine) as session:  # the process's code runs with no lock held
            who = access.acting(session, actor)
            done = idempotency.recorded(session, actor, once) if once is not None else None
            if done is not None:
                return _result_of(done)
            task = open_task(session, task_id, who)
            override = check_may_act(who, task)
            step = Step.load(engine, session, task.instance_id, clock.now(session))
            spiff_task = spiff.find_task(step.workflow, task_id)
            if spiff_task is None or not spiff.task_is_ready_human(spiff_task):
                raise Conflict(f"task '{task.name}' is no longer open; reload the task list")
            overridden = check_task(step.sql, who, task.instance_id, spiff_task)
            # Replay matches tasks by BPMN id; among parallel instances of one element, by their order.
            occurrence = spiff.occurrence(step.workflow, spiff_task)
            if task.form:
                deployed = engine.specs.get(session, step.row.process_version_id)
                forms.validate(deployed.forms.get(task.form), data, task.form, context=spiff_task.data)
            with clock.pinned(step.now):
                spiff.complete(step.workflow, spiff_task, data)
            event_data: dict[str, Any] = {"data": data, "role": task.role, "name": task.name}
            if override or overridden:
                event_data["override"] = True
            if overridden:
                event_data["overridden"] = overridden
            if occurrence is not None:
                event_data["occurrence"] = occurrence
            event_data.update(sent_messages(step.workflow))
        with step.writing() as session:  # written if the instance is still as loaded
            event = step.save(
                audit.TASK_COMPLETED,
                actor,
                event_data,
                task_id,
                task.bpmn_id,
                expected_revision=expected_revision,
            )
            result = step_result(step, event)
            if once is not None:
                idempotency.record(session, actor, once, task_id, {**asdict(result), "task_name": task.name})
    except Conflict:  # lost a race (on PostgreSQL the winner may commit mid-step): say who and when
        with engine.db.sessions() as session:
            done = idempotency.recorded(session, actor, once) if once is not None else None
            if done is not None:  # to a twin of this request, sent under the same key
                return _result_of(done)
            with suppress(NotFound):
                open_task(session, task_id, access.acting(session, actor))
        raise
    step.keep()
    return result


def _result_of(recorded: dict[str, Any]) -> StepResult:
    """The result of a completion recorded under an idempotency key, as it was answered then."""
    following = [OpenTask(**t) for t in recorded.get("open_tasks", [])]
    return StepResult(
        recorded["instance_id"], recorded["revision"], recorded["status"], recorded["event_seq"], following
    )


def replay(engine: Engine, actor: str, key: idempotency.Key) -> tuple[StepResult, str] | None:
    """The result (and the task's name) of a completion `actor` made already under `key`; None when
    there is none. Raises `idempotency.KeyReused` when the key came with another submission."""
    with engine.db.sessions() as session:
        access.acting(session, actor)
        done = idempotency.recorded(session, actor, key)
    return (_result_of(done), str(done.get("task_name", ""))) if done is not None else None


def claim(engine: Engine, task_id: str, actor: str) -> StepResult:
    return _set_claim(engine, task_id, actor, take=True)


def unclaim(engine: Engine, task_id: str, actor: str) -> StepResult:
    return _set_claim(engine, task_id, actor, take=False)


def _set_claim(engine: Engine, task_id: str, actor: str, take: bool) -> StepResult:
    with engine.db.transaction() as session:
        who = access.acting(session, actor)
        task = open_task(session, task_id, who)
        if take:
            if task.claimed_by == actor:
                raise Conflict(f"you already took task '{task.name}'")
            if task.claimed_by:
                raise Conflict(f"task '{task.name}' is taken by {task.claimed_by}")
            check_may_act(who, task)
            check_open(engine, session, who, task)
        elif task.claimed_by is None:
            raise Conflict(f"task '{task.name}' is not taken by anyone")
        elif task.claimed_by != actor and not who.is_admin:
            raise Forbidden(
                f"task '{task.name}' is taken by {task.claimed_by}; only they or an admin can release it"
            )
        step = Step.bare(engine, session, task.instance_id, clock.now(session))
        previous = task.claimed_by
        _hand_over(step, task, actor if take else None)
        event = step.save(
            audit.TASK_CLAIMED if take else audit.TASK_UNCLAIMED,
            actor,
            {"previous": previous} if previous else {},
            task_id,
            task.bpmn_id,
        )
        result = step_result(step, event)
    step.keep()
    return result


def _hand_over(step: Step, task: TaskRef, holder: str | None) -> None:
    """Set the holder only if unchanged since read (on PostgreSQL the revision may be read later)."""
    where = "id = :id AND COALESCE(claimed_by, '') = :was"
    rows = task_counts.update(
        step.sql, "claimed_by = :who", where, who=holder, id=task.id, was=task.claimed_by or ""
    )
    task_counts.claims_changed(step.sql, rows, was_claimed=task.claimed_by is not None)
    if len(rows) != 1:
        now = step.sql.one("SELECT claimed_by FROM human_task WHERE id = :id", id=task.id)
        raise Conflict(f"task '{task.name}' is taken by {(now or [None])[0] or 'someone else'}; reload it")


def reassign(engine: Engine, task_id: str, actor: str, to_user: str) -> StepResult:
    """Give a task to someone else who may do it (someone with a national grant, or an admin, decides)."""
    with engine.db.transaction() as session:
        who = access.acting(session, actor)
        task = open_task(session, task_id, who)
        if not access.may(who, "change"):  # every village: a national grant
            raise Forbidden("only someone with a national grant or an admin can reassign a task")
        target = access.principal(session, to_user)
        if not access.may(target, "act", task.village_code, task.role):
            raise InvalidInput(f"{to_user} does not hold role '{task.role}' for village {task.village_code}")
        check_given(engine, session, target, task)
        if task.suspended:
            raise Conflict(f"the instance of task '{task.name}' is suspended; resume it first")
        step = Step.bare(engine, session, task.instance_id, clock.now(session))
        _hand_over(step, task, to_user)
        event = step.save(
            audit.TASK_REASSIGNED, actor, {"previous": task.claimed_by, "to": to_user}, task_id, task.bpmn_id
        )
        result = step_result(step, event)
    step.keep()
    return result


def deliver_message(
    engine: Engine, name: str, village_code: str, actor: str, payload: dict[str, Any] | None = None
) -> list[StepResult]:
    """Deliver a BPMN message to the instances of one village that wait for it (correlation by village)."""
    payload = payload or {}
    json_input.check(payload, "message data")
    json_input.check_names("message", name)
    with engine.db.sessions() as session:
        access.acting(session, actor)
        _village(session, village_code)
        targets = sorted(
            set(
                session.scalars(
                    select(WaitingMessage.instance_id).where(
                        WaitingMessage.name == name, WaitingMessage.village_code == village_code
                    )
                )
            )
        )
    if not targets:
        raise NotFound(f"no instance in village {village_code} is waiting for message '{name}'")
    results = []
    for instance_id in targets:
        with Step.reading(engine) as session:  # the process's code runs with no lock held
            step = Step.load(engine, session, instance_id, clock.now(session))
            if step.row.status == "suspended":
                raise Conflict(f"instance {instance_id} is suspended; resume it before delivering messages")
            with clock.pinned(step.now):
                caught = spiff.catch_message(step.workflow, name, payload)
            if not caught:
                continue
            received = {"name": name, "payload": payload, **sent_messages(step.workflow)}
            event = step.commit(audit.MESSAGE_RECEIVED, actor, received)
            results.append(step_result(step, event))
        step.keep()
    return results


def fail(engine: Engine, instance_id: int, error: str, at: datetime) -> None:
    """Mark an instance failed (its projections cleared) with the error, in its own transaction."""
    with engine.db.transaction() as session:
        step = Step.bare(engine, session, instance_id, at)
        step.carried = None  # its workflow is not to be trusted any more
        step.save(audit.INSTANCE_FAILED, "system", {"error": error}, status="failed", error=error)
        clear_projections(step.sql, instance_id)
