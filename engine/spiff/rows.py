"""One task's stored row, compact, and the data of every task rebuilt from the rows.

A row is a JSON object with short keys; what has its default value is left out:

    p  the parent's row (its `ord`; a uuid string only if it has none yet); absent for a root
    c  the children's rows, in order (ords, or uuid strings)
    t  last_state_change     s  state     n  the task spec's name
    g  triggered (only when true)     i  internal data (only when not empty)
    y  the task's typename (only when not "Task")
    and the task's data, one of:
    e  1: the task has no data
    d  the data in full (a root of the top workflow)
    or the data as a change from a base task: u the keys that differ from the base's (absent:
       none), a the keys whose list is the base's list with items added at its end (those items),
       x the base's keys it does not have (absent: none), b the base's row (absent: the parent).

The base is the task whose data this one's most resembles, so that data entered once is stored
once: the parent, as SpiffWorkflow does, except that the start of a subprocess (which receives
a copy of everything the instance knows when it starts) is based on the task before the one that
started it, and a finished task that ran a subprocess (which receives a copy of everything the
subprocess ends with) on that subprocess's last task. Rows written by earlier versions (SpiffWorkflow's
own task dict) are read as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

from engine.spiff import stepping
from engine.spiff.serialize import REGISTRY, StateEncoder

Ref = int | str


def base_of(task: Any, top: Any) -> Any:
    """The task whose data this task's data is stored against; None: stored in full."""
    parent = task.parent
    if parent is None:
        wf = task.workflow
        if wf is top:
            return None
        owner = find(top, wf.parent_task_id)
        if owner is None:
            return None
        return owner.parent if owner.parent is not None else owner
    if task._state == TaskState.COMPLETED:
        sub = top.subprocesses.get(task.id)
        if sub is not None and sub.completed and sub.last_task is not None:
            return sub.last_task
    return parent


def encode(task: Any, base: Any, ref: Callable[[UUID], Ref]) -> str:
    """The row of a task (call with the registry in encoder mode, as the ledger does)."""
    row: dict[str, Any] = {}
    if task._parent is not None:
        row["p"] = ref(task._parent)
    if task._children:
        row["c"] = [ref(child) for child in task._children]
    row["t"] = task.last_state_change
    row["s"] = task._state
    row["n"] = task.task_spec.name
    if task.triggered:
        row["g"] = True
    if task.internal_data:
        row["i"] = REGISTRY.convert(task.internal_data)
    typename = REGISTRY.typenames[type(task)]
    if typename != "Task":
        row["y"] = typename
    data = task.data
    if not data:
        row["e"] = 1
    elif base is None:
        row["d"] = REGISTRY.convert(data)
    else:
        if base.id != task._parent:
            row["b"] = ref(base.id)
        had = base.data
        updates = {key: value for key, value in data.items() if key not in had or had[key] != value}
        appended = {}
        for key, value in updates.items():  # a list that grows a day or a month at a time
            was = had.get(key)
            if type(value) is list and type(was) is list and was and value[: len(was)] == was:
                appended[key] = value[len(was) :]
        for key in appended:
            del updates[key]
        if updates:
            row["u"] = REGISTRY.convert(updates)
        if appended:
            row["a"] = REGISTRY.convert(appended)
        deleted = [key for key in had if key not in data]
        if deleted:
            row["x"] = deleted
    return json.dumps(row, cls=StateEncoder, separators=(",", ":"))


class _Plain(dict[str, Any]):
    """Task data parsed from JSON that holds no typed value: SpiffWorkflow's registry has nothing
    to restore in it, so it is taken as it is instead of being walked value by value."""

    __slots__ = ()


_registry_restore = REGISTRY.restore


def _restore_value(val: Any, **kwargs: Any) -> Any:
    if type(val) is _Plain:
        return dict(val)
    return _registry_restore(val, **kwargs)


REGISTRY.restore = _restore_value  # the registry's own recursion goes through it too


class DataOf:
    """How one row gives its task's data: in full, empty, or as a change from a base."""

    __slots__ = ("full", "base", "updates", "deleted", "plain", "appended")

    def __init__(
        self,
        full: Any,
        base: UUID | None,
        updates: Any,
        deleted: list[str],
        plain: bool,
        appended: Any = None,
    ) -> None:
        self.full, self.base, self.updates, self.deleted, self.plain = full, base, updates, deleted, plain
        self.appended = appended

    def apply(self, data: dict[str, Any]) -> None:
        """Turn its base's data (`data`, changed in place) into this task's."""
        updates = self.updates
        if updates:
            data.update(dict(updates) if self.plain else _registry_restore(updates))
        if self.appended:
            appended = self.appended if self.plain else _registry_restore(self.appended)
            for key, items in appended.items():
                data[key] = [*data[key], *items]
        for key in self.deleted:
            data.pop(key, None)

    def build(self, base_data: dict[str, Any] | None) -> dict[str, Any]:
        """The task's data, given its base's (None when it has no base)."""
        if self.base is None:
            full = self.full or {}
            return dict(full) if self.plain else _registry_restore(full)
        assert base_data is not None
        data: dict[str, Any] = DeepMerge.merge({}, base_data)
        self.apply(data)
        return data


def parse(task_id: str, body: str, uuid_of: dict[int, str]) -> tuple[dict[str, Any], DataOf]:
    """A stored row as SpiffWorkflow's task dict (without data) and how its data is made."""
    row: dict[str, Any] = json.loads(body)
    if "typename" in row:  # a row of an earlier version: SpiffWorkflow's own task dict
        return _parse_spiff(row, body)
    plain = '"typename"' not in body

    def uuid(ref: Ref) -> str:
        return ref if isinstance(ref, str) else uuid_of[ref]

    parent = uuid(row["p"]) if "p" in row else None
    internal = row.get("i") or {}
    dct = {
        "id": task_id,
        "parent": parent,
        "children": [uuid(child) for child in row.get("c", ())],
        "last_state_change": row["t"],
        "state": row["s"],
        "task_spec": row["n"],
        "triggered": row.get("g", False),
        "internal_data": _Plain(internal) if plain else internal,
        "data": {},
        "delta": {},
        "typename": row.get("y", "Task"),
    }
    if "e" in row:
        how = DataOf({}, None, None, [], True)
    elif "d" in row:
        how = DataOf(row["d"], None, None, [], plain)
    else:
        base = uuid(row["b"]) if "b" in row else parent
        how = DataOf(
            None, UUID(base) if base else None, row.get("u") or {}, row.get("x") or [], plain, row.get("a")
        )
    return dct, how


def _parse_spiff(row: dict[str, Any], body: str) -> tuple[dict[str, Any], DataOf]:
    plain = body.count('"typename"') == 1
    data, delta = row.get("data") or {}, row.get("delta")
    row["data"], row["delta"] = {}, {}
    if plain:
        row["internal_data"] = _Plain(row.get("internal_data") or {})
    if delta and row["parent"] is not None:  # as SpiffWorkflow's TaskConverter reads it
        how = DataOf(None, UUID(row["parent"]), delta.get("updates", {}), delta.get("deletions", []), plain)
    else:
        how = DataOf(data, None, None, [], plain)
    return row, how


def rebuild_data(workflow: Any, how: Mapping[UUID, DataOf]) -> None:
    """Give every restored task its data: an unfinished task now, a completed one when its data is
    first read (`_DataOnRead`). A step reads the data of a few completed tasks (the parents of the
    tasks that become ready, the bases of the rows it writes), and a completed task's data does
    not change, so most are never built."""
    tasks: dict[UUID, Any] = dict(workflow.tasks)
    for sub in workflow.subprocesses.values():
        tasks.update(sub.tasks)
    pending = later(lambda task_id: compose(how, task_id))
    for task_id in how:
        task = tasks[task_id]
        if task._state == _COMPLETED:
            fields = task.__dict__
            fields.pop("data", None)
            fields[PENDING] = pending
        else:
            task.data = compose(how, task_id)


def later(compose: Callable[[UUID], dict[str, Any]]) -> Any:
    """What a restored completed task holds (under `PENDING`) until its data is first read:
    `compose(task_id)` then makes it."""
    return _Pending(compose)


def compose(how: Mapping[UUID, DataOf], task_id: UUID) -> dict[str, Any]:
    """One task's data: the changes of its chain of bases applied in order to the first one stored
    in full, in one dict (the tasks between are not built). Nested lists and dicts are the task's
    own, as a task's data is after SpiffWorkflow copies it from its parent's."""
    chain = [how[task_id]]
    seen = {task_id}
    while (base := chain[-1].base) is not None:
        if base in seen:
            raise ValueError(f"stored task {base} is based on itself")
        entry = how.get(base)
        if entry is None:
            raise ValueError(f"stored task is based on {base}, which is not stored")
        seen.add(base)
        chain.append(entry)
    data = chain.pop().build(None)
    while chain:
        chain.pop().apply(data)
    return DeepMerge.merge({}, data) if data else data


class _Pending:
    """The rows of a restored workflow whose completed tasks have not been given their data yet."""

    __slots__ = ("compose",)

    def __init__(self, compose: Callable[[UUID], dict[str, Any]]) -> None:
        self.compose = compose

    def data_for(self, task: Any) -> dict[str, Any]:
        return self.compose(task.id)


class _Built:
    """What a restored workflow holds until its data is first read (`data_later`)."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], dict[str, Any]]) -> None:
        self.build = build

    def data_for(self, owner: Any) -> dict[str, Any]:
        return self.build()


def data_later(workflow: Any, build: Callable[[], dict[str, Any]]) -> None:
    """A restored workflow's `data`, made by `build()` when first read."""
    fields = workflow.__dict__
    fields.pop("data", None)
    fields[PENDING] = _Built(build)


class _DataOnRead:
    """`data` of a restored completed task (or workflow) that has not been read yet: built on first
    read and then kept in the object's own attribute (which Python reads before this, at full
    speed)."""

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        pending = obj.__dict__.pop(PENDING, None)
        if pending is None:
            raise AttributeError("data")
        data = pending.data_for(obj)
        obj.__dict__["data"] = data
        return data


_COMPLETED = TaskState.COMPLETED
PENDING = "_desa_data_pending"
# Non-data descriptors: an object's own `data` attribute comes first.
Task.data = _DataOnRead()
Workflow.data = _DataOnRead()


def data_of(how: dict[UUID, DataOf], built: dict[UUID, dict[str, Any]], task_id: UUID) -> dict[str, Any]:
    """One task's data, built after the bases it needs; what is built is kept in `built` (for a
    reader that wants many tasks' data, as `stored` does)."""
    chain = [task_id]  # this task and the bases it needs that are not built yet
    while chain[-1] not in built:
        base = how[chain[-1]].base
        if base is None or base in built or base not in how:
            break
        if base in chain:
            raise ValueError(f"stored task {base} is based on itself")
        chain.append(base)
    for tid in reversed(chain):
        if tid in built:
            continue
        entry = how[tid]
        if entry.base is not None and entry.base not in built:
            raise ValueError(f"stored task {tid} is based on {entry.base}, which is not stored")
        built[tid] = entry.build(built[entry.base] if entry.base is not None else None)
    return built[task_id]


def find(workflow: Any, task_id: UUID) -> Any:
    """A task of the workflow or of any of its subprocesses, by id (None if there is none)."""
    return stepping.find(workflow, task_id)
