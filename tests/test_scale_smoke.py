"""The national-scale bench at 500 villages (bench/scale.py), for correctness, not timings.

Loads 500 villages of the official list with their staff, 22 template villages played through
the engine and the others cloned from them, and two month-3 cohorts; sweeps the cohorts with one
and then two worker processes; verifies a sample. Asserts counts, that no timer fired twice,
and that cloned instances verify and run on through the engine like any other."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench import scale
from bench.scale_load import staff_of
from engine.core import Engine
from engine.history import verify
from engine.runtime import actions as runtime
from engine.store.db import Database
from engine.store.models import AuditEvent, Instance, Village
from engine.views import queries
from tests import model_desa_program as program
from tests.conftest import PROGRAM

VILLAGES = 500


def test_the_scale_bench_loads_sweeps_and_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESA_VERIFY_STATE", raising=False)  # the bench's steps, as in production
    url = f"sqlite:///{tmp_path / 'scale.sqlite'}"
    monkeypatch.setenv("DESA_DATABASE_URL", url)
    args = argparse.Namespace(
        villages=VILLAGES,
        database_url=url,
        json=None,
        clients=4,
        completions=20,
        samples=5,
        verify_processes=2,
        verify_limit=40,
        web_processes=1,
        skip_http=True,
    )
    results = scale.run(args)

    assert results["load"]["instances"] == VILLAGES  # one program instance per village
    cohorts = results["sweep 1 worker"]["timers"] + results["sweep 2 workers"]["timers"]
    assert sum(results["status"].values()) == VILLAGES + 2  # and the two cohort templates
    assert results["sweep 2 workers"]["timers"] == VILLAGES  # every village's month-3 timer at once
    for label in ("sweep 1 worker", "sweep 2 workers"):
        swept = results[label]
        assert swept["month3_fired"] == swept["timers"], label  # each due timer fired ...
        assert swept["fired_twice"] == 0, label  # ... exactly once ...
        # ... by the sweep (the second cohort's template by the first): not before it, during the load
        assert swept["fired"] >= swept["timers"] - 1, label
    assert results["verify_all"]["instances"] == 40 and results["verify_all"]["failed"] == []
    assert results["size"]["state_median_bytes"] > 0

    engine = Engine(Database(url))
    with engine.db.sessions() as session:
        assert session.scalar(select(func.count(Instance.id))) == VILLAGES + cohorts
        villages_with_program = session.scalar(select(func.count(func.distinct(Instance.village_code))))
        swept_ids = list(
            session.scalars(
                select(AuditEvent.instance_id).where(AuditEvent.bpmn_id == "tunggu_bulan_3").limit(400)
            )
        )
    assert villages_with_program == VILLAGES
    # Cloned instances that the workers ran on verify like any other, and go on through the engine.
    with engine.db.sessions() as session:
        for instance_id in swept_ids[-10:]:
            assert verify.verify_instance(engine, session, instance_id).ok
    task = next(t for t in queries.tasks(engine, limit=2000) if t.instance > 100 and t.bpmn_id in _forms())
    doer = staff_of(task.village).get(task.role, "pusat.andi")
    with engine.db.sessions() as session:
        village_row = session.get(Village, task.village)
    answer = program.task_data(task, program.Story(village_row, age_days=0), {})
    runtime.complete(engine, task.id, doer, answer)
    with engine.db.sessions() as session:
        assert verify.verify_instance(engine, session, task.instance).ok


def _forms() -> set[str]:
    """Forms whose example answer stands on its own: a clone carries the data of the village it was
    cloned from (its participants' names), so answers chosen from that data (`x-desa-choices`) are
    that village's, not the example's of the clone's village."""
    forms = PROGRAM.parent.parent / "forms" / PROGRAM.name
    return {
        name.removesuffix(".json")
        for name in program.FORM_EXAMPLES
        if "x-desa-choices" not in (forms / name).read_text(encoding="utf-8")
    }
