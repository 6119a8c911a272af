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
from engine.runtime.projections import default_role
from engine.runtime.step import instance_ref, load_live
from engine.spiff.tasks import human_view
from engine.store.fastsql import Sql

PROPERTY = "separate_from"


class Separated(Forbidden):
    """The person did one of the tasks this task must be kept apart from. `str()` is English;
    `message` says it in Bahasa Indonesia, `message_en` in English; `fields` holds both as one
    FieldError (path "(task)"), as the API answers them."""

    def __init__(
        self, message: str, message_en: str, task: str, earlier: str, same_task: bool = False
    ) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        self.task = task
        self.earlier = earlier
        self.same_task = same_task  # they did another instance of this run of the same task
        self.fields = [
            FieldError("(task)", message, message_en, PROPERTY, {"task": task, "earlier": earlier})
        ]


def named(task_spec: Any) -> list[str]:
    """The BPMN ids a task's `separate_from` names, in order, each once."""
    return _names(spiff.task_spec_properties(task_spec))


def _names(properties: dict[str, Any]) -> list[str]:
    value = properties.get(PROPERTY) or ""
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
    if not _names(deployed.task_properties.get(task.bpmn_id, {})):
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


@dataclass
class Apart:
    """Why a person may not do an open task in their inbox: they did `earlier` (a BPMN id; "" when
    only its name is known), named `earlier_name`, in the same instance, or (`same_task`) another
    instance of this run of the same task."""

    earlier: str
    earlier_name: str
    same_task: bool


# An inbox page's tasks whose rule names the task itself (two approvals by two people) are
# checked on their workflow, each read from the cache or the rows; at most this many a page.
EXACT_CHECKS = 10


def kept_apart(
    engine: Engine, session: Session, who: access.Principal, tasks: list[tuple[str, int, str, str]]
) -> dict[str, Apart]:
    """Of open tasks `who` may otherwise act on (task id, instance id, BPMN id, village: an inbox page),
    those separate_from keeps them from, by task id: what `check_task` would refuse when they
    open one. Earlier tasks of a role the person does not hold there are not looked for (one given to
    them, of a role they have since lost: the task page refuses it all the same). No workflow is
    read unless the task's own id is in its rule and the person did a task of that id in the
    instance (at most `EXACT_CHECKS`). An admin may override: none are named for them."""
    if who.is_admin or not tasks:
        return {}
    sql = Sql.of(session)
    marks, params = sql.in_list("i", sorted({instance for _, instance, _, _ in tasks}))
    versions = dict(sql.all(f"SELECT id, process_version_id FROM instance WHERE id IN ({marks})", **params))
    ruled: list[tuple[str, int, str, list[str], Any]] = []
    fallback: list[str] = []  # the role of tasks outside lanes, read when first needed
    for task_id, instance_id, bpmn_id, village in tasks:
        if instance_id not in versions:
            continue
        deployed = engine.specs.get(session, versions[instance_id])
        names = _names(deployed.task_properties.get(bpmn_id, {}))
        # The earlier tasks the person could have done: of a role they hold there (or this task).
        names = [
            n
            for n in names
            if n == bpmn_id or access.holds_role(who, _role(sql, deployed, n, fallback), village)
        ]
        if names:
            ruled.append((task_id, instance_id, bpmn_id, names, deployed))
    if not ruled:
        return {}
    done = _completed_by(sql, who.username, {i for _, i, _, _, _ in ruled}, {n for r in ruled for n in r[3]})
    found: dict[str, Apart] = {}
    exact = 0
    for task_id, instance_id, bpmn_id, names, deployed in ruled:
        earlier = [n for n in names if n != bpmn_id and (instance_id, n) in done]
        if earlier:
            found[task_id] = Apart(earlier[0], _name_of(deployed.spec, earlier[0]), False)
        elif bpmn_id in names and (instance_id, bpmn_id) in done and exact < EXACT_CHECKS:
            exact += 1
            try:
                check_open(engine, session, who, _OpenTask(task_id, instance_id, bpmn_id))
            except Separated as err:  # (or an earlier task of a role they have since lost: named)
                found[task_id] = Apart(bpmn_id if err.same_task else "", err.earlier, err.same_task)
    return found


def _role(sql: Sql, deployed: Any, bpmn_id: str, fallback: list[str]) -> str:
    lane = deployed.task_lanes.get(bpmn_id)
    if lane is not None:
        return str(lane)
    if not fallback:
        fallback.append(default_role(sql))
    return fallback[0]


@dataclass
class _OpenTask:
    id: str
    instance_id: int
    bpmn_id: str


def _completed_by(
    sql: Sql, username: str, instance_ids: set[int], bpmn_ids: set[str]
) -> set[tuple[int, str]]:
    """(instance, BPMN id) of the tasks among `bpmn_ids` that `username` completed in those instances."""
    instances, params = sql.in_list("i", sorted(instance_ids))
    elements, element_params = sql.in_list("b", sorted(bpmn_ids))
    rows = sql.all(
        f"SELECT DISTINCT instance_id, bpmn_id FROM audit_event WHERE instance_id IN ({instances}) "
        f"AND type = :type AND actor = :who AND bpmn_id IN ({elements})",
        type=audit.TASK_COMPLETED,
        who=username,
        **params,
        **element_params,
    )
    return {(int(r[0]), str(r[1])) for r in rows}


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
            True,
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
