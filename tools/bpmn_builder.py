"""Write a BPMN 2.0 file with lanes and diagram interchange (DI) from a compact description.

Used by tools/make_program.py to lay out the program's processes left to right on a grid: each
node sits in a lane, a row inside the lane and a column. The files it writes are the source of
truth afterwards: designers edit them in Camunda Modeler or bpmn.io like any other BPMN file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "spiffworkflow": SPIFF, "xsi": XSI}

COL_WIDTH = 190
ROW_HEIGHT = 130
LEFT = 200  # x of column 0's centre line is LEFT + COL_WIDTH / 2
POOL_X = 120
LANE_X = 150
TOP = 80
SIZES = {"task": (140, 80), "event": (36, 36), "gateway": (50, 50)}


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


@dataclass
class Node:
    id: str
    kind: str  # startEvent, endEvent, userTask, scriptTask, businessRuleTask, callActivity,
    # exclusiveGateway, parallelGateway, intermediateCatchEvent, intermediateThrowEvent, boundaryEvent
    name: str
    lane: int
    col: float
    row: int = 0
    doc: str = ""
    props: dict[str, str] = field(default_factory=dict)  # spiffworkflow:properties
    script: str | None = None
    timer: tuple[str, str] | None = None  # ("timeDuration" | "timeDate", expression)
    message: str | None = None  # message id (catch or throw)
    message_var: str | None = None
    message_payload: str | None = None
    decision: str | None = None
    called: str | None = None
    multi: dict[str, str] | None = None  # collection, item, output, output_item, sequential
    attached_to: str | None = None
    interrupting: bool = True
    default: str | None = None  # default flow id, for gateways
    slot: int = 0  # which boundary position on the attached task

    @property
    def shape(self) -> str:
        if self.kind.endswith("Gateway"):
            return "gateway"
        if self.kind.endswith("Event"):
            return "event"
        return "task"


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None


@dataclass
class Process:
    id: str
    name: str
    lanes: list[str]
    doc: str = ""
    nodes: list[Node] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)  # id -> name
    # Task-data names that multi-instance tasks read or write (loopDataInputRef, loopDataOutputRef),
    # declared as process properties so that the references resolve in every BPMN tool.
    data: list[str] = field(default_factory=list)

    def add(self, node: Node) -> Node:
        self.nodes.append(node)
        return node

    def flow(self, source: str, target: str, name: str = "", condition: str | None = None) -> Flow:
        flow = Flow(f"f_{source}_{target}", source, target, name, condition)
        self.flows.append(flow)
        return flow

    def default(self, gateway: str, target: str, name: str = "") -> None:
        flow = self.flow(gateway, target, name)
        self.node(gateway).default = flow.id

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


class Layout:
    """Positions on the grid: lane bands sized to their rows, nodes centred in their cells."""

    def __init__(self, process: Process) -> None:
        self.process = process
        rows = [1] * len(process.lanes)
        for n in process.nodes:
            if n.kind != "boundaryEvent":
                rows[n.lane] = max(rows[n.lane], n.row + 1)
        self.lane_y: list[float] = []
        self.lane_h: list[float] = []
        y = TOP
        for r in rows:
            self.lane_y.append(y)
            self.lane_h.append(r * ROW_HEIGHT + 40)
            y += r * ROW_HEIGHT + 40
        self.height = y - TOP
        last = max(n.col for n in process.nodes)
        self.width = LEFT - LANE_X + (last + 1) * COL_WIDTH + 60
        self.bounds: dict[str, tuple[float, float, float, float]] = {}
        cells: dict[tuple[int, int, float], str] = {}
        for n in process.nodes:
            if n.kind == "boundaryEvent":
                continue
            key = (n.lane, n.row, n.col)
            if key in cells:
                raise ValueError(f"{process.id}: {n.id} and {cells[key]} share lane/row/column {key}")
            cells[key] = n.id
            w, h = SIZES[n.shape]
            cx = LEFT + n.col * COL_WIDTH + COL_WIDTH / 2
            cy = self.lane_y[n.lane] + 20 + n.row * ROW_HEIGHT + ROW_HEIGHT / 2
            self.bounds[n.id] = (cx - w / 2, cy - h / 2, w, h)
        for n in process.nodes:
            if n.kind == "boundaryEvent":
                assert n.attached_to is not None
                x, y, w, h = self.bounds[n.attached_to]
                self.bounds[n.id] = (x + w - 48 - 44 * n.slot, y + h - 18, 36, 36)

    def edge(self, flow: Flow) -> list[tuple[float, float]]:
        sx, sy, sw, sh = self.bounds[flow.source]
        tx, ty, tw, th = self.bounds[flow.target]
        source = self.process.node(flow.source)
        s_mid, t_mid = sy + sh / 2, ty + th / 2
        if source.kind == "boundaryEvent":
            bx = sx + sw / 2
            if t_mid < sy + sh:  # a lane above: step down off the task, then across and up
                return [
                    (bx, sy + sh),
                    (bx, sy + sh + 14),
                    (tx - 24, sy + sh + 14),
                    (tx - 24, t_mid),
                    (tx, t_mid),
                ]
            if tx > bx:
                return [(bx, sy + sh), (bx, t_mid), (tx, t_mid)]
            return [(bx, sy + sh), (bx, ty - 20), (tx + tw / 2, ty - 20), (tx + tw / 2, ty)]
        if tx <= sx:  # back to an earlier column: under both shapes
            below = max(sy + sh, ty + th) + 22
            return [
                (sx + sw / 2, sy + sh),
                (sx + sw / 2, below),
                (tx + tw / 2, below),
                (tx + tw / 2, ty + th),
            ]
        if abs(s_mid - t_mid) < 1:
            return [(sx + sw, s_mid), (tx, t_mid)]
        if source.shape == "gateway":
            vx = sx + sw / 2
            exit_y = sy if t_mid < s_mid else sy + sh
            return [(vx, exit_y), (vx, t_mid), (tx, t_mid)]
        mid = (sx + sw + tx) / 2
        return [(sx + sw, s_mid), (mid, s_mid), (mid, t_mid), (tx, t_mid)]


def _sub(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, q(ns, tag), {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _node_xml(proc: etree._Element, n: Node, flows: list[Flow]) -> None:
    el = _sub(proc, BPMN, n.kind, id=n.id, name=n.name)
    if n.kind == "boundaryEvent":
        el.set("attachedToRef", n.attached_to or "")
        if not n.interrupting:
            el.set("cancelActivity", "false")
    if n.default:
        el.set("default", n.default)
    if n.called:
        el.set("calledElement", n.called)
    if n.doc:
        _sub(el, BPMN, "documentation", n.doc)
    if n.props or n.decision:
        ext = _sub(el, BPMN, "extensionElements")
        if n.decision:
            _sub(ext, SPIFF, "calledDecisionId", n.decision)
        if n.props:
            props = _sub(ext, SPIFF, "properties")
            for key, value in n.props.items():
                _sub(props, SPIFF, "property", name=key, value=value)
    for f in flows:
        if f.target == n.id:
            _sub(el, BPMN, "incoming", f.id)
    for f in flows:
        if f.source == n.id:
            _sub(el, BPMN, "outgoing", f.id)
    if n.multi:
        m = n.multi
        loop = _sub(el, BPMN, "multiInstanceLoopCharacteristics")
        if m.get("sequential"):
            loop.set("isSequential", "true")
        _sub(loop, BPMN, "loopDataInputRef", m["collection"])
        if m.get("output"):
            _sub(loop, BPMN, "loopDataOutputRef", m["output"])
        _sub(loop, BPMN, "inputDataItem", id=m["item"], name=m["item"])
        if m.get("output_item"):
            _sub(loop, BPMN, "outputDataItem", id=m["output_item"], name=m["output_item"])
    if n.script is not None:
        _sub(el, BPMN, "script", n.script)
    if n.timer:
        definition = _sub(el, BPMN, "timerEventDefinition", id=f"{n.id}_timer")
        _sub(definition, BPMN, n.timer[0], n.timer[1])
    if n.message:
        definition = _sub(el, BPMN, "messageEventDefinition", id=f"{n.id}_message", messageRef=n.message)
        if n.message_var or n.message_payload:
            ext = _sub(definition, BPMN, "extensionElements")
            if n.message_var:
                _sub(ext, SPIFF, "messageVariable", n.message_var)
            if n.message_payload:
                _sub(ext, SPIFF, "messagePayload", n.message_payload)


def _declared_data(process: Process) -> list[str]:
    """The data names multi-instance tasks refer to that name no element of the process."""
    ids = {n.id for n in process.nodes}
    names = list(process.data)
    for n in process.nodes:
        if n.multi:
            names += [n.multi["collection"], n.multi.get("output", "")]
    return [name for name in dict.fromkeys(names) if name and name not in ids]


def _bounds(parent: etree._Element, x: float, y: float, w: float, h: float) -> None:
    _sub(parent, DC, "Bounds", x=f"{x:g}", y=f"{y:g}", width=f"{w:g}", height=f"{h:g}")


def write(process: Process, path: Path) -> None:
    layout = Layout(process)
    root = etree.Element(q(BPMN, "definitions"), nsmap=NSMAP)
    root.set("id", f"Definitions_{process.id}")
    root.set("targetNamespace", "https://kemensos.go.id/desa-berketahanan-sosial")
    root.set("exporter", "desa tools/make_program.py")
    collab = _sub(root, BPMN, "collaboration", id=f"Kolaborasi_{process.id}")
    _sub(collab, BPMN, "participant", id=f"Peserta_{process.id}", name=process.name, processRef=process.id)
    for message_id, message_name in process.messages.items():
        _sub(root, BPMN, "message", id=message_id, name=message_name)
    proc = _sub(root, BPMN, "process", id=process.id, name=process.name, isExecutable="true")
    if process.doc:
        _sub(proc, BPMN, "documentation", process.doc)
    for name in _declared_data(process):
        _sub(proc, BPMN, "property", id=name, name=name)
    lane_set = _sub(proc, BPMN, "laneSet", id=f"Lajur_{process.id}")
    for index, lane_name in enumerate(process.lanes):
        lane = _sub(lane_set, BPMN, "lane", id=f"Lajur_{process.id}_{index}", name=lane_name)
        for n in process.nodes:
            if n.lane == index:
                _sub(lane, BPMN, "flowNodeRef", n.id)
    for n in process.nodes:
        _node_xml(proc, n, process.flows)
    for f in process.flows:
        flow = _sub(proc, BPMN, "sequenceFlow", id=f.id, sourceRef=f.source, targetRef=f.target)
        if f.name:
            flow.set("name", f.name)
        if f.condition:
            cond = _sub(flow, BPMN, "conditionExpression", f.condition)
            cond.set("{http://www.w3.org/2001/XMLSchema-instance}type", "bpmn:tFormalExpression")

    diagram = _sub(root, BPMNDI, "BPMNDiagram", id=f"Diagram_{process.id}")
    plane = _sub(diagram, BPMNDI, "BPMNPlane", id=f"Bidang_{process.id}", bpmnElement=collab.get("id", ""))
    pool = _sub(
        plane, BPMNDI, "BPMNShape", id=f"Peserta_{process.id}_di", bpmnElement=f"Peserta_{process.id}"
    )
    pool.set("isHorizontal", "true")
    _bounds(pool, POOL_X, TOP, layout.width + LANE_X - POOL_X, layout.height)
    for index in range(len(process.lanes)):
        lane = _sub(plane, BPMNDI, "BPMNShape", id=f"Lajur_{process.id}_{index}_di")
        lane.set("bpmnElement", f"Lajur_{process.id}_{index}")
        lane.set("isHorizontal", "true")
        _bounds(lane, LANE_X, layout.lane_y[index], layout.width, layout.lane_h[index])
    for n in process.nodes:
        shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{n.id}_di", bpmnElement=n.id)
        if n.kind == "exclusiveGateway":
            shape.set("isMarkerVisible", "true")
        x, y, w, h = layout.bounds[n.id]
        _bounds(shape, x, y, w, h)
        if n.shape != "task" and n.name:
            label = _sub(shape, BPMNDI, "BPMNLabel")
            _bounds(label, x + w / 2 - 55, y + h + 6, 110, 27)
    for f in process.flows:
        edge = _sub(plane, BPMNDI, "BPMNEdge", id=f"{f.id}_di", bpmnElement=f.id)
        points = layout.edge(f)
        for px, py in points:
            _sub(edge, DI, "waypoint", x=f"{px:g}", y=f"{py:g}")
        if f.name:
            (ax, ay), (bx, by) = points[0], points[1]
            label = _sub(edge, BPMNDI, "BPMNLabel")
            _bounds(label, (ax + bx) / 2 + 4, min(ay, by) - 22 if ay == by else (ay + by) / 2 - 10, 60, 14)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
