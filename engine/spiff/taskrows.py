"""Live task objects made straight from stored rows, for `restoring.restore`.

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

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID, SafeUUID

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from engine.spiff import json_read, rows
from engine.spiff.serialize import REGISTRY

_new = object.__new__
_set = object.__setattr__
_WAITING = TaskState.WAITING
_COMPLETED = TaskState.COMPLETED
_FINISHED = TaskState.FINISHED_MASK
_UNKNOWN = SafeUUID.unknown


def uuid_of(text: str) -> UUID:
    """`UUID(text)` for the canonical form `str(uuid)` writes, without re-checking it."""
    digits = text.replace("-", "")
    if len(digits) != 32 or len(text) != 36:
        return UUID(text)
    found = _new(UUID)
    _set(found, "int", int(digits, 16))
    _set(found, "is_safe", _UNKNOWN)
    return found


def _ord(item: tuple[str, Any]) -> int:
    return int(item[1].ord)


class Parsed:
    """An instance's rows, parsed once: by workflow, each task's row and how its data is made."""

    def __init__(self, tasks: Iterable[tuple[str, Any]]) -> None:
        self.ids: list[UUID] = []
        self.entries: list[Any] = []
        self.index: dict[UUID, int] = {}  # task id -> its place in these lists
        self.by_ord: dict[int, UUID] = {}
        self.at_ord: dict[int, int] = {}
        bodies = []
        for index, (task_id, stored) in enumerate(sorted(tasks, key=_ord)):
            tid = uuid_of(task_id)
            self.ids.append(tid)
            self.entries.append(stored)
            self.index[tid] = index
            self.by_ord[stored.ord] = tid
            self.at_ord[stored.ord] = index
            bodies.append(stored.body)
        self.rows: list[dict[str, Any]] = json_read.loads("[" + ",".join(bodies) + "]") if bodies else []
        self.legacy = any("typename" in row for row in self.rows)
        self.plain = ['"typename"' not in body for body in bodies]
        self.made: list[tuple[Any, Any]] = []  # (task, its stored entry), as the tasks are made
        self.unfinished: list[Any] = []  # tasks given their data once all are made
        self.composed: dict[int, dict[str, Any]] = {}  # what `compose` made, by row (never changed)
        self.merges: set[int] = set()  # rows where the chains of the tasks `give_data` composes meet

    @property
    def stored(self) -> dict[UUID, Any]:
        return dict(zip(self.ids, self.entries, strict=True))

    def ref(self, value: rows.Ref) -> UUID:
        return self.by_ord[value] if isinstance(value, int) else uuid_of(value)

    def compose(self, task_id: UUID) -> dict[str, Any]:
        """One task's data, as `rows.compose` makes it, read straight off the rows: the changes of
        its chain of bases applied in order to the first one stored in full, in one dict. Tasks
        share most of their chains (a task's base is most often its parent), so what each task
        composed is kept, and a later chain stops at it."""
        index = self.index[task_id]
        data = self._data_at(index)
        self.composed[index] = data  # kept as it is: every later use copies it first
        return DeepMerge.merge({}, data) if data else {}

    def _data_at(self, index: int) -> dict[str, Any]:
        rows_, at_ord, composed = self.rows, self.at_ord, self.composed
        chain: list[int] = []
        while True:
            kept = composed.get(index)
            if kept is not None:
                data: dict[str, Any] = dict(kept)
                break
            row = rows_[index]
            if "e" in row:
                data = {}
                break
            if "d" in row:
                full = row["d"]
                data = dict(full) if self.plain[index] else REGISTRY.restore(full)
                break
            chain.append(index)
            if len(chain) > len(rows_):
                raise ValueError(f"stored task {self.ids[chain[0]]} is based on itself")
            base = row["b"] if "b" in row else row.get("p")
            if base is None:  # no base and no data of its own: read as empty, as `rows.parse` does
                chain.pop()
                data = {}
                break
            found = at_ord.get(base) if isinstance(base, int) else self.index.get(uuid_of(base))
            if found is None:
                raise ValueError(f"stored task {self.ids[index]} is based on {base}, which is not stored")
            index = found
        restore, merges = REGISTRY.restore, self.merges
        for index in reversed(chain):
            row, plain = rows_[index], self.plain[index]
            updates = row.get("u")
            if updates:
                data.update(updates if plain else restore(updates))
            appended = row.get("a")
            if appended:
                for key, items in (appended if plain else restore(appended)).items():
                    data[key] = [*data[key], *items]
            for key in row.get("x", ()):
                data.pop(key, None)
            if index in merges:
                composed[index] = dict(data)  # another chain stops here
        return data

    def rebased(self) -> list[tuple[UUID, UUID]]:
        """The tasks whose data is stored against a task other than their parent, with that task."""
        return [(tid, self.ref(row["b"])) for tid, row in zip(self.ids, self.rows, strict=True) if "b" in row]

    def give_data(self) -> None:
        """Once every task exists: each unfinished task's data now, each finished one's (completed,
        cancelled) on first read; a task stored with no data has its empty dict already."""
        if len(self.unfinished) > 1:
            self._mark_merges([self.index[task.id] for task in self.unfinished])
        for task in self.unfinished:
            task.data = self.compose(task.id)
        self.unfinished = []

    def _mark_merges(self, targets: list[int]) -> None:
        """Where the chain of bases of each task's data (as `_data_at` walks it) meets the chain of
        a task before it: the tasks open at once share most of their history, and what is
        composed there is kept, so that each row's change is applied once."""
        rows_, at_ord, composed, merges = self.rows, self.at_ord, self.composed, self.merges
        walked: set[int] = set()
        for at in targets:
            index: int | None = at
            while index is not None and index not in composed:
                if index in walked:
                    merges.add(index)
                    break
                walked.add(index)
                row = rows_[index]
                if "e" in row or "d" in row:
                    break
                base = row["b"] if "b" in row else row.get("p")
                if base is None:
                    break
                index = at_ord.get(base) if isinstance(base, int) else self.index.get(uuid_of(base))

    def builders(self) -> dict[str, Callable[[Any], dict[UUID, Any]]]:
        """For each workflow key ("" for the top one), what makes its tasks once it exists."""
        members: dict[str, list[int]] = {}
        for index, stored in enumerate(self.entries):
            members.setdefault(stored.workflow, []).append(index)
        return {key: self._builder(indexes) for key, indexes in members.items()}

    def _builder(self, indexes: list[int]) -> Callable[[Any], dict[UUID, Any]]:
        def build(workflow: Any) -> dict[UUID, Any]:
            specs = workflow.spec.task_specs
            events = workflow.top_workflow.event_manager
            later = rows.later(self.compose)
            made: dict[UUID, Any] = {}
            ids, rows_, plain, entries, by_ord = self.ids, self.rows, self.plain, self.entries, self.by_ord
            unfinished, pairs, pending, thread = self.unfinished, self.made, rows.PENDING, Task.thread_id_pool
            for index in indexes:
                tid, row = ids[index], rows_[index]
                spec = specs.get(row["n"])
                p = row.get("p")
                parent = None if p is None else by_ord[p] if type(p) is int else uuid_of(p)
                state = row["s"]
                if spec is None or "y" in row:
                    task = self._through_registry(index, workflow)
                    if state & _FINISHED:
                        del task.data
                        task.__dict__[pending] = later
                    else:
                        unfinished.append(task)
                else:
                    task = _new(Task)
                    internal = row.get("i")
                    if internal and not plain[index]:
                        internal = REGISTRY.restore(internal)
                    children = row.get("c")
                    fields = {
                        "id": tid,
                        "workflow": workflow,
                        "_parent": parent,
                        "_children": [by_ord[c] if type(c) is int else uuid_of(c) for c in children]
                        if children
                        else [],
                        "_state": state,
                        "triggered": row.get("g", False),
                        "task_spec": spec,
                        "thread_id": thread,
                        "internal_data": internal or {},
                        "last_state_change": row["t"],
                    }
                    if "e" in row:  # no data (a predicted task, most often)
                        fields["data"] = {}
                    elif state & _FINISHED:
                        fields[pending] = later
                    else:
                        unfinished.append(task)
                    task.__dict__ = fields
                    if state & _WAITING and isinstance(spec, CatchingEvent):
                        events.add_task(task)
                entry = entries[index]
                entry.last_state_change, entry.parent = row["t"], parent
                pairs.append((task, entry))
                made[tid] = task
            return made

        return build

    def _through_registry(self, index: int, workflow: Any) -> Any:
        uuids = {ord_: str(tid) for ord_, tid in self.by_ord.items()}
        dct, _ = rows.parse(str(self.ids[index]), self.entries[index].body, uuids)
        return REGISTRY.restore(dct, workflow=workflow)
