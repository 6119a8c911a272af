"""The `missing-di` rule of `desa validate`: every flow node and sequence flow of a BPMN file needs
its shape or edge in the file's diagram (BPMN DI), or the village page cannot draw it."""

from __future__ import annotations

from lxml import etree

from engine.definitions.lint.model import label, line_of, scopes
from engine.errors import Problem

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"


def problems(tree: etree._ElementTree, name: str) -> list[Problem]:
    root = tree.getroot()
    if root.find(f"{{{BPMNDI_NS}}}BPMNDiagram") is None:
        first = next(scopes(tree), None)
        return [
            Problem(
                name,
                line_of(root),
                first.element.get("id") if first is not None else root.get("id"),
                "this file has no diagram (no bpmndi:BPMNDiagram): the village page cannot draw the "
                "process; open and save it in a BPMN modeler, which draws every element",
                "missing-di",
                severity="warning",
            )
        ]
    drawn = {
        e.get("bpmnElement")
        for e in root.iter(f"{{{BPMNDI_NS}}}BPMNShape", f"{{{BPMNDI_NS}}}BPMNEdge")
        if e.get("bpmnElement")
    }
    found = []
    for scope in scopes(tree):
        for node_id, node in scope.nodes.items():
            if node_id not in drawn:
                found.append(_missing(name, node, f"{label(node)} has no shape"))
        for flow in scope.flows:
            if flow.get("id") and flow.get("id") not in drawn:
                what = f"sequence flow '{flow.get('name') or flow.get('id')}'"
                found.append(
                    _missing(
                        name,
                        flow,
                        f"{what} (from {flow.get('sourceRef')} to {flow.get('targetRef')}) has no edge",
                    )
                )
    return found


def _missing(name: str, element: etree._Element, what: str) -> Problem:
    return Problem(
        name,
        line_of(element),
        element.get("id"),
        f"{what} in the diagram: the village page cannot draw it; place it in a BPMN modeler "
        "(or add its bpmndi shape)",
        "missing-di",
        severity="warning",
    )
