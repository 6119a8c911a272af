"""An instance's state as a small header plus one stored row per task, written incrementally.

After a step, `Ledger.snapshot` finds the tasks whose stored form may have changed, serializes
only those (`rows`: the row format), and reports what to write; `restoring` rebuilds a live
workflow and its ledger from the rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState

from engine.spiff import lazy_subprocess, packing, rows
from engine.spiff.ledger_entry import StoredTask
from engine.spiff.serialize import REGISTRY, STATE_FORMAT, StateEncoder
from engine.spiff.stepping import made, unbuilt
from engine.spiff.tasks import HumanTaskView, human_view

UNMADE = object()  # `finished_headers`: the last task of a subprocess whose tasks are not made yet

# Tasks in these states may change without a state change (a waiting timer's internal data, a
# multi-instance or subprocess task collecting its children's output), so they are serialized
# every step; all others only when their state changed, when they gained or lost a child, or when
# their base's stored form changed (their data is stored as a change from a base task's). A READY
# task's data changes only as it runs, which changes its state. The test suite checks every step
# against a full rebuild (DESA_VERIFY_STATE).
_LIVE_STATES = TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass
class Snapshot:
    """What one pass over a workflow found: what to write, and what the projections need."""

    header: str
    upserts: list[tuple[str, StoredTask]]
    removed: list[int]  # ords of the stored tasks that are gone, or now packed
    human: list[HumanTaskView]
    status: str
    packs: list[tuple[str, bytes]]  # subprocesses (by key) whose packed row to write (`packing`)
    unpacked: list[str]  # subprocesses whose packed row to delete


class Ledger:
    """Which version of each task is in the database; kept beside the live workflow."""

    def __init__(self, stored: dict[UUID, StoredTask] | None = None) -> None:
        self.stored: dict[UUID, StoredTask] = stored or {}
        # The same entries by task object identity: SpiffWorkflow hashes tasks by their UUID, which
        # is slow, and the pass over every task each step is the hot loop.
        self.by_task: dict[int, tuple[Any, StoredTask]] = {}
        self.next_ord = max((t.ord for t in self.stored.values()), default=-1) + 1
        # Tasks stored against a base other than their parent (rows.base_of), by base, and back.
        self.dependents: dict[UUID, set[UUID]] = {}
        self.base: dict[UUID, UUID] = {}
        # The header parts of finished subprocesses, by key: (subprocess, its last task, part).
        self.finished_headers: dict[str, tuple[Any, Any, dict[str, Any]]] = {}
        # The subprocesses whose rows are stored packed (`packing`), by key: the live subprocess
        # whose tasks the stored rows are known to match (a snapshot does not look at them
        # again), or None when they must be looked at.
        self.packed: dict[str, Any] = {}

    def adopt(self, tasks: dict[UUID, Any]) -> None:
        """Match the tasks of a packed subprocess, made after the restore, with their rows."""
        stored = self.stored
        for task in tasks.values():
            entry = stored.get(task.id)
            if entry is not None:
                self._remember(task, entry)

    def _ref(self, task_id: UUID) -> rows.Ref:
        entry = self.stored.get(task_id)
        return entry.ord if entry is not None else str(task_id)

    def forget(self, tasks: list[Any]) -> None:
        """Look at these tasks again in the next snapshot: their data changed without a change of state."""
        packed = self.packed
        for task in tasks:
            self.by_task.pop(id(task), None)
            key = str(getattr(task.workflow, "parent_task_id", ""))  # "" for the top workflow
            if key in packed:  # a task of a packed subprocess: look at its tasks again
                packed[key] = None

    def snapshot(self, workflow: Any) -> Snapshot:
        REGISTRY._encoder_mode = True
        try:
            return self._snapshot(workflow)
        finally:
            REGISTRY._encoder_mode = False

    def _snapshot(self, workflow: Any) -> Snapshot:
        stored, by_task = self.stored, self.by_task
        human: list[HumanTaskView] = []
        todo: list[tuple[str, Any]] = []  # new tasks, tasks whose state changed, live tasks
        unfinished = False  # any task of the top workflow not finished (what is_completed walks for)
        total = 0
        ready, finished_mask, live = TaskState.READY, TaskState.FINISHED_MASK, _LIVE_STATES
        workflows = [("", workflow), *((str(k), sp) for k, sp in workflow.subprocesses.items())]
        packed = self.packed
        for key, wf in workflows:
            if key and packed.get(key) is wf:
                total += lazy_subprocess.size(wf)
                continue  # finished for good, and its packed row matches it
            total += len(wf.tasks)
            for task in wf.tasks.values():
                state = task._state
                if state == ready and task.task_spec.manual:
                    human.append(human_view(task))
                if not (key or state & finished_mask):
                    unfinished = True
                known = by_task.get(id(task))
                if (
                    known is not None
                    and known[0] is task
                    and task.last_state_change == known[1].last_state_change
                    and not state & live
                ):
                    continue
                todo.append((key, task))
        new_ids = {task.id for _, task in todo if task.id not in stored}
        removed: list[UUID] = []
        if total - len(new_ids) != len(stored):
            seen: set[UUID] = set()
            for wf in made(wf for _, wf in workflows):
                seen.update(wf.tasks)
            whole = {key for key, wf in workflows if unbuilt(wf)}  # all of theirs are there still
            removed = [
                tid for tid, entry in stored.items() if tid not in seen and entry.workflow not in whole
            ]
        upserts: list[tuple[str, StoredTask]] = []
        for _, task in todo:  # rows refer to each other by ord: new tasks get theirs first
            if task.id in new_ids:
                stored[task.id] = StoredTask(task.last_state_change, task._parent, "", self.next_ord, "")
                self.next_ord += 1
        # A task's data is stored as a change from its base's: when a task's stored form changes,
        # its children and the tasks based on it are looked at again. A task that gained or lost a
        # child is written again.
        reparented: set[UUID] = {p for p in (stored[t].parent for t in removed) if p is not None}
        reparented.update(task._parent for _, task in todo if task.id in new_ids and task._parent is not None)
        children: set[UUID] = set()
        done: set[UUID] = set()
        for key, task in todo:
            done.add(task.id)
            if self._write(key, task, upserts, workflow):
                children.update(task._children)
                children.update(self.dependents.get(task.id, ()))
        removed_ords = []
        touched: set[str] = set()  # the workflows that lost a task
        for task_id in removed:
            entry = stored.pop(task_id)
            by_task.pop(entry.object_id, None)
            removed_ords.append(entry.ord)
            touched.add(entry.workflow)
            children.update(self.dependents.pop(task_id, ()))
            self._unlink(task_id)
        for task_id in (reparented | children) - done:
            kept = stored.get(task_id)
            if kept is None:
                continue
            task = rows.find(workflow, task_id)
            # A task with no data is stored as such, whatever its parent holds.
            if task_id in reparented or task.data:
                self._write(kept.workflow, task, upserts, workflow)
        packs, unpacked = self._pack(workflows, upserts, touched, removed_ords)
        completed = workflow.completed or not unfinished
        status = "completed" if completed else "running" if human else "waiting"
        return Snapshot(_header(workflow, self), upserts, removed_ords, human, status, packs, unpacked)

    def _pack(
        self,
        workflows: list[tuple[str, Any]],
        upserts: list[tuple[str, StoredTask]],
        touched: set[str],
        removed_ords: list[int],
    ) -> tuple[list[tuple[str, bytes]], list[str]]:
        """Which packed rows to write and to delete: a subprocess newly finished for good is packed
        (its rows of their own deleted), a packed one whose tasks changed is packed again, or
        unpacked if it is no longer finished or no longer there; no task of a packed subprocess
        is written on its own."""
        packed, stored = self.packed, self.stored
        keys = {key for key in touched if key in packed}
        keys.update(entry.workflow for _, entry in upserts if entry.workflow in packed)
        keys.update(key for key, wf in workflows if key and key not in packed and wf.completed)
        live = dict(workflows)
        packs: list[tuple[str, bytes]] = []
        unpacked: list[str] = []
        for key in sorted(keys):
            wf = live.get(key)
            if wf is not None and packing.settled(wf):
                entries = [(str(tid), entry) for tid, entry in stored.items() if entry.workflow == key]
                if key not in packed:
                    removed_ords.extend(entry.ord for _, entry in entries)
                packs.append((key, packing.pack(entries)))
                packed[key] = wf
            elif key in packed:
                del packed[key]
                unpacked.append(key)
                written = {tid for tid, _ in upserts}
                upserts.extend(
                    (str(tid), entry)
                    for tid, entry in stored.items()
                    if entry.workflow == key and str(tid) not in written
                )
        if packed:
            upserts[:] = [(tid, entry) for tid, entry in upserts if entry.workflow not in packed]
            for key in packed:  # every packed subprocess's tasks were looked at, or skipped as known
                packed[key] = live.get(key)
        return packs, unpacked

    def _write(self, key: str, task: Any, upserts: list[tuple[str, StoredTask]], top: Any) -> bool:
        """Serialize one task; queue it for writing if it differs from what is stored."""
        base = rows.base_of(task, top) if task.data else None
        self._unlink(task.id)
        if base is not None and base.id != task._parent:
            self.base[task.id] = base.id
            self.dependents.setdefault(base.id, set()).add(task.id)
        body = rows.encode(task, base, self._ref)
        old = self.stored.get(task.id)
        if old is not None and old.body == body and old.workflow == key:
            old.last_state_change = task.last_state_change
            self._remember(task, old)
            return False
        if old is None:
            entry = StoredTask(task.last_state_change, task._parent, key, self.next_ord, body)
            self.next_ord += 1
        else:
            entry = StoredTask(task.last_state_change, task._parent, key, old.ord, body)
        self.stored[task.id] = entry
        self._remember(task, entry)
        upserts.append((str(task.id), entry))
        return True

    def _unlink(self, task_id: UUID) -> None:
        was = self.base.pop(task_id, None)
        if was is not None:
            self.dependents.get(was, set()).discard(task_id)

    def _remember(self, task: Any, entry: StoredTask) -> None:
        entry.object_id = id(task)
        self.by_task[id(task)] = (task, entry)


def _workflow_header(wf: Any, stored: dict[UUID, StoredTask]) -> dict[str, Any]:
    """A workflow's part of the header. Its data (what its end gathered: everything its last task
    knew, for a finished subprocess) is stored as a change from its last task's, which the rows
    hold already: `data_from` names that task's row, `data` holds what differs and
    `data_deleted` what the task has and the workflow not."""
    header = {
        "typename": REGISTRY.typenames[type(wf)],
        "correlations": wf.correlations,
        "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
        "success": wf.success,
        "completed": wf.completed,
        "root": str(wf.task_tree.id),
    }
    data = REGISTRY.clean(wf.data)
    base = wf.last_task
    entry = stored.get(base.id) if base is not None and data else None
    if entry is None:
        header["data"] = REGISTRY.convert(data)
        return header
    had = base.data
    changed = {k: v for k, v in data.items() if k not in had or had[k] != v}
    deleted = [k for k in had if k not in data]
    if len(changed) + len(deleted) >= len(data):  # not worth it (a running subprocess's few keys)
        header["data"] = REGISTRY.convert(data)
        return header
    header["data_from"] = entry.ord
    header["data"] = REGISTRY.convert(changed)
    if deleted:
        header["data_deleted"] = deleted
    return header


def _header(workflow: Any, ledger: Ledger) -> str:
    stored, kept = ledger.stored, ledger.finished_headers
    header = _workflow_header(workflow, stored)
    header["format"] = STATE_FORMAT
    header["bpmn_events"] = REGISTRY.convert(workflow.bpmn_events)
    if ledger.packed:  # where a restore looks for packed rows (`instance_packed`); none: no query
        header["packed"] = sorted(ledger.packed)
    subprocesses = {}
    for key, sp in workflow.subprocesses.items():
        name = str(key)
        known = kept.get(name)
        if known is not None and known[0] is sp and (unbuilt(sp) or known[1] is sp.last_task):
            subprocesses[name] = known[2]  # a finished subprocess does not change
            continue
        sub = _workflow_header(sp, stored)
        sub["parent_task_id"] = str(sp.parent_task_id)
        sub["spec"] = sp.spec.name
        subprocesses[name] = sub
        if sp.completed:
            kept[name] = (sp, sp.last_task, sub)
    header["subprocesses"] = subprocesses
    return json.dumps(header, cls=StateEncoder, separators=(",", ":"))
