"""The `unknown-field` rule of `desa validate`: a name that a condition, script, timer, displayName,
decision input or form choice reads, but that nothing writes — no form field, script assignment,
decision output, multi-instance item, message variable or declared data input — in the process,
the processes it calls, or the processes calling it (whose data it starts with). Usually a typo or a
renamed form field; a warning, since the data might still come from outside (`desa start --data`)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from engine.definitions.lint.data_names import Decision, ProcessData, decisions, process_data
from engine.definitions.lint.model import BPMN_NS
from engine.errors import Problem


def problems(
    named: dict[str, etree._ElementTree],
    bpmn_world: dict[str, etree._ElementTree],
    dmn_world: dict[str, etree._ElementTree],
    forms: dict[str, Any],
) -> list[Problem]:
    """The unknown names read in the `named` BPMN files; `bpmn_world` and `dmn_world` are every file
    the processes may call or be called from (the named ones included)."""
    known: dict[str, Decision] = {}
    for tree in dmn_world.values():
        known.update(decisions(tree))
    data: dict[str, ProcessData] = {}
    for tree in bpmn_world.values():
        for process in tree.getroot().iter(f"{{{BPMN_NS}}}process"):
            if process.get("id"):
                data[str(process.get("id"))] = process_data(process, forms, known)
    callers: dict[str, set[str]] = {}
    for process_id, found in data.items():
        for called in found.calls:
            callers.setdefault(called, set()).add(process_id)
    problems: list[Problem] = []
    for name, tree in named.items():
        for process in tree.getroot().iter(f"{{{BPMN_NS}}}process"):
            process_id = str(process.get("id"))
            if process_id not in data:
                continue
            available: set[str] = set()
            for member in _family(process_id, data, callers):
                available |= data[member].writes
            problems.extend(_unknown(name, process_id, data[process_id], available))
    return problems


def _closure(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), set()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _family(process_id: str, data: dict[str, ProcessData], callers: dict[str, set[str]]) -> set[str]:
    """The process, every process calling it (at any depth), and everything those call: the data a
    call activity passes in and gets back may come from any of them."""
    calls = {pid: found.calls for pid, found in data.items()}
    family: set[str] = set()
    for ancestor in _closure(process_id, callers):
        family |= _closure(ancestor, calls)
    return family & set(data)


def _unknown(name: str, process_id: str, found: ProcessData, available: set[str]) -> list[Problem]:
    problems = []
    seen: set[tuple[str | None, str]] = set()
    for read in found.reads:
        if read.name in available or (read.element, read.name) in seen or not read.name.isidentifier():
            continue
        seen.add((read.element, read.name))
        problems.append(
            Problem(
                name,
                read.line,
                read.element,
                f"{read.where} reads '{read.name}', but no form field, script, decision output, "
                f"multi-instance item or message of process '{process_id}' (or of the processes calling "
                "it or called by it) writes it: check the name against the form field that should give "
                "it; if it comes with the start data, declare it as a data input of the process",
                "unknown-field",
                severity="warning",
            )
        )
    return problems
