"""Definition changes as SpiffWorkflow sees them: what changed between two versions of a process,
what that means for one running workflow, and moving the workflow onto the new version.

Built on SpiffWorkflow's `bpmn.util.diff` (elements aligned by BPMN id, then by structure). The
move is `migrate_workflow`'s, done so that nothing a village already has is lost: an open task
keeps its data (SpiffWorkflow's reset would re-inherit it from the parent and drop what a join or
a correction put there) and a waiting timer whose definition did not change keeps its due time
(the reset would start its duration again at the moment of the move).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.util.task import TaskState

from engine.spiff.serialize import REGISTRY, Spec, all_specs

OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
DONE_OR_OPEN = OPEN | TaskState.COMPLETED
# Attributes whose change a running task cannot be carried over: another kind of element, another
# event to wait for, another multi-instance shape.
STRUCTURAL = {"typename", "event_definition", "task_spec", "cancel_activity", "main_child_task_spec"}


@dataclass
class ElementChange:
    process_id: str
    bpmn_id: str
    name: str
    change: str  # added | removed | changed
    attributes: list[str] = field(default_factory=list)


def _bpmn(spec: Any) -> tuple[str, str] | None:
    bpmn_id = getattr(spec, "bpmn_id", None)
    return (bpmn_id, getattr(spec, "bpmn_name", None) or bpmn_id) if bpmn_id else None


def _specs_by_name(spec: Spec) -> dict[str, Any]:
    return {s.name: s for s in all_specs(spec)}


def element_changes(old: Spec, new: Spec) -> list[ElementChange]:
    """Elements added, removed and changed in every process of the two versions (BPMN elements only)."""
    before, after = _specs_by_name(old), _specs_by_name(new)
    out: list[ElementChange] = []
    for name in sorted(set(before) | set(after)):
        if name not in after or name not in before:
            which, change = (before, "removed") if name not in after else (after, "added")
            for task_spec in which[name].task_specs.values():
                found = _bpmn(task_spec)
                if found:
                    out.append(ElementChange(name, found[0], found[1], change))
            continue
        diff = SpecDiff(REGISTRY, before[name], after[name])
        for task_spec in diff.added:
            found = _bpmn(task_spec)
            if found:
                out.append(ElementChange(name, found[0], found[1], "added"))
        for task_spec in diff.removed:
            found = _bpmn(task_spec)
            if found:
                out.append(ElementChange(name, found[0], found[1], "removed"))
        for task_spec, attributes in diff.changed.items():
            found = _bpmn(task_spec)
            if found:
                out.append(ElementChange(name, found[0], found[1], "changed", sorted(attributes)))
    return sorted(out, key=lambda c: (c.process_id, c.change, c.bpmn_id))


@dataclass
class _Part:
    """The process or one subprocess of a workflow, against its spec in the new version."""

    workflow: Any
    spec: Any  # None: the new version has no such process
    spec_diff: SpecDiff | None
    diff: WorkflowDiff | None


def _parts(workflow: Any, new: Spec) -> list[_Part]:
    new_specs = _specs_by_name(new)
    pairs = [
        (workflow, new.spec),
        *((sp, new_specs.get(sp.spec.name)) for sp in workflow.subprocesses.values()),
    ]
    parts = []
    for wf, spec in pairs:
        if spec is None:
            parts.append(_Part(wf, None, None, None))
            continue
        spec_diff = SpecDiff(REGISTRY, wf.spec, spec)
        parts.append(_Part(wf, spec, spec_diff, WorkflowDiff(wf, spec_diff)))
    return parts


def _label(task: Any) -> str:
    spec = task.task_spec
    return f"'{spec.bpmn_name or spec.bpmn_id}' ({spec.bpmn_id})"


def blockers(workflow: Any, new: Spec) -> list[str]:
    """Why this workflow cannot move to `new`, in the designer's terms (nothing: it can)."""
    reasons: list[str] = []
    for part in _parts(workflow, new):
        if part.diff is None or part.spec_diff is None:
            if any(t.state & DONE_OR_OPEN for t in part.workflow.tasks.values()):
                reasons.append(
                    f"process '{part.workflow.spec.name}', which this village has entered, was removed"
                )
            continue
        for task in part.diff.removed:
            if not task.task_spec.bpmn_id:
                continue
            if task.state & TaskState.COMPLETED:
                reasons.append(f"element {_label(task)} was removed and this village has already done it")
            elif task.state & OPEN:
                reasons.append(f"element {_label(task)} was removed and this village is at it now")
        for task in part.diff.changed:
            structural = STRUCTURAL & set(part.spec_diff.changed.get(task.task_spec, []))
            if task.state & OPEN and task.task_spec.bpmn_id and structural:
                reasons.append(
                    f"element {_label(task)} changed ({', '.join(sorted(structural))}) while this "
                    "village is at it"
                )
    return sorted(set(reasons))


def migrate(workflow: Any, new: Spec) -> list[Any]:
    """Move the workflow and its subprocesses onto `new`; returns every task whose stored form may
    have changed (all of them: a move is rare and its rows are written again)."""
    for part in _parts(workflow, new):
        if part.diff is None or part.spec_diff is None:
            continue
        wf, changed = part.workflow, {s.name for s in part.spec_diff.changed}
        wf.spec = part.spec
        for task in wf.tasks.values():
            aligned = part.diff.alignment.get(task)
            if aligned is not None:
                task.task_spec = aligned
        for task in list(wf.get_tasks(state=TaskState.READY | TaskState.WAITING, skip_subprocesses=True)):
            if task.id not in wf.tasks:  # dropped with an earlier reset's branch
                continue
            kept = task.internal_data.get("event_value")
            unchanged = task.task_spec.name not in changed
            task.reset_branch(task.data)
            if kept is not None and unchanged:
                task.internal_data["event_value"] = kept
        if wf.last_task is not None and wf.last_task.id not in wf.tasks:
            wf.last_task = None
    workflow.subprocess_specs = new.subprocess_specs
    return [t for wf in [workflow, *workflow.subprocesses.values()] for t in wf.tasks.values()]


def progress_in(workflow: Any, process_name: str) -> str:
    """Where the workflow stands towards one process: before it, inside it, or past it."""
    if workflow.spec.name == process_name:
        return "past" if workflow.is_completed() else "inside"
    entered = [sp for sp in workflow.subprocesses.values() if sp.spec.name == process_name]
    if not entered:
        return "before"
    return "past" if all(sp.is_completed() for sp in entered) else "inside"
