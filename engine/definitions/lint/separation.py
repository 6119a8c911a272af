"""The separation-of-duties rule of `desa validate` (`separate-from`): a task's `separate_from`
property names tasks whose performers must not perform it (engine.runtime.duties enforces it).
Each id named must be a user or manual task of the process, of a process it calls or one calling
it; the task's own id only on a multi-instance task (its other instances); and a task of the same
process or subprocess must be able to run before this one (earlier on a path, or on a parallel
branch), not only after it."""

from __future__ import annotations

from lxml import etree

from engine.definitions.lint.model import (
    BPMN_NS,
    SPIFF_NS,
    Scope,
    is_event_subprocess,
    label,
    line_of,
    local,
    scopes,
)
from engine.errors import Problem

PROPERTY = "separate_from"
RULE = "separate-from"
HUMAN = {"userTask", "manualTask"}


def problems(tree: etree._ElementTree, name: str, world: dict[str, etree._ElementTree]) -> list[Problem]:
    """The `separate_from` problems of the file `tree` (named `name`); `world` holds every BPMN
    file of the processes folder by name, as the ids named may be tasks of other processes."""
    places = {
        node_id: (scope, node)
        for t in world.values()
        for scope in scopes(t)
        for node_id, node in scope.nodes.items()
    }
    found: list[Problem] = []
    for scope in scopes(tree):
        for node_id, node in scope.nodes.items():
            value = _value(node)
            if value is None:
                continue
            for message in _messages(scope, node_id, node, value, places):
                found.append(Problem(name, line_of(node), node_id, message, RULE))
    return found


def _value(node: etree._Element) -> str | None:
    for prop in node.iterfind(
        f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"
    ):
        if prop.get("name") == PROPERTY:
            return prop.get("value") or ""
    return None


def _messages(
    scope: Scope,
    node_id: str,
    node: etree._Element,
    value: str,
    places: dict[str, tuple[Scope, etree._Element]],
) -> list[str]:
    where = f"{label(node)} is to be done by someone other than the performers of"
    if local(node) not in HUMAN:
        return [
            f"{label(node)} has a separate_from property, but no person performs it; "
            "put it on a user or manual task"
        ]
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        return [f"{label(node)} has a separate_from property that names no task; write the ids of the tasks"]
    found = []
    for named in dict.fromkeys(names):
        if named == node_id:
            if node.find(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics") is None:
                found.append(
                    f"{where} '{named}', itself, but it is not a multi-instance task: its own id means its "
                    "other instances; remove it, or make the task multi-instance"
                )
            continue
        place = places.get(named)
        if place is None:
            found.append(
                f"{where} '{named}', which is no element of this process or of any process in the folder"
            )
        elif local(place[1]) not in HUMAN:
            found.append(
                f"{where} '{named}', {label(place[1])}, which no person performs; name a user or manual task"
            )
        elif place[0].element.get("id") == scope.element.get("id") and _never_before(scope, named, node_id):
            found.append(
                f"{where} '{named}', {label(place[1])}, which can never have run before it: every "
                f"path to it passes through {label(node)} first"
            )
    return found


def _never_before(scope: Scope, earlier: str, task: str) -> bool:
    """Whether `earlier` can only run after `task`: every path from a start to it passes through
    `task` (a task on a parallel branch may run before), and no path leads from it back to `task`."""
    following = scope.successors()
    starts = {
        n for n, node in scope.nodes.items() if local(node) == "startEvent" or is_event_subprocess(node)
    }
    if not starts:
        return False
    return earlier not in _reach(starts, following, task) and task not in _reach({earlier}, following)


def _reach(starts: set[str], following: dict[str, set[str]], avoiding: str = "") -> set[str]:
    """The nodes paths from `starts` reach, not passing through `avoiding`."""
    seen = set(starts)
    todo = list(starts)
    while todo:
        for nxt in following.get(todo.pop(), ()):
            if nxt not in seen and nxt != avoiding:
                seen.add(nxt)
                todo.append(nxt)
    return seen
