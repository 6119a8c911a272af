"""Crash safety: the real program on a SQLite file, its server and worker SIGKILLed at random.

`run(folder, plan)`:
1. `desa init`, `desa deploy processes`, `desa demo` (29 villages at different points of the
   program), and an API token for the admin and for every demo staff member;
2. `desa serve --no-worker` and `desa worker --interval 0.2` as subprocesses; API clients
   (threads, see `crash_clients`) complete the open tasks of their villages; a mover runs
   `desa clock advance P<n>D` (sometimes SIGKILLed itself, mid-sweep) so timers fall due, and
   delivers the report receipts villages wait for; a killer SIGKILLs the server or the worker at
   random moments and starts it again, until `plan.kills` kills;
3. lets everything settle (clients finish what they were sending, the worker catches up) and
   checks: every acknowledged completion is in the history once, by its sender; no task was
   completed twice and no timer fired twice; every completion applied was answered to some
   client; no due timer was left behind and no instance failed; `engine.verify.verify` reports
   every instance OK (its chain verifies and its history replays to the stored state).

Returns the figures and the problems found (none, when the engine is crash safe).
"""

from __future__ import annotations

import random
import subprocess
import threading
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from engine import clock
from engine.core import Engine
from engine.directory import tokens
from engine.errors import EngineError
from engine.history import verify
from engine.runtime import actions as runtime
from engine.runtime import audit
from engine.store.db import Database
from engine.store.models import AuditEvent, Instance, Timer, WaitingMessage
from engine.store.models import Village as VillageRow
from tests import model_desa_program as program

from .crash_clients import Client, Told, Village
from .procs import DESA, ROOT, Service, desa, env_for, free_port


@dataclass
class Plan:
    kills: int  # server and worker kills, together
    seed: int
    clients: int = 4
    pause: tuple[float, float] = (0.3, 1.5)  # seconds between a restart and the next kill
    max_seconds: float = 600  # the killer gives up after this long, whatever the count
    clock_cut: float = 0.25  # how often a `desa clock advance` is itself killed mid-sweep


@dataclass
class Figures:
    kills: Counter[str] = field(default_factory=Counter)
    acknowledged: int = 0
    confirmed: int = 0
    timers_fired: int = 0
    clock_advances: int = 0
    messages: int = 0
    requests: int = 0
    connection_failures: int = 0
    cut_off: int = 0
    conflicts: int = 0
    gone: int = 0
    instances: int = 0
    events: int = 0
    seconds: float = 0.0

    def report(self) -> str:
        k = self.kills
        return "\n".join(
            [
                f"kills survived: {k['serve'] + k['worker']} (server {k['serve']}, worker {k['worker']}; "
                f"also {k['clock']} clock advances killed mid-sweep) in {self.seconds:.0f} s",
                f"completions acknowledged: {self.acknowledged}; {self.cut_off} cut off by a kill after "
                f"reaching the server, of which {self.confirmed} had been applied (the retry's 409 said "
                f"so) and the others not (the retry applied them)",
                f"{self.requests} requests, {self.connection_failures} connection failures, "
                f"{self.conflicts} other 409s, {self.gone} tasks closed meanwhile",
                f"timers fired: {self.timers_fired}; clock advances: {self.clock_advances}; "
                f"messages delivered: {self.messages}",
                f"verify: {self.instances} instances, {self.events} events checked (chain and replay)",
            ]
        )


def prepare(folder: Path) -> tuple[str, Engine, list[Village], dict[str, str]]:
    """The demo database, its villages with their stories, and an API token per person."""
    url = f"sqlite:///{folder / 'desa.sqlite'}"
    desa(url, folder, "init")
    desa(url, folder, "deploy", str(ROOT / "processes" / "model_desa"))
    csv = str(ROOT / "processes" / "model_desa" / "desa-2006-2009.csv")
    desa(url, folder, "demo", "--password", "crash-test", "--villages", csv, check_state=False)
    engine = Engine(Database(url))
    with engine.db.transaction() as s:
        rows = list(s.scalars(select(VillageRow).order_by(VillageRow.code)))  # the demo's order
        done = Counter(
            s.execute(
                select(Instance.village_code, AuditEvent.bpmn_id)
                .join(Instance, Instance.id == AuditEvent.instance_id)
                .where(AuditEvent.type == audit.TASK_COMPLETED)
            ).all()
        )
        cohorts: Counter[str] = Counter()  # each year's villages take that year's stories in turn
        villages = []
        for v in rows:
            cohort = str(v.tahun or "")
            story = program.story(v, cohort, cohorts[cohort])
            cohorts[cohort] += 1
            villages.append(Village(v.code, v.name, v.kabupaten, story, Counter()))
        for village in villages:
            village.seen.update({b: c for (code, b), c in done.items() if code == village.code})
        # Everyone the demo gives work to (asking each village's story would take the pendamping's
        # turn: the two of a village take turns, so the report's two approvals are two people's).
        people = {"admin"} | {person.username for person in program.MODULE.staff(rows)}
        secrets = {name: tokens.create(s, name, "crash test")[1] for name in sorted(people)}
    return url, engine, villages, secrets


class Mover(threading.Thread):
    """Moves the clock forward (`desa clock advance`), sometimes killing it mid-sweep, and
    delivers the report receipts the villages wait for."""

    def __init__(self, url: str, folder: Path, engine: Engine, rng: random.Random, plan: Plan) -> None:
        super().__init__(name="clock-mover", daemon=True)
        self.url, self.folder, self.engine, self.rng, self.plan = url, folder, engine, rng, plan
        self.stop = threading.Event()
        self.advances = self.cut = self.messages = 0
        self.failure: str | None = None

    def run(self) -> None:
        while not self.stop.wait(self.rng.uniform(0.5, 1.5)):
            days = self.rng.randint(1, 5)
            mover = subprocess.Popen(
                [*DESA, "clock", "advance", f"P{days}D"],
                cwd=self.folder,
                env=env_for(self.url),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            if self.rng.random() < self.plan.clock_cut:
                time.sleep(self.rng.uniform(0.05, 0.6))
                if mover.poll() is None:
                    mover.kill()
                    self.cut += 1
            _, err = mover.communicate(timeout=120)
            if mover.returncode not in (0, -9):
                self.failure = f"desa clock advance exited {mover.returncode}: {err.decode()[-500:]}"
            self.advances += 1
            self.deliver()

    def deliver(self) -> None:
        with self.engine.db.sessions() as s:
            waiting = sorted(set(s.execute(select(WaitingMessage.name, WaitingMessage.village_code)).all()))
        for name, code in waiting:
            payload = {"diterima_oleh": name, "tanggal": "2027-01-01"}
            with suppress(EngineError):  # nobody waits any more (a timer or a task got there first)
                self.messages += len(runtime.deliver_message(self.engine, name, code, "pusat.andi", payload))


def _killer(services: list[Service], rng: random.Random, plan: Plan, figures: Figures, problems: list[str]):
    started = time.monotonic()
    while sum(figures.kills[s.name] for s in services) < plan.kills:
        if time.monotonic() - started > plan.max_seconds:
            problems.append(f"only {sum(figures.kills.values())} kills in {plan.max_seconds:.0f} s")
            return
        time.sleep(rng.uniform(*plan.pause))
        victim = services[0] if rng.random() < 0.6 else services[1]
        if not victim.alive():
            problems.append(f"{victim.name} exited by itself; see {victim.log}")
        victim.kill()
        figures.kills[victim.name] += 1
        victim.start()


def _settle(engine: Engine, seconds: float = 60) -> int:
    """Wait for the worker to fire what is due; how many due timers are still waiting."""
    deadline = time.monotonic() + seconds
    while True:
        with engine.db.sessions() as s:
            left = s.scalar(
                select(func.count(Timer.id))
                .join(Instance, Instance.id == Timer.instance_id)
                .where(
                    Timer.due_at <= clock.now(s),
                    Timer.suspended.is_(False),
                    Instance.status.in_(("running", "waiting")),
                )
            )
        if not left or time.monotonic() > deadline:
            return int(left or 0)
        time.sleep(0.2)


def check(engine: Engine, told: Told, baseline: int, figures: Figures) -> list[str]:
    problems: list[str] = []
    with engine.db.sessions() as s:
        done = s.execute(
            select(AuditEvent.task_id, AuditEvent.actor, AuditEvent.id).where(
                AuditEvent.type == audit.TASK_COMPLETED
            )
        ).all()
        fired = s.execute(
            select(AuditEvent.task_id, AuditEvent.id).where(AuditEvent.type == audit.TIMER_FIRED)
        ).all()
        failed = list(s.scalars(select(Instance.id).where(Instance.status == "failed")))
    times = Counter(t for t, _, _ in done)
    by = {t: a for t, a, _ in done}
    if twice := [t for t, n in times.items() if n > 1]:
        problems.append(f"{len(twice)} tasks completed more than once: {twice[:5]}")
    for kind, answers in (("acknowledged", told.acknowledged), ("confirmed", told.confirmed)):
        for task_id, actor in answers.items():
            if times[task_id] != 1 or by[task_id] != actor:
                problems.append(f"{kind} completion of {task_id} by {actor}: {times[task_id]} in the history")
    untold = {t for t, _, i in done if i > baseline} - set(told.acknowledged) - set(told.confirmed)
    if untold:
        problems.append(f"{len(untold)} completions applied that no client was told of: {sorted(untold)[:5]}")
    if twice := [t for t, n in Counter(t for t, _ in fired).items() if n > 1]:
        problems.append(f"{len(twice)} timers fired more than once: {twice[:5]}")
    if failed:
        problems.append(f"instances failed: {failed}")
    problems += [f"refused: {r}" for r in told.refused]
    checks = verify.verify(engine)
    problems += [
        f"verify: instance {c.instance_id}: {c.kind} at #{c.seq}: {c.message}" for c in checks if not c.ok
    ]
    figures.acknowledged, figures.confirmed = len(told.acknowledged), len(told.confirmed)
    figures.timers_fired = sum(1 for _, i in fired if i > baseline)
    figures.instances, figures.events = len(checks), sum(c.events for c in checks)
    figures.requests, figures.connection_failures = told.requests, told.connection_failures
    figures.cut_off = told.cut_off
    figures.conflicts, figures.gone = len(told.conflicts), told.gone
    return problems


def run(folder: Path, plan: Plan) -> tuple[Figures, list[str]]:
    url, engine, villages, secrets = prepare(folder)
    started = time.monotonic()
    rng, figures, problems, told = random.Random(plan.seed), Figures(), [], Told()
    with engine.db.sessions() as s:
        baseline = int(s.scalar(select(func.max(AuditEvent.id))) or 0)
    port = free_port()
    server = Service("serve", ["serve", "--no-worker", "--port", str(port)], url, folder, port)
    worker = Service("worker", ["worker", "--interval", "0.2"], url, folder)
    server.start()
    worker.start()
    stop = threading.Event()
    give_up_at = time.monotonic() + plan.max_seconds + 120
    clients = [
        Client(f"client-{n}", port, villages[n :: plan.clients], secrets, told, stop, give_up_at)
        for n in range(plan.clients)
    ]
    mover = Mover(url, folder, engine, random.Random(plan.seed + 1), plan)
    try:
        for thread in [*clients, mover]:
            thread.start()
        _killer([server, worker], rng, plan, figures, problems)
        mover.stop.set()
        mover.join(timeout=180)
        stop.set()
        for client in clients:
            client.join(timeout=180)
            if client.failure is not None or client.is_alive():
                problems.append(f"{client.name} failed: {client.failure!r}")
        if left := _settle(engine):
            problems.append(f"{left} due timers were never fired")
        for service in (server, worker):
            if not service.alive():
                problems.append(f"{service.name} is not running at the end; see {service.log}")
    finally:
        stop.set()
        mover.stop.set()
        server.stop()
        worker.stop()
    if mover.failure:
        problems.append(mover.failure)
    figures.kills["clock"] = mover.cut
    figures.clock_advances, figures.messages = mover.advances, mover.messages
    problems += check(engine, told, baseline, figures)
    figures.seconds = time.monotonic() - started
    engine.db.dispose()
    return figures, problems
