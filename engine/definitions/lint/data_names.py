"""Which task-data names a process writes and reads, as `desa validate`'s `unknown-field` rule sees
them: forms, scripts, decision tables, multi-instance items, messages and declared data write names;
conditions, scripts, timer and payload expressions, displayName templates, decision inputs and
form choices read them. Best effort and order-free: it answers "is this name written anywhere?"."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.definitions.lint import bpmn as bpmn_checks
from engine.definitions.lint.form import form_property
from engine.definitions.lint.model import BPMN_NS, SPIFF_NS, label, line_of, local
from engine.sandbox import guard as sandbox

_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"
_CATCHING = {"startEvent", "intermediateCatchEvent", "boundaryEvent"}
_REFS = ("messageRef", "signalRef", "errorRef", "escalationRef")


@dataclass(frozen=True)
class Read:
    """One place that reads `name`: the element a designer clicks and what there reads it."""

    name: str
    line: int | None
    element: str | None
    where: str


@dataclass
class ProcessData:
    writes: set[str] = field(default_factory=set)
    reads: list[Read] = field(default_factory=list)
    calls: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Decision:
    outputs: frozenset[str]
    inputs: tuple[tuple[str, str], ...]  # (input label, expression)


def code_names(source: str, expression: bool) -> tuple[set[str], set[str]]:
    """(read, written) task-data names of a script or expression; nothing for code that does not
    parse (the `script` rule says why). Names a script binds only for itself (function arguments,
    comprehension variables, caught exceptions) and names the sandbox provides are neither."""
    try:
        tree = ast.parse(source.strip() if expression else source, mode="eval" if expression else "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(), set()
    loaded: set[str] = set()
    stored: set[str] = set()
    local_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else stored).add(node.id)
        elif isinstance(node, ast.arg):
            local_names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.ExceptHandler):
            local_names.add(node.name or "")
        elif isinstance(node, ast.comprehension):
            local_names |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    written = stored - local_names
    read = loaded - stored - local_names - sandbox.AVAILABLE_NAMES
    return read, written


def _root(name: str) -> str:
    return name.split(".", 1)[0].split("[", 1)[0].strip()


def form_fields(schema: Any) -> set[str]:
    """The top-level fields a form writes, including those of its allOf/anyOf/oneOf/if branches."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema.get("properties") or {}) if isinstance(schema.get("properties"), dict) else set()
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key) or []:
            found |= form_fields(branch)
    for key in ("if", "then", "else"):
        found |= form_fields(schema.get(key))
    for branch in (schema.get("dependentSchemas") or {}).values():
        found |= form_fields(branch)
    return found


def form_choices(schema: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field, list name) of every `x-desa-choices` of a form: the list is read from the task's data."""
    if isinstance(schema, list):
        for item in schema:
            yield from form_choices(item, path)
    if not isinstance(schema, dict):
        return
    choices = schema.get("x-desa-choices")
    if isinstance(choices, dict) and isinstance(choices.get("from"), str):
        yield path or "(top)", _root(choices["from"])
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            for prop, sub in value.items():
                yield from form_choices(sub, f"{path}.{prop}" if path else prop)
        elif key != "x-desa-choices":
            yield from form_choices(value, path)


def decisions(tree: etree._ElementTree) -> dict[str, Decision]:
    """The decisions of a DMN file by id: what each writes (its outputs) and reads (its inputs)."""
    root = tree.getroot()
    ns = etree.QName(root).namespace or ""
    found = {}
    for decision in root.iter(f"{{{ns}}}decision"):
        outputs = frozenset(
            _root(o.get("name") or "") for o in decision.iter(f"{{{ns}}}output") if o.get("name")
        )
        inputs = []
        for column in decision.iter(f"{{{ns}}}input"):
            text = column.find(f"{{{ns}}}inputExpression/{{{ns}}}text")
            if text is not None and text.text:
                inputs.append((column.get("label") or text.text.strip(), text.text))
        found[str(decision.get("id"))] = Decision(outputs, tuple(inputs))
    return found


def _texts(element: etree._Element, *tags: str) -> Iterator[etree._Element]:
    for tag in tags:
        yield from (e for e in element.iter(tag) if (e.text or "").strip())


class _Collector:
    def __init__(self, forms: dict[str, Any], known_decisions: dict[str, Decision]) -> None:
        self.forms = forms
        self.decisions = known_decisions
        self.data = ProcessData()

    def code(self, element: etree._Element, owner: etree._Element, expression: bool, where: str) -> None:
        source = element.text or ""
        if sandbox.check(source, expression=expression):
            return  # refused: the `script` rule says why, and what it reads means nothing yet
        read, written = code_names(source, expression)
        self.data.writes |= written
        for name in sorted(read):
            self.data.reads.append(Read(name, line_of(element), owner.get("id"), where))

    def read(self, name: str, element: etree._Element, owner: etree._Element, where: str) -> None:
        if name:
            self.data.reads.append(Read(_root(name), line_of(element), owner.get("id"), where))


def _owner(element: etree._Element) -> etree._Element:
    """The nearest element with an id: the task or event a designer clicks."""
    node: etree._Element | None = element.getparent()
    while node is not None:
        if node.get("id"):
            return node
        node = node.getparent()
    return element


_SCRIPTS = {f"{_B}script": "script", f"{_S}preScript": "pre-script", f"{_S}postScript": "post-script"}
_TIMERS = {f"{_B}{tag}": tag for tag in ("timeDuration", "timeDate", "timeCycle")}


def process_data(
    process: etree._Element, forms: dict[str, Any], known_decisions: dict[str, Decision]
) -> ProcessData:
    """What the process element (with its subprocesses) writes, reads and calls."""
    c = _Collector(forms, known_decisions)
    by_id = {str(e.get("id")): e for e in process.getroottree().getroot().iter(etree.Element) if e.get("id")}
    for element in process.iter(etree.Element):
        tag, kind = element.tag, local(element)
        if tag == f"{_B}conditionExpression" and (element.text or "").strip():
            owner = _owner(element)
            c.code(element, owner, True, f"the condition of sequence flow '{owner.get('id')}'")
        elif tag in _SCRIPTS:
            owner = _owner(element)
            c.code(element, owner, False, f"the {_SCRIPTS[str(tag)]} of {_label(owner)}")
        elif tag in _TIMERS and not bpmn_checks.timer_problem(
            _TIMERS[str(tag)], (element.text or "").strip()
        ):
            owner = _owner(element)
            owner = _owner(owner) if local(owner).endswith("EventDefinition") else owner
            c.code(element, owner, True, f"the timer of {_label(owner)}")
        elif tag == f"{_S}property" and element.get("name") == "displayName":
            _display_name(c, element)
        elif not str(tag).startswith(_B):
            continue
        elif kind == "callActivity" and element.get("calledElement"):
            c.data.calls.add(str(element.get("calledElement")).strip())
        elif kind == "dataObject" and element.get("name"):
            c.data.writes.add(str(element.get("name")))
        elif kind in ("dataInput", "dataOutput") and element.get("name") and _declared_by(element, process):
            c.data.writes.add(str(element.get("name")))  # the process's ioSpecification: its start data
        elif kind == "multiInstanceLoopCharacteristics":
            _multi_instance(c, element)
        elif kind == "businessRuleTask":
            _business_rule(c, element)
        elif kind == "userTask":
            _user_task(c, element)
        elif kind.endswith("EventDefinition"):
            _event(c, element, by_id)
    return c.data


def _declared_by(data: etree._Element, process: etree._Element) -> bool:
    io = data.getparent()
    return io is not None and local(io) == "ioSpecification" and io.getparent() is process


def _label(element: etree._Element) -> str:
    return label(element) if local(element) != "process" else f"process '{element.get('id')}'"


def _multi_instance(c: _Collector, loop: etree._Element) -> None:
    task = _owner(loop)
    for ref in loop.iterfind(f"{_B}loopDataInputRef"):
        c.read((ref.text or "").strip(), ref, task, f"the multi-instance items of {_label(task)}")
    for ref in loop.iterfind(f"{_B}loopDataOutputRef"):
        c.data.writes.add(_root(ref.text or ""))
    for item in loop.iterfind(f"{_B}inputDataItem"):
        c.data.writes.add(_root(item.get("name") or item.get("id") or ""))
    for item in loop.iterfind(f"{_B}outputDataItem"):
        c.data.writes.add(_root(item.get("name") or item.get("id") or ""))
    for expression in _texts(loop, f"{_B}loopCardinality", f"{_B}completionCondition"):
        c.code(expression, task, True, f"the multi-instance {local(expression)} of {_label(task)}")


def _business_rule(c: _Collector, task: etree._Element) -> None:
    for called in _texts(task, f"{_S}calledDecisionId"):
        decision = c.decisions.get((called.text or "").strip())
        if decision is None:
            continue
        c.data.writes |= decision.outputs
        for column, expression in decision.inputs:
            read, _ = code_names(expression, True)
            for name in sorted(read - {"dmninputexpr"}):
                where = f"input '{column}' of decision '{(called.text or '').strip()}', run by {label(task)}"
                c.data.reads.append(Read(name, line_of(called), task.get("id"), where))


def _user_task(c: _Collector, task: etree._Element) -> None:
    prop = form_property(task)
    if prop is None:
        return
    form = (prop.get("value") or "").strip()
    schema = c.forms.get(form)
    c.data.writes |= form_fields(schema)
    for path, name in form_choices(schema):
        c.read(name, prop, task, f"the choices of field '{path}' in form '{form}' of {label(task)}")


def _display_name(c: _Collector, prop: etree._Element) -> None:
    task = _owner(prop)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(prop.get("value") or "") if f]
    except ValueError:
        return
    for name in fields:
        c.read(name, prop, task, f"the displayName of {_label(task)}")


def _event(c: _Collector, definition: etree._Element, by_id: dict[str, etree._Element]) -> None:
    """Message, signal, error and escalation variables (written where caught) and payloads (read
    where thrown), on the event definition or on the message/signal/error it refers to."""
    event = _owner(definition)
    places = [definition] + [by_id[ref] for ref in (definition.get(a) for a in _REFS) if ref in by_id]
    catching = local(event) in _CATCHING
    for place in places:
        for variable in _texts(place, f"{_S}messageVariable", f"{_S}variableName"):
            if catching:
                c.data.writes.add(_root(variable.text or ""))
        for payload in _texts(place, f"{_S}messagePayload", f"{_S}payloadExpression"):
            if not catching:
                c.code(payload, event, True, f"the payload of {label(event)}")
