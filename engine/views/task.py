"""One open task as its page shows it: what it asks (the form, with choices filled from earlier
data), what it already holds (to pre-fill the form), and whether the person may act on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select

from engine import clock, spiff
from engine.core import Engine
from engine.definitions import forms
from engine.directory import access
from engine.errors import EngineError, FieldError, NotFound
from engine.runtime.actions import check_may_act, open_task
from engine.runtime.duties import Separated, check_task
from engine.runtime.step import instance_ref, load_live
from engine.store.fastsql import Sql
from engine.store.models import HumanTask, Instance, Role, RoleAssignment, User, Village


@dataclass
class TaskView:
    id: str
    instance: int
    revision: int
    village: str
    village_name: str
    process_id: str
    bpmn_id: str
    name: str
    role: str
    documentation: str
    claimed_by: str | None
    due_at: str | None
    created_at: str | None
    form: str | None
    schema: dict[str, Any] | None
    data: dict[str, Any] = field(default_factory=dict)  # what the form is filled with
    context: dict[str, Any] = field(default_factory=dict)  # the task's data (for x-desa-show)
    may_act: bool = False
    override: bool = False
    may_reassign: bool = False  # a national grant to change, or an admin: may give it to someone else
    # Why the person may not do it though their role may (separate_from): both languages.
    separated: FieldError | None = None


def task_view(engine: Engine, task_id: str, user: str) -> TaskView:
    """The open task `task_id` as `user` may see it; NotFound when they may not, Conflict when it
    was completed (saying by whom and when)."""
    with engine.db.sessions() as session:
        who = access.principal(session, user)
        task = open_task(session, task_id, who)
        try:
            override = check_may_act(who, task)
            may_act = True
        except EngineError:  # the task is visible but not theirs to do (role, or taken by someone)
            override, may_act = False, False
        sql = Sql.of(session)
        ref = instance_ref(sql, task.instance_id)
        if ref is None:
            raise NotFound(f"no task {task_id}")
        deployed = engine.specs.get(session, ref.process_version_id)
        live = engine.workflows.take(ref.id, ref.revision)
        workflow = (
            live.workflow
            if live is not None
            else load_live(sql, ref.id, deployed.spec_for_instance()).workflow
        )
        try:  # what is read off the workflow, before it goes back for the next step to take
            spiff_task = spiff.find_task(workflow, task_id)
            if spiff_task is None:
                raise NotFound(f"no open task {task_id}")
            separated = None
            if may_act:
                try:
                    check_task(sql, who, ref.id, spiff_task)
                except Separated as refused:
                    may_act, separated = False, refused.fields[0]
            context = spiff.task_data(spiff_task)
            documentation = spiff_task.task_spec.documentation or ""
        finally:
            if live is not None:
                engine.workflows.put(ref.id, ref.revision, live)
        row = session.get(HumanTask, task_id)
        village = session.get(Village, task.village_code)
        schema = deployed.forms.get(task.form) if task.form else None
        resolved = forms.resolve(schema, context) if schema else None
        fields = (resolved or {}).get("properties") or {}
        return TaskView(
            id=task_id,
            instance=ref.id,
            revision=ref.revision,
            village=task.village_code,
            village_name=village.name if village else task.village_code,
            process_id=row.process_id if row else "",
            bpmn_id=task.bpmn_id,
            name=task.name,
            role=task.role,
            documentation=documentation,
            claimed_by=task.claimed_by,
            due_at=_iso(row.due_at) if row else None,
            created_at=_iso(row.created_at) if row else None,
            form=task.form,
            schema=resolved,
            data=_prefill(fields, context),
            context=context,
            may_act=may_act,
            override=override,
            may_reassign=access.may(who, "change"),
            separated=separated,
        )


def _prefill(fields: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """What the form starts with: the task's data for its own fields, or, for a field marked
    `x-desa-prefill-from: <name>`, the earlier data of that name (the registered participants start
    as the candidate list)."""
    data = {k: v for k, v in context.items() if k in fields}
    for name, node in fields.items():
        source = node.get("x-desa-prefill-from") if isinstance(node, dict) else None
        if name not in data and isinstance(source, str) and source in context:
            data[name] = context[source]
    return data


def _iso(value: Any) -> str | None:
    return clock.as_utc(value).isoformat() if value is not None else None


def instance_village(engine: Engine, instance_id: int) -> str | None:
    with engine.db.sessions() as session:
        return session.scalar(select(Instance.village_code).where(Instance.id == instance_id))


def version_forms(engine: Engine, instance_id: int) -> dict[str, Any]:
    """Every form of the version the instance runs (their titles name the data a task shows)."""
    with engine.db.sessions() as session:
        ref = instance_ref(Sql.of(session), instance_id)
        return dict(engine.specs.get(session, ref.process_version_id).forms) if ref is not None else {}


def reassign_candidates(engine: Engine, village_code: str, role: str) -> list[str]:
    """Whom a task of `role` in the village may be given to: the active users holding that role
    (not read-only) nationally, for the village's kabupaten, or for the village, by username."""
    covering = or_(
        RoleAssignment.scope == "national",
        and_(
            RoleAssignment.scope == "kabupaten",
            RoleAssignment.scope_code == access.kabupaten_code_of(village_code),
        ),
        and_(RoleAssignment.scope == "village", RoleAssignment.scope_code == village_code),
    )
    with engine.db.sessions() as session:
        names = session.scalars(
            select(User.username)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .join(Role, Role.name == RoleAssignment.role)
            .where(User.active, RoleAssignment.role == role, Role.read_only.is_(False), covering)
            .distinct()
            .order_by(User.username)
        )
        return list(names)
