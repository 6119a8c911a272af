"""The one adapter over SpiffWorkflow: parser, serializer, script environment, clock, task views.

Everything that touches SpiffWorkflow's untyped objects lives here; the rest of the engine sees
plain dataclasses and dicts.

Clock adapter: SpiffWorkflow's timer event definitions call `datetime.now(timezone.utc)` through
the module-level name `datetime` of `bpmn/specs/event_definitions/timer.py`. `install_clock()`
replaces that name with a `datetime` subclass whose `now()` answers the engine clock's pinned time
(see `engine.clock.pinned`), so timers start, wait and fire on the engine's time, not the host's.
SpiffWorkflow compares due times strictly (`due < now`); the engine treats a timer as due *at* its
time, so `fire_timers` checks them one microsecond past the pinned time.

Data adapter: SpiffWorkflow's DeepMerge (how a task inherits its parent's data, how a join merges
branches) changes shared nested values in place, so merging at a join also rewrote the data of
finished tasks. `install_copy_on_write_merge()` replaces it with the same merge done copy-on-write
(`_merge`); scripts run on deep copies of their task's data (`engine.sandbox.execute`).
"""

from __future__ import annotations

import copy
import json
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from uuid import UUID, uuid5

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from . import clock, sandbox
from .errors import ScriptError

# --- clock -------------------------------------------------------------------------------------


class EngineDatetime(datetime):
    """`datetime` whose `now()` is the engine clock's pinned time while a step runs."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> EngineDatetime:
        pinned = clock.pinned_now()
        base = pinned if pinned is not None else datetime.now(UTC)
        base = base.astimezone(tz) if tz is not None else base.astimezone().replace(tzinfo=None)
        return cls.combine(base.date(), base.time(), base.tzinfo)


def _merge(a: dict[str, Any], b: dict[str, Any], path: list[str] | None = None) -> dict[str, Any]:
    """SpiffWorkflow's DeepMerge.merge, copy-on-write: nested values shared between tasks' data are
    replaced, never changed in place (in place, merging at a join rewrote the data of tasks that
    had finished long before, including ones already stored)."""
    path = path or []
    for key in b:
        if key in a:
            if a[key] == b[key]:
                continue
            if isinstance(a[key], dict) and isinstance(b[key], dict):
                a[key] = _merge(dict(a[key]), b[key], [*path, str(key)])
            elif isinstance(a[key], list) and isinstance(b[key], list):
                merged = list(a[key])
                _merge_array(merged, b[key], [*path, str(key)])
                a[key] = merged
            else:
                a[key] = copy.copy(b[key]) if isinstance(b[key], dict | list | set) else b[key]
        else:
            a[key] = copy.copy(b[key]) if isinstance(b[key], dict | list | set) else b[key]
    return a


def _merge_array(a: list[Any], b: list[Any], path: list[str]) -> None:
    seen_hashable: set[Any] = set()
    seen_unhashable: list[Any] = []
    for item in a:
        try:
            seen_hashable.add(item)
        except TypeError:
            seen_unhashable.append(item)
    for idx, val in enumerate(b):
        if isinstance(val, dict):
            if len(a) > idx:
                a[idx] = _merge(dict(a[idx]) if isinstance(a[idx], dict) else a[idx], val, [*path, str(idx)])
            else:
                a.append(val)
        else:
            try:
                if val in seen_hashable:
                    continue
                seen_hashable.add(val)
            except TypeError:
                if val in seen_unhashable:
                    continue
                seen_unhashable.append(val)
            a.append(val)
    del a[len(b) :]


def install_copy_on_write_merge() -> None:
    DeepMerge.merge = staticmethod(_merge)
    DeepMerge.merge_array = staticmethod(_merge_array)


def install_clock() -> None:
    spiff_timer.datetime = EngineDatetime


install_clock()
install_copy_on_write_merge()

# --- scripts -----------------------------------------------------------------------------------


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Runs scripts and expressions through `engine.sandbox` instead of plain eval/exec."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        return sandbox.evaluate(expression, context, dict(external_context or {}))

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        sandbox.execute(script, context, dict(external_context or {}))
        return True


SCRIPT_ENGINE = PythonScriptEngine(environment=RestrictedEnvironment())

# --- serializer --------------------------------------------------------------------------------


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Writes a workflow without its spec and restores it onto a spec the caller already holds."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct  # type: ignore[no-any-return]

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> Any:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _SpeclessWorkflowConverter
_REGISTRY = BpmnWorkflowSerializer.configure(_config)
SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)
STATE_FORMAT = "desa-1:spiff-" + SERIALIZER.VERSION


class _PlainEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, frozenset | tuple):
            return list(o)
        return super().default(o)


def _register_values() -> None:
    """Values scripts may store in task data, restored as the same type (date, and the clock's datetime)."""
    _REGISTRY.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    _REGISTRY.register(
        EngineDatetime,
        lambda v: {"value": v.isoformat()},
        lambda v: datetime.fromisoformat(v["value"]),
        typename="datetime",
    )


_register_values()
# SpiffWorkflow's own encoder: objects its registry knows (datetimes, timedeltas, UUIDs, events
# kept in task internal data) become typed dicts that restore to the same objects.
_Encoder: type[json.JSONEncoder] = create_encoder(_REGISTRY, _PlainEncoder)


@dataclass
class Spec:
    """A parsed or restored process spec with the specs of the processes it calls."""

    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


def spec_to_dict(spec: Spec) -> dict[str, Any]:
    _REGISTRY._encoder_mode = True
    try:
        dct = {
            "spec": _REGISTRY.convert(spec.spec),
            "subprocess_specs": {k: _REGISTRY.convert(v) for k, v in spec.subprocess_specs.items()},
        }
        return json.loads(json.dumps(dct, cls=_Encoder))  # type: ignore[no-any-return]
    finally:
        _REGISTRY._encoder_mode = False


def spec_from_dict(process_id: str, dct: dict[str, Any]) -> Spec:
    spec = _REGISTRY.restore(json.loads(json.dumps(dct["spec"])))
    subs = {k: _REGISTRY.restore(json.loads(json.dumps(v))) for k, v in dct["subprocess_specs"].items()}
    return Spec(process_id, spec.description or process_id, spec, subs)


def mutated_at_run_time(spec: Spec) -> bool:
    """Whether SpiffWorkflow changes this spec while an instance runs, so each instance needs its own.

    A message-started event subprocess is connected to the process start only when its message
    arrives (`BpmnStartTask.trigger_wf`), on the spec object itself."""
    return any(getattr(s.start, "trigger_specs", None) for s in all_specs(spec))


def _reconnect_triggered(workflow: Any) -> None:
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
    workflow = BpmnWorkflow(spec.spec, spec.subprocess_specs, script_engine=SCRIPT_ENGINE)
    if data:
        workflow.task_tree.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
    return workflow


# --- incremental state ------------------------------------------------------------------------
#
# An instance's state is stored as a small header (workflow-level data, subprocess headers) plus
# one row per task. A step rewrites only the tasks it changed: a finished task (completed,
# cancelled) whose state, state-change time, children and trigger flag are unchanged since it was
# stored is not serialized again. Unfinished tasks are re-serialized each step (they are few).


# Tasks in these states may change without a state change (a waiting timer's internal data, a
# multi-instance or subprocess task collecting its children's output), so they are serialized
# every step; all others only when their state changed, when they gained or lost a child, or when
# their parent's stored form changed (their data is stored as a delta from the parent's). A READY
# task's data changes only as it runs, which changes its state. The test suite checks every step
# against a full rebuild (DESA_VERIFY_STATE).
_LIVE_STATES = TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass
class StoredTask:
    last_state_change: float
    parent: UUID | None
    workflow: str
    ord: int
    body: str
    object_id: int = 0  # id() of the live task object this entry was last matched with


@dataclass
class Snapshot:
    """What one pass over a workflow found: what to write, and what the projections need."""

    header: str
    upserts: list[tuple[str, StoredTask]]
    removed: list[int]  # ords of the stored tasks that are gone
    human: list[HumanTaskView]
    status: str


class Ledger:
    """Which version of each task is in the database; kept beside the live workflow."""

    def __init__(self, stored: dict[UUID, StoredTask] | None = None) -> None:
        self.stored: dict[UUID, StoredTask] = stored or {}
        # The same entries by task object identity: SpiffWorkflow hashes tasks by their UUID, which
        # is slow, and the pass over every task each step is the hot loop.
        self.by_task: dict[int, tuple[Any, StoredTask]] = {}
        self.next_ord = max((t.ord for t in self.stored.values()), default=-1) + 1

    def snapshot(self, workflow: Any) -> Snapshot:
        _REGISTRY._encoder_mode = True
        try:
            return self._snapshot(workflow)
        finally:
            _REGISTRY._encoder_mode = False

    def _snapshot(self, workflow: Any) -> Snapshot:
        stored, by_task = self.stored, self.by_task
        human: list[HumanTaskView] = []
        todo: list[tuple[str, Any]] = []  # new tasks, tasks whose state changed, live tasks
        unfinished = False  # any task of the top workflow not finished (what is_completed walks for)
        total = 0
        ready, finished_mask, live = TaskState.READY, TaskState.FINISHED_MASK, _LIVE_STATES
        workflows = [("", workflow), *((str(k), sp) for k, sp in workflow.subprocesses.items())]
        for key, wf in workflows:
            total += len(wf.tasks)
            for task in wf.tasks.values():
                state = task._state
                if state == ready and task.task_spec.manual:
                    human.append(_human_view(task))
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
            for _, wf in workflows:
                seen.update(wf.tasks)
            removed = [task_id for task_id in stored if task_id not in seen]
        upserts: list[tuple[str, StoredTask]] = []
        # A task's data is stored as a delta from its parent's: when a task's stored form changes,
        # its children are looked at again. A task that gained or lost a child is written again.
        reparented: set[UUID] = {p for p in (stored[t].parent for t in removed) if p is not None}
        reparented.update(task._parent for _, task in todo if task.id in new_ids and task._parent is not None)
        children: set[UUID] = set()
        done: set[UUID] = set()
        for key, task in todo:
            done.add(task.id)
            if self._write(key, task, upserts):
                children.update(task._children)
        removed_ords = []
        for task_id in removed:
            entry = stored.pop(task_id)
            by_task.pop(entry.object_id, None)
            removed_ords.append(entry.ord)
        for task_id in (reparented | children) - done:
            kept = stored.get(task_id)
            if kept is None:
                continue
            task = _find(workflow, task_id)
            # A task with no data is stored as such, whatever its parent holds.
            if task_id in reparented or task.data:
                self._write(kept.workflow, task, upserts)
        completed = workflow.completed or not unfinished
        status = "completed" if completed else "running" if human else "waiting"
        return Snapshot(_header(workflow), upserts, removed_ords, human, status)

    def _write(self, key: str, task: Any, upserts: list[tuple[str, StoredTask]]) -> bool:
        """Serialize one task; queue it for writing if it differs from what is stored."""
        body = json.dumps(_task_dict(task), cls=_Encoder, separators=(",", ":"))
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

    def _remember(self, task: Any, entry: StoredTask) -> None:
        entry.object_id = id(task)
        self.by_task[id(task)] = (task, entry)


def _task_dict(task: Any) -> dict[str, Any]:
    """A task as SpiffWorkflow's TaskConverter writes it, except for tasks with no data.

    SpiffWorkflow stores data as a delta from the parent's, so a predicted task's stored form
    would change with every change of its parent's data (and computing that delta walks all of
    the parent's data). Empty data is stored as empty data: with no delta, SpiffWorkflow restores
    `data` as it is."""
    if task.data:
        return _REGISTRY.convert(task)  # type: ignore[no-any-return]
    return {
        "id": str(task.id),
        "parent": str(task._parent) if task.parent is not None else None,
        "children": [str(child) for child in task._children],
        "last_state_change": task.last_state_change,
        "state": task._state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": _REGISTRY.convert(task.internal_data),
        "data": {},
        "delta": {},
        "typename": _REGISTRY.typenames[type(task)],
    }


def _find(workflow: Any, task_id: UUID) -> Any:
    task = workflow.tasks.get(task_id)
    if task is None:
        for sp in workflow.subprocesses.values():
            task = sp.tasks.get(task_id)
            if task is not None:
                break
    return task


def _workflow_header(wf: Any) -> dict[str, Any]:
    return {
        "typename": _REGISTRY.typenames[type(wf)],
        "data": _REGISTRY.convert(_REGISTRY.clean(wf.data)),
        "correlations": wf.correlations,
        "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
        "success": wf.success,
        "completed": wf.completed,
        "root": str(wf.task_tree.id),
    }


def _header(workflow: Any) -> str:
    header = _workflow_header(workflow)
    header["format"] = STATE_FORMAT
    header["bpmn_events"] = _REGISTRY.convert(workflow.bpmn_events)
    subprocesses = {}
    for key, sp in workflow.subprocesses.items():
        sub = _workflow_header(sp)
        sub["parent_task_id"] = str(sp.parent_task_id)
        sub["spec"] = sp.spec.name
        subprocesses[str(key)] = sub
    header["subprocesses"] = subprocesses
    return json.dumps(header, cls=_Encoder, separators=(",", ":"))


def restore(header: str, tasks: list[tuple[str, StoredTask]], spec: Spec) -> tuple[Any, Ledger]:
    """Rebuild a live workflow (and its ledger) from a stored header and task rows."""
    dct = json.loads(header)
    fmt = dct.pop("format", None)
    if fmt != STATE_FORMAT:
        raise ValueError(f"stored state has format {fmt!r}; this engine reads {STATE_FORMAT!r}")
    by_workflow: dict[str, dict[str, Any]] = {"": {}}
    for key in dct["subprocesses"]:
        by_workflow[key] = {}
    for task_id, stored in sorted(tasks, key=lambda item: item[1].ord):
        by_workflow.setdefault(stored.workflow, {})[task_id] = json.loads(stored.body)
    dct["tasks"] = by_workflow[""]
    for key, sub in dct["subprocesses"].items():
        sub["tasks"] = by_workflow[key]
    workflow = _REGISTRY.restore(dct, spec=spec.spec, subprocess_specs=spec.subprocess_specs)
    workflow.script_engine = SCRIPT_ENGINE
    _reconnect_triggered(workflow)
    ledger = Ledger({UUID(task_id): stored for task_id, stored in tasks})
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task_id, task in wf.tasks.items():
            entry = ledger.stored.get(task_id)
            if entry is not None:
                entry.last_state_change = task.last_state_change
                entry.parent = task._parent
                ledger._remember(task, entry)
    return workflow, ledger


# --- parsing -----------------------------------------------------------------------------------


def new_parser() -> Any:
    """A parser without its own XSD validation: the registry validates with line numbers first."""
    return SpiffBpmnParser()


def bpmn_xsd() -> Any:
    from SpiffWorkflow.spiff.parser.process import VALIDATOR

    return VALIDATOR.validator


def dmn_xsd(namespace: str | None) -> Any:
    from lxml import etree
    from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS

    path = SCHEMAS.get(namespace)
    return etree.XMLSchema(etree.parse(path)) if path else None


def parse_spec(parser: Any, process_id: str) -> Spec:
    spec = parser.get_spec(process_id)
    subs = parser.get_subprocess_specs(process_id)
    return Spec(process_id, spec.description or process_id, spec, subs)


def validation_details(err: Exception) -> tuple[str, str | None, int | None, str]:
    """(file, element id, line, message) of a SpiffWorkflow parse error."""
    file_name = getattr(err, "file_name", "") or ""
    element = getattr(err, "id", None) or None
    line = getattr(err, "line_number", None)
    message = str(err.args[0]) if err.args else str(err)
    return file_name, element, line if isinstance(line, int) else None, message


# --- task views --------------------------------------------------------------------------------


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


def all_specs(spec: Spec) -> Iterable[Any]:
    yield spec.spec
    yield from spec.subprocess_specs.values()


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


def _human_view(task: Any) -> HumanTaskView:
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
    return [_human_view(task) for task in workflow.get_tasks(state=TaskState.READY, manual=True)]


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


def task_is_ready_human(task: Any) -> bool:
    return bool(task.has_state(TaskState.READY) and task.task_spec.manual)


def status(workflow: Any) -> str:
    if workflow.is_completed():
        return "completed"
    if workflow.get_tasks(state=TaskState.READY, manual=True):
        return "running"
    return "waiting"


def _script_error(err: Exception) -> ScriptError:
    task = getattr(err, "task", None)
    spec = getattr(task, "task_spec", None) if task is not None else None
    where = ""
    if spec is not None:
        where = f" in task '{spec.bpmn_name or spec.bpmn_id}' ({spec.bpmn_id})"
    inner = getattr(err, "exception", None) or err.__cause__ or err
    detail = str(inner) if str(inner) else inner.__class__.__name__
    if isinstance(inner, sandbox.SandboxError | SyntaxError | NameError):
        detail = f"refused or failed script: {detail}"
    return ScriptError(f"script error{where}: {detail}")


def run_engine(workflow: Any) -> None:
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as err:
        raise _script_error(err) from err


def complete(workflow: Any, task: Any, data: dict[str, Any]) -> None:
    task.data.update(data)
    try:
        task.run()
    except SpiffWorkflowException as err:
        raise _script_error(err) from err
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


def cancel(workflow: Any) -> None:
    workflow.cancel()


def thrown_messages(workflow: Any) -> list[dict[str, Any]]:
    """Messages the step threw that nothing in this instance caught (for the history)."""
    out = []
    for event in workflow.get_events():
        name = getattr(event.event_definition, "name", "")
        out.append({"name": name, "payload": json.loads(json.dumps(event.payload, cls=_Encoder))})
    return out


class _ViewEncoder(_PlainEncoder):
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
    return json.loads(json.dumps(task.data, cls=_ViewEncoder))  # type: ignore[no-any-return]


def normalised_view(workflow: Any) -> list[tuple[str, str, str]]:
    """Each task's BPMN id, state and data: what replay compares, independent of task uuids."""
    rows = []
    for task in workflow.get_tasks():
        rows.append(
            (
                task.task_spec.bpmn_id or task.task_spec.name,
                TaskState.get_name(task.state),
                json.dumps(task.data, cls=_Encoder, sort_keys=True),
            )
        )
    return sorted(rows)


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
        if value is None or task.parent is None:
            continue
        at = clock.as_utc(datetime.fromisoformat(str(value)))
        for sibling in task.parent.children:
            if not isinstance(sibling.task_spec, BoundaryEvent):
                key = str(sibling.id)
                due[key] = min(due.get(key, at), at)
    return due
