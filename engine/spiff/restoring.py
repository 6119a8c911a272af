"""A live workflow and its ledger rebuilt from an instance's stored header and task rows.

The rows are parsed once (`taskrows.Parsed`) and each task made straight from its row; rows of
earlier versions (SpiffWorkflow's own task dicts) go through SpiffWorkflow's converter. The
subprocesses stored packed are made when first read (`lazy_subprocess`), unless a task of one
runs another subprocess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from engine.spiff import json_read, rows, taskrows
from engine.spiff.lazy_subprocess import Builder, Pending
from engine.spiff.ledger import UNMADE, Ledger
from engine.spiff.ledger_entry import StoredTask
from engine.spiff.scripts import SCRIPT_ENGINE
from engine.spiff.serialize import REGISTRY, STATE_FORMAT, Spec, reconnect_triggered
from engine.spiff.stepping import UNBUILT, unbuilt


def _data_refs(dct: dict[str, Any]) -> dict[str, tuple[int, Any, list[str]]]:
    """Take out of a stored header the data kept as a change from a task's (`_workflow_header`):
    by workflow key ("" the top one), (the task's ord, what differs, what is deleted)."""
    found = {}
    for key, part in [("", dct), *dct["subprocesses"].items()]:
        if "data_from" in part:
            found[key] = (int(part.pop("data_from")), part.pop("data"), part.pop("data_deleted", []))
            part["data"] = {}
    return found


def _give_workflow_data(
    workflow: Any, refs: dict[str, tuple[int, Any, list[str]]], data_of_ord: Callable[[int], dict[str, Any]]
) -> None:
    """Each workflow whose data is kept as a change from a task's gets it when it is first read."""
    for key, (ord_, changes, deleted) in refs.items():
        wf = workflow if not key else workflow.subprocesses.get(UUID(key))
        if wf is None:
            continue

        def build(ord_: int = ord_, changes: Any = changes, deleted: list[str] = deleted) -> dict[str, Any]:
            data = data_of_ord(ord_)
            data.update(REGISTRY.restore(changes))
            for name in deleted:
                data.pop(name, None)
            return data

        rows.data_later(wf, build)


def restore(
    header: str | dict[str, Any], tasks: list[tuple[str, StoredTask]], spec: Spec, packed: Iterable[str] = ()
) -> tuple[Any, Ledger]:
    """Rebuild a live workflow (and its ledger) from a stored header (its text, or that parsed) and
    task rows (`packed`: the subprocesses whose rows came from packed rows, `packing.unpack`)."""
    dct = json_read.loads(header) if isinstance(header, str) else header
    dct.pop("packed", None)  # a hint for the reader of the rows, who passes what it found
    fmt = dct.pop("format", None)
    if fmt != STATE_FORMAT:
        raise ValueError(f"stored state has format {fmt!r}; this engine reads {STATE_FORMAT!r}")
    finished = {  # as stored: a finished subprocess's part does not change (`_header` reuses it)
        key: dict(part)
        for key, part in dct["subprocesses"].items()
        if part.get("completed") and ("data_from" in part or not part.get("data"))
    }
    refs = _data_refs(dct)
    parsed = taskrows.Parsed(tasks)
    if parsed.legacy:
        return _restore_through_registry(dct, tasks, spec, refs, finished, packed)
    builders = parsed.builders()
    dct["tasks"] = builders.pop("", None) or {}
    later = _made_later(parsed, builders, dct, packed)
    for key, sub in dct["subprocesses"].items():
        sub["tasks"] = later.get(key) or builders.pop(key, None) or {}
    workflow = REGISTRY.restore(dct, spec=spec.spec, subprocess_specs=spec.subprocess_specs)
    parsed.give_data()
    _give_workflow_data(workflow, refs, lambda ord_: parsed.compose(parsed.by_ord[ord_]))
    return _finish(workflow, parsed.stored, parsed.made, parsed.rebased(), finished, packed)


def _made_later(
    parsed: taskrows.Parsed,
    builders: dict[str, Builder],
    dct: dict[str, Any],
    packed: Iterable[str],
) -> dict[str, Pending]:
    """The packed subprocesses whose tasks are made when first read (`lazy_subprocess`): each
    one, unless a task of it runs another subprocess (restoring that one needs the task)."""
    if not packed:
        return {}
    owners = set()
    for part in dct["subprocesses"].values():
        index = parsed.index.get(UUID(part["parent_task_id"]))
        if index is not None:
            owners.add(parsed.entries[index].workflow)
    sizes = Counter(entry.workflow for entry in parsed.entries)
    found = {}
    for key in packed:
        if key in owners or key not in dct["subprocesses"] or key not in builders:
            continue

        found[key] = Pending(_giving_data(parsed, builders.pop(key)), sizes[key])
    return found


def _giving_data(parsed: taskrows.Parsed, make: Builder) -> Builder:
    def build(workflow: Any) -> dict[UUID, Any]:
        tasks = make(workflow)
        parsed.give_data()  # none to give, unless a task of it is unfinished after all
        return tasks

    return build


def _ord(item: tuple[str, StoredTask]) -> int:
    return item[1].ord


def _restore_through_registry(
    dct: dict[str, Any],
    tasks: list[tuple[str, StoredTask]],
    spec: Spec,
    refs: dict[str, tuple[int, Any, list[str]]],
    finished: dict[str, dict[str, Any]],
    packed: Iterable[str],
) -> tuple[Any, Ledger]:
    """Rows of earlier versions (SpiffWorkflow's own task dicts), through SpiffWorkflow's converter."""
    by_workflow: dict[str, dict[str, Any]] = {"": {}}
    for key in dct["subprocesses"]:
        by_workflow[key] = {}
    uuid_of = {stored.ord: task_id for task_id, stored in tasks}
    data_of: dict[UUID, rows.DataOf] = {}
    for task_id, stored in sorted(tasks, key=_ord):
        dct_task, data_of[UUID(task_id)] = rows.parse(task_id, stored.body, uuid_of)
        by_workflow.setdefault(stored.workflow, {})[task_id] = dct_task
    dct["tasks"] = by_workflow[""]
    for key, sub in dct["subprocesses"].items():
        sub["tasks"] = by_workflow[key]
    workflow = REGISTRY.restore(dct, spec=spec.spec, subprocess_specs=spec.subprocess_specs)
    rows.rebuild_data(workflow, data_of)
    _give_workflow_data(workflow, refs, lambda ord_: rows.compose(data_of, UUID(uuid_of[ord_])))
    by_id = {UUID(task_id): entry for task_id, entry in tasks}
    made = []
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task_id, task in wf.tasks.items():
            entry = by_id.get(task_id)
            if entry is not None:
                entry.last_state_change = task.last_state_change
                entry.parent = task._parent
                made.append((task, entry))
    rebased = [(tid, how.base) for tid, how in data_of.items() if how.base is not None]
    rebased = [(t, b) for t, b in rebased if b != by_id[t].parent]
    return _finish(workflow, by_id, made, rebased, finished, packed)


def _finish(
    workflow: Any,
    stored: dict[UUID, StoredTask],
    made: list[tuple[Any, StoredTask]],
    rebased: list[tuple[UUID, UUID]],
    finished: dict[str, dict[str, Any]],
    packed: Iterable[str],
) -> tuple[Any, Ledger]:
    """The ledger of a restored workflow: every task matched with its stored row, the tasks whose
    data is stored against a task other than their parent, and the packed subprocesses."""
    workflow.script_engine = SCRIPT_ENGINE
    reconnect_triggered(workflow)
    ledger = Ledger(stored)
    by_task = ledger.by_task
    for task, entry in made:
        entry.object_id = id(task)
        by_task[id(task)] = (task, entry)
    for tid, base in rebased:
        ledger.base[tid] = base
        ledger.dependents.setdefault(base, set()).add(tid)
    for key, part in finished.items():
        sp = workflow.subprocesses.get(UUID(key))
        if sp is not None and sp.completed:
            ledger.finished_headers[key] = (sp, UNMADE if unbuilt(sp) else sp.last_task, part)
    for key in packed:
        sp = workflow.subprocesses.get(UUID(key))
        ledger.packed[key] = sp
        if sp is not None and unbuilt(sp):
            sp.__dict__[UNBUILT].made = ledger.adopt
    return workflow, ledger
