"""Checks of how the flow moves through a BPMN file, for `desa validate`: elements no start event
leads to (`unreachable`), tasks and events with no outgoing flow that end their path without an end
event (`implicit-end`, which BPMN allows), loops from which no end can be reached and gateways with
no way out to choose (`dead-end`), and exclusive or inclusive gateways whose every way out has
a condition and none is the default (`gateway-without-default`)."""

from __future__ import annotations

from lxml import etree

from engine.definitions.lint.model import BPMN_NS, Scope, is_event_subprocess, label, line_of, local, scopes
from engine.errors import Problem


def problems(tree: etree._ElementTree, name: str) -> list[Problem]:
    found: list[Problem] = []
    for scope in scopes(tree):
        following = scope.successors()
        reached = _reached(scope, following)
        if reached is None:
            found.append(_no_start(scope, name))
        else:
            found.extend(_unreachable(scope, following, reached, name))
            found.extend(_dead_ends(scope, following, reached, name))
        found.extend(_gateways_without_default(scope, name))
    return sorted(found, key=lambda p: p.line or 0)


def _closure(starts: set[str], following: dict[str, set[str]]) -> set[str]:
    seen = set(starts)
    todo = list(starts)
    while todo:
        for nxt in following.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _reached(scope: Scope, following: dict[str, set[str]]) -> set[str] | None:
    """The nodes some start event of the scope leads to (event subprocesses start on their event);
    None for a scope without a start event, where nothing can start."""
    starts = {
        n for n, node in scope.nodes.items() if local(node) == "startEvent" or is_event_subprocess(node)
    }
    if not any(local(scope.nodes[n]) == "startEvent" for n in starts):
        return None
    return _closure(starts, following)


def _no_start(scope: Scope, name: str) -> Problem:
    return Problem(
        name,
        line_of(scope.element),
        scope.element.get("id"),
        f"{label(scope.element)} has no start event, so nothing in it can run; add a start event with a "
        "sequence flow to its first step",
        "unreachable",
    )


def _unreachable(scope: Scope, following: dict[str, set[str]], reached: set[str], name: str) -> list[Problem]:
    """One problem per unreachable stretch, at its first element (the one nothing unreachable leads to)."""
    lost = [n for n in scope.nodes if n not in reached]
    from_lost = {nxt for n in lost for nxt in following[n]}
    heads = [n for n in lost if n not in from_lost]
    covered = _closure(set(heads), following) & set(lost)
    for node_id in lost:  # a loop nothing leads into: named by its first element in the file
        if node_id not in covered:
            heads.append(node_id)
            covered |= _closure({node_id}, following) & set(lost)
    found = []
    for head in heads:
        after = sorted((_closure({head}, following) & set(lost)) - {head})
        more = f", nor to what follows it ({', '.join(after)})" if after else ""
        found.append(
            Problem(
                name,
                line_of(scope.nodes[head]),
                head,
                f"{label(scope.nodes[head])} can never run: no sequence flow leads to it from a start "
                f"event{more}; connect it to the flow or remove it",
                "unreachable",
            )
        )
    return found


def _dead_ends(scope: Scope, following: dict[str, set[str]], reached: set[str], name: str) -> list[Problem]:
    ends = {n for n, node in scope.nodes.items() if local(node) == "endEvent"}
    stuck = [
        n
        for n, node in scope.nodes.items()
        if n in reached and n not in ends and not following[n] and not is_event_subprocess(node)
    ]
    found = [_stuck(scope.nodes[n], n, name) for n in stuck]
    preceding: dict[str, set[str]] = {n: set() for n in scope.nodes}
    for node_id, nexts in following.items():
        for nxt in nexts:
            preceding[nxt].add(node_id)
    event_subprocesses = {n for n, node in scope.nodes.items() if is_event_subprocess(node)}
    may_finish = _closure(ends | set(stuck) | event_subprocesses, preceding)
    trapped = [n for n in scope.nodes if n in reached and n not in may_finish]
    for loop in _closed_loops(trapped, following):
        first = scope.nodes[loop[0]]
        found.append(
            Problem(
                name,
                line_of(first),
                loop[0],
                f"{label(first)} is in a loop with no way out ({', '.join(loop)}): once the flow enters it, "
                "no end event can be reached and the work never finishes; give a gateway of the loop a "
                "flow that leaves it",
                "dead-end",
            )
        )
    return found


# Gateways that choose their way out: with none, SpiffWorkflow 3.2 refuses to complete the step
# before them ("At least one output required": exclusive, inclusive) or waits forever (event-based).
_CHOOSING = ("exclusiveGateway", "inclusiveGateway", "eventBasedGateway")


def _stuck(node: etree._Element, node_id: str, name: str) -> Problem:
    """An element with no way out: an implicit end, unless it is a gateway that must choose one."""
    if local(node) in _CHOOSING:
        return Problem(
            name,
            line_of(node),
            node_id,
            f"{label(node)} has no outgoing sequence flow: it must choose a way out and has none, so the "
            "work cannot go on once it gets there (completing the step before it fails, or the instance "
            "waits forever); connect it to the next step, or end the path with an end event instead",
            "dead-end",
        )
    return Problem(
        name,
        line_of(node),
        node_id,
        f"{label(node)} has no outgoing sequence flow and is not an end event: its path ends there "
        "(an implicit end, which BPMN allows); connect it to an end event to show in the diagram "
        "where the work is done",
        "implicit-end",
        severity="warning",
    )


def _closed_loops(trapped: list[str], following: dict[str, set[str]]) -> list[list[str]]:
    """The groups of trapped nodes that lead only among themselves, each in file order."""
    inside = set(trapped)
    loops: list[list[str]] = []
    done: set[str] = set()
    for node_id in trapped:
        if node_id in done:
            continue
        reach = _closure({node_id}, following) & inside
        group = [n for n in trapped if n in reach and node_id in _closure({n}, following)]
        done |= set(group)
        # a closed group: nothing in it leads to a trapped node outside it
        if all(_closure({n}, following) & inside <= set(group) for n in group) and (
            len(group) > 1 or node_id in following[node_id]
        ):
            loops.append(group)
    return loops


def _gateways_without_default(scope: Scope, name: str) -> list[Problem]:
    found = []
    outgoing = scope.outgoing()
    for node_id, node in scope.nodes.items():
        if local(node) not in ("exclusiveGateway", "inclusiveGateway") or node.get("default"):
            continue
        flows = outgoing.get(node_id, [])
        conditions = [_condition(flow) for flow in flows]
        if not flows or not all(conditions):
            continue
        shown = "; ".join(f"{flow.get('id')}: {c}" for flow, c in zip(flows, conditions, strict=True))
        found.append(
            Problem(
                name,
                line_of(node),
                node_id,
                f"{label(node)} has no default flow and every flow out of it has a condition ({shown}): "
                "when none of them holds, the instance stops with an error; make one of the flows the "
                "default flow (the gateway's default attribute) for every other case",
                "gateway-without-default",
                severity="warning",
            )
        )
    return found


def _condition(flow: etree._Element) -> str:
    condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
    return " ".join((condition.text or "").split()) if condition is not None else ""
