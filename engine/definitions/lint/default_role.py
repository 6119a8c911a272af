"""The `default-role` rule of `desa validate`: the human tasks drawn outside any lane, when the roles
file names no `default_role` (or there is no roles file), go to the built-in role; say so, once per
process, naming the tasks."""

from __future__ import annotations

from lxml import etree

from engine.definitions import roles as roles_mod
from engine.definitions.lint.model import BPMN_NS, line_of
from engine.errors import Problem

HUMAN_TASKS = ("userTask", "manualTask", "task")


def problems(tree: etree._ElementTree, name: str, roles: roles_mod.Roles | None) -> list[Problem]:
    if roles is None or roles.default_role is not None:
        return []
    found = []
    for process in tree.getroot().iter(f"{{{BPMN_NS}}}process"):
        in_lanes = {(ref.text or "").strip() for ref in process.iter(f"{{{BPMN_NS}}}flowNodeRef")}
        outside = [task for task in _human_tasks(process) if not _in_lane(task, process, in_lanes)]
        if outside:
            found.append(_problem(name, process, outside, roles))
    return found


def _human_tasks(process: etree._Element) -> list[etree._Element]:
    return [task for kind in HUMAN_TASKS for task in process.iter(f"{{{BPMN_NS}}}{kind}")]


def _in_lane(task: etree._Element, process: etree._Element, in_lanes: set[str]) -> bool:
    """Whether the task, or a subprocess it is drawn in, is in a lane."""
    node: etree._Element | None = task
    while node is not None and node is not process:
        if node.get("id") in in_lanes:
            return True
        node = node.getparent()
    return False


def _problem(
    name: str, process: etree._Element, outside: list[etree._Element], roles: roles_mod.Roles
) -> Problem:
    ordered = sorted(outside, key=lambda t: line_of(t) or 0)
    shown = ", ".join(f"'{t.get('name') or t.get('id')}'" for t in ordered)
    why = (
        f"{roles_mod.ROLES_FILE} names no default_role"
        if roles.exists
        else f"there is no {roles_mod.ROLES_FILE}"
    )
    return Problem(
        name,
        line_of(ordered[0]),
        ordered[0].get("id"),
        f"{len(ordered)} task(s) of process '{process.get('name') or process.get('id')}' are in no lane "
        f"({shown}) and {why}: they go to the built-in role '{roles_mod.DEFAULT_ROLE}' (unless another "
        "program's roles file names a default_role), which admins and anyone granted it (desa assign "
        f"USER {roles_mod.DEFAULT_ROLE}) can work; to give them to people's roles, draw lanes named "
        f"after roles declared in {roles_mod.ROLES_FILE}",
        "default-role",
        severity="warning",
    )
