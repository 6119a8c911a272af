"""The shape of a BPMN file as `desa validate`'s rules read it: scopes (a process or a subprocess),
their flow nodes and sequence flows, and how a designer names an element in a message."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from engine.definitions.bpmn_kinds import FLOW_NODES, SUBPROCESSES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


# How a message names each kind of element.
KINDS = {
    "process": "process",
    "startEvent": "start event",
    "endEvent": "end event",
    "intermediateCatchEvent": "event",
    "intermediateThrowEvent": "event",
    "boundaryEvent": "boundary event",
    "exclusiveGateway": "gateway",
    "inclusiveGateway": "gateway",
    "parallelGateway": "gateway",
    "eventBasedGateway": "gateway",
    "complexGateway": "gateway",
    "callActivity": "call activity",
    "subProcess": "subprocess",
    "transaction": "subprocess",
    "adHocSubProcess": "subprocess",
}


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def line_of(element: etree._Element) -> int | None:
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else None


def label(element: etree._Element) -> str:
    """'task 'Isi Data'' as a designer sees the element in the modeler: its kind and its name."""
    kind = KINDS.get(local(element), "task")
    return f"{kind} '{element.get('name') or element.get('id')}'"


def is_event_subprocess(element: etree._Element) -> bool:
    return local(element) in SUBPROCESSES and (element.get("triggeredByEvent") or "").strip() in ("true", "1")


@dataclass
class Scope:
    """A process or subprocess: the flow nodes drawn directly in it and the flows between them."""

    element: etree._Element
    nodes: dict[str, etree._Element] = field(default_factory=dict)
    flows: list[etree._Element] = field(default_factory=list)

    def outgoing(self) -> dict[str, list[etree._Element]]:
        found: dict[str, list[etree._Element]] = {node: [] for node in self.nodes}
        for flow in self.flows:
            found.setdefault(flow.get("sourceRef") or "", []).append(flow)
        return found

    def successors(self) -> dict[str, set[str]]:
        """Where the flow may go next from each node: its sequence flows, the boundary events on
        it, and for a link throw event the link catch events of the same name."""
        following: dict[str, set[str]] = {node: set() for node in self.nodes}
        for flow in self.flows:
            source, target = flow.get("sourceRef") or "", flow.get("targetRef") or ""
            if source in following and target in self.nodes:
                following[source].add(target)
        catches: dict[str, set[str]] = {}
        for node_id, node in self.nodes.items():
            attached = node.get("attachedToRef")
            if local(node) == "boundaryEvent" and attached in following:
                following[attached].add(node_id)
            link = _link_name(node)
            if link is not None and local(node) == "intermediateCatchEvent":
                catches.setdefault(link, set()).add(node_id)
        for node_id, node in self.nodes.items():
            link = _link_name(node)
            if link is not None and local(node) == "intermediateThrowEvent":
                following[node_id] |= catches.get(link, set())
        return following


def _link_name(node: etree._Element) -> str | None:
    link = node.find(f"{{{BPMN_NS}}}linkEventDefinition")
    return None if link is None else (link.get("name") or "")


def scopes(tree: etree._ElementTree) -> Iterator[Scope]:
    """Every process and subprocess of the file, outermost first."""
    for element in tree.getroot().iter(f"{{{BPMN_NS}}}process", *(f"{{{BPMN_NS}}}{s}" for s in SUBPROCESSES)):
        scope = Scope(element)
        for child in element:
            kind = local(child)
            if kind in FLOW_NODES and child.get("id"):
                scope.nodes[str(child.get("id"))] = child
            elif kind == "sequenceFlow":
                scope.flows.append(child)
        yield scope
