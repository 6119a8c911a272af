"""What a fasilitator pusat sees across the program: villages per province and step, overdue
work per kabupaten, the month-3 and month-5 visits ahead, and the reports with their copies.

Reads the projections and the history only; no workflow is deserialized."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from . import access, clock, spiff
from .errors import Forbidden
from .models import AuditEvent, HumanTask, Instance, Timer, Village, WaitingMessage
from .steps import Engine

STEPS = [
    ("persiapan", "Persiapan"),
    ("pelaksanaan_pengembangan", "Pelaksanaan Pengembangan"),
    ("monitoring_evaluasi_pelaporan", "Monitoring, Evaluasi dan Pelaporan"),
    ("terminasi", "Terminasi"),
    ("refleksi", "Refleksi"),
]
VISITS = {"tunggu_bulan_3": "Monitoring Bulan ke-3", "tunggu_bulan_5": "Evaluasi Bulan ke-5"}
RECEIPTS = ("tanda_terima_badiklit", "tanda_terima_dinsos_kabupaten", "tanda_terima_dinsos_provinsi")


@dataclass
class Dashboard:
    now: datetime
    steps: list[tuple[str, str]]
    by_province: dict[str, Counter[str]] = field(default_factory=dict)  # provinsi -> step -> villages
    finished: Counter[str] = field(default_factory=Counter)  # provinsi -> villages done or withdrawn
    overdue: list[tuple[str, int]] = field(default_factory=list)  # (kabupaten, overdue tasks)
    visits: list[dict[str, Any]] = field(default_factory=list)  # visits due in the next 30 days
    reports: list[dict[str, Any]] = field(default_factory=list)  # per village: when each copy arrived


def _element_steps(engine: Engine, session: Any, version_ids: set[int]) -> dict[int, dict[str, str]]:
    """Per definition version: BPMN element id -> the step process it belongs to."""
    found: dict[int, dict[str, str]] = {}
    for version_id in version_ids:
        spec = engine.specs.get(session, version_id).spec
        found[version_id] = {
            name: process.name for process in spiff.all_specs(spec) for name in process.task_specs
        }
    return found


def dashboard(engine: Engine, user: str, days_ahead: int = 30) -> Dashboard:
    with engine.db.sessions() as session:
        who = access.principal(session, user)
        if not (who.is_admin or any(g.scope == "national" and not g.designer for g in who.grants)):
            raise Forbidden("the dashboard is for the central facilitators")
        now = clock.now(session)
        result = Dashboard(now=now, steps=STEPS)
        rows = session.execute(
            select(
                Instance.id,
                Instance.status,
                Instance.process_version_id,
                Village.code,
                Village.name,
                Village.kabupaten,
                Village.provinsi,
            ).join(Village, Village.code == Instance.village_code)
        ).all()
        steps_of = _element_steps(engine, session, {r.process_version_id for r in rows})
        open_tasks = session.execute(
            select(HumanTask.instance_id, HumanTask.process_id, HumanTask.due_at, HumanTask.kabupaten_code)
        ).all()
        timers = session.execute(select(Timer.instance_id, Timer.bpmn_id, Timer.due_at)).all()
        waiting_rows = session.execute(select(WaitingMessage.instance_id, WaitingMessage.bpmn_id))
        waiting = {row.instance_id: row.bpmn_id for row in waiting_rows}
        task_step = {t.instance_id: t.process_id for t in open_tasks}
        timer_by_instance: dict[int, list[Any]] = defaultdict(list)
        for t in timers:
            timer_by_instance[t.instance_id].append(t)
        villages = {r.id: r for r in rows}
        for r in rows:
            counts = result.by_province.setdefault(r.provinsi or "-", Counter())
            if r.status in ("completed", "cancelled", "failed"):
                result.finished[r.provinsi or "-"] += 1
                continue
            step = task_step.get(r.id)
            if step is None and timer_by_instance.get(r.id):
                step = steps_of[r.process_version_id].get(timer_by_instance[r.id][0].bpmn_id)
            if step is None and r.id in waiting:  # waiting for a message, e.g. the report's receipts
                step = steps_of[r.process_version_id].get(waiting[r.id])
            counts[step or "-"] += 1
        overdue: Counter[str] = Counter()
        for task in open_tasks:
            if task.due_at is not None and clock.as_utc(task.due_at) < now:
                village = villages.get(task.instance_id)
                overdue[village.kabupaten if village else task.kabupaten_code] += 1
        result.overdue = overdue.most_common()
        horizon = now + timedelta(days=days_ahead)
        for t in sorted(timers, key=lambda t: t.due_at):
            due = clock.as_utc(t.due_at)
            if t.bpmn_id in VISITS and due <= horizon:
                village = villages[t.instance_id]
                result.visits.append(
                    {
                        "visit": VISITS[t.bpmn_id],
                        "due": due,
                        "village": village.name,
                        "code": village.code,
                        "kabupaten": village.kabupaten,
                    }
                )
        events = session.execute(
            select(AuditEvent.instance_id, AuditEvent.type, AuditEvent.data, AuditEvent.engine_time)
            .where(AuditEvent.type.in_(("TASK_COMPLETED", "MESSAGE_RECEIVED")))
            .order_by(AuditEvent.id)
        ).all()
        reports: dict[int, dict[str, Any]] = {}
        for e in events:
            sent = [m for m in (e.data or {}).get("messages_sent", []) if m.get("name") == "laporan_dikirim"]
            if e.type == "TASK_COMPLETED" and sent:
                village = villages[e.instance_id]
                reports[e.instance_id] = {
                    "village": village.name,
                    "code": village.code,
                    "sent": clock.as_utc(e.engine_time),
                }
            elif e.type == "MESSAGE_RECEIVED" and e.instance_id in reports:
                name = (e.data or {}).get("name")
                if name in RECEIPTS:
                    payload = (e.data or {}).get("payload") or {}
                    reports[e.instance_id][name] = (
                        payload.get("tanggal") or clock.as_utc(e.engine_time).date()
                    )
        result.reports = sorted(reports.values(), key=lambda r: r["sent"], reverse=True)
        return result
