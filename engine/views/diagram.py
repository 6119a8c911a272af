"""Draw a deployed BPMN process as SVG from its diagram interchange (DI), marking what is done and
what is open now.

The source is the BPMN XML stored with the version (untrusted: parsed with `xmlsafe`); the SVG is
built with lxml, so every name is escaped. Shapes: the pool and its lanes, rounded rectangles for
activities, circles for events, diamonds for gateways, polylines with arrows for flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.definitions.bpmn_kinds import ACTIVITIES, EVENTS, FLOW_NODES
from engine.sandbox import xmlsafe
from engine.views.diagram_place import beside_start

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SVG = "http://www.w3.org/2000/svg"


# state: (fill, stroke)
COLOURS = {
    "completed": ("#d7eadf", "#0b7a4b"),
    "active": ("#fff1c2", "#b35c00"),
    "plain": ("#ffffff", "#333333"),
}
LEGEND = (("completed", "Selesai"), ("active", "Sedang berjalan"), ("plain", "Belum"))
MARGIN = 20.0
LEGEND_HEIGHT = 40.0
SWATCH = {"width": 28, "height": 18, "rx": 5, "ry": 5}  # a state's colours in the legend
ARROW = {
    "viewBox": "0 0 10 10",
    "refX": 10,
    "refY": 5,
    "markerWidth": 7,
    "markerHeight": 7,
    "orient": "auto-start-reverse",
}


@dataclass
class Element:
    id: str
    kind: str  # the BPMN element's local name
    name: str
    process_id: str


@dataclass
class Model:
    """The elements of the processes of a set of BPMN sources, and which file holds each process."""

    elements: dict[str, Element] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # process id -> file name
    messages: dict[str, str] = field(default_factory=dict)  # message id -> message name
    catches: dict[str, list[str]] = field(default_factory=dict)  # message name -> catch event ids
    called: dict[str, str] = field(default_factory=dict)  # call activity id -> called process id

    def flow_nodes(self, process_id: str) -> list[Element]:
        return [e for e in self.elements.values() if e.process_id == process_id and e.kind in FLOW_NODES]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def read_model(sources: dict[str, str]) -> Model:
    model = Model()
    for filename, text in sorted(sources.items()):
        if not filename.endswith(".bpmn"):
            continue
        root = xmlsafe.parse(text.encode("utf-8"), filename).getroot()
        for message in root.iterfind(f"{{{BPMN}}}message"):
            model.messages[message.get("id", "")] = message.get("name") or message.get("id") or ""
        for process in root.iterfind(f"{{{BPMN}}}process"):
            process_id = process.get("id", "")
            model.files[process_id] = filename
            for element in process.iter():
                if not isinstance(element.tag, str) or element is process:
                    continue
                ident = element.get("id")
                if ident and _local(element) not in ("documentation", "script"):
                    model.elements[ident] = Element(
                        ident, _local(element), element.get("name") or "", process_id
                    )
                if ident and _local(element) == "callActivity":
                    model.called[ident] = element.get("calledElement") or ""
                if _local(element) == "messageEventDefinition" and element.getparent() is not None:
                    parent = element.getparent()
                    assert parent is not None
                    if _local(parent) in ("intermediateCatchEvent", "boundaryEvent", "startEvent"):
                        ref = element.get("messageRef", "")
                        model.catches.setdefault(ref, []).append(parent.get("id", ""))
    # catches were keyed by message id; key them by message name
    model.catches = {model.messages.get(ref, ref): ids for ref, ids in model.catches.items()}
    return model


def _diagram_plane(root: etree._Element, process_id: str) -> etree._Element | None:
    participants = {
        p.get("id") for p in root.iter(f"{{{BPMN}}}participant") if p.get("processRef") == process_id
    }
    collaborations = {
        c.get("id")
        for c in root.iter(f"{{{BPMN}}}collaboration")
        if any(p.get("id") in participants for p in c.iter(f"{{{BPMN}}}participant"))
    }
    for plane in root.iter(f"{{{BPMNDI}}}BPMNPlane"):
        if plane.get("bpmnElement") in collaborations | {process_id}:
            return plane
    return None


def _bounds(shape: etree._Element) -> tuple[float, float, float, float] | None:
    b = shape.find(f"{{{DC}}}Bounds")
    if b is None:
        return None
    return tuple(float(b.get(k) or 0) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _sub(parent: etree._Element, tag: str, **attributes: object) -> etree._Element:
    return etree.SubElement(
        parent, f"{{{SVG}}}{tag}", {k.replace("_", "-"): str(v) for k, v in attributes.items()}
    )


def _text(
    parent: etree._Element, lines: list[str], cx: float, top: float, size: float = 13, anchor: str = "middle"
) -> None:
    for i, line in enumerate(lines):
        t = _sub(
            parent, "text", x=f"{cx:.1f}", y=f"{top + size * (i + 1):.1f}", font_size=size, text_anchor=anchor
        )
        t.set("font-family", "system-ui, sans-serif")
        t.set("fill", "#111")
        t.text = line


@dataclass
class _Drawing:
    """What `render` reads from the BPMN file: each element's kind and name, and its diagram."""

    kinds: dict[str, str]
    names: dict[str, str]
    shapes: list[etree._Element]
    edges: list[etree._Element]

    @classmethod
    def of(cls, root: etree._Element, process_id: str) -> _Drawing:
        ids = [e for e in root.iter() if isinstance(e.tag, str) and e.get("id")]
        plane = _diagram_plane(root, process_id)
        return cls(
            {e.get("id", ""): _local(e) for e in ids},
            {e.get("id", ""): e.get("name") or "" for e in ids},
            list(plane.iterfind(f"{{{BPMNDI}}}BPMNShape")) if plane is not None else [],
            list(plane.iterfind(f"{{{BPMNDI}}}BPMNEdge")) if plane is not None else [],
        )

    def extent(self) -> tuple[float, float, float, float]:
        """min x, min y, max x, max y of every shape (with room for labels under it) and flow."""
        xs: list[float] = []
        ys: list[float] = []
        for shape in self.shapes:
            box = _bounds(shape)
            if box:
                xs += [box[0], box[0] + box[2]]
                ys += [box[1], box[1] + box[3] + 30]  # room for labels under events
        for edge in self.edges:
            for point in edge.iterfind(f"{{{DI}}}waypoint"):
                xs.append(float(point.get("x") or 0))
                ys.append(float(point.get("y") or 0))
        if not xs:
            return 0.0, 0.0, 200.0, 100.0
        return min(xs), min(ys), max(xs), max(ys)


def render(
    sources: dict[str, str],
    process_id: str,
    completed: set[str],
    active: set[str],
    title: str = "",
    legend_labels: dict[str, str] | None = None,
) -> str:
    """The SVG of `process_id` (from the file of `sources` that holds it), as a string."""
    model = read_model(sources)
    filename = model.files.get(process_id)
    if filename is None:
        raise KeyError(f"no process '{process_id}' in {sorted(sources)}")
    root = xmlsafe.parse(sources[filename].encode("utf-8"), filename).getroot()
    drawing = _Drawing.of(root, process_id)
    min_x, min_y, max_x, max_y = drawing.extent()
    svg = _canvas(process_id, title or drawing.names.get(process_id) or process_id, drawing.extent())
    containers = _sub(svg, "g", **{"class": "containers"})
    nodes = _sub(svg, "g", **{"class": "nodes"})
    flows = _sub(svg, "g", **{"class": "flows"})
    for shape in drawing.shapes:
        ident = shape.get("bpmnElement") or ""
        kind = drawing.kinds.get(ident, "")
        box = _bounds(shape)
        if box is None:
            continue
        if kind in ("participant", "lane"):
            _draw_container(containers, kind, ident, drawing.names.get(ident, ""), box)
        elif kind in FLOW_NODES:
            state = "active" if ident in active else "completed" if ident in completed else "plain"
            _draw_node(nodes, shape, kind, ident, drawing.names.get(ident, ""), state)
    for edge in drawing.edges:
        _draw_flow(flows, edge, drawing.names, process_id)
    _mark_focus(svg, drawing, active)
    _draw_legend(_sub(svg, "g", **{"class": "legend"}), min_x, max_y + MARGIN, legend_labels or {})
    return etree.tostring(svg, encoding="unicode")


def _mark_focus(svg: etree._Element, drawing: _Drawing, active: set[str]) -> None:
    """`data-focus` (x y width height), where the page opens: the first open task, else the first
    open element (open elements can lie far apart: their middle may show none of them)."""
    shapes = [s for s in drawing.shapes if s.get("bpmnElement") in active]
    tasks = [s for s in shapes if drawing.kinds.get(s.get("bpmnElement") or "") in ACTIVITIES]
    box = next((b for s in tasks + shapes if (b := _bounds(s))), None)
    if box:
        svg.set("data-focus", " ".join(f"{v:.0f}" for v in box))


def _canvas(process_id: str, title: str, extent: tuple[float, float, float, float]) -> etree._Element:
    """The <svg> element sized to the drawing and its legend, with its title and the flows' arrow head."""
    min_x, min_y, max_x, max_y = extent
    width = max_x - min_x + 2 * MARGIN
    height = max_y - min_y + 2 * MARGIN + LEGEND_HEIGHT
    svg = etree.Element(f"{{{SVG}}}svg", nsmap={None: SVG})  # type: ignore[dict-item]
    svg.set("viewBox", f"{min_x - MARGIN:.0f} {min_y - MARGIN:.0f} {width:.0f} {height:.0f}")
    svg.set("width", f"{width:.0f}")
    svg.set("height", f"{height:.0f}")
    svg.set("role", "img")
    svg.set("class", "bpmn")
    svg.set("data-process", process_id)
    _sub(svg, "title").text = title
    marker = _sub(_sub(svg, "defs"), "marker", id=f"panah-{process_id}", **ARROW)
    _sub(marker, "path", d="M 0 0 L 10 5 L 0 10 z", fill="#333")
    return svg


def _draw_container(
    parent: etree._Element, kind: str, ident: str, name: str, box: tuple[float, float, float, float]
) -> None:
    """A pool or a lane: its frame, and its name written upwards along its left side."""
    x, y, w, h = box
    group = _sub(parent, "g", **{"class": kind, "data-element": ident})
    _sub(group, "rect", x=x, y=y, width=w, height=h, fill="none", stroke="#666", stroke_width=1)
    cx, cy = x + 15, y + h / 2
    t = _sub(
        group,
        "text",
        x=cx,
        y=cy,
        font_size=13,
        text_anchor="middle",
        transform=f"rotate(-90 {cx:.1f} {cy:.1f})",
        font_weight="bold" if kind == "participant" else 600,
    )
    t.set("font-family", "system-ui, sans-serif")
    t.text = name


def _draw_node(
    parent: etree._Element, shape: etree._Element, kind: str, ident: str, name: str, state: str
) -> None:
    """An activity, event or gateway in the colours of its state, with its name."""
    box = _bounds(shape)
    assert box is not None
    group = _sub(parent, "g", **{"class": f"node {kind} {state}", "data-element": ident, "data-state": state})
    _sub(group, "title").text = name or ident
    if kind in ACTIVITIES:
        _draw_activity(group, kind, name, box, state)
    elif kind in EVENTS:
        _draw_event(group, kind, box, state)
    else:
        _draw_gateway(group, kind, box, state)
    if kind not in ACTIVITIES and name:
        _draw_label(group, shape, name, box)


def _stroke(state: str) -> tuple[str, str, float]:
    fill, stroke = COLOURS[state]
    return fill, stroke, 3 if state != "plain" else 1.5


def _draw_activity(
    group: etree._Element, kind: str, name: str, box: tuple[float, float, float, float], state: str
) -> None:
    """A rounded rectangle (a thicker frame for a call activity) with the name inside."""
    x, y, w, h = box
    fill, stroke, thick = _stroke(state)
    _sub(
        group,
        "rect",
        x=x,
        y=y,
        width=w,
        height=h,
        rx=10,
        ry=10,
        fill=fill,
        stroke=stroke,
        stroke_width=thick + (1.5 if kind == "callActivity" else 0),
    )
    lines = _wrap(name, max(int(w / 7.8), 8))[:4]
    _text(group, lines, x + w / 2, y + h / 2 - 7 * len(lines) - 2)


def _draw_event(group: etree._Element, kind: str, box: tuple[float, float, float, float], state: str) -> None:
    """A circle: thick for an end event, doubled for an intermediate or boundary event."""
    x, y, w, h = box
    fill, stroke, thick = _stroke(state)
    cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
    outer = 4.0 if kind == "endEvent" else thick
    _sub(group, "circle", cx=cx, cy=cy, r=r, fill=fill, stroke=stroke, stroke_width=outer)
    if kind.startswith("intermediate") or kind == "boundaryEvent":
        _sub(group, "circle", cx=cx, cy=cy, r=r - 3, fill="none", stroke=stroke, stroke_width=1)


def _draw_gateway(
    group: etree._Element, kind: str, box: tuple[float, float, float, float], state: str
) -> None:
    """A diamond with its mark: + parallel, × exclusive, ○ any other."""
    x, y, w, h = box
    fill, stroke, thick = _stroke(state)
    cx, cy = x + w / 2, y + h / 2
    points = f"{cx:.1f},{y:.1f} {x + w:.1f},{cy:.1f} {cx:.1f},{y + h:.1f} {x:.1f},{cy:.1f}"
    _sub(group, "polygon", points=points, fill=fill, stroke=stroke, stroke_width=thick)
    mark = "+" if kind == "parallelGateway" else "×" if kind == "exclusiveGateway" else "○"
    _text(group, [mark], cx, cy - 13, size=18)


def _draw_label(
    group: etree._Element, shape: etree._Element, name: str, box: tuple[float, float, float, float]
) -> None:
    """An event's or gateway's name: where the diagram puts its label, else under the shape."""
    x, y, w, h = box
    label_shape = shape.find(f"{{{BPMNDI}}}BPMNLabel")
    label_box = _bounds(label_shape) if label_shape is not None else None
    if label_box:
        lx, ly, lw, _ = label_box
    else:
        lx, ly, lw = x - 30, y + h + 4, w + 60
    _text(group, _wrap(name, max(int(lw / 7.5), 10))[:3], lx + lw / 2, ly - 2, size=13)


def _draw_flow(parent: etree._Element, edge: etree._Element, names: dict[str, str], process_id: str) -> None:
    """A sequence or message flow: a polyline ending in an arrow, with its name at its start."""
    waypoints = [
        f"{float(p.get('x') or 0):.1f},{float(p.get('y') or 0):.1f}"
        for p in edge.iterfind(f"{{{DI}}}waypoint")
    ]
    if len(waypoints) < 2:
        return
    ident = edge.get("bpmnElement") or ""
    line = _sub(parent, "polyline", points=" ".join(waypoints), fill="none", stroke="#333", stroke_width=1.2)
    line.set("marker-end", f"url(#panah-{process_id})")
    line.set("data-element", ident)
    if names.get(ident):
        (x0, y0), (x1, y1) = (tuple(float(v) for v in w.split(",")) for w in waypoints[:2])
        x, y, anchor = beside_start(x0, y0, x1, y1)
        t = _sub(parent, "text", x=f"{x:.1f}", y=f"{y:.1f}", font_size=13, text_anchor=anchor)
        t.set("font-family", "system-ui, sans-serif")
        t.set("class", "flow-label")
        t.text = names[ident]


def _draw_legend(legend: etree._Element, lx: float, ly: float, labels: dict[str, str]) -> None:
    """The colours of the states and what each means, in a row under the drawing."""
    for state, default in LEGEND:
        text = labels.get(state, default)
        fill, stroke, thick = _stroke(state)
        _sub(legend, "rect", x=lx, y=ly, fill=fill, stroke=stroke, stroke_width=thick, **SWATCH)
        t = _sub(legend, "text", x=lx + 36, y=ly + 14, font_size=13)
        t.set("font-family", "system-ui, sans-serif")
        t.text = text
        lx += 60 + 8 * len(text)
