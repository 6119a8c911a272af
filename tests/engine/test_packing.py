"""A finished subprocess's task rows are stored as one packed row, and read back the same."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from sqlalchemy import select

from engine import clock, config, spiff
from engine.core import Engine
from engine.runtime import audit
from engine.runtime.step import Step
from engine.spiff import lazy_subprocess, packing, stepping
from engine.store.models import Instance, InstancePacked, InstanceTask
from engine.views import queries
from tests.engine.helpers import downgrade_schema, restored, stored_header, stored_rows
from tests.test_program import (
    Village,
    program,  # noqa: F401  (the fixture the village runs on)
    through_monitoring_and_evaluation,
    through_preparation_and_training,
)


def _tables(engine: Engine, instance_id: int) -> tuple[list[str], dict[str, bytes]]:
    """The workflows of the rows stored on their own, and the packed rows by workflow."""
    with engine.db.sessions() as session:
        own = session.scalars(select(InstanceTask.workflow).where(InstanceTask.instance_id == instance_id))
        packed = session.execute(
            select(InstancePacked.workflow, InstancePacked.body).where(
                InstancePacked.instance_id == instance_id
            )
        )
        return list(own), {key: bytes(body) for key, body in packed}


def _subprocess_keys(engine: Engine, instance_id: int) -> dict[str, str]:
    """By subprocess key, the process it runs."""
    live = restored(engine, instance_id)
    return {str(key): sp.spec.name for key, sp in live.subprocesses.items()}


def test_finished_steps_are_packed_and_the_running_one_is_not(program: Engine) -> None:  # noqa: F811
    """Past preparation and training, those two subprocesses are one packed row each, a fraction
    of the size of their rows; the monitoring that runs keeps a row per task."""
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    names = _subprocess_keys(program, v.instance)
    own, packed = _tables(program, v.instance)
    assert sorted(names[key] for key in packed) == ["pelaksanaan_pengembangan", "persiapan"]
    assert not set(own) & set(packed)  # no task of a packed subprocess has a row of its own too
    running = [key for key, name in names.items() if name == "monitoring_evaluasi_pelaporan"]
    assert running and set(running) <= set(own)
    for key, blob in packed.items():
        rows = packing.unpack(key, blob)
        assert len(rows) > 5
        assert len(blob) < 0.45 * sum(len(entry.body) for _, entry in rows)
    # Every task is still stored once: the packed rows and the others together.
    everything = stored_rows(program, v.instance)
    assert len({task_id for task_id, *_ in everything}) == len(everything)
    live = restored(program, v.instance)
    assert len(everything) == sum(len(wf.tasks) for wf in [live, *live.subprocesses.values()])


def test_the_stored_state_is_smaller_once_packed(program: Engine) -> None:  # noqa: F811
    """Half a year in, with the monitoring still running: a third less to store and read."""
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    packed_size = queries.instance_detail(program, v.instance)["state_bytes"]
    unpacked_size = len(stored_header(program, v.instance)) + sum(
        len(body) for *_, body in stored_rows(program, v.instance)
    )
    assert packed_size < 0.7 * unpacked_size


def _step(engine: Engine, instance_id: int) -> Step:
    with engine.db.sessions() as session:
        return Step.load(engine, session, instance_id, clock.now(session))


def _finished_task(workflow: Any, process: str) -> tuple[str, Any]:
    key, sp = next((str(k), sp) for k, sp in workflow.subprocesses.items() if sp.spec.name == process)
    task = next(t for t in sp.tasks.values() if t.data and t.task_spec.name != "Start")
    return key, task


@pytest.mark.parametrize("change", ["data", "state"])
def test_a_packed_subprocess_whose_task_changes_is_stored_again(program: Engine, change: str) -> None:  # noqa: F811
    """Should a finished subprocess's task change after all (a move to a new version does this), the
    step writes it: packed again when the subprocess is still finished for good, as rows of their
    own when it is not. Each save checks the rows rebuild the live workflow (DESA_VERIFY_STATE)."""
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    program.workflows.clear()  # restored from the packed rows
    step = _step(program, v.instance)
    key, task = _finished_task(step.workflow, "persiapan")
    if change == "data":
        task.data["catatan_tambahan"] = "diperbaiki"
    else:
        task._state = 16  # READY: the subprocess is no longer finished for good
    assert step.live is not None
    step.live.ledger.forget([task])
    step.commit(audit.DATA_CORRECTED, "admin", {"changes": {}, "previous": {}, "reason": "uji"})
    own, packed = _tables(program, v.instance)
    if change == "data":
        assert key in packed and key not in own
        rows = {task_id: json.loads(entry.body) for task_id, entry in packing.unpack(key, packed[key])}
        assert rows[str(task.id)]["u"]["catatan_tambahan"] == "diperbaiki"
    else:
        assert key not in packed and key in own
    program.workflows.clear()
    again = restored(program, v.instance)
    found = next(t for sp in again.subprocesses.values() for t in sp.tasks.values() if t.id == task.id)
    assert (found._state, found.data.get("catatan_tambahan")) == (
        (64, "diperbaiki") if change == "data" else (16, None)
    )


def test_older_instances_are_packed_by_their_next_step(program: Engine) -> None:  # noqa: F811
    """An instance stored before subprocesses were packed (every row on its own) reads the same,
    and its next step packs what has finished."""
    from tests.engine.helpers import unpacked

    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    with program.db.transaction() as session:
        unpacked(session, v.instance)
    program.workflows.clear()
    _, packed = _tables(program, v.instance)
    assert packed == {}
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    _, packed = _tables(program, v.instance)
    assert len(packed) == 2


def test_an_unreadable_packed_row_is_named(program: Engine) -> None:  # noqa: F811
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    with program.db.transaction() as session:
        row = session.scalars(select(InstancePacked).where(InstancePacked.instance_id == v.instance)).first()
        assert row is not None
        key = row.workflow
        row.body = b"not a packed row"
    program.workflows.clear()
    with pytest.raises(ValueError, match=f"packed rows of subprocess {key}"):
        restored(program, v.instance)


def test_steps_leave_finished_steps_unmade_and_store_the_same(
    program: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A village restored after preparation and training runs half a year of monitoring without
    making the tasks of those two finished steps (without the state checks, which read them), and
    what it stores is what a full rebuild gives."""
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    monkeypatch.setattr(config, "_built", dataclasses.replace(config.settings(), verify_state=False))
    made_now: list[str] = []
    real = lazy_subprocess.build

    def build(workflow: Any) -> None:
        if stepping.unbuilt(workflow):
            made_now.append(workflow.spec.name)
        real(workflow)

    monkeypatch.setattr(lazy_subprocess, "build", build)
    program.workflows.clear()
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    assert made_now == []
    with program.db.sessions() as session:
        revision = session.get(Instance, v.instance).revision  # type: ignore[union-attr]
    live = program.workflows.take(v.instance, revision)
    assert live is not None  # the workflow the steps ran on, restored once and kept
    finished = [sp for sp in live.workflow.subprocesses.values() if stepping.unbuilt(sp)]
    assert sorted(sp.spec.name for sp in finished) == ["pelaksanaan_pengembangan", "persiapan"]
    # Read now, they are as a full rebuild from the stored rows makes them.
    assert spiff.normalised_view(live.workflow) == spiff.normalised_view(restored(program, v.instance))
    assert sorted(made_now) == sorted(["pelaksanaan_pengembangan", "persiapan"] * 2)


def test_downgrading_the_schema_puts_the_packed_rows_back(program: Engine) -> None:  # noqa: F811
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    before = spiff.normalised_view(restored(program, v.instance))
    rows = sorted(stored_rows(program, v.instance))
    assert _tables(program, v.instance)[1]  # something is packed
    downgrade_schema(program, "0015")
    with program.db.sessions() as session:
        own = session.execute(
            select(InstanceTask.task_id, InstanceTask.workflow, InstanceTask.ord, InstanceTask.body).where(
                InstanceTask.instance_id == v.instance
            )
        )
        assert sorted(tuple(r) for r in own) == rows  # every row on its own, as before packing
    program.db.upgrade()
    program.workflows.clear()
    assert spiff.normalised_view(restored(program, v.instance)) == before
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)  # and its next steps pack again
    assert len(_tables(program, v.instance)[1]) == 2
