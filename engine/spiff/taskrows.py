"""Live task objects made straight from stored rows, for `ledger.restore`.

A step that finds its instance's workflow not in memory restores every task of the instance, so
this is the cold path's main cost. SpiffWorkflow's own converter reads a task from its dict form
one registry call at a time: the row was first turned into that dict (uuid strings made from the
row's ords) and the converter then parsed every uuid string back, several times per task. Here
all of an instance's rows are parsed as one JSON text, each task id becomes one UUID object that
its parent's and children's references share, and each task object gets the attributes
SpiffWorkflow's `Task.__init__` gives it. A row of another task class, or naming a task spec the
workflow does not have, goes through the registry as before; rows of earlier versions (SpiffWorkflow's
own task dict) are left to `rows.parse`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID, SafeUUID

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.spiff import rows
from engine.spiff.serialize import REGISTRY

_new = object.__new__
_set = object.__setattr__
_WAITING = TaskState.WAITING
_EMPTY: dict[str, Any] = {}


def uuid_of(text: str) -> UUID:
    """`UUID(text)` for the canonical form `str(uuid)` writes, without re-checking it."""
    digits = text.replace("-", "")
    if len(digits) != 32 or len(text) != 36:
        return UUID(text)
    found = _new(UUID)
    _set(found, "int", int(digits, 16))
    _set(found, "is_safe", SafeUUID.unknown)
    return found


class Parsed:
    """An instance's rows, parsed once: by workflow, each task's row and how its data is made."""

    def __init__(self, tasks: Iterable[tuple[str, Any]]) -> None:
        ordered = sorted(tasks, key=lambda item: item[1].ord)
        self.ids = [uuid_of(task_id) for task_id, _ in ordered]
        self.by_ord = {stored.ord: tid for (_, stored), tid in zip(ordered, self.ids, strict=True)}
        bodies = [stored.body for _, stored in ordered]
        self.rows: list[dict[str, Any]] = json.loads("[" + ",".join(bodies) + "]") if bodies else []
        self.legacy = any("typename" in row for row in self.rows)
        self.plain = ['"typename"' not in body for body in bodies]
        self.bodies = bodies
        self.workflows = [stored.workflow for _, stored in ordered]
        self.stored = dict(zip(self.ids, (stored for _, stored in ordered), strict=True))
        self.how: dict[UUID, rows.DataOf] = {}
        if not self.legacy:
            for tid, row, plain in zip(self.ids, self.rows, self.plain, strict=True):
                self.how[tid] = self._data_of(row, plain)

    def ref(self, value: rows.Ref) -> UUID:
        return self.by_ord[value] if isinstance(value, int) else uuid_of(value)

    def _data_of(self, row: dict[str, Any], plain: bool) -> rows.DataOf:
        if "e" in row:
            return rows.DataOf(_EMPTY, None, None, [], True)
        if "d" in row:
            return rows.DataOf(row["d"], None, None, [], plain)
        if "b" in row:
            base: UUID | None = self.ref(row["b"])
        else:
            base = self.ref(row["p"]) if "p" in row else None
        return rows.DataOf(None, base, row.get("u") or _EMPTY, row.get("x") or [], plain, row.get("a"))

    def builders(self) -> dict[str, Callable[[Any], dict[UUID, Any]]]:
        """For each workflow key ("" for the top one), what makes its tasks once it exists."""
        members: dict[str, list[int]] = {}
        for index, key in enumerate(self.workflows):
            members.setdefault(key, []).append(index)
        return {key: self._builder(indexes) for key, indexes in members.items()}

    def _builder(self, indexes: list[int]) -> Callable[[Any], dict[UUID, Any]]:
        def build(workflow: Any) -> dict[UUID, Any]:
            specs = workflow.spec.task_specs
            events = workflow.top_workflow.event_manager
            made: dict[UUID, Any] = {}
            for index in indexes:
                tid, row = self.ids[index], self.rows[index]
                spec = specs.get(row["n"])
                if spec is None or "y" in row:
                    task = self._through_registry(index, workflow)
                else:
                    task = _new(Task)
                    internal = row.get("i")
                    if internal and not self.plain[index]:
                        internal = REGISTRY.restore(internal)
                    vars(task).update(
                        id=tid,
                        workflow=workflow,
                        _parent=self.ref(row["p"]) if "p" in row else None,
                        _children=[self.ref(child) for child in row.get("c", ())],
                        _state=row["s"],
                        triggered=row.get("g", False),
                        task_spec=spec,
                        thread_id=Task.thread_id_pool,
                        data={},
                        internal_data=internal or {},
                        last_state_change=row["t"],
                    )
                    if row["s"] & _WAITING and isinstance(spec, CatchingEvent):
                        events.add_task(task)
                made[tid] = task
            return made

        return build

    def _through_registry(self, index: int, workflow: Any) -> Any:
        uuids = {ord_: str(tid) for ord_, tid in self.by_ord.items()}
        dct, _ = rows.parse(str(self.ids[index]), self.bodies[index], uuids)
        return REGISTRY.restore(dct, workflow=workflow)
