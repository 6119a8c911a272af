"""The stored task rows (engine/spiff/rows.py): what a village's state costs to keep, and that
what is kept rebuilds the running instance exactly, task by task and workflow by workflow, after
every step of the whole program; rows written by earlier versions (SpiffWorkflow's own task dicts)
and headers holding a workflow's data in full still read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine import spiff
from engine.core import Engine, decode
from engine.runtime import step as steps
from engine.runtime.step import load_live
from engine.spiff.serialize import REGISTRY, StateEncoder
from engine.store.fastsql import Sql
from engine.store.models import Instance
from tests.engine.helpers import edit_rows, restored, stored_header, stored_rows, unpacked
from tests.test_program import (
    Village,
    program,  # noqa: F401  (the fixture the village runs on)
    through_monitoring_and_evaluation,
    through_preparation_and_training,
    through_report_termination_and_reflection,
)


def _flags(internal: dict[str, Any]) -> dict[str, Any]:
    """Internal data as SpiffWorkflow reads it: a catching event's `event_fired` absent is False
    (it resets a predicted event's flag to False without changing the task's state, so the row
    is not written again for it)."""
    return {k: v for k, v in internal.items() if not (k == "event_fired" and v is False)}


def exact_view(workflow: Any) -> dict[str, Any]:
    """Everything SpiffWorkflow keeps of each task, by task id, and of each subprocess."""
    tasks = {}
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            tasks[str(task.id)] = (
                str(task._parent),
                [str(c) for c in task._children],
                task._state,
                task.task_spec.name,
                task.triggered,
                task.last_state_change,
                json.dumps(_flags(task.internal_data), cls=StateEncoder, sort_keys=True),
                json.dumps(task.data, cls=StateEncoder, sort_keys=True),
            )
    subs = {
        str(k): (
            str(sp.parent_task_id),
            sp.completed,
            str(sp.last_task and sp.last_task.id),
            json.dumps(sp.data, cls=StateEncoder, sort_keys=True),
        )
        for k, sp in workflow.subprocesses.items()
    }
    top = json.dumps(workflow.data, cls=StateEncoder, sort_keys=True)
    return {"tasks": tasks, "subprocesses": subs, "data": top}


def whole_program(engine: Engine) -> Village:
    v = Village(engine)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    through_report_termination_and_reflection(v)
    return v


def test_every_step_of_the_program_is_stored_exactly(
    program: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = []
    kept = steps.verify_stored

    def exactly(sql: Sql, instance_id: int, workflow: Any, spec: Any) -> None:
        kept(sql, instance_id, workflow, spec)
        rebuilt = load_live(sql, instance_id, spec).workflow
        got, want = exact_view(rebuilt), exact_view(workflow)
        differing = {
            k: [(a, b) for a, b in zip(got["tasks"].get(k) or (), v, strict=False) if a != b]
            for k, v in want["tasks"].items()
            if got["tasks"].get(k) != v
        }
        assert not differing and got == want, differing
        checked.append(instance_id)

    monkeypatch.setenv("DESA_VERIFY_STATE", "1")
    monkeypatch.setattr(steps, "verify_stored", exactly)
    whole_program(program)
    assert len(checked) > 40  # every transaction of the program, not a few


def _rows(engine: Engine, instance_id: int) -> list[dict[str, Any]]:
    return [json.loads(body) for *_, body in stored_rows(engine, instance_id)]


def test_data_entered_once_is_stored_once(program: Engine) -> None:  # noqa: F811
    """The participants registered in training reach every later task and subprocess of the
    program, yet their list is in the rows once: later tasks store only what changed."""
    v = whole_program(program)
    live = restored(program, v.instance)
    holders = [t for t in live.get_tasks() if "peserta" in t.data]
    assert len(holders) > 20  # the list is in the data of many tasks, in several subprocesses
    stored = [r for r in _rows(program, v.instance) if "peserta" in (r.get("d") or {}) | (r.get("u") or {})]
    assert [r["n"] for r in stored] == ["registrasi_peserta"]
    # The attendance of the four training days is one list that grows a day at a time: each day's
    # row holds that day's entry, not the days before it again.
    days = [
        r for r in _rows(program, v.instance) if "absensi_harian" in (r.get("u") or {}) | (r.get("a") or {})
    ]
    entries = [e for r in days for e in ((r.get("u") or {}) | (r.get("a") or {}))["absensi_harian"]]
    assert sorted(e["hari"] for e in entries) == [1, 2, 3, 4]  # each day's entry once
    lists = [
        [e["hari"] for e in t.data["absensi_harian"]] for t in live.get_tasks() if "absensi_harian" in t.data
    ]
    assert max(lists, key=len) == [1, 2, 3, 4]  # and read back, the whole list


def _earlier_row(task: Any) -> dict[str, Any]:
    """A row as the earlier version wrote it: SpiffWorkflow's task dict; a task without data with
    no delta (so that it reads back empty whatever its parent holds)."""
    row: dict[str, Any] = REGISTRY.convert(task)
    if not task.data:
        row["data"], row["delta"] = {}, {}
    return row


def test_rows_written_by_an_earlier_version_still_read(program: Engine) -> None:  # noqa: F811
    """An instance stored as SpiffWorkflow's task dicts (every row before this format) is read as
    it was, and the next step writes the rows it changes in the new format."""
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    with program.db.transaction() as session:
        row = session.get(Instance, v.instance)
        assert row is not None
        spec = program.specs.get(session, row.process_version_id).spec_for_instance()
        live = load_live(Sql.of(session), v.instance, spec).workflow
        before = exact_view(live)
        by_id = {str(t.id): t for wf in [live, *live.subprocesses.values()] for t in wf.tasks.values()}
        REGISTRY._encoder_mode = True
        try:
            unpacked(session, v.instance)  # earlier versions kept every row on its own
            session.flush()
            edit_rows(
                session, v.instance, lambda tid, _: json.dumps(_earlier_row(by_id[tid]), cls=StateEncoder)
            )
        finally:
            REGISTRY._encoder_mode = False
    program.workflows.clear()
    with program.db.sessions() as session:
        again = load_live(Sql.of(session), v.instance, spec).workflow
    assert exact_view(again) == before
    assert all("typename" in r for r in _rows(program, v.instance))
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    rows = _rows(program, v.instance)
    assert any("typename" not in r for r in rows) and spiff.normalised_view(again) != []


def test_a_finished_steps_data_is_not_stored_again_in_the_header(program: Engine) -> None:  # noqa: F811
    """A finished subprocess keeps what its end gathered (everything its last task knew): the
    header names that task's row instead of repeating the data every step rewrites it, and the
    header reads back to the same data (checked after every step above)."""
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    header = json.loads(decode(stored_header(program, v.instance)))
    finished = [sub for sub in header["subprocesses"].values() if sub["completed"]]
    assert len(finished) >= 2
    assert all("data_from" in sub and len(json.dumps(sub["data"])) < 200 for sub in finished)
    assert len(json.dumps(header)) < 8_000  # 1.3 KB here; it held each finished step's data: 28.6 KB
