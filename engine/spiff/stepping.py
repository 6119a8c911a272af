"""Stepping a workflow without walking every task it ever had.

SpiffWorkflow finds the tasks a step must run by walking task trees: `do_engine_steps` lists the
READY tasks of each running subprocess and of the whole instance, and every completed task makes
its workflow look over its tree for WAITING tasks to update. Its BPMN walk also descends into the
subprocesses of finished steps (it means not to, but compares a single state against a mask), so
each step visits every task the instance ever had, several times over: the bigger the program and
the further a village is in it, the slower each step.

The workflow classes here answer the same two questions from each workflow's task table instead,
and give the answers in the order the walks would, so that what runs, and in which order, is
exactly what SpiffWorkflow would have run:

- `get_tasks` by state, task spec name or `manual` (what stepping and the gateways ask) takes the
  matching tasks of the workflow's table and of the subprocesses' tables and sorts them by their
  place in the walk (their path from the root: a subprocess comes before the children of the task
  that runs it), leaving out any the walk would not reach.
- `update_waiting_tasks` does nothing when the workflow has no WAITING task (the walk would update
  none), and otherwise walks as SpiffWorkflow does, lazily (a task updated may change what follows
  it), with a stack instead of a list it pops from the front. (Taking the WAITING tasks from the
  table while the updates change nothing, and walking only after one that does, measured no
  faster: kept simple.) SpiffWorkflow's walk also stops 1,000 levels deep; no task tree gets near,
  its own recursive methods would fail first.

A finished subprocess restored from its packed row (`lazy_subprocess`) has no task objects until
something reads its tasks. Its tasks are all finished, and no walk from elsewhere reaches them:
the answers here leave it unbuilt unless the query asks for finished tasks from a workflow that
contains it (`unbuilt`).

With DESA_VERIFY_STATE set (as the tests run), every answer from the tables is checked against
SpiffWorkflow's own walk. Workflows are stored under SpiffWorkflow's class names, so stored states
read the same either way (`engine.spiff.serialize`).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

from engine import config

WAITING = TaskState.WAITING
FUTURE = TaskState.FUTURE  # the walk looks under a task only from this state on (or if it runs a subprocess)
MAX_DEPTH = 1000  # SpiffWorkflow's walk goes no deeper


UNBUILT = "_desa_unbuilt"  # in a workflow's attributes while its tasks are not made (`lazy_subprocess`)
_FINISHED = TaskState.FINISHED_MASK


def unbuilt(workflow: Any) -> bool:
    """Whether a workflow is a packed subprocess whose tasks are not made yet."""
    return UNBUILT in workflow.__dict__


def made(workflows: Any) -> list[Any]:
    """The workflows whose tasks are made, of these."""
    return [wf for wf in workflows if UNBUILT not in wf.__dict__]


class _Unsure(Exception):
    """A case the fast answer does not cover: SpiffWorkflow's own walk answers it."""


def find(top: Any, task_id: Any) -> Any:
    """A task of the workflow or its subprocesses, by id (None if there is none); unbuilt
    subprocesses are looked in last."""
    found = top.tasks.get(task_id)
    if found is not None:
        return found
    subs = list(top.subprocesses.values())
    for sub in [*made(subs), *(sp for sp in subs if unbuilt(sp))]:
        found = sub.tasks.get(task_id)
        if found is not None:
            return found
    return None


def _min_state(state: int) -> int:
    """Below which state SpiffWorkflow's walk does not look under a task, for a query of `state`."""
    if state & TaskState.PREDICTED_MASK:
        return int(TaskState.MAYBE)
    if state & TaskState.DEFINITE_MASK:
        return int(TaskState.FUTURE)
    return int(TaskState.COMPLETED)


def _place(task: Any, root: Any, top: Any, min_state: int) -> list[int] | None:
    """The task's path in the walk from `root`'s tree (child positions; -1 into a subprocess), or
    None when the walk does not reach it."""
    subprocesses = top.subprocesses
    path: list[int] = []
    current = task
    while True:
        wf = current.workflow
        tasks = wf.tasks
        parent_id = current._parent
        while parent_id is not None:
            parent = tasks.get(parent_id)
            if parent is None:
                return None
            if parent._state < min_state and parent.id not in subprocesses:
                return None
            path.append(parent._children.index(current.id))
            current = parent
            parent_id = current._parent
        if current is not wf.task_tree:
            return None
        if wf is root:
            break
        if wf is top:
            return None
        owner = find(top, wf.parent_task_id)
        if owner is None or subprocesses.get(owner.id) is not wf:
            return None
        path.append(-1)
        current = owner
    if len(path) >= MAX_DEPTH:
        raise _Unsure
    path.reverse()
    return path


def tasks_matching(
    root: Any, state: int, spec_name: str | None = None, manual: bool | None = None
) -> list[Any]:
    """What `root.get_tasks(state=..., spec_name=..., manual=...)` answers (`root`: the instance or
    one of its subprocesses), in the same order."""
    top = root.top_workflow
    found: list[Any] = []
    for wf in (top, *top.subprocesses.values()):
        if UNBUILT in wf.__dict__ and not (state & _FINISHED and _may_reach(root, top, wf)):
            continue  # every task of it finished, or out of the walk's way
        if spec_name is None:
            found.extend(t for t in wf.tasks.values() if t._state & state)
        else:
            found.extend(t for t in wf.tasks.values() if t._state & state and t.task_spec.name == spec_name)
    if manual is not None:
        found = [t for t in found if t.task_spec.manual == manual]
    min_state = _min_state(state)
    placed = []
    for task in found:
        if task.last_state_change < 0:
            continue
        place = _place(task, root, top, min_state)
        if place is not None:
            placed.append((place, task))
    if len(placed) > 1:
        placed.sort(key=lambda pair: pair[0])
    return [task for _, task in placed]


def _may_reach(root: Any, top: Any, sub: Any) -> bool:
    """Whether the walk from `root` may reach subprocess `sub`: not when `root` is a subprocess and
    `sub` is run by a task of the top workflow."""
    return root is top or sub.parent_task_id not in top.tasks


def update_waiting(wf: Any) -> None:
    """SpiffWorkflow's `Workflow.update_waiting_tasks`, done the same way (lazily: an update may
    change what follows it), and not at all when no task waits."""
    for task in wf.tasks.values():
        if task._state == WAITING:
            break
    else:
        return
    stack = [wf.task_tree]
    get = wf.tasks.get  # what `Task.children` looks the children up in
    while stack:
        task = stack.pop()
        if task._children and task._state >= FUTURE:
            stack.extend([get(child) for child in reversed(task._children)])
        if task._state == WAITING and task.last_state_change >= 0:
            task.task_spec._update(task)


_QUERY = frozenset({"state", "spec_name", "manual"})


def _answer(root: Any, first_task: Any, kwargs: dict[str, Any]) -> list[Any] | None:
    """The answer to a `get_tasks` query from the task tables, or None for a query they do not
    answer (from a given task, by lane, class, time, depth...)."""
    if first_task is not None or not kwargs.keys() <= _QUERY:
        return None
    try:
        found = tasks_matching(
            root, kwargs.get("state", TaskState.ANY_MASK), kwargs.get("spec_name"), kwargs.get("manual")
        )
    except _Unsure:
        return None
    if config.settings().verify_state:
        walked = list(root.get_tasks_iterator(None, **kwargs))
        if [id(t) for t in walked] != [id(t) for t in found]:
            raise StepOrderError(kwargs, walked, found)
    return found


class StepOrderError(AssertionError):
    """The task tables answered otherwise than SpiffWorkflow's walk (checked with DESA_VERIFY_STATE)."""

    def __init__(self, query: dict[str, Any], walked: list[Any], found: list[Any]) -> None:
        names = [t.task_spec.name for t in walked], [t.task_spec.name for t in found]
        super().__init__(f"get_tasks({query}): the walk gives {names[0]}, the tables {names[1]}")


class _FromTables(Workflow):  # type: ignore[misc]
    """What the engine's workflow classes answer from their task tables (see the module's doc)."""

    def get_tasks(self, first_task: Any = None, **kwargs: Any) -> list[Any]:
        found = _answer(self, first_task, kwargs)
        return found if found is not None else super().get_tasks(first_task, **kwargs)

    def update_waiting_tasks(self) -> None:
        update_waiting(self)


class StepWorkflow(_FromTables, BpmnWorkflow):  # type: ignore[misc]
    """A BPMN workflow that steps from its task tables."""

    def get_task_from_id(self, task_id: Any) -> Any:
        """SpiffWorkflow's, looking in unbuilt subprocesses last (a task is in one workflow only)."""
        found = find(self, task_id)
        return found if found is not None else Workflow.get_task_from_id(self, task_id)  # not found: raises

    def create_subprocess(self, my_task: Any, spec_name: str) -> Any:
        spec = self.subprocess_specs[spec_name]
        subprocess = StepSubWorkflow(spec, parent_task_id=my_task.id, top_workflow=self)
        self.subprocesses[my_task.id] = subprocess
        return subprocess


class StepSubWorkflow(_FromTables, BpmnSubWorkflow):  # type: ignore[misc]
    """A subprocess of a `StepWorkflow`, stepping the same way."""
