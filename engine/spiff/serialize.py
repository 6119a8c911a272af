"""Specs and the serializer: how a version's spec is stored once, and how workflows are made."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.spiff.lazy_subprocess import PackedSubWorkflow, Pending
from engine.spiff.patches import EngineDatetime
from engine.spiff.scripts import SCRIPT_ENGINE
from engine.spiff.stepping import StepSubWorkflow, StepWorkflow, unbuilt


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Writes a workflow without its spec and restores it onto a spec the caller already holds."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct  # type: ignore[no-any-return]

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> Any:
        workflow = StepWorkflow(spec, subprocess_specs, deserializing=True)
        workflow.tasks = _tasks(self, dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow

    def subprocesses_from_dict(self, dct: dict[str, Any], workflow: Any, top_workflow: Any = None) -> None:
        if unbuilt(workflow):  # runs no subprocess of its own (`restoring.restore` sees to it)
            return
        super().subprocesses_from_dict(dct, workflow, top_workflow)


class _SubWorkflowConverter(BpmnSubWorkflowConverter):  # type: ignore[misc]
    """A subprocess whose tasks may come as a builder (`taskrows`), as the top workflow's may, or
    be made when first read (`lazy_subprocess`)."""

    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: Any) -> Any:
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        pending = dct["tasks"]
        if isinstance(pending, Pending):
            pending.root = UUID(dct["root"])
            last = dct["last_task"]
            pending.last_task = UUID(last) if isinstance(last, str) else None
            packed = PackedSubWorkflow(spec, task.id, top_workflow, pending)
            # The last task comes with the tasks.
            self.set_default_attributes(packed, {**dct, "last_task": None})
            return packed
        subprocess = StepSubWorkflow(spec, task.id, top_workflow, deserializing=True)
        subprocess.tasks = _tasks(self, dct["tasks"], subprocess)
        subprocess.task_tree = subprocess.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess


def _tasks(converter: Any, tasks: Any, workflow: Any) -> dict[UUID, Any]:
    """A workflow's tasks from their dicts, or from a function that makes them (`taskrows`)."""
    if callable(tasks):
        return tasks(workflow)  # type: ignore[no-any-return]
    return converter.mapping_from_dict(tasks, UUID, workflow=workflow)  # type: ignore[no-any-return]


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _SpeclessWorkflowConverter
_config[BpmnSubWorkflow] = _SubWorkflowConverter
REGISTRY = BpmnWorkflowSerializer.configure(_config)
# The engine's workflows are stored under SpiffWorkflow's names (and restore as the engine's).
REGISTRY.typenames[StepWorkflow] = REGISTRY.typenames[BpmnWorkflow]
REGISTRY.typenames[StepSubWorkflow] = REGISTRY.typenames[BpmnSubWorkflow]
REGISTRY.typenames[PackedSubWorkflow] = REGISTRY.typenames[BpmnSubWorkflow]
SERIALIZER = BpmnWorkflowSerializer(REGISTRY)
STATE_FORMAT = "desa-1:spiff-" + SERIALIZER.VERSION


class PlainEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, frozenset | tuple):
            return list(o)
        return super().default(o)


def _register_values() -> None:
    """Values scripts may store in task data, restored as the same type (date, and the clock's datetime)."""
    REGISTRY.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    REGISTRY.register(
        EngineDatetime,
        lambda v: {"value": v.isoformat()},
        lambda v: datetime.fromisoformat(v["value"]),
        typename="datetime",
    )


_register_values()
# SpiffWorkflow's own encoder: objects its registry knows (datetimes, timedeltas, UUIDs, events
# kept in task internal data) become typed dicts that restore to the same objects.
StateEncoder: type[json.JSONEncoder] = create_encoder(REGISTRY, PlainEncoder)


@dataclass
class Spec:
    """A parsed or restored process spec with the specs of the processes it calls."""

    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


def spec_to_dict(spec: Spec) -> dict[str, Any]:
    REGISTRY._encoder_mode = True
    try:
        dct = {
            "spec": REGISTRY.convert(spec.spec),
            "subprocess_specs": {k: REGISTRY.convert(v) for k, v in spec.subprocess_specs.items()},
        }
        return json.loads(json.dumps(dct, cls=StateEncoder))  # type: ignore[no-any-return]
    finally:
        REGISTRY._encoder_mode = False


def spec_from_dict(process_id: str, dct: dict[str, Any]) -> Spec:
    spec = REGISTRY.restore(json.loads(json.dumps(dct["spec"])))
    subs = {k: REGISTRY.restore(json.loads(json.dumps(v))) for k, v in dct["subprocess_specs"].items()}
    return Spec(process_id, spec.description or process_id, spec, subs)


def mutated_at_run_time(spec: Spec) -> bool:
    """Whether SpiffWorkflow changes this spec while an instance runs, so each instance needs its own.

    A message-started event subprocess is connected to the process start only when its message
    arrives (`BpmnStartTask.trigger_wf`), on the spec object itself."""
    return any(getattr(s.start, "trigger_specs", None) for s in all_specs(spec))


def reconnect_triggered(workflow: Any) -> None:
    """Redo on a freshly restored spec the connections `trigger_wf` made before the instance was saved."""
    for wf in [workflow, *workflow.subprocesses.values()]:
        start = wf.spec.start
        triggers = getattr(start, "trigger_specs", None)
        if not triggers:
            continue
        for task in wf.tasks.values():
            if task.task_spec.name in triggers and start not in task.task_spec.inputs:
                start.connect(task.task_spec)
                task.task_spec.connect(wf.spec.end)


def new_workflow(spec: Spec, data: dict[str, Any] | None = None) -> Any:
    workflow = StepWorkflow(spec.spec, spec.subprocess_specs, script_engine=SCRIPT_ENGINE)
    if data:
        workflow.task_tree.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
    return workflow


def all_specs(spec: Spec) -> Iterable[Any]:
    yield spec.spec
    yield from spec.subprocess_specs.values()
