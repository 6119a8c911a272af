"""The rules of `desa validate`: every rule name with its severity and what it checks (documented
for designers in docs/validation.md), and `bpmn_problems`, which runs the BPMN rules on the files
asked about, reading the other files of the processes folder as their context."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from engine.definitions import roles as roles_mod
from engine.definitions.lint import bpmn as bpmn_checks
from engine.definitions.lint import default_role as default_role_checks
from engine.definitions.lint import di as di_checks
from engine.definitions.lint import flow as flow_checks
from engine.definitions.lint import form as form_checks
from engine.definitions.lint import separation as separation_checks
from engine.definitions.lint import spiff_limits
from engine.definitions.lint import unknown_fields as data_checks
from engine.errors import Problem

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    severity: str
    checks: str


RULES: dict[str, Rule] = {
    # reading the file
    "too-large": Rule(ERROR, "a process file is larger than the engine reads"),
    "xml-syntax": Rule(ERROR, "a file is not well-formed XML"),
    "doctype-refused": Rule(ERROR, "a file declares a DOCTYPE or entities"),
    "xsd": Rule(ERROR, "a file breaks the BPMN 2.0 or DMN schema"),
    "duplicate-id": Rule(ERROR, "two elements of a file have the same id"),
    "invalid-id": Rule(ERROR, "an id is not a valid XML id"),
    # what SpiffWorkflow runs
    "unsupported-element": Rule(ERROR, "an element SpiffWorkflow 3.2 cannot run"),
    "spiff": Rule(ERROR, "SpiffWorkflow refuses the file for another reason"),
    "interrupting-event-subprocess": Rule(ERROR, "an event subprocess meant to interrupt, which does not"),
    "link-event": Rule(ERROR, "a link event, which SpiffWorkflow 3.2 does not follow"),
    "conditional-event": Rule(ERROR, "a conditional event, which SpiffWorkflow 3.2 never fires once waiting"),
    "timer-event-subprocess": Rule(
        WARNING, "an event subprocess a timer starts, which keeps the instance open"
    ),
    # the flow
    "unreachable": Rule(ERROR, "an element no start event leads to"),
    "implicit-end": Rule(
        WARNING, "a task or event with no outgoing flow, which ends its path without an end event"
    ),
    "dead-end": Rule(ERROR, "a loop from which no end can be reached, or a gateway with no way out"),
    "gateway-without-default": Rule(WARNING, "a gateway whose every way out has a condition, and no default"),
    # code
    "script": Rule(ERROR, "a script or condition the sandbox refuses"),
    "timer-expression": Rule(ERROR, "a timer expression that does not give a valid ISO 8601 time"),
    # people, forms and data
    "unknown-role": Rule(ERROR, "a lane whose name is no declared role"),
    "default-role": Rule(WARNING, "tasks outside any lane that go to the built-in role"),
    "read-only-role": Rule(ERROR, "a lane naming a read-only role (an auditor), who may do no task"),
    "no-form": Rule(WARNING, "a user task without a form"),
    "separate-from": Rule(ERROR, "a task's separate_from names no earlier person's task"),
    "form": Rule(ERROR, "a form file that is missing or not a valid JSON Schema"),
    "form-ref-cycle": Rule(ERROR, "a form whose $ref leads back to where it is: the form contains itself"),
    "form-pattern-backtracking": Rule(
        WARNING, "a form pattern with a backreference or lookaround: checked under the sandbox's time budget"
    ),
    "unknown-field": Rule(WARNING, "a name read from the task data that nothing writes"),
    # links between files
    "unknown-process": Rule(ERROR, "a call activity naming a process that does not exist"),
    "unknown-decision": Rule(ERROR, "a business rule task naming a decision that does not exist"),
    "missing-di": Rule(WARNING, "an element without a shape in the diagram"),
    # decision tables
    "dmn-decisions-per-file": Rule(ERROR, "a DMN file without exactly one decision"),
    "dmn-decision-table": Rule(ERROR, "a decision that is not a decision table"),
    "dmn-hit-policy": Rule(ERROR, "a hit policy SpiffWorkflow 3.2 does not run"),
    "dmn-aggregation": Rule(ERROR, "a COLLECT aggregation SpiffWorkflow 3.2 does not compute"),
    "dmn-expression": Rule(ERROR, "a decision table entry or input that cannot run as Python"),
    "dmn-rule-entries": Rule(ERROR, "a rule with more or fewer entries than the table has columns"),
    # roles and the folder
    "roles-syntax": Rule(ERROR, "roles.toml is not valid TOML"),
    "roles-invalid": Rule(ERROR, "a role of roles.toml is incomplete or declared twice"),
    "no-files": Rule(WARNING, "nothing to check"),
    "program-invalid": Rule(
        ERROR,
        "program.toml is not valid TOML or lacks what a program needs, or two programs define one process",
    ),
    # the English texts (english.toml)
    "english-syntax": Rule(ERROR, "english.toml is not valid TOML"),
    "english-unknown-element": Rule(
        WARNING, "an English text for an element no BPMN file of the program has"
    ),
    "english-entry": Rule(
        WARNING, "an English text that is not a name, documentation or display_name the pages can show"
    ),
}


def bpmn_problems(
    named: dict[str, etree._ElementTree],
    context: dict[str, etree._ElementTree],
    roles: roles_mod.Roles | None,
    forms: dict[str, Any],
    forms_dir: Path,
    declared: dict[str, etree._ElementTree],
) -> list[Problem]:
    """Every BPMN rule's problems in the `named` files (BPMN and DMN trees by file name, parsed and
    schema-valid); `context` holds the other files of the processes folder, as named files may call
    their processes, run their decisions or be called from them; `declared` every named file that is
    XML (what a file with schema errors defines is known, its errors are told apart)."""
    world = {**context, **named}
    bpmn = {name: tree for name, tree in named.items() if name.endswith(".bpmn")}
    known = {**context, **declared}
    known_processes = bpmn_checks.process_ids({n: t for n, t in known.items() if n.endswith(".bpmn")})
    known_decisions = {
        str(d.get("id"))
        for n, t in known.items()
        if n.endswith(".dmn")
        for d in t.getroot().iter(f"{{{etree.QName(t.getroot()).namespace}}}decision")
        if d.get("id")
    }
    found: list[Problem] = []
    for name, tree in bpmn.items():
        found.extend(bpmn_checks.unsupported_elements(tree, name))
        found.extend(bpmn_checks.event_subprocess_problems(tree, name))
        found.extend(spiff_limits.problems(tree, name))
        found.extend(bpmn_checks.call_problems(tree, name, known_processes))
        found.extend(bpmn_checks.decision_problems(tree, name, known_decisions))
        found.extend(bpmn_checks.lane_problems(tree, name, roles))
        found.extend(default_role_checks.problems(tree, name, roles))
        found.extend(bpmn_checks.expression_problems(tree, name))
        found.extend(form_checks.problems(tree, name, forms, forms_dir))
        found.extend(flow_checks.problems(tree, name))
        found.extend(di_checks.problems(tree, name))
        found.extend(
            separation_checks.problems(tree, name, {n: t for n, t in world.items() if n.endswith(".bpmn")})
        )
    found.extend(
        data_checks.problems(
            bpmn,
            {n: t for n, t in world.items() if n.endswith(".bpmn")},
            {n: t for n, t in world.items() if n.endswith(".dmn")},
            forms,
        )
    )
    return found
