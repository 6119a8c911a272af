"""Realistic changes a program designer makes to Monitoring, on a copy of processes/ and forms/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lxml import etree

from tests.conftest import PROGRAM

MONEV = "monitoring_evaluasi_pelaporan.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


def _q(prefix: str, tag: str) -> str:
    return f"{{{NS[prefix]}}}{tag}"


def copy_program(tmp_path: Path) -> Path:
    shutil.copytree(PROGRAM, tmp_path / "processes")
    shutil.copytree(PROGRAM.parent.parent / "forms" / PROGRAM.name, tmp_path / "forms")
    return tmp_path / "processes"


def _edit(processes: Path) -> tuple[Path, etree._ElementTree]:
    path = processes / MONEV
    return path, etree.parse(str(path))


def _one(tree: etree._ElementTree, xpath: str) -> etree._Element:
    [found] = tree.getroot().xpath(xpath, namespaces=NS)
    return found  # type: ignore[no-any-return]


def add_month_4_visit(processes: Path) -> None:
    """'Kunjungan Bulan ke-4': a fasilitator daerah visit after the month-3 monitoring, with its form."""
    path, tree = _edit(processes)
    process = _one(tree, "//bpmn:process")
    task = etree.SubElement(
        process, _q("bpmn", "userTask"), id="kunjungan_bulan_4", name="Kunjungan Bulan ke-4"
    )
    etree.SubElement(
        task, _q("bpmn", "documentation")
    ).text = "Fasilitator daerah mengunjungi desa pada bulan ke-4 untuk melihat kemajuan setelah monitoring."
    props = etree.SubElement(
        etree.SubElement(task, _q("bpmn", "extensionElements")), _q("spiffworkflow", "properties")
    )
    etree.SubElement(
        props, _q("spiffworkflow", "property"), name="formJsonSchemaFilename", value="kunjungan_bulan_4.json"
    )
    etree.SubElement(task, _q("bpmn", "incoming")).text = "f_gabung_revisi_gabung_jalur"
    etree.SubElement(task, _q("bpmn", "outgoing")).text = "f_kunjungan_bulan_4_gabung_jalur"
    _one(tree, "//bpmn:sequenceFlow[@id='f_gabung_revisi_gabung_jalur']").set(
        "targetRef", "kunjungan_bulan_4"
    )
    etree.SubElement(
        process,
        _q("bpmn", "sequenceFlow"),
        id="f_kunjungan_bulan_4_gabung_jalur",
        sourceRef="kunjungan_bulan_4",
        targetRef="gabung_jalur",
    )
    _one(
        tree, "//bpmn:parallelGateway[@id='gabung_jalur']/bpmn:incoming[.='f_gabung_revisi_gabung_jalur']"
    ).text = "f_kunjungan_bulan_4_gabung_jalur"
    lane = _one(tree, "//bpmn:lane[@name='Fasilitator Daerah']")
    etree.SubElement(lane, _q("bpmn", "flowNodeRef")).text = "kunjungan_bulan_4"
    plane = _one(tree, "//bpmndi:BPMNPlane")
    shape = etree.SubElement(
        plane, _q("bpmndi", "BPMNShape"), id="kunjungan_bulan_4_di", bpmnElement="kunjungan_bulan_4"
    )
    etree.SubElement(shape, _q("dc", "Bounds"), x="1740", y="555", width="120", height="80")
    _one(tree, "//bpmndi:BPMNEdge[@bpmnElement='f_gabung_revisi_gabung_jalur']/di:waypoint[2]").set(
        "x", "1740"
    )
    edge = etree.SubElement(
        plane,
        _q("bpmndi", "BPMNEdge"),
        id="f_kunjungan_bulan_4_gabung_jalur_di",
        bpmnElement="f_kunjungan_bulan_4_gabung_jalur",
    )
    etree.SubElement(edge, _q("di", "waypoint"), x="1860", y="595")
    etree.SubElement(edge, _q("di", "waypoint"), x="1980", y="595")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    form = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Kunjungan Bulan ke-4",
        "type": "object",
        "additionalProperties": False,
        "required": ["catatan_kunjungan"],
        "properties": {"catatan_kunjungan": {"title": "Catatan kunjungan", "type": "string", "minLength": 1}},
    }
    (processes.parent / "forms" / "kunjungan_bulan_4.json").write_text(json.dumps(form, indent=2))


def remove_revision(processes: Path) -> None:
    """The revision of the action plan is dropped: 'Ya' now goes straight on."""
    path, tree = _edit(processes)
    for xpath in (
        "//bpmn:userTask[@id='revisi_rencana_aksi']",
        "//bpmn:sequenceFlow[@id='f_revisi_rencana_aksi_gabung_revisi']",
        "//bpmn:lane/bpmn:flowNodeRef[.='revisi_rencana_aksi']",
        "//bpmndi:BPMNShape[@bpmnElement='revisi_rencana_aksi']",
        "//bpmndi:BPMNEdge[@bpmnElement='f_revisi_rencana_aksi_gabung_revisi']",
    ):
        gone = _one(tree, xpath)
        parent = gone.getparent()
        assert parent is not None
        parent.remove(gone)
    _one(tree, "//bpmn:sequenceFlow[@id='f_cek_revisi_revisi_rencana_aksi']").set(
        "targetRef", "gabung_revisi"
    )
    _one(
        tree,
        "//bpmn:exclusiveGateway[@id='gabung_revisi']/bpmn:incoming[.='f_revisi_rencana_aksi_gabung_revisi']",
    ).text = "f_cek_revisi_revisi_rencana_aksi"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
