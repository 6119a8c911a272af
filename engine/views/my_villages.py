"""Desa Saya: the villages a person may see (`access.village_filter`), each with its program's
step and status, the next deadline and its late tasks; filtered and paged.

A page costs two statements at any scale: the page of villages (keyset on the village code, the
primary key, so a national facilitator's thousands are read a page at a time), then the instances
of those villages with their open tasks' and timers' figures, grouped by the database. A step
filter adds one (which versions run) and reads each version's spec from the engine's cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from engine import clock
from engine.core import Engine
from engine.directory import access
from engine.store.models import HumanTask, Instance, Timer, Village
from engine.views.dashboard import element_steps

PAGE_SIZE = 50
FINISHED = ("completed", "cancelled", "failed")


@dataclass
class Filters:
    name: str = ""  # part of the village's name
    provinsi: str = ""
    kabupaten: str = ""
    step: str = ""  # a step process: villages with open work in it
    status: str = ""  # "" | "berjalan" | "selesai" | "belum"
    late: bool = False  # only villages with late tasks
    after: str = ""  # the last village code of the page before


@dataclass
class Row:
    code: str
    name: str
    kabupaten: str
    provinsi: str
    process: str = ""  # the program's process ("" when the program has not started there)
    status: str = ""
    step: str = ""  # the step process of its open work
    next_due: datetime | None = None
    late: int = 0


@dataclass
class Page:
    now: datetime
    rows: list[Row] = field(default_factory=list)
    next: str = ""  # the `after` of the next page, "" on the last


def _conditions(f: Filters, now: datetime, step_elements: set[str]) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if f.name:
        found.append(func.lower(Village.name).contains(f.name.lower(), autoescape=True))
    if f.provinsi:
        found.append(Village.provinsi == f.provinsi)
    if f.kabupaten:
        found.append(Village.kabupaten == f.kabupaten)
    if f.late:
        found.append(Village.code.in_(select(HumanTask.village_code).where(HumanTask.due_at < now)))
    if f.step:  # open work in the step: a task of it, or a timer of it with no task open
        tasked = select(HumanTask.village_code).where(HumanTask.process_id == f.step)
        waiting = (
            select(Instance.village_code)
            .join(Timer, Timer.instance_id == Instance.id)
            .where(Timer.bpmn_id.in_(step_elements), Instance.id.not_in(select(HumanTask.instance_id)))
        )
        found.append(or_(Village.code.in_(tasked), Village.code.in_(waiting)))
    if f.status == "berjalan":
        found.append(Village.code.in_(select(Instance.village_code).where(Instance.status.not_in(FINISHED))))
    elif f.status == "selesai":
        found.append(Village.code.in_(select(Instance.village_code).where(Instance.status.in_(FINISHED))))
    elif f.status == "belum":
        found.append(Village.code.not_in(select(Instance.village_code)))
    if f.after:
        found.append(Village.code > f.after)
    return found


def page(engine: Engine, user: str, f: Filters, limit: int = PAGE_SIZE) -> Page:
    """One page of the villages `user` may see, in code order (province, kabupaten, village)."""
    with engine.db.sessions() as session:
        who = access.principal(session, user)
        now = clock.now(session)
        scope = access.village_filter(who, "see")
        query = select(Village.code, Village.name, Village.kabupaten, Village.provinsi)
        if scope is not None:
            query = query.where(scope)
        elements: set[str] = set()
        if f.step:
            versions = set(session.scalars(select(Instance.process_version_id).distinct()))
            for steps in element_steps(engine, session, versions).values():
                elements |= {element for element, step in steps.items() if step == f.step}
        villages = session.execute(
            query.where(*_conditions(f, now, elements)).order_by(Village.code).limit(limit + 1)
        ).all()
        result = Page(now=now, next=villages[limit - 1].code if len(villages) > limit else "")
        rows = {v.code: Row(v.code, v.name, v.kabupaten, v.provinsi) for v in villages[:limit]}
        _figures(engine, session, rows, now)
        result.rows = list(rows.values())
        return result


def _figures(engine: Engine, session: Any, rows: dict[str, Row], now: datetime) -> None:
    """Each village's instance (the latest), its step, next deadline and late tasks, in one statement."""
    if not rows:
        return
    tasks = (
        select(
            HumanTask.instance_id,
            func.min(HumanTask.process_id).label("step"),
            func.min(HumanTask.due_at).label("due"),
            func.count(HumanTask.due_at).filter(HumanTask.due_at < now).label("late"),
        )
        .group_by(HumanTask.instance_id)
        .subquery()
    )
    timers = (
        select(
            Timer.instance_id, func.min(Timer.bpmn_id).label("element"), func.min(Timer.due_at).label("due")
        )
        .group_by(Timer.instance_id)
        .subquery()
    )
    found = session.execute(
        select(
            Instance.id,
            Instance.village_code,
            Instance.process_id,
            Instance.process_version_id,
            Instance.status,
            tasks.c.step,
            tasks.c.due,
            tasks.c.late,
            timers.c.element,
            timers.c.due.label("timer_due"),
        )
        .outerjoin(tasks, tasks.c.instance_id == Instance.id)
        .outerjoin(timers, timers.c.instance_id == Instance.id)
        .where(Instance.village_code.in_(list(rows)))
        .order_by(Instance.id)
    ).all()
    steps_of = element_steps(engine, session, {r.process_version_id for r in found if r.element})
    for r in found:  # the latest instance of a village wins
        row = rows[r.village_code]
        row.process, row.status, row.late = r.process_id, r.status, int(r.late or 0)
        element_step = steps_of.get(r.process_version_id, {}).get(r.element or "", "")
        row.step = "" if r.status in FINISHED else r.step or element_step
        dues = [clock.as_utc(d) for d in (r.due, r.timer_due) if d is not None]
        row.next_due = min(dues) if dues else None
