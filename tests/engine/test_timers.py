"""Timers fire on the engine clock, at their time and not before, once each."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.core import Engine
from engine.runtime import actions as runtime
from engine.runtime import holds
from engine.store.models import AuditEvent
from engine.views import queries
from engine.worker import timers
from tests.conftest import LEMPUR, PG_URL, SIGI
from tests.engine.helpers import open_ids, open_task, set_clock

T0 = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)


def test_boundary_timer_fires_at_its_time_not_before(basic: Engine) -> None:
    set_clock(basic, T0)
    iid = runtime.start(basic, "timers", LEMPUR, "rina").instance_id
    laporan = open_task(basic, iid, "laporan")
    assert laporan.due_at == (T0 + timedelta(days=3)).isoformat()  # the inbox shows the deadline

    assert timers.fire_due(basic, T0 + timedelta(days=3) - timedelta(seconds=1)) == 0
    assert open_ids(basic, iid) == ["laporan"]

    assert timers.fire_due(basic, T0 + timedelta(days=3)) == 1
    assert open_ids(basic, iid) == ["eskalasi"]  # interrupting: the report task is gone
    escalation = open_task(basic, iid, "eskalasi")
    assert escalation.role == "Fasilitator Daerah"
    assert escalation.created_at == (T0 + timedelta(days=3)).isoformat()
    fired = queries.instance_detail(basic, iid)["history"][-1]
    assert fired["type"] == "TIMER_FIRED" and fired["bpmn_id"] == "terlambat"
    assert fired["data"]["due_at"] == (T0 + timedelta(days=3)).isoformat()
    assert timers.fire_due(basic, T0 + timedelta(days=30)) == 0  # never twice


def test_intermediate_timer_counts_from_when_it_was_reached(basic: Engine) -> None:
    set_clock(basic, T0)
    iid = runtime.start(basic, "timers", LEMPUR, "rina").instance_id
    set_clock(basic, T0 + timedelta(days=1))
    runtime.complete(basic, open_task(basic, iid, "laporan").id, "rina", {})
    due = clock.add_duration(T0 + timedelta(days=1), "P3M")
    assert [t["due_at"] for t in queries.timers(basic)] == [due.isoformat()]

    assert timers.fire_due(basic, due - timedelta(microseconds=1)) == 0
    assert open_ids(basic, iid) == []
    assert timers.fire_due(basic, due) == 1
    assert open_ids(basic, iid) == ["monitoring"]


def test_clock_jump_plays_timers_out_in_order(basic: Engine) -> None:
    """Moving the clock months ahead fires each timer at its own due time, in order."""
    set_clock(basic, T0)
    iid = runtime.start(basic, "timers", SIGI, "sari").instance_id
    # Report never written: after 3 days the escalation; the month-3 wait starts only once it is done.
    assert timers.fire_due(basic, T0 + timedelta(days=200)) == 1
    set_clock(basic, T0 + timedelta(days=10))
    runtime.complete(basic, open_task(basic, iid, "eskalasi").id, "budi", {})
    assert timers.fire_due(basic, T0 + timedelta(days=200)) == 1
    history = queries.instance_detail(basic, iid)["history"]
    fired = [e for e in history if e["type"] == "TIMER_FIRED"]
    assert [e["bpmn_id"] for e in fired] == ["terlambat", "tunggu"]
    assert fired[1]["engine_time"] == clock.add_duration(T0 + timedelta(days=10), "P3M").isoformat()


def test_clock_is_fixed_in_production(basic: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.errors import Forbidden

    monkeypatch.setenv("DESA_ENV", "production")
    with pytest.raises(Forbidden), basic.db.transaction() as session:
        clock.advance(session, "P1D")


def test_clock_durations_match_spiffworkflow_months() -> None:
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as T

    for start in [datetime(2027, 1, 31, tzinfo=UTC), datetime(2027, 11, 15, 9, 30, tzinfo=UTC)]:
        for expr in ["P3M", "P1Y2M", "P4D", "PT2H30M", "P5M"]:
            spiff_due = start + T.get_timedelta_from_start(T.parse_iso_duration(expr), start)
            assert clock.add_duration(start, expr) == spiff_due


def test_suspended_instance_timers_wait(basic: Engine) -> None:
    set_clock(basic, T0)
    iid = runtime.start(basic, "timers", LEMPUR, "rina").instance_id
    holds.suspend(basic, iid, "admin")
    assert timers.fire_due(basic, T0 + timedelta(days=5)) == 0
    holds.resume(basic, iid, "admin")
    assert timers.fire_due(basic, T0 + timedelta(days=5)) == 1


def test_a_broken_instance_does_not_stop_the_sweep(basic: Engine) -> None:
    set_clock(basic, T0)
    broken = runtime.start(basic, "timers", LEMPUR, "rina").instance_id
    healthy = runtime.start(basic, "timers", SIGI, "sari").instance_id
    with basic.db.transaction() as session:  # damage one instance's stored state
        from engine.store.models import Instance

        row = session.get(Instance, broken)
        assert row is not None
        row.header = b"not a workflow"
    basic.workflows.clear()
    assert timers.fire_due(basic, T0 + timedelta(days=4)) == 1
    assert open_ids(basic, healthy) == ["eskalasi"]
    detail = queries.instance_detail(basic, broken)
    assert detail["status"] == "failed" and "timer" in detail["error"]
    assert detail["timers"] == []


@pytest.mark.parametrize("workers", [2])
def test_racing_workers_fire_each_timer_exactly_once(basic: Engine, workers: int) -> None:
    set_clock(basic, T0)
    count = 30 if PG_URL else 10
    ids = [
        runtime.start(basic, "timers", LEMPUR if n % 2 else SIGI, "admin").instance_id for n in range(count)
    ]
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def sweep() -> None:
        engine = Engine(basic.db)  # each worker process has its own cache
        barrier.wait()
        try:
            results.append(timers.fire_due(engine, T0 + timedelta(days=4)))
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=sweep) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == count
    with basic.db.sessions() as session:
        fired = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.type == "TIMER_FIRED"))
    assert fired == count
    for iid in ids:
        assert open_ids(basic, iid) == ["eskalasi"]


def test_worker_round_fires_and_checkpoints_the_log(basic: Engine, tmp_path: Path) -> None:
    set_clock(basic, T0)
    iid = runtime.start(basic, "timers", LEMPUR, "rina").instance_id
    set_clock(basic, T0 + timedelta(days=4))
    assert timers.Worker(basic).sweep() == 1
    assert open_ids(basic, iid) == ["eskalasi"]
    if basic.db.is_sqlite:
        # The database file alone (without its write-ahead log) already holds what the sweep wrote.
        database_file = Path(basic.db.engine.url.database or "")
        alone = tmp_path / "alone.sqlite"
        shutil.copyfile(database_file, alone)
        with sqlite3.connect(alone) as copy:
            fired = copy.execute("SELECT count(*) FROM audit_event WHERE type = 'TIMER_FIRED'").fetchone()
        assert fired == (1,)


def test_spiffworkflow_timers_read_the_engine_clock() -> None:
    """The one clock adapter: SpiffWorkflow's timer module asks the engine for "now"."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

    pinned_at = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    with clock.pinned(pinned_at):
        assert spiff_timer.datetime.now(UTC) == pinned_at
    assert abs(spiff_timer.datetime.now(UTC) - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_sweep_in_small_batches_fires_each_once_and_frees_the_backlog(basic: Engine) -> None:
    """Batches load their instances together; one that cannot be rebuilt fails alone; the first
    batch's workflows are kept in the cache, the later ones' taken apart (and rebuilt when needed)."""
    set_clock(basic, T0)
    ids = [runtime.start(basic, "timers", LEMPUR if n % 2 else SIGI, "admin").instance_id for n in range(7)]
    broken = ids[4]
    with basic.db.transaction() as session:
        from engine.store.models import Instance

        row = session.get(Instance, broken)
        assert row is not None
        row.header = b"not a workflow"
    basic.workflows.clear()
    assert timers.fire_due(basic, T0 + timedelta(days=4), batch=3) == 6
    with basic.db.sessions() as session:
        fired = session.scalars(select(AuditEvent.instance_id).where(AuditEvent.type == "TIMER_FIRED")).all()
    assert sorted(fired) == sorted(i for i in ids if i != broken)
    assert queries.instance_detail(basic, broken)["status"] == "failed"
    with basic.db.sessions() as session:
        from engine.store.models import Instance

        revisions = {i: r for i, r in session.execute(select(Instance.id, Instance.revision))}
    cached = [i for i in ids if basic.workflows.take(i, revisions[i])]
    assert len(cached) in (2, 3)  # the first batch's (the broken one may have been among them)
    for iid in ids:
        if iid != broken:
            assert open_ids(basic, iid) == ["eskalasi"]
    assert timers.fire_due(basic, T0 + timedelta(days=30), batch=3) == 0  # never twice
    late = ids[-1]  # from a batch whose workflow was taken apart: rebuilt from its rows
    runtime.complete(basic, open_task(basic, late, "eskalasi").id, "admin", {})


@pytest.mark.skipif(not PG_URL, reason="workers share a sweep by advisory locks on PostgreSQL")
def test_a_batch_takes_the_first_instances_no_other_worker_holds_and_no_more(basic: Engine) -> None:
    from engine.runtime.step import InstanceRef

    rows = [InstanceRef(i, 1, "p", LEMPUR, "waiting", 1, 0, "") for i in range(1, 9)]
    with timers._claims(basic) as other, timers._claims(basic) as mine, timers._claims(basic) as third:
        assert [r.id for r in other(rows[1:3], 2)] == [2, 3]  # another worker took 2 and 3
        assert [r.id for r in mine(rows, 3)] == [1, 4, 5]  # the first three free, in order
        assert [r.id for r in third(rows, 8)] == [6, 7, 8]  # and the rest stayed free
