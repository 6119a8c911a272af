"""Races, on SQLite and on PostgreSQL (`desa_races`, see conftest.py), each run for several rounds:

- 20 people complete the same task at once, half through the HTTP API of a real `desa serve`,
  half through `engine.runtime.complete` on two engines (two "processes" with their own caches):
  one wins, the 19 others hear who completed it and when;
- 20 people take (claim) the same task at once: one holds it;
- a completion races the timer sweep on the same instance, with an interrupting deadline (one of
  the two happens, never both) and with a non-interrupting reminder (both happen, nothing lost);
- two timer workers sweep the same due timers, as threads and as two `desa worker --once`
  processes: every timer fires once.

After each test every history verifies (`engine.verify.verify`: chain and replay).
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.core import Engine
from engine.definitions import registry
from engine.directory import access, tokens, users, villages
from engine.errors import Conflict, NotFound
from engine.history import verify
from engine.runtime import actions as runtime
from engine.store.db import Database
from engine.store.models import AuditEvent, HumanTask
from engine.views import queries
from engine.worker import timers
from tests.conftest import FIXTURES, LEMPUR
from tests.engine.helpers import open_ids, set_clock

from .procs import DESA, Service, call, env_for, free_port

SCOPE = FIXTURES / "scope" / "processes"
T0 = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
CONTENDERS = 20
ROUNDS = 10
PEOPLE = [f"p{n:02d}" for n in range(CONTENDERS)]  # each a Fasilitator Pusat: all may do the task
COMPLETED_BY = re.compile(r"already completed by (p\d\d) at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC")


@dataclass
class Outcome:
    kind: str  # won | conflict | not_found | error
    detail: Any = None


@dataclass
class Desk:
    engines: list[Engine]  # two engines on two connection pools: two server processes
    url: str
    folder: Path
    base: datetime = T0

    @property
    def engine(self) -> Engine:
        return self.engines[0]

    def next_round(self, process_id: str, count: int = 1) -> list[int]:
        """Move the (frozen) clock to a fresh day and start `count` instances there."""
        self.base += timedelta(days=30)
        set_clock(self.engine, self.base)
        return [runtime.start(self.engine, process_id, LEMPUR, "admin").instance_id for _ in range(count)]

    def task(self, instance_id: int, bpmn_id: str) -> str:
        found = [t.id for t in queries.tasks(self.engine, instance_id=instance_id) if t.bpmn_id == bpmn_id]
        assert len(found) == 1, f"open tasks: {open_ids(self.engine, instance_id)}"
        return found[0]


@pytest.fixture
def desk(race_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    url = race_db.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DESA_DATABASE_URL", url)
    registry.deploy(race_db, [SCOPE])
    with race_db.transaction() as s:
        villages.upsert(s, LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        users.add(s, "admin", admin=True)
        for name in PEOPLE:
            users.add(s, name)
            access.assign(s, name, "Fasilitator Pusat", None, None)
    second = Database(url)
    yield Desk([Engine(race_db), Engine(second)], url, tmp_path)
    second.dispose()


@pytest.fixture
def served(desk: Desk) -> Iterator[tuple[Service, dict[str, str]]]:
    """A real `desa serve --no-worker` on the desk's database, and an API token per person."""
    port = free_port()
    server = Service("serve", ["serve", "--no-worker", "--port", str(port)], desk.url, desk.folder, port)
    with desk.engine.db.transaction() as s:
        secrets = {name: tokens.create(s, name, "races")[1] for name in PEOPLE}
    server.start()
    yield server, secrets
    server.stop()


def contend(calls: list[Callable[[], Any]]) -> list[Outcome]:
    """Run every call at the same moment (a barrier), each in its own thread."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome] = [Outcome("error", "did not run")] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            outcomes[index] = Outcome("won", calls[index]())
        except Conflict as err:
            outcomes[index] = Outcome("conflict", str(err))
        except NotFound as err:
            outcomes[index] = Outcome("not_found", str(err))
        except BaseException as err:  # reported by the assertions
            outcomes[index] = Outcome("error", f"{type(err).__name__}: {err}")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def staggered(round_: int, first: Callable[[], Any], second: Callable[[], Any]) -> list[Callable[[], Any]]:
    """The two calls, one of them held back a few milliseconds (which one alternates by round),
    so that on SQLite, where writers queue, each order happens too."""
    delay = 0.002 * (round_ // 2 % 5)

    def late(call_: Callable[[], Any]) -> Any:
        time.sleep(delay)
        return call_()

    return [partial(late, first), second] if round_ % 2 else [first, partial(late, second)]


def over_http(port: int, path: str, token: str, body: Any) -> Callable[[], Any]:
    def send() -> Any:
        reply = call(port, "POST", path, token, body)
        if reply.status == 409:
            raise Conflict(reply.body["error"]["message"])
        if reply.status == 404:
            raise NotFound(reply.body["error"]["message"])
        assert reply.status == 200, f"{reply.status} {reply.body}"
        return reply.body

    return send


def events(engine: Engine, instance_id: int) -> list[AuditEvent]:
    with engine.db.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
            )
        )


def everything_verifies(engine: Engine) -> int:
    checks = verify.verify(engine)
    assert [c for c in checks if not c.ok] == []
    return len(checks)


def test_twenty_completions_of_one_task_one_wins(desk: Desk, served: tuple[Service, dict[str, str]]) -> None:
    server, secrets = served
    assert server.port is not None
    for _ in range(ROUNDS):
        (iid,) = desk.next_round("timer_interrupting")
        task_id = desk.task(iid, "susun_laporan")
        path = f"/api/v1/tasks/{task_id}/complete"
        calls: list[Callable[[], Any]] = []
        for n, name in enumerate(PEOPLE):
            body = {"oleh": name}
            if n % 2 == 0:
                calls.append(over_http(server.port, path, secrets[name], body))
            else:
                engine = desk.engines[(n // 2) % 2]
                calls.append(partial(runtime.complete, engine, task_id, name, body))
        outcomes = contend(calls)
        kinds = Counter(o.kind for o in outcomes)
        assert kinds == {"won": 1, "conflict": CONTENDERS - 1}, [o for o in outcomes if o.kind != "conflict"]
        winner = PEOPLE[next(n for n, o in enumerate(outcomes) if o.kind == "won")]
        for o in outcomes:
            if o.kind == "conflict":
                said = COMPLETED_BY.search(o.detail)
                assert said is not None, f"the conflict does not say who completed it and when: {o.detail}"
                assert said.group(1) == winner
        completed = [e for e in events(desk.engine, iid) if e.type == "TASK_COMPLETED"]
        assert [(e.task_id, e.actor, e.data["data"]) for e in completed] == [
            (task_id, winner, {"oleh": winner})
        ]
        assert queries.instance_detail(desk.engine, iid)["status"] == "completed"
    assert everything_verifies(desk.engine) == ROUNDS


def test_twenty_claims_of_one_task_one_holds_it(desk: Desk) -> None:
    for _ in range(ROUNDS):
        (iid,) = desk.next_round("timer_interrupting")
        task_id = desk.task(iid, "susun_laporan")
        calls: list[Callable[[], Any]] = [
            partial(runtime.claim, desk.engines[n % 2], task_id, name) for n, name in enumerate(PEOPLE)
        ]
        outcomes = contend(calls)
        assert Counter(o.kind for o in outcomes) == {"won": 1, "conflict": CONTENDERS - 1}
        winner = PEOPLE[next(n for n, o in enumerate(outcomes) if o.kind == "won")]
        for o in outcomes:
            if o.kind == "conflict":
                assert f"taken by {winner}" in o.detail, o.detail
        claims = [(e.task_id, e.actor) for e in events(desk.engine, iid) if e.type == "TASK_CLAIMED"]
        assert claims == [(task_id, winner)]
        with desk.engine.db.sessions() as session:
            assert session.scalar(select(HumanTask.claimed_by).where(HumanTask.id == task_id)) == winner
    assert everything_verifies(desk.engine) == ROUNDS


def test_a_completion_racing_an_interrupting_timer_one_of_them_happens(desk: Desk) -> None:
    seen = Counter[str]()
    for round_ in range(ROUNDS):
        (iid,) = desk.next_round("timer_interrupting")
        task_id = desk.task(iid, "susun_laporan")
        set_clock(desk.engine, desk.base + timedelta(days=2, hours=1))  # the two-day deadline is due
        completion, sweep = contend(
            staggered(
                round_,
                partial(runtime.complete, desk.engines[0], task_id, "p00", {"selesai": True}),
                partial(timers.fire_due, desk.engines[1]),
            )
        )
        assert sweep.kind == "won", sweep
        types = [e.type for e in events(desk.engine, iid)]
        if completion.kind == "won":
            assert sweep.detail == 0 and types == ["INSTANCE_STARTED", "TASK_COMPLETED"]
            assert queries.instance_detail(desk.engine, iid)["status"] == "completed"
            seen["completion first"] += 1
        else:
            assert completion.kind in ("conflict", "not_found"), completion
            assert sweep.detail == 1 and types == ["INSTANCE_STARTED", "TIMER_FIRED"]
            assert open_ids(desk.engine, iid) == ["ambil_alih"]
            seen["timer first"] += 1
    assert sum(seen.values()) == ROUNDS
    assert everything_verifies(desk.engine) == ROUNDS


def complete_until_done(engine: Engine, task_id: str, actor: str, data: dict[str, Any]) -> int:
    """A person who reloads and submits again after a conflict; how many tries it took."""
    for attempt in range(1, 51):
        try:
            runtime.complete(engine, task_id, actor, data)
            return attempt
        except Conflict as err:
            if "already completed" in str(err):
                raise
    raise AssertionError(f"task {task_id} could not be completed in 50 tries")


def test_a_completion_racing_a_reminder_both_happen(desk: Desk) -> None:
    for round_ in range(ROUNDS):
        (iid,) = desk.next_round("timer_noninterrupting")
        task_id = desk.task(iid, "kirim_data")
        set_clock(desk.engine, desk.base + timedelta(days=1, hours=1))  # the one-day reminder is due
        data = {"dikirim": round_}
        completion, sweep = contend(
            staggered(
                round_,
                partial(complete_until_done, desk.engines[0], task_id, "p00", data),
                partial(timers.fire_due, desk.engines[1]),
            )
        )
        assert completion.kind == "won" and sweep.kind == "won", (completion, sweep)
        history = events(desk.engine, iid)
        done = [e for e in history if e.type == "TASK_COMPLETED"]
        assert [(e.task_id, e.data["data"]) for e in done] == [(task_id, data)]  # applied once, not lost
        fired = [e for e in history if e.type == "TIMER_FIRED"]
        assert len(fired) == sweep.detail <= 1
        if fired:  # the reminder came first: its task is open beside the completed one
            assert history.index(fired[0]) < history.index(done[0])
            assert open_ids(desk.engine, iid) == ["telepon_pendamping"]
        else:  # the completion came first and ended the reminder with its task
            assert queries.instance_detail(desk.engine, iid)["status"] == "completed"
    assert everything_verifies(desk.engine) == ROUNDS


def fired_once_each(engine: Engine, ids: list[int]) -> None:
    with engine.db.sessions() as session:
        fired = Counter(
            session.scalars(
                select(AuditEvent.task_id).where(
                    AuditEvent.type == "TIMER_FIRED", AuditEvent.instance_id.in_(ids)
                )
            )
        )
    assert len(fired) == len(ids) and set(fired.values()) == {1}, fired
    for iid in ids:
        assert open_ids(engine, iid) == ["ambil_alih"]


def test_two_worker_threads_fire_each_due_timer_once(desk: Desk) -> None:
    per_round = 15
    for _ in range(ROUNDS):
        ids = desk.next_round("timer_interrupting", per_round)
        set_clock(desk.engine, desk.base + timedelta(days=3))
        first, second = contend([partial(timers.fire_due, e) for e in desk.engines])
        assert first.kind == second.kind == "won", (first, second)
        assert first.detail + second.detail == per_round
        fired_once_each(desk.engine, ids)
    assert everything_verifies(desk.engine) == ROUNDS * per_round


def test_two_worker_processes_fire_each_due_timer_once(desk: Desk) -> None:
    per_round = 30
    for _ in range(3):
        ids = desk.next_round("timer_interrupting", per_round)
        set_clock(desk.engine, desk.base + timedelta(days=3))
        workers = [
            subprocess.Popen(
                [*DESA, "worker", "--once"],
                cwd=desk.folder,
                env=env_for(desk.url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        said = [w.communicate(timeout=120) for w in workers]
        assert [w.returncode for w in workers] == [0, 0], said
        counts = [int(out.split()[0]) for out, _ in said]
        assert sum(counts) == per_round, said
        fired_once_each(desk.engine, ids)
    assert everything_verifies(desk.engine) == 3 * per_round
