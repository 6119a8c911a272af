"""What the central staff see across every program: per program, its villages per province and
step; overdue work per kabupaten; the visits ahead (the timers each program's `program.toml` lists
under `[[dashboard.visits]]`); and, for a program that sends a report, the reports with the
receipts that came back (`[dashboard.reports]`).

Reads the counts the steps keep (`engine.runtime.places`: a few rows per program, provinsi and
step, and per kabupaten/kota and day due), the projections and the history; no workflow is
deserialized and no statement reads every instance, so the page costs a handful of bounded
statements at any scale; the visits and reports tables show the first VISITS_SHOWN and the latest
REPORTS_SHOWN."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from engine import clock, spiff
from engine.core import Engine
from engine.definitions import programs
from engine.directory import access
from engine.errors import Forbidden
from engine.runtime import places
from engine.store.models import (
    AuditEvent,
    HumanTask,
    Instance,
    OverdueCount,
    PlaceCount,
    Timer,
    Village,
    WaitingMessage,
)

VISITS_SHOWN = 500  # the first visits of the coming days (at national scale, thousands fall due)
REPORTS_SHOWN = 100  # the most recent reports
RECEIVED_BATCH = 4 * REPORTS_SHOWN  # receipts read at a time (a report has a few)


@dataclass
class Board:
    """One program's figures (a process run outside any program gets a board of its own)."""

    process: str  # the process its villages run
    title: dict[str, str]
    steps: list[tuple[str, dict[str, str]]]  # (step process, label)
    by_province: dict[str, Counter[str]] = field(default_factory=dict)  # provinsi -> step -> villages
    finished: Counter[str] = field(default_factory=Counter)  # provinsi -> villages done or withdrawn
    receipts: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (message, label)
    reports: list[dict[str, Any]] = field(default_factory=list)  # per village: when each copy arrived


@dataclass
class Dashboard:
    now: datetime
    boards: list[Board] = field(default_factory=list)
    overdue: list[tuple[str, int]] = field(default_factory=list)  # (kabupaten, overdue tasks)
    visits: list[dict[str, Any]] = field(default_factory=list)  # visits due in the next 30 days


def board_of(program: programs.Program) -> Board:
    reports = program.dashboard.get("reports") or {}
    return Board(
        program.process,
        program.title,
        [(s.process, s.label) for s in program.steps],
        receipts=[(str(r["message"]), dict(r.get("label") or {})) for r in reports.get("receipts", [])],
    )


def step_labels() -> list[tuple[str, dict[str, str]]]:
    """Every installed program's steps, in order: (step process, label)."""
    return [(s.process, s.label) for p in programs.installed() for s in p.steps]


def element_steps(engine: Engine, session: Any, version_ids: set[int]) -> dict[int, dict[str, str]]:
    """Per definition version: BPMN element id -> the step process it belongs to."""
    found: dict[int, dict[str, str]] = {}
    for version_id in version_ids:
        spec = engine.specs.get(session, version_id).spec
        found[version_id] = {
            name: process.name for process in spiff.all_specs(spec) for name in process.task_specs
        }
    return found


def _latest_received(session: Any, process: str) -> list[int]:
    """The REPORTS_SHOWN instances of the process that received a message last: the receipts read
    newest first through their partial index, a batch at a time, until that many instances."""
    found: dict[int, None] = {}
    before: int | None = None
    while len(found) < REPORTS_SHOWN:
        batch = (
            select(AuditEvent.id, AuditEvent.instance_id)
            .join(Instance, Instance.id == AuditEvent.instance_id)
            .where(AuditEvent.type == "MESSAGE_RECEIVED", Instance.process_id == process)
            .order_by(AuditEvent.id.desc())
            .limit(RECEIVED_BATCH)
        )
        rows = session.execute(batch if before is None else batch.where(AuditEvent.id < before)).all()
        for _, instance_id in rows:
            found.setdefault(instance_id)
        if len(rows) < RECEIVED_BATCH:
            break
        before = rows[-1][0]
    return list(found)[:REPORTS_SHOWN]


def _reports(session: Any, program: programs.Program) -> list[dict[str, Any]]:
    """The program's most recent reports (at most REPORTS_SHOWN): instances whose copies are
    arriving or awaited, read through the receipts' partial index and the waiting-message index."""
    spec = program.dashboard.get("reports") or {}
    receipts = [str(r["message"]) for r in spec.get("receipts", [])]
    sent_by, report = [str(t) for t in spec.get("sent_by", [])], spec.get("message")
    if not receipts or not sent_by:
        return []
    waiting = (
        select(WaitingMessage.instance_id)
        .join(Instance, Instance.id == WaitingMessage.instance_id)
        .where(WaitingMessage.name.in_(receipts), Instance.process_id == program.process)
        .group_by(WaitingMessage.instance_id)
        .order_by(func.max(Instance.updated_at).desc())
        .limit(REPORTS_SHOWN)
    )
    ids = set(_latest_received(session, program.process)) | set(session.scalars(waiting))
    if not ids:
        return []
    events = session.execute(
        select(
            AuditEvent.instance_id,
            AuditEvent.type,
            AuditEvent.data,
            AuditEvent.engine_time,
            Village.name,
            Village.code,
        )
        .join(Instance, Instance.id == AuditEvent.instance_id)
        .join(Village, Village.code == Instance.village_code)
        .where(
            AuditEvent.instance_id.in_(ids),
            or_(
                AuditEvent.type == "MESSAGE_RECEIVED",
                and_(AuditEvent.type == "TASK_COMPLETED", AuditEvent.bpmn_id.in_(sent_by)),
            ),
        )
        .order_by(AuditEvent.instance_id, AuditEvent.seq)
    ).all()
    reports: dict[int, dict[str, Any]] = {}
    for e in events:
        sent = [m for m in (e.data or {}).get("messages_sent", []) if m.get("name") == report]
        if e.type == "TASK_COMPLETED" and sent:
            reports[e.instance_id] = {"village": e.name, "code": e.code, "sent": clock.as_utc(e.engine_time)}
        elif e.type == "MESSAGE_RECEIVED" and e.instance_id in reports:
            name = (e.data or {}).get("name")
            if name in receipts:
                payload = (e.data or {}).get("payload") or {}
                reports[e.instance_id][name] = payload.get("tanggal") or clock.as_utc(e.engine_time).date()
    return sorted(reports.values(), key=lambda r: r["sent"], reverse=True)[:REPORTS_SHOWN]


def _visits_of(installed: list[programs.Program]) -> dict[tuple[str, str], dict[str, str]]:
    """(process, timer element) -> what the visit is called, for every program's listed timers."""
    return {
        (p.process, str(v["timer"])): dict(v.get("label") or {"id": str(v["timer"])})
        for p in installed
        for v in p.dashboard.get("visits", [])
    }


def _count(session: Any, boards: dict[str, Board]) -> None:
    """Each instance under its program's board, by provinsi and step (or finished): the counts the
    steps keep (`engine.runtime.places`), a few rows per program, provinsi and step."""
    rows = places.sums(
        session.execute(
            select(PlaceCount.process_id, PlaceCount.provinsi, PlaceCount.place, PlaceCount.n).order_by(
                PlaceCount.provinsi, PlaceCount.process_id, PlaceCount.place
            )
        )
    )
    for (process_id, provinsi, place), n in rows.items():
        board = boards.get(process_id)
        if board is None:  # a process run outside any program
            board = boards[process_id] = Board(process_id, {"id": process_id}, [])
        counts = board.by_province.setdefault(provinsi or "-", Counter())
        if place == places.FINISHED:
            board.finished[provinsi or "-"] += n
        else:
            counts[place] += n


def _overdue(session: Any, now: datetime) -> list[tuple[str, int]]:
    """Open tasks due before now per kabupaten/kota: the kept counts of the days before today, and
    today's tasks due before now read through the due-time index."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    found: Counter[str] = Counter()
    earlier = session.execute(
        select(OverdueCount.kabupaten, OverdueCount.n).where(OverdueCount.due_day < places.due_day(today))
    )
    for kabupaten, n in earlier:
        found[kabupaten] += int(n)
    for kabupaten, n in session.execute(
        select(Village.kabupaten, func.count())
        .select_from(HumanTask)
        .join(Village, Village.code == HumanTask.village_code)
        .where(HumanTask.due_at >= today, HumanTask.due_at < now)
        .group_by(Village.kabupaten)
    ):
        found[kabupaten] += int(n)
    return sorted(((k, n) for k, n in found.items() if n), key=lambda item: (-item[1], item[0]))


def _visits(session: Any, installed: list[programs.Program], horizon: datetime) -> list[dict[str, Any]]:
    named = _visits_of(installed)
    if not named:
        return []
    visits = session.execute(
        select(
            Instance.process_id, Timer.bpmn_id, Timer.due_at, Village.name, Village.code, Village.kabupaten
        )
        .join(Instance, Instance.id == Timer.instance_id)
        .join(Village, Village.code == Instance.village_code)
        .where(Timer.bpmn_id.in_({timer for _, timer in named}), Timer.due_at <= horizon)
        .order_by(Timer.due_at, Village.code)
        .limit(VISITS_SHOWN)
    ).all()
    return [
        {
            "visit": named[(v.process_id, v.bpmn_id)],
            "due": clock.as_utc(v.due_at),
            "village": v.name,
            "code": v.code,
            "kabupaten": v.kabupaten,
        }
        for v in visits
        if (v.process_id, v.bpmn_id) in named
    ]


def dashboard(engine: Engine, user: str, days_ahead: int = 30) -> Dashboard:
    """The dashboard in a handful of grouped statements, whatever the number of villages."""
    installed = programs.installed()
    with engine.db.sessions() as session:
        who = access.principal(session, user)
        if not access.may(who, "see"):  # every village: a national grant
            raise Forbidden("the dashboard is for the central facilitators")
        now = clock.now(session)
        result = Dashboard(now=now)
        boards = {p.process: board_of(p) for p in installed}
        _count(session, boards)
        result.overdue = _overdue(session, now)
        result.visits = _visits(session, installed, now + timedelta(days=days_ahead))
        for program in installed:
            boards[program.process].reports = _reports(session, program)
        # The programs in use first (in their folders' order), then processes outside any program.
        result.boards = [b for b in boards.values() if b.by_province or b.finished]
        return result
