"""The village page: its step, its history, the diagram with what is done and what is open, its scores."""

from __future__ import annotations

from lxml import etree

from engine.core import Engine
from engine.views import diagram
from engine.views import village as village_view
from tests.test_program import (
    LEMPUR,
    OTHER,
    Village,
    program,  # noqa: F401  (the fixture)
    through_monitoring_and_evaluation,
    through_preparation_and_training,
)
from web import create_app

SVG = "{http://www.w3.org/2000/svg}"


def signed_in(engine: Engine, username: str):  # type: ignore[no-untyped-def]
    c = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}, engine=engine
    ).test_client()
    assert c.post("/masuk", data={"username": username, "password": "rahasia"}).status_code == 302
    return c


def svgs(page: str) -> list[etree._Element]:
    found = []
    rest = page
    while "<svg" in rest:
        start = rest.index("<svg")
        end = rest.index("</svg>", start) + len("</svg>")
        found.append(etree.fromstring(rest[start:end]))
        rest = rest[end:]
    return found


def bpmn_diagrams(page: str) -> dict[str, etree._Element]:
    return {s.get("data-process") or "": s for s in svgs(page) if s.get("class") == "bpmn"}


def states(svg: etree._Element) -> dict[str, str]:
    return {
        g.get("data-element") or "": g.get("data-state") or ""
        for g in svg.iter(f"{SVG}g")
        if g.get("data-state")
    }


def test_the_page_of_a_village_in_preparation(program: Engine) -> None:  # noqa: F811
    v = Village(program)
    v.do("tetapkan_petugas", "Fasilitator Pusat")
    c = signed_in(program, "pendamping1")
    response = c.get(f"/desa/{LEMPUR}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Lempur Mudik" in page and "Gunung Raya" in page
    assert "Langkah 1 dari 5: Persiapan" in page
    assert "Menyiapkan Petugas" in page and "Tugas selesai" in page  # the timeline
    assert 'href="/"' in page  # back to the inbox
    drawn = bpmn_diagrams(page)
    assert set(drawn) == {"persiapan", "program_desa"}
    marks = states(drawn["persiapan"])
    assert marks["tetapkan_petugas"] == "completed"
    assert marks["koordinasi_dinas_sosial"] == "active"
    program_marks = states(drawn["program_desa"])
    assert program_marks["langkah_persiapan"] == "active"
    assert program_marks["langkah_pelaksanaan"] == "plain"
    assert "score-chart" not in page  # no scores before the mapping
    assert 'style="' not in page  # the CSP forbids inline styles
    c.post("/bahasa", data={"language": "en", "next": "/"})
    english = c.get(f"/desa/{LEMPUR}").get_data(as_text=True)
    assert "Step 1 of 5: Preparation" in english and "Task completed" in english


def test_every_flow_node_of_the_drawn_process_has_a_shape(program: Engine) -> None:  # noqa: F811
    Village(program)
    view = village_view.village_view(program, LEMPUR, "pusat")
    model = diagram.read_model(view.sources)
    assert view.program is not None and view.program.name == "model_desa"
    for process in [s.process for s in view.steps] + [view.program.process]:
        svg = etree.fromstring(diagram.render(view.sources, process, set(), set()))
        shapes = {g.get("data-element") for g in svg.iter(f"{SVG}g")}
        nodes = {e.id for e in model.flow_nodes(process)}
        assert nodes and nodes <= shapes, f"{process}: no shape for {sorted(nodes - shapes)}"


def test_names_in_the_diagram_are_escaped() -> None:
    source = (
        '<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC">'
        '<bpmn:process id="p" isExecutable="true">'
        '<bpmn:userTask id="t" name="&lt;script&gt;x&lt;/script&gt;"/>'
        '</bpmn:process><bpmndi:BPMNDiagram><bpmndi:BPMNPlane bpmnElement="p">'
        '<bpmndi:BPMNShape bpmnElement="t"><dc:Bounds x="0" y="0" width="100" height="80"/>'
        "</bpmndi:BPMNShape>"
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    )
    svg = diagram.render({"p.bpmn": source}, "p", set(), {"t"})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert states(etree.fromstring(svg)) == {"t": "active"}


def test_another_villages_companion_gets_not_found(program: Engine) -> None:  # noqa: F811
    Village(program)
    c = signed_in(program, "pendamping.lain")
    assert c.get(f"/desa/{LEMPUR}").status_code == 404
    assert c.get(f"/desa/{OTHER}").status_code == 200  # their own village, not started yet
    assert c.get("/desa/99.99.99.9999").status_code == 404
    anonymous = create_app({"TESTING": True, "SECRET_KEY": "test"}, engine=program).test_client()
    assert anonymous.get(f"/desa/{LEMPUR}").status_code == 302


def test_the_plan_and_the_scores_after_the_evaluation(program: Engine) -> None:  # noqa: F811
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=False)
    c = signed_in(program, "daerah")
    page = c.get(f"/desa/{LEMPUR}").get_data(as_text=True)
    assert "Monitoring, Evaluasi dan Pelaporan" in page
    assert "Berketahanan Sosial" in page
    charts = [s for s in svgs(page) if s.get("class") == "score-chart"]
    assert len(charts) == 1
    widths = {
        r.get("class"): float(r.get("width") or 0) for r in charts[0].iter(f"{SVG}rect") if r.get("class")
    }
    assert widths["bar-evaluasi"] > widths["bar-awal"] > 0
    assert "Bulan ke-6" in page and "Selesai" in page  # monthly progress of the plan
    drawn = bpmn_diagrams(page)
    marks = states(drawn["program_desa"])
    assert marks["langkah_persiapan"] == marks["langkah_pelaksanaan"] == "completed"
    assert marks["langkah_monev"] == "active"
    assert "completed" in states(drawn["monitoring_evaluasi_pelaporan"]).values()
    assert "active" in states(drawn["monitoring_evaluasi_pelaporan"]).values()
