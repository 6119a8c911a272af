"""What every step's layout in tools/make_program.py shares: the four lanes' roles, the four
dimensions of social resilience, and a user task with its form."""

from __future__ import annotations

from bpmn_builder import Node, Process

FP, FD, PD, PK = "Fasilitator Pusat", "Fasilitator Daerah", "Pendamping", "Pengurus Pokja"
DIMENSI = "['perlindungan_sosial', 'partisipasi', 'pengendalian_konflik', 'kearifan_lokal']"


def user(p: Process, id: str, name: str, lane: int, col: float, doc: str, row: int = 0, **kw: object) -> Node:
    props = {"formJsonSchemaFilename": f"{id}.json"}
    props.update(kw.pop("props", {}))  # type: ignore[arg-type]
    return p.add(Node(id, "userTask", name, lane, col, row, doc=doc, props=props, **kw))  # type: ignore[arg-type]
