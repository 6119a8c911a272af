"""One village's program at a glance: where it is, what happened, and what its program's
description (`program.toml`) says the page shows of its data (`engine.views.sections`).

Read-only; a person who may not see the village gets NotFound, never "forbidden".
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.core import Engine
from engine.definitions import programs
from engine.directory import access
from engine.errors import NotFound
from engine.runtime import audit
from engine.store.models import AuditEvent, HumanTask, Instance, ProcessVersion, Timer, Village
from engine.views import diagram, inbox, queries, sections

OPEN = ("running", "waiting", "suspended", "failed")


@dataclass
class VillageView:
    code: str
    name: str
    kecamatan: str
    kabupaten: str
    provinsi: str
    instances: list[dict[str, Any]] = field(default_factory=list)
    current: int | None = None  # the instance the page is about
    process: str | None = None  # the process of the instance the page is about
    program: programs.Program | None = None  # its program (None for a process outside any program)
    steps: list[programs.Step] = field(default_factory=list)  # the program's steps, in order
    step: str | None = None  # one of the steps' processes, or None (not started, or finished)
    step_number: int | None = None
    step_name: str = ""
    finished: bool = False
    timeline: list[dict[str, Any]] = field(default_factory=list)  # newest first
    sections: list[dict[str, Any]] = field(default_factory=list)  # what the program shows of the data
    # What the diagrams need: the sources of the version and the marks.
    sources: dict[str, str] = field(default_factory=dict)
    completed: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)
    program_completed: set[str] = field(default_factory=set)
    program_active: set[str] = field(default_factory=set)
    drawn_process: str | None = None  # the step's process to draw, if any
    version_id: int = 0  # the definition version of the instance the page is about
    who: access.Principal | None = None  # the user, with their grants (read once for the page)
    noticed: int = 0  # the user's tasks with a notice: the header's count


def _visible_village(session: Session, code: str, user: str) -> tuple[Village, access.Principal]:
    village = session.get(Village, code)
    if village is None:
        raise NotFound(f"no village with code '{code}'")
    who = access.principal(session, user)
    if not access.may(who, "see", code):
        raise NotFound(f"no village with code '{code}'")
    return village, who


class _Versions:
    """Per definition version (immutable once deployed): its sources and their diagram model,
    and the diagrams drawn with given marks (villages at the same point share them); bounded."""

    def __init__(self, size: int = 512) -> None:
        self.sources: dict[int, tuple[dict[str, str], diagram.Model]] = {}
        self.svgs: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self.size = size
        self.lock = Lock()

    def of(self, session: Session, version_id: int) -> tuple[dict[str, str], diagram.Model]:
        found = self.sources.get(version_id)
        if found is None:
            sources = dict(
                session.scalar(select(ProcessVersion.sources).where(ProcessVersion.id == version_id)) or {}
            )
            found = (sources, diagram.read_model(sources))
            with self.lock:
                self.sources[version_id] = found
        return found

    def of_version(self, version_id: int, sources: dict[str, str]) -> diagram.Model:
        found = self.sources.get(version_id)
        return found[1] if found is not None else diagram.read_model(sources)

    def render(self, view: VillageView, process: str, done: set[str], active: set[str], legend: Any) -> str:
        key = (
            view.version_id,
            process,
            frozenset(done),
            frozenset(active),
            tuple(sorted((legend or {}).items())),
        )
        with self.lock:
            svg = self.svgs.get(key)
            if svg is not None:
                self.svgs.move_to_end(key)
                return svg
        svg = diagram.render(view.sources, process, done, active, legend_labels=legend)
        with self.lock:
            self.svgs[key] = svg
            while len(self.svgs) > self.size:
                self.svgs.popitem(last=False)
        return svg


VERSIONS = _Versions()


def _done_ids(history: list[dict[str, Any]], model: diagram.Model) -> set[str]:
    done: set[str] = set()
    for event in history:
        if event["type"] in (audit.TASK_COMPLETED, audit.TIMER_FIRED) and event["bpmn_id"]:
            done.add(event["bpmn_id"])
        elif event["type"] == audit.MESSAGE_RECEIVED:
            done.update(model.catches.get(str(event["data"].get("name", "")), []))
    return done


def _event_row(event: dict[str, Any], instance_id: int, model: diagram.Model) -> dict[str, Any]:
    bpmn_id = event["bpmn_id"]
    element = model.elements.get(bpmn_id or "")
    name = event["data"].get("name") if event["type"] == audit.TASK_COMPLETED else None
    if event["type"] == audit.MESSAGE_RECEIVED:
        name = str(event["data"].get("name", ""))
    return {
        "instance": instance_id,
        "seq": event["seq"],
        "time": event["engine_time"],
        "event": event["type"],
        "who": event["actor"],
        "element": bpmn_id or "",
        "task_name": name or (element.name if element else ""),
        "step": element.process_id if element else "",
    }


def _whole(view: VillageView) -> str | None:
    """The process drawn whole: the program's (whose call activities are the steps), else the
    instance's own process."""
    return view.program.process if view.program is not None else view.process


def _histories(session: Session, instance_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each instance's history in seq order (what `_event_row` and `_done_ids` read), in one statement."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in instance_ids}
    for row in session.execute(
        select(
            AuditEvent.instance_id,
            AuditEvent.seq,
            AuditEvent.type,
            AuditEvent.actor,
            AuditEvent.bpmn_id,
            AuditEvent.data,
            AuditEvent.engine_time,
        )
        .where(AuditEvent.instance_id.in_(instance_ids))
        .order_by(AuditEvent.instance_id, AuditEvent.seq)
    ):
        at = row.engine_time
        found[row.instance_id].append(
            {
                "seq": row.seq,
                "type": row.type,
                "actor": row.actor,
                "bpmn_id": row.bpmn_id,
                "data": row.data,
                "engine_time": clock.as_utc(at).isoformat() if at is not None else None,
            }
        )
    return found


def village_view(engine: Engine, code: str, user: str) -> VillageView:
    """The page's view, read in one session: the village and the user once, every instance's
    history in one statement, the open tasks and timers of the instance the page is about, and
    its data from its stored task rows (`queries.data_in`); `noticed` is the header's count."""
    with engine.db.sessions() as session:
        village, who = _visible_village(session, code, user)
        view = VillageView(village.code, village.name, village.kecamatan, village.kabupaten, village.provinsi)
        view.who = who
        now = clock.now(session)
        view.noticed = inbox.notice_count(session, who, now)
        rows = session.execute(
            select(
                Instance.id,
                Instance.process_id,
                ProcessVersion.version,
                Instance.status,
                Instance.process_version_id,
            )
            .join(ProcessVersion, ProcessVersion.id == Instance.process_version_id)
            .where(Instance.village_code == code)
            .order_by(Instance.id)
            .limit(1000)
        ).all()
        view.instances = [{"id": r[0], "process": r[1], "version": r[2], "status": r[3]} for r in rows]
        if not rows:
            return view
        current = next((r for r in reversed(rows) if r[3] in OPEN), rows[-1])
        view.current = current[0]
        view.version_id = current[4]
        view.sources, model = VERSIONS.of(session, current[4])
        history = _histories(session, [r[0] for r in rows])
        tasks = session.execute(
            select(HumanTask.bpmn_id, HumanTask.process_id).where(HumanTask.instance_id == current[0])
        ).all()
        timers = session.scalars(select(Timer.bpmn_id).where(Timer.instance_id == current[0])).all()
        data = queries.data_in(engine, session, current[0])

    for instance_id, events in history.items():
        view.timeline += [_event_row(e, instance_id, model) for e in events]
    view.timeline.sort(key=lambda e: (e["time"] or "", e["instance"], e["seq"]), reverse=True)
    view.completed = _done_ids(history.get(current[0], []), model)
    view.active = {t[0] for t in tasks} | set(timers)
    open_processes = {t[1] for t in tasks}
    open_processes |= {model.elements[t].process_id for t in timers if t in model.elements}

    view.process = current[1]
    view.program = programs.of_process(current[1])
    view.steps = view.program.steps if view.program is not None else []
    step_ids = [s.process for s in view.steps]
    in_step = [s for s in step_ids if s in open_processes]
    view.step = in_step[-1] if in_step else None
    view.finished = current[3] == "completed"
    touched = {model.elements[i].process_id for i in view.completed if i in model.elements}
    if view.step is not None:
        view.drawn_process = view.step
    else:
        done_steps = [s for s in step_ids if s in touched]
        view.drawn_process = done_steps[-1] if done_steps else None
    if view.drawn_process is not None and view.drawn_process not in model.files:
        view.drawn_process = None
    if view.step is not None:
        view.step_number = step_ids.index(view.step) + 1
    for call_id, called in model.called.items():
        if called == view.step:
            view.program_active.add(call_id)
            view.step_name = model.elements[call_id].name
        elif called in touched or view.finished:
            view.program_completed.add(call_id)
    whole = _whole(view) or current[1]
    if view.finished:
        view.program_completed |= {e.id for e in model.flow_nodes(whole) if e.kind != "callActivity"}
    elif view.program_completed or view.program_active:
        view.program_completed |= {e.id for e in model.flow_nodes(whole) if e.kind == "startEvent"}
    view.sections = sections.build(view.program, data)
    return view


def diagrams(view: VillageView, legend: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(process id, SVG) for the step the village is in and for the whole program."""
    drawn: list[tuple[str, str]] = []
    whole = _whole(view)
    if not view.sources or whole is None:
        return drawn
    if view.drawn_process is not None:
        drawn.append(
            (
                view.drawn_process,
                VERSIONS.render(view, view.drawn_process, view.completed, view.active, legend),
            )
        )
    if whole in VERSIONS.of_version(view.version_id, view.sources).files and whole != view.drawn_process:
        drawn.append(
            (whole, VERSIONS.render(view, whole, view.program_completed, view.program_active, legend))
        )
    return drawn
