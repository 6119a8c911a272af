"""Separation of duties: a task whose performer must differ from the performers of earlier tasks.

A designer states it on a user or manual task:

    <spiffworkflow:property name="separate_from" value="write_report,approve_report" />

The task's performer must differ from whoever completed the named tasks earlier in the same
instance (a called process's tasks run in their caller's instance, so they count too). The task's
own BPMN id in the list means: from whoever completed the other instances of this run of the same
multi-instance task (two approvals are two people's). Performers are read from the instance's
history, the TASK_COMPLETED events, in one indexed query.

Completing, claiming and being given a task all ask `check_task`; an admin may override the rule, and
the completion's event records what was overridden.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import spiff
from engine.core import Engine
from engine.directory import access
from engine.errors import FieldError, Forbidden, InvalidInput
from engine.runtime import audit
from engine.runtime.step import instance_ref, load_live
from engine.spiff.tasks import human_view
from engine.store.fastsql import Sql

PROPERTY = "separate_from"


class Separated(Forbidden):
    """The person did one of the tasks this task must be kept apart from. `str()` is English;
    `message` says it in Bahasa Indonesia, `message_en` in English; `fields` holds both as one
    FieldError (path "(task)"), as the API answers them."""

    def __init__(self, message: str, message_en: str, task: str, earlier: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        self.task = task
        self.earlier = earlier
        self.fields = [
            FieldError("(task)", message, message_en, PROPERTY, {"task": task, "earlier": earlier})
        ]


def named(task_spec: Any) -> list[str]:
    """The BPMN ids a task's `separate_from` names, in order, each once."""
    value = spiff.task_spec_properties(task_spec).get(PROPERTY) or ""
    return list(dict.fromkeys(part.strip() for part in str(value).split(",") if part.strip()))


@dataclass
class Found:
    """An earlier completion by the person: which element, and whether it is this task's own."""

    bpmn_id: str
    same_task: bool


def check_task(sql: Sql, who: access.Principal, instance_id: int, task: Any) -> dict[str, Any] | None:
    """None when `who` may do the READY task `task`; raises `Separated` when they may not; for an
    admin who may not, what the override overrides (to record with the completion)."""
    names = named(task.task_spec)
    if not names:
        return None
    own = task.task_spec.bpmn_id or task.task_spec.name
    earlier = [n for n in names if n != own]
    found = performed(sql, instance_id, who.username, earlier, _siblings(task, own, names))
    if found is None:
        return None
    if who.is_admin:
        return {"rule": PROPERTY, "task": found.bpmn_id, "same_task": found.same_task}
    title = human_view(task).name
    raise refusal(
        title,
        title if found.same_task else _name_of(task.workflow.top_workflow, found.bpmn_id),
        found.same_task,
    )


def check_open(engine: Engine, session: Session, who: access.Principal, task: Any) -> None:
    """`check_task` for an open task (`task`: its human_task row) someone means to take or be given.
    An admin may (their override is made, and recorded, when they complete it). The workflow is
    read only for a task that has the rule."""
    sql = Sql.of(session)
    ref = instance_ref(sql, task.instance_id)
    if ref is None:
        return
    deployed = engine.specs.get(session, ref.process_version_id)
    if not any(named(ts) for ts in _task_specs(deployed.spec) if ts.bpmn_id == task.bpmn_id):
        return
    live = engine.workflows.take(ref.id, ref.revision)
    try:
        workflow = (live or load_live(sql, ref.id, deployed.spec_for_instance())).workflow
        found = spiff.find_task(workflow, task.id)
        if found is not None:
            check_task(sql, who, ref.id, found)
    finally:
        if live is not None:
            engine.workflows.put(ref.id, ref.revision, live)


def check_given(engine: Engine, session: Session, target: access.Principal, task: Any) -> None:
    """`check_open` for the person a task is given to, refused in words about them."""
    try:
        check_open(engine, session, target, task)
    except Separated as err:
        raise InvalidInput(
            f"{target.username} may not be given '{err.task}': it must be done by someone other than "
            f"whoever did '{err.earlier}', and {target.username} did"
        ) from err


def refusal(task: str, earlier: str, same_task: bool) -> Separated:
    if same_task:
        return Separated(
            f"Anda tidak dapat mengerjakan '{task}': tugas ini harus dikerjakan oleh orang yang berbeda "
            f"dari yang mengerjakan '{earlier}' yang lain, dan Anda sudah mengerjakan salah satunya.",
            f"you may not do '{task}': it must be done by someone other than whoever did the other "
            f"'{earlier}', and you did one of them",
            task,
            earlier,
        )
    return Separated(
        f"Anda tidak dapat mengerjakan '{task}': tugas ini harus dikerjakan oleh orang yang berbeda "
        f"dari yang mengerjakan '{earlier}', dan '{earlier}' Anda yang mengerjakan.",
        f"you may not do '{task}': it must be done by someone other than whoever did '{earlier}', "
        f"and you did '{earlier}'",
        task,
        earlier,
    )


def performed(
    sql: Sql, instance_id: int, username: str, bpmn_ids: list[str], task_ids: list[str]
) -> Found | None:
    """The first completion in the instance by `username` of one of `bpmn_ids` or `task_ids`."""
    if not bpmn_ids and not task_ids:
        return None
    ors = []
    elements, params = sql.in_list("b", bpmn_ids)
    if bpmn_ids:
        ors.append(f"bpmn_id IN ({elements})")
    tasks, task_params = sql.in_list("t", task_ids)
    if task_ids:
        ors.append(f"task_id IN ({tasks})")
    row = sql.one(
        "SELECT bpmn_id, task_id FROM audit_event WHERE instance_id = :i AND type = :type AND actor = :who "
        f"AND ({' OR '.join(ors)}) ORDER BY seq LIMIT 1",
        i=instance_id,
        type=audit.TASK_COMPLETED,
        who=username,
        **params,
        **task_params,
    )
    if row is None:
        return None
    return Found(str(row[0]), row[1] in task_ids)


def _siblings(task: Any, own: str, names: list[str]) -> list[str]:
    """The completed instances of this run of the multi-instance task `task` belongs to."""
    if own not in names or task.parent is None:
        return []
    return [
        str(c.id)
        for c in task.parent.children
        if c is not task and c.task_spec is task.task_spec and c.has_state(TaskState.COMPLETED)
    ]


def _task_specs(spec: spiff.Spec) -> Iterator[Any]:
    yield from spec.spec.task_specs.values()
    for sub in spec.subprocess_specs.values():
        yield from sub.task_specs.values()


def _name_of(workflow: Any, bpmn_id: str) -> str:
    """How the task `bpmn_id` is named in the instance's process or the processes it calls."""
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if task_spec.bpmn_id == bpmn_id and task_spec.bpmn_name:
                return str(task_spec.bpmn_name)
    return bpmn_id
