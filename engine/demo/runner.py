"""`desa demo`: a program's demo staff, and the program running in every one of its demo villages.

The engine knows no program's story: the program package named in its `program.toml`
(`[demo] package`) tells it, through two functions:

- `staff(villages) -> list[Person]`: who works in the demo (usernames, what for, their grants);
- `story(village, cohort, index) -> Story`: how one village goes. `cohort` is the village's row's
  `tahun` in the program's villages file ("" without one), `index` its place among that cohort.

A `Story` says when the village started (`age_days` before today), who starts it (`starter`), who
does a task of a role (`actor`), after how many days (`delay`), what they answer (`answer`), what a
message awaited by the village carries when it arrives (`message`, delivered `message_days` after it
is awaited) and, for a finished instance, where it ended (`outcome`).

Each village starts at its own date in the past and is played forward on the engine clock: every
task is done by the story's actor a few days after it appeared, timers fire at their due times and
awaited messages arrive, until the next thing would happen after today.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from engine import clock
from engine.core import Engine
from engine.definitions.programs import Program, text
from engine.directory import access, users, villages
from engine.errors import EngineError
from engine.runtime import actions as runtime
from engine.store.models import User, Village, WaitingMessage
from engine.views import queries
from engine.worker import timers


@dataclass
class Person:
    """A demo login: `grants` are (role, village code or None, kabupaten code or None)."""

    username: str
    what: str
    full_name: str = ""
    grants: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    admin: bool = False


class Story(Protocol):
    age_days: float
    starter: str
    message_days: float

    def actor(self, role: str) -> str: ...
    def delay(self, task: queries.TaskRow) -> float: ...
    def answer(self, task: queries.TaskRow, seen: dict[str, int]) -> dict[str, Any]: ...
    def message(self, name: str, at: datetime) -> dict[str, Any]: ...
    def outcome(self, data: dict[str, Any]) -> str: ...


@dataclass
class DemoResult:
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, password, what for
    villages: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, where it stands


def _add(engine: Engine, result: DemoResult, person: Person, password: str) -> None:
    with engine.db.transaction() as session:
        if session.scalars(select(User).where(User.username == person.username)).first() is None:
            users.add(session, person.username, person.full_name, password, person.admin)
        for role, village, kabupaten in person.grants:
            access.assign(session, person.username, role, village, kabupaten)
    result.logins.append((person.username, password, person.what))


def _due(engine: Engine, instance_id: int) -> datetime | None:
    due = [t["due_at"] for t in queries.timers(engine) if t["instance"] == instance_id]
    return min((datetime.fromisoformat(d) for d in due), default=None)


def _set_clock(engine: Engine, at: datetime) -> None:
    with engine.db.transaction() as session:
        clock.set_time(session, at, frozen=True)


def _waiting_messages(engine: Engine, instance_id: int) -> list[str]:
    with engine.db.sessions() as session:
        names = session.scalars(select(WaitingMessage.name).where(WaitingMessage.instance_id == instance_id))
        return sorted(set(names))


def play(engine: Engine, program: Program, village: Village, story: Story, today: datetime) -> str:
    """Run one village's program from `today - age` until the next thing would happen after today."""
    now = today - timedelta(days=story.age_days)
    _set_clock(engine, now)
    instance_id = runtime.start(engine, program.process, village.code, story.starter).instance_id
    seen: dict[str, int] = {}
    for _ in range(500):
        open_tasks = queries.tasks(engine, instance_id=instance_id)
        due = _due(engine, instance_id)
        if open_tasks:
            task = min(open_tasks, key=lambda t: t.created_at or "")
            created = datetime.fromisoformat(task.created_at or now.isoformat())
            done_at = max(now, created + timedelta(days=story.delay(task)))
            if due is None or due > done_at:
                if done_at > today:
                    break
                now = done_at
                _set_clock(engine, now)
                runtime.complete(engine, task.id, story.actor(task.role), story.answer(task, seen))
                seen[task.bpmn_id] = seen.get(task.bpmn_id, 0) + 1
                continue
        elif waiting := _waiting_messages(engine, instance_id):  # e.g. receipts of a report sent
            at = now + timedelta(days=story.message_days)
            if at > today:
                break
            now = at
            _set_clock(engine, now)
            for name in waiting:
                runtime.deliver_message(engine, name, village.code, story.starter, story.message(name, now))
            continue
        if due is None or due > today:  # a timer comes first (a reminder, a month passing)
            break
        now = due
        _set_clock(engine, now)
        timers.fire_due(engine, now)
    return where(engine, program, story, instance_id)


def where(engine: Engine, program: Program, story: Story, instance_id: int) -> str:
    """Where the village stands, in the words of the program."""
    detail = queries.instance_detail(engine, instance_id)
    if detail["status"] == "completed":
        return story.outcome(queries.instance_data(engine, instance_id))
    if detail["tasks"]:
        labels = {s.process: text(s.label) for s in program.steps}
        step = labels.get(detail["tasks"][0]["process_id"], "")
        return f"{step}: " + "; ".join(sorted({t["name"] for t in detail["tasks"]}))
    if detail["timers"]:
        timer = detail["timers"][0]
        return f"menunggu {timer['name']} ({timer['due_at'][:10]})"
    waiting = _waiting_messages(engine, instance_id)
    if waiting:
        return "menunggu pesan: " + ", ".join(waiting)
    return str(detail["status"])


def demo_villages(
    engine: Engine, program: Program, csv_file: Path | None = None
) -> list[tuple[Village, str]]:
    """The program's demo villages (every row of its villages file with a code) and their cohorts."""
    csv_file = csv_file or program.villages_file
    if csv_file is None or not csv_file.exists():
        raise EngineError(f"the program '{program.name}' names no villages file for the demo")
    with engine.db.transaction() as session:
        villages.import_csv(session, csv_file)
    with csv_file.open(encoding="utf-8", newline="") as handle:
        cohorts = {r["code"].strip(): (r.get("tahun") or "").strip() for r in csv.DictReader(handle)}
    cohorts.pop("", None)
    with engine.db.sessions() as session:
        found = session.scalars(select(Village).where(Village.code.in_(cohorts)).order_by(Village.code))
        return [(v, cohorts[v.code]) for v in found]


def run(
    engine: Engine,
    program: Program,
    password: str | None = None,
    today: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    villages_file: Path | None = None,
) -> DemoResult:
    """Create the program's demo staff and play every demo village forward to today."""
    module = program.module()
    if module is None:
        raise EngineError(f"the program '{program.name}' has no demo (no [demo] package in program.toml)")
    today = today or clock.real_now()
    found = demo_villages(engine, program, villages_file)
    if not found:
        raise EngineError(f"no village could be imported from {villages_file or program.villages_file}")
    new_password: Callable[[], str] = (lambda: password) if password else (lambda: secrets.token_urlsafe(9))
    result = DemoResult()
    for person in module.staff([v for v, _ in found]):
        _add(engine, result, person, new_password())
    in_cohort: dict[str, int] = {}
    for done, (village, cohort) in enumerate(found, start=1):
        index = in_cohort[cohort] = in_cohort.get(cohort, -1) + 1
        story = module.story(village, cohort, index)
        result.villages.append((village.code, village.name, play(engine, program, village, story, today)))
        if progress is not None:
            progress(done, len(found))
    with engine.db.transaction() as session:
        clock.reset(session)
    return result
