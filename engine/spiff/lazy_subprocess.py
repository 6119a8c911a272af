"""A finished subprocess restored from its packed row, whose tasks are made when first read.

A step restores the whole instance, yet a finished subprocess (packed: `packing`) is rarely read:
its tasks are all finished and nothing of a step reaches them (`stepping` answers SpiffWorkflow's
queries without them, the ledger's snapshot skips a packed subprocess). Restored as
`PackedSubWorkflow`, such a subprocess has its data, its status and its place among the
subprocesses at once, and its `tasks`, `task_tree` and `last_task` are made from the rows the
first time anything reads one of them: replay, verification, a migration, a walk that goes into
it. Everything then is as if it had been restored whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from engine.spiff.stepping import UNBUILT, StepSubWorkflow

Builder = Callable[[Any], dict[UUID, Any]]


class Pending:
    """What makes a packed subprocess's tasks: the rows' builder, the ids of its root and last
    task, and how many tasks it has (the ledger counts them without making them)."""

    def __init__(self, build: Builder, size: int) -> None:
        self.build = build
        self.size = size
        self.root: UUID | None = None
        self.last_task: UUID | None = None
        self.made: Callable[[dict[UUID, Any]], None] | None = None  # told of the tasks once made


class _Unbuilt:
    """`tasks`, `task_tree` or `last_task` of a subprocess not made yet: made on first read, then
    kept in the object's own attributes (which Python reads before this non-data descriptor)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        build(obj)
        return obj.__dict__[self.name]


class PackedSubWorkflow(StepSubWorkflow):
    """A subprocess of a `StepWorkflow`, finished, whose tasks are made when first read."""

    tasks = _Unbuilt("tasks")
    task_tree = _Unbuilt("task_tree")
    last_task = _Unbuilt("last_task")

    def __init__(self, spec: Any, parent_task_id: Any, top_workflow: Any, pending: Pending) -> None:
        super().__init__(spec, parent_task_id, top_workflow, deserializing=True)
        fields = self.__dict__
        for name in ("tasks", "task_tree", "last_task"):  # set by SpiffWorkflow's constructor
            fields.pop(name, None)
        fields[UNBUILT] = pending


def build(workflow: Any) -> None:
    """Make a packed subprocess's tasks now (nothing if they are made)."""
    fields = workflow.__dict__
    pending: Pending | None = fields.pop(UNBUILT, None)
    if pending is None:
        return
    tasks = pending.build(workflow)
    fields["tasks"] = tasks
    fields["task_tree"] = tasks.get(pending.root) if pending.root is not None else None
    fields["last_task"] = tasks.get(pending.last_task) if pending.last_task is not None else None
    if pending.made is not None:
        pending.made(tasks)


def size(workflow: Any) -> int:
    """How many tasks a workflow has, without making those of a packed subprocess."""
    pending: Pending | None = workflow.__dict__.get(UNBUILT)
    return pending.size if pending is not None else len(workflow.tasks)
