"""Task views and steps: what is open, what waits, running a step, reading task data."""

from __future__ import annotations

import copy
import json
import re
import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.spiff.scripts import script_error
from engine.spiff.serialize import PlainEncoder, StateEncoder
from engine.spiff.stepping import made


@dataclass
class HumanTaskView:
    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    documentation: str
    process_id: str


@dataclass
class WaitingEvent:
    task_id: str
    bpmn_id: str
    name: str
    kind: str  # timer | message
    due_at: datetime | None


def task_spec_properties(task_spec: Any) -> dict[str, Any]:
    extensions = getattr(task_spec, "extensions", None) or {}
    return dict(extensions.get("properties", {}))


def form_of(task_spec: Any) -> str | None:
    return task_spec_properties(task_spec).get("formJsonSchemaFilename")


def is_human(task_spec: Any) -> bool:
    return bool(getattr(task_spec, "manual", False))


_FIELD = re.compile(r"^\w+(\[\w+\])*$")


def display_name(template: str, data: dict[str, Any]) -> str | None:
    """A task's name filled from its data, e.g. "Absensi Hari ke-{hari_ke}" -> "Absensi Hari ke-3".

    Only plain names and [key] lookups are allowed (no attribute access), so a template cannot
    reach object internals. None when a field is missing or not allowed."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        if not all(_FIELD.match(f) for f in fields):
            return None
        return template.format_map(data)
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def human_view(task: Any) -> HumanTaskView:
    spec = task.task_spec
    name = spec.bpmn_name or spec.bpmn_id or spec.name
    template = task_spec_properties(spec).get("displayName")
    if template:
        name = display_name(template, task.data) or name
    return HumanTaskView(
        id=str(task.id),
        bpmn_id=spec.bpmn_id or spec.name,
        name=name,
        lane=spec.lane,
        form=form_of(spec),
        documentation=spec.documentation or "",
        process_id=task.workflow.spec.name,
    )


def human_tasks(workflow: Any) -> list[HumanTaskView]:
    return [human_view(task) for task in workflow.get_tasks(state=TaskState.READY, manual=True)]


def _definitions(definition: Any) -> list[Any]:
    """An event definition, or the ones a multiple event (event-based gateway) combines."""
    return [definition, *(getattr(definition, "event_definitions", None) or [])]


def waiting_events(workflow: Any, completed: bool | None = None) -> list[WaitingEvent]:
    """Timers and messages the instance waits for (`completed`: the caller already knows)."""
    events = []
    for task in list(workflow.event_manager.tasks.values()):
        if not task.has_state(TaskState.WAITING):
            continue
        spec = task.task_spec
        bpmn_id = spec.bpmn_id or spec.name
        for definition in _definitions(spec.event_definition):
            if isinstance(definition, TimerEventDefinition):
                value = definition.details(task).value
                if isinstance(value, dict):  # a cycle that has run out: due at once, so that it ends
                    value = value.get("next")
                if value is None:
                    continue
                due = clock.as_utc(datetime.fromisoformat(str(value)))
                events.append(
                    WaitingEvent(
                        str(task.id), bpmn_id, spec.bpmn_name or definition.name or bpmn_id, "timer", due
                    )
                )
            elif isinstance(definition, MessageEventDefinition):
                events.append(WaitingEvent(str(task.id), bpmn_id, definition.name, "message", None))
    if not (workflow.is_completed() if completed is None else completed):
        for start in _message_started_event_subprocesses(workflow):
            key = str(uuid5(workflow.task_tree.id, start.bpmn_id or start.name))
            events.append(
                WaitingEvent(key, start.bpmn_id or start.name, start.event_definition.name, "message", None)
            )
    return events


def _message_started_event_subprocesses(workflow: Any) -> list[Any]:
    """Start events of event subprocesses a message starts: they wait on the process spec, not as tasks."""
    starts = []
    for name in getattr(workflow.spec.start, "trigger_specs", []):
        sub_spec = workflow.subprocess_specs.get(name)
        for start in getattr(sub_spec, "bpmn_start_events", []):
            if isinstance(start.event_definition, MessageEventDefinition):
                starts.append(start)
    return starts


def find_task(workflow: Any, task_id: str) -> Any | None:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (ValueError, SpiffWorkflowException, KeyError):
        return None


def ready_human(workflow: Any, bpmn_id: str) -> list[Any]:
    """The READY human tasks of one BPMN element, in the task tree's order (the same in every run
    given the same inputs, and kept by save and restore): a parallel multi-instance task has several."""
    return [
        t
        for t in workflow.get_tasks(state=TaskState.READY, manual=True)
        if (t.task_spec.bpmn_id or t.task_spec.name) == bpmn_id
    ]


def occurrence(workflow: Any, task: Any) -> int | None:
    """The place of a READY human task among the READY human tasks of its BPMN element, in the task
    tree's order (what replay matches parallel instances by); None when it is the only one. The
    tasks are counted from each workflow's task table first: walking the tree in order costs more
    than a step of SpiffWorkflow, and most elements have one open task."""
    ready = TaskState.READY
    spec = task.task_spec
    bpmn_id = spec.bpmn_id or spec.name
    count = 0
    for wf in made([workflow, *workflow.subprocesses.values()]):  # an unbuilt one: all finished
        for other in wf.tasks.values():
            if other._state == ready and other.task_spec.manual:
                other_spec = other.task_spec
                count += (other_spec.bpmn_id or other_spec.name) == bpmn_id
    if count <= 1:
        return None
    return [t.id for t in ready_human(workflow, bpmn_id)].index(task.id)


def task_is_ready_human(task: Any) -> bool:
    return bool(task.has_state(TaskState.READY) and task.task_spec.manual)


def status(workflow: Any) -> str:
    if workflow.is_completed():
        return "completed"
    if workflow.get_tasks(state=TaskState.READY, manual=True):
        return "running"
    return "waiting"


def run_engine(workflow: Any) -> None:
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as err:
        raise script_error(err) from err


def complete(workflow: Any, task: Any, data: dict[str, Any]) -> None:
    task.data.update(data)
    try:
        task.run()
    except SpiffWorkflowException as err:
        raise script_error(err) from err
    run_engine(workflow)


def fire_timers(workflow: Any, now: datetime) -> None:
    """Fire every timer due at or before `now`, then run what they released."""
    with clock.pinned(now + timedelta(microseconds=1)):
        workflow.refresh_timers()
    with clock.pinned(now):
        run_engine(workflow)


def catch_message(workflow: Any, name: str, payload: dict[str, Any]) -> int:
    # Events match by class as well as name: build the message with the class the waiting task uses.
    definition_class = MessageEventDefinition
    waiting = [t.task_spec for t in workflow.event_manager.tasks.values()]
    for spec in waiting + _message_started_event_subprocesses(workflow):
        for definition in _definitions(spec.event_definition):
            if isinstance(definition, MessageEventDefinition) and definition.name == name:
                definition_class = type(definition)
    event = BpmnEvent(definition_class(name), payload=payload)
    caught: int = workflow.event_manager.catch(event, internal=False)
    run_engine(workflow)
    return caught


def release(workflow: Any) -> None:
    """Take apart a workflow nobody will use again. Its tasks refer to their workflow, which holds
    them, and subprocesses to their top workflow: reference cycles, which only the cyclic garbage
    collector frees, in full passes over the whole heap. Broken here, reference counting frees the
    workflow at once (a timer sweep discards one per instance; see `engine.timers`)."""
    for wf in made([workflow, *workflow.subprocesses.values()]):  # an unbuilt one holds no task
        for task in wf.tasks.values():
            task.__dict__.clear()
        wf.tasks.clear()
    for wf in [*workflow.subprocesses.values(), workflow]:
        wf.__dict__.clear()


def correct_data(workflow: Any, changes: dict[str, Any]) -> list[Any]:
    """Set `changes` in the data of every open task (ready, waiting or running a subprocess), in the
    process and its subprocesses: what follows reads the corrected values, while finished tasks keep
    what they recorded. Returns the tasks changed."""
    touched = []
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        task.data.update(copy.deepcopy(changes))
        touched.append(task)
    return touched


def cancel(workflow: Any) -> None:
    workflow.cancel()


def thrown_messages(workflow: Any) -> list[dict[str, Any]]:
    """Messages the step threw that nothing in this instance caught (for the history); other events
    the step let out (a terminate end event's, say) are no messages and are not recorded."""
    out = []
    for event in workflow.get_events():
        definition = event.event_definition
        if isinstance(definition, MessageEventDefinition) and definition.name:
            payload = json.loads(json.dumps(event.payload, cls=StateEncoder))
            out.append({"name": definition.name, "payload": payload})
    return out


class ViewEncoder(PlainEncoder):
    """Task data as people and forms see it: dates as ISO 8601 text, durations as ISO 8601 durations."""

    def default(self, o: Any) -> Any:
        if isinstance(o, date):
            return o.isoformat()
        if isinstance(o, timedelta):
            seconds = o.seconds + o.microseconds / 1_000_000
            return f"P{o.days}D" + (f"T{seconds:g}S" if seconds else "")
        if isinstance(o, UUID):
            return str(o)
        return super().default(o)


def current_data(workflow: Any) -> dict[str, Any]:
    """What the instance knows now: the data of the task that finished last (in the process or any
    subprocess), with the data open tasks hold on top."""
    tasks = [t for wf in [workflow, *workflow.subprocesses.values()] for t in wf.tasks.values()]
    done = [t for t in tasks if t.state == TaskState.COMPLETED]
    data: dict[str, Any] = {}
    if done:
        data.update(task_data(max(done, key=lambda t: t.last_state_change)))
    for task in tasks:
        if task.state == TaskState.READY:
            data.update(task_data(task))
    return data


def task_data(task: Any) -> dict[str, Any]:
    """A task's data as JSON-ready values (what a form is filled from)."""
    return json.loads(json.dumps(task.data, cls=ViewEncoder))  # type: ignore[no-any-return]


def normalised_view(workflow: Any) -> list[tuple[str, str, str]]:
    """Each task's BPMN id, state and data: what replay compares, independent of task uuids."""
    rows = []
    for task in workflow.get_tasks():
        rows.append(
            (
                task.task_spec.bpmn_id or task.task_spec.name,
                TaskState.get_name(task.state),
                json.dumps(task.data, cls=StateEncoder, sort_keys=True),
            )
        )
    return sorted(rows)


def element_marks(workflow: Any) -> tuple[set[str], set[str]]:
    """BPMN ids of the elements done and of those open (open wins for a loop's element done before)."""
    completed, active = set(), set()
    for task in workflow.get_tasks():
        bpmn_id = task.task_spec.bpmn_id
        if bpmn_id and task.state == TaskState.COMPLETED:
            completed.add(bpmn_id)
        elif bpmn_id and task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            active.add(bpmn_id)
    return completed - active, active


def boundary_timer_due(workflow: Any) -> dict[str, datetime]:
    """Task id -> earliest due time of a timer attached to it: a human task's deadline."""
    from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent

    due: dict[str, datetime] = {}
    for task in list(workflow.event_manager.tasks.values()):
        spec = task.task_spec
        if not (task.has_state(TaskState.WAITING) and isinstance(spec, BoundaryEvent)):
            continue
        if not isinstance(spec.event_definition, TimerEventDefinition):
            continue
        value = spec.event_definition.details(task).value
        if value is None or isinstance(value, dict) or task.parent is None:  # dict: a cycle run out
            continue
        at = clock.as_utc(datetime.fromisoformat(str(value)))
        for sibling in task.parent.children:
            if not isinstance(sibling.task_spec, BoundaryEvent):
                key = str(sibling.id)
                due[key] = min(due.get(key, at), at)
    return due
