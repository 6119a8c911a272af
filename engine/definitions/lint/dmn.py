"""What SpiffWorkflow 3.2 cannot run in a DMN file, told by `desa validate` before it is deployed.

SpiffWorkflow reads one decision per file, runs decision tables only, knows the UNIQUE and COLLECT
hit policies and no COLLECT aggregation, and evaluates every entry of a table as Python in the
sandbox, not as FEEL. `problems(tree, name)` names each place in a DMN file that would be refused
or run otherwise than its designer meant, by the rule (row) and column a DMN editor shows.

Entries are checked the way SpiffWorkflow's DMNEngine will evaluate them (`engine.dmn_entries`).
"""

from __future__ import annotations

from lxml import etree

from engine.definitions.lint import dmn_entries
from engine.errors import Problem

RUNNABLE_HIT_POLICIES = ("UNIQUE", "COLLECT")

# What SpiffWorkflow 3.2 does instead of each hit policy it does not know, and what to write instead.
_HIT_POLICY_ADVICE = {
    "FIRST": (
        "it does give the first matching rule, but only after evaluating every rule, so a later rule "
        "that fails stops the task",
        "set hitPolicy to UNIQUE, which SpiffWorkflow answers with the first matching rule without "
        "looking further",
    ),
    "ANY": (
        "it gives the first matching rule's output without checking that every matching rule agrees",
        "use UNIQUE with rules that do not overlap",
    ),
    "PRIORITY": (
        "it gives the first matching rule's output, not the one of highest priority",
        "put the rule that should win first and use UNIQUE, or use COLLECT and choose in a script task",
    ),
    "RULE ORDER": (
        "it gives only the first matching rule's output, not the list of every match",
        "use COLLECT, which gives for each output the list of the matching rules' values in rule order",
    ),
    "OUTPUT ORDER": (
        "it gives only the first matching rule's output, not the list of every match in output order",
        "use COLLECT and sort the lists in a script task",
    ),
}
_AGGREGATE_IN_PYTHON = {"SUM": "sum({})", "COUNT": "len({})", "MIN": "min({})", "MAX": "max({})"}
# The stand-in for an input without expression: SpiffWorkflow then puts in the value (repr) of the
# task data named by the input's label.
_NO_EXPRESSION = "(value)"


def line_of(element: etree._Element) -> int | None:
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else None


def problems(tree: etree._ElementTree, name: str) -> list[Problem]:
    """Everything in the DMN document `tree` (file `name`) that SpiffWorkflow 3.2 cannot run as meant."""
    root = tree.getroot()
    ns = etree.QName(root).namespace or ""
    decisions = list(root.iter(f"{{{ns}}}decision"))
    found: list[Problem] = []
    if not decisions:
        found.append(
            Problem(
                name,
                line_of(root),
                root.get("id"),
                "this file holds no decision; a DMN file for SpiffWorkflow holds one decision with a "
                "decision table",
                "dmn-decisions-per-file",
            )
        )
    elif len(decisions) > 1:
        found.append(_several_decisions(decisions, name, ns))
    for decision in decisions:
        table = decision.find(f"{{{ns}}}decisionTable")
        if table is None:
            found.append(
                Problem(
                    name,
                    line_of(decision),
                    decision.get("id"),
                    f"{_decision_label(decision)} is not a decision table; SpiffWorkflow 3.2 runs only "
                    "decision tables (no literal expressions, invocations, contexts, ...)",
                    "dmn-decision-table",
                )
            )
            continue
        found.extend(_table_problems(decision, table, name, ns))
    return found


def _decision_label(decision: etree._Element) -> str:
    return f"decision '{decision.get('name') or decision.get('id') or '?'}'"


def _several_decisions(decisions: list[etree._Element], name: str, ns: str) -> Problem:
    labels = [_decision_label(d).removeprefix("decision ") for d in decisions]
    message = (
        f"this file holds {len(decisions)} decisions ({', '.join(labels)}), but SpiffWorkflow 3.2 reads "
        "only one decision per DMN file; put each decision in its own .dmn file"
    )
    by_id = {d.get("id"): d for d in decisions if d.get("id")}
    required = []
    for decision in decisions:
        for requirement in decision.iter(f"{{{ns}}}requiredDecision"):
            target = by_id.get((requirement.get("href") or "").lstrip("#"))
            if target is not None:
                required.append((_decision_label(decision), _decision_label(target)))
    if required:
        needs, needed = required[0]
        message += (
            f"; SpiffWorkflow does not evaluate required decisions either: {needs} requires {needed}, "
            f"so run {needed} in its own business rule task before the one that calls {needs}"
        )
    second = decisions[1]
    return Problem(name, line_of(second), second.get("id"), message, "dmn-decisions-per-file")


def _table_problems(decision: etree._Element, table: etree._Element, name: str, ns: str) -> list[Problem]:
    found: list[Problem] = []
    label = _decision_label(decision)
    table_id = table.get("id") or decision.get("id")
    policy = (table.get("hitPolicy") or "UNIQUE").strip().upper()
    if policy not in RUNNABLE_HIT_POLICIES:
        does, advice = _HIT_POLICY_ADVICE.get(
            policy, ("it answers it with the first matching rule", "use UNIQUE or COLLECT")
        )
        found.append(
            Problem(
                name,
                line_of(table),
                table_id,
                f"{label} uses hit policy {policy}, which SpiffWorkflow 3.2 does not run (it runs only "
                f"UNIQUE and COLLECT): {does}; {advice}",
                "dmn-hit-policy",
            )
        )
    aggregation = (table.get("aggregation") or "").strip().upper()
    if aggregation and policy == "COLLECT":
        names = [_output_name(o) for o in table.findall(f"{{{ns}}}output")]
        example = names[0] if names else "result"
        python = _AGGREGATE_IN_PYTHON.get(aggregation, "{}").format(example)
        found.append(
            Problem(
                name,
                line_of(table),
                table_id,
                f"{label} collects with aggregation {aggregation}, which SpiffWorkflow 3.2 does not "
                f"support: each output becomes the list of the matching rules' values, not their "
                f'{aggregation.lower()}; remove aggregation="{aggregation}" and compute it in a '
                f"script task after the business rule task, e.g. {example} = {python}",
                "dmn-aggregation",
            )
        )
    inputs = table.findall(f"{{{ns}}}input")
    outputs = table.findall(f"{{{ns}}}output")
    expressions: list[str] = []
    for column in inputs:
        expression, problem = _input_expression(column, name, ns)
        expressions.append(expression)
        if problem is not None:
            found.append(problem)
    for row, rule in enumerate(table.findall(f"{{{ns}}}rule"), start=1):
        found.extend(_rule_problems(rule, row, inputs, outputs, expressions, name, ns))
    return found


def _output_name(output: etree._Element) -> str:
    return output.get("name") or output.get("label") or output.get("id") or "?"


def _text_of(element: etree._Element, ns: str) -> tuple[etree._Element, str | None]:
    """The <text> child of an entry or expression (as SpiffWorkflow reads it) and its text."""
    text = element.find(f"{{{ns}}}text")
    return (element, None) if text is None else (text, text.text)


def _input_label(column: etree._Element, ns: str) -> str:
    expression = column.find(f"{{{ns}}}inputExpression")
    text = _text_of(expression, ns)[1] if expression is not None else None
    return column.get("label") or (text or "").strip() or column.get("id") or "?"


def _input_expression(column: etree._Element, name: str, ns: str) -> tuple[str, Problem | None]:
    """The input's expression as entries are joined to it, and a problem if it cannot run itself."""
    expression = column.find(f"{{{ns}}}inputExpression")
    if expression is None:
        return _NO_EXPRESSION, None
    where, text = _text_of(expression, ns)
    if text is None:
        return _NO_EXPRESSION, None
    cannot = dmn_entries.cannot_run(text, "write a Python expression of the task data, e.g. jumlah_kk")
    if cannot is None:
        return text, None
    problem = Problem(
        name,
        line_of(where),
        expression.get("id") or column.get("id"),
        f"input '{_input_label(column, ns)}': expression '{text.strip()}' {cannot}",
        "dmn-expression",
    )
    return _NO_EXPRESSION, problem


def _rule_problems(
    rule: etree._Element,
    row: int,
    inputs: list[etree._Element],
    outputs: list[etree._Element],
    expressions: list[str],
    name: str,
    ns: str,
) -> list[Problem]:
    found: list[Problem] = []
    input_entries = rule.findall(f"{{{ns}}}inputEntry")
    output_entries = rule.findall(f"{{{ns}}}outputEntry")
    for what, entries, columns in (("input", input_entries, inputs), ("output", output_entries, outputs)):
        if len(entries) != len(columns):
            found.append(
                Problem(
                    name,
                    line_of(rule),
                    rule.get("id"),
                    f"rule {row} has {len(entries)} {what} entries for {len(columns)} {what} columns; "
                    f"give every {what} column one entry" + (" (- for any value)" if what == "input" else ""),
                    "dmn-rule-entries",
                )
            )
    for entry, column, expression in zip(input_entries, inputs, expressions, strict=False):
        where, text = _text_of(entry, ns)
        message = dmn_entries.input_entry_message(expression, text)
        if message:
            found.append(
                Problem(
                    name,
                    line_of(where),
                    entry.get("id") or rule.get("id"),
                    f"rule {row}, input '{_input_label(column, ns)}': {message}",
                    "dmn-expression",
                )
            )
    for entry, column in zip(output_entries, outputs, strict=False):
        where, text = _text_of(entry, ns)
        message = dmn_entries.output_entry_message(text)
        if message:
            found.append(
                Problem(
                    name,
                    line_of(where),
                    entry.get("id") or rule.get("id"),
                    f"rule {row}, output '{column.get('label') or _output_name(column)}': {message}",
                    "dmn-expression",
                )
            )
    return found
