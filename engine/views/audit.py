"""What an auditor reads: villages with their verification badge, a village's whole history as a
timeline, and one step of it rebuilt by replay (diagram marks, data, what changed, who acted).

Read-only. An auditor is an admin or someone holding a read-only role (processes/roles.toml);
others are refused, and a village outside the auditor's grants is "not found".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine import clock, spiff
from engine.core import Engine
from engine.definitions import programs
from engine.directory import access
from engine.errors import Forbidden, NotFound
from engine.history import verify
from engine.history.replay import Event, Replay, events_of, spec_source
from engine.store.models import AuditEvent, Instance, ProcessVersion, Village
from engine.views import diagram


def auditor(session: Session, user: str) -> access.Principal:
    who = access.principal(session, user)
    if not who.is_auditor:
        raise Forbidden("the audit pages are for auditors and admins")
    return who


def audited_village(session: Session, user: str, code: str) -> Village:
    village = session.get(Village, code)
    if village is None or not access.may(auditor(session, user), "audit", village.code):
        raise NotFound(f"no village with code '{code}'")
    return village


def audited_codes(engine: Engine, user: str) -> set[str] | None:
    """The village codes this auditor may read, or None for all."""
    with engine.db.sessions() as session:
        where = access.village_filter(auditor(session, user), "audit")
        return None if where is None else set(session.scalars(select(Village.code).where(where)))


@dataclass
class Badge:
    """The last verification of a village's histories: ok, failed, or never run."""

    state: str  # ok | failed | none
    checked_at: datetime | None = None
    checked_by: str = ""
    messages: list[str] = field(default_factory=list)


def _badge(session: Session, instance_ids: list[int], checks: dict[int, Any] | None = None) -> Badge:
    """From the last check of each instance (`checks`, when the caller read them for many at once)."""
    checks = verify.last_checks(session, instance_ids) if checks is None else checks
    mine = [checks[i] for i in instance_ids if i in checks]
    if not instance_ids or len(mine) < len(instance_ids):
        return Badge("none")
    newest = max(mine, key=lambda c: c.checked_at)
    failed = [f"#{c.instance_id}: {c.message}" for c in mine if not c.ok]
    return Badge("failed" if failed else "ok", clock.as_utc(newest.checked_at), newest.checked_by, failed)


@dataclass
class VillageRow:
    code: str
    name: str
    kabupaten: str
    provinsi: str
    instances: int
    events: int
    badge: Badge


def villages(engine: Engine, user: str, query: str = "", limit: int = 200) -> list[VillageRow]:
    """Villages with a history that this auditor may read (name or code filter), with their badges."""
    codes = audited_codes(engine, user)
    with engine.db.sessions() as session:
        stmt = (
            select(Village, func.count(func.distinct(Instance.id)), func.count(AuditEvent.id))
            .join(Instance, Instance.village_code == Village.code)
            .join(AuditEvent, AuditEvent.instance_id == Instance.id)
            .group_by(Village.code)
            .order_by(Village.code)
            .limit(limit)
        )
        if query:
            stmt = stmt.where(or_(Village.name.ilike(f"%{query}%"), Village.code.startswith(query)))
        if codes is not None:
            stmt = stmt.where(Village.code.in_(sorted(codes)))
        found = session.execute(stmt).all()
        ids_of: dict[str, list[int]] = {}
        for code, instance_id in session.execute(
            select(Instance.village_code, Instance.id).where(
                Instance.village_code.in_([v.code for v, _, _ in found])
            )
        ):
            ids_of.setdefault(code, []).append(instance_id)
        checks = verify.last_checks(session, [i for ids in ids_of.values() for i in ids])
        rows = []
        for village, instance_count, event_count in found:
            ids = ids_of.get(village.code, [])
            rows.append(
                VillageRow(
                    village.code,
                    village.name,
                    village.kabupaten,
                    village.provinsi,
                    instance_count,
                    event_count,
                    _badge(session, ids, checks),
                )
            )
        return rows


@dataclass
class HistoryRow:
    instance: int
    process: str
    seq: int
    type: str
    actor: str
    bpmn_id: str
    name: str
    engine_time: datetime
    wall_time: datetime
    hash: str


@dataclass
class VillageHistory:
    code: str
    name: str
    kecamatan: str
    kabupaten: str
    provinsi: str
    instances: list[dict[str, Any]]
    timeline: list[HistoryRow]  # oldest first: the order things happened
    badge: Badge


def _event_name(event: Event, model: diagram.Model) -> str:
    name = event.data.get("name") if event.type == "TASK_COMPLETED" else None
    if event.type == "MESSAGE_RECEIVED":
        name = str(event.data.get("name", ""))
    element = model.elements.get(event.bpmn_id or "")
    return str(name or (element.name if element else ""))


def _sources(session: Session, version_id: int) -> dict[str, str]:
    return dict(session.scalar(select(ProcessVersion.sources).where(ProcessVersion.id == version_id)) or {})


def village_history(engine: Engine, user: str, code: str) -> VillageHistory:
    with engine.db.sessions() as session:
        village = audited_village(session, user, code)
        instances = list(
            session.scalars(select(Instance).where(Instance.village_code == code).order_by(Instance.id))
        )
        timeline: list[HistoryRow] = []
        for row in instances:
            model = diagram.read_model(_sources(session, row.process_version_id))
            for e in events_of(session, row.id):
                timeline.append(
                    HistoryRow(
                        row.id,
                        row.process_id,
                        e.seq,
                        e.type,
                        e.actor,
                        e.bpmn_id or "",
                        _event_name(e, model),
                        e.engine_time,
                        e.wall_time,
                        e.hash,
                    )
                )
        timeline.sort(key=lambda r: (r.engine_time, r.instance, r.seq))
        return VillageHistory(
            village.code,
            village.name,
            village.kecamatan,
            village.kabupaten,
            village.provinsi,
            [
                {"id": i.id, "process": i.process_id, "status": i.status, "events": i.last_seq}
                for i in instances
            ],
            timeline,
            _badge(session, [i.id for i in instances]),
        )


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested data as path -> value (`dana_stimulan.jumlah`, `peserta[3].umur`), for a diff."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and prefix:
        out = {}
        for index, inner in enumerate(value):
            out.update(flatten(inner, f"{prefix}[{index}]"))
        return out
    return {prefix: value} if prefix else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def data_diff(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(path, added | removed | changed, old, new) for every value that differs."""
    old, new = flatten(before), flatten(after)
    rows = []
    for path in sorted(set(old) | set(new)):
        if path not in old:
            rows.append((path, "added", "", _text(new[path])))
        elif path not in new:
            rows.append((path, "removed", _text(old[path]), ""))
        elif old[path] != new[path]:
            rows.append((path, "changed", _text(old[path]), _text(new[path])))
    return rows


@dataclass
class StepView:
    code: str
    village: str
    instance: int
    process: str
    event: Event
    event_name: str
    first: int
    last: int
    status: str
    data: dict[str, Any]
    diff: list[tuple[str, str, str, str]]
    open_tasks: list[str]
    sources: dict[str, str]
    drawn: list[str]  # process ids to draw: the one the step is in, then the whole program
    completed: set[str]
    active: set[str]


def _drawn(model: diagram.Model, process: str, event: Event, active: set[str]) -> list[str]:
    """The step the event happened in (else the last step open), then the whole of `process`."""
    program = programs.of_process(process)
    steps = [s.process for s in program.steps] if program is not None else []
    element = model.elements.get(event.bpmn_id or "")
    step = element.process_id if element is not None else None
    if step is None or step == process:
        open_steps = [
            s for s in steps if any(model.elements[a].process_id == s for a in active if a in model.elements)
        ]
        step = open_steps[-1] if open_steps else None
    drawn = [step] if step and step in model.files else []
    return drawn + ([process] if process in model.files and step != process else [])


def step_view(engine: Engine, user: str, code: str, instance_id: int, seq: int) -> StepView:
    """The instance rebuilt by replay at event `seq`, beside the step before it."""
    with engine.db.sessions() as session:
        village = audited_village(session, user, code)
        row = session.get(Instance, instance_id)
        if row is None or row.village_code != code:
            raise NotFound(f"no instance {instance_id} in village {code}")
        events = events_of(session, instance_id)
        if not events or not 1 <= seq <= events[-1].seq:
            raise NotFound(f"instance {instance_id} has no event #{seq}")
        replay = Replay(spec_source(engine, session))
        replay.apply_all(events, upto=seq - 1)
        before = spiff.current_data(replay.workflow) if replay.workflow is not None else {}
        event = next(e for e in events if e.seq == seq)
        replay.apply(event)
        after = spiff.current_data(replay.workflow)
        assert replay.version_id is not None
        sources = _sources(session, replay.version_id)
        model = diagram.read_model(sources)
        completed, active = spiff.element_marks(replay.workflow)
        return StepView(
            code,
            village.name,
            instance_id,
            row.process_id,
            event,
            _event_name(event, model),
            events[0].seq,
            events[-1].seq,
            replay.status,
            after,
            data_diff(before, after),
            sorted({v.name for v in spiff.human_tasks(replay.workflow)}),
            sources,
            _drawn(model, row.process_id, event, active),
            completed,
            active,
        )


def seq_at(engine: Engine, user: str, code: str, instance_id: int, day: date) -> int:
    """The first event of the instance on or after `day` (engine time), or its last one."""
    with engine.db.sessions() as session:
        audited_village(session, user, code)
        row = session.get(Instance, instance_id)
        events = events_of(session, instance_id) if row is not None and row.village_code == code else []
        if not events:
            raise NotFound(f"instance {instance_id} has no history")
        return next((e.seq for e in events if e.engine_time.date() >= day), events[-1].seq)
