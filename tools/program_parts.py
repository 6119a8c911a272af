"""What every step's layout in tools/make_program.py shares: the four lanes' roles, the four
dimensions of social resilience, the time zone of the program's dates, a user task with its form,
and a task's due date."""

from __future__ import annotations

from bpmn_builder import Node, Process

FP, FD, PD, PK = "Fasilitator Pusat", "Fasilitator Daerah", "Pendamping", "Pengurus Pokja"
DIMENSI = "['perlindungan_sosial', 'partisipasi', 'pengendalian_konflik', 'kearifan_lokal']"
# The dates people agree on (training days, the action plan's start) are local dates; the program
# reads them in Western Indonesian Time (WIB, UTC+7). docs/program.md, "Program choices".
ZONA = "+07:00"


def user(p: Process, id: str, name: str, lane: int, col: float, doc: str, row: int = 0, **kw: object) -> Node:
    props = {"formJsonSchemaFilename": f"{id}.json"}
    extra = kw.pop("props", {})
    assert isinstance(extra, dict)
    props.update(extra)
    return p.add(Node(id, "userTask", name, lane, col, row, doc=doc, props=props, **kw))  # type: ignore[arg-type]


def due(p: Process, task: str, when: tuple[str, str], lane: int, col: float, row: int, slot: int = 0) -> None:
    """A due date on `task`: a non-interrupting timer on its border (its time is the task's
    deadline: the inbox's "Terlambat" and the dashboard's overdue lists) that records, when it
    passes, that the task went past its deadline."""
    p.add(
        Node(
            f"batas_{task}",
            "boundaryEvent",
            "Batas Waktu",
            lane,
            col,
            attached_to=task,
            interrupting=False,
            timer=when,
            slot=slot,
        )
    )
    p.add(Node(f"lewat_{task}", "endEvent", "Lewat Batas Waktu", lane, col, row=row))
    p.flow(f"batas_{task}", f"lewat_{task}")


def merge(p: Process, id: str, lane: int, col: float, row: int = 0) -> Node:
    """An exclusive gateway where a loop comes back in: BPMN tools want flows to join at a gateway."""
    return p.add(Node(id, "exclusiveGateway", "", lane, col, row))
