"""The engine steps its workflows from their task tables (`engine.spiff.stepping`), where
SpiffWorkflow walks every task tree. Played side by side with SpiffWorkflow's own workflow class,
every process of tests/fixtures/spiff and the bench's program go through the same tasks, states
and data after every step; the engine's workflows, new or restored, are of the stepping class; and
the check the tests run with (DESA_VERIFY_STATE) catches an answer in the wrong order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from bench import steps as bench_steps
from engine import clock, spiff
from engine.core import Engine
from engine.definitions import folder as definitions
from engine.spiff import stepping
from engine.spiff.lazy_subprocess import PackedSubWorkflow
from tests.conftest import FIXTURES
from tests.engine.helpers import restored
from tests.engine.test_any_bpmn import GIVEN, LEFT, MESSAGES
from tests.test_program import Village, through_preparation_and_training

SPIFF = FIXTURES / "spiff"
START = datetime(2025, 1, 6, 8, tzinfo=UTC)


def _specs(folder: Path) -> dict[str, spiff.Spec]:
    bundle = definitions.load([folder])
    assert bundle.ok, [p.message for p in bundle.problems]
    # as the engine runs them: through their stored form
    return {pid: spiff.spec_from_dict(pid, spiff.spec_to_dict(spec)) for pid, spec in bundle.specs.items()}


def _walk(top: Any) -> list[Any]:
    """Every task of the instance, depth first, a subprocess before the children of its task."""
    out: list[Any] = []

    def visit(task: Any) -> None:
        out.append(task)
        sub = top.subprocesses.get(task.id)
        if sub is not None:
            visit(sub.task_tree)
        for child in task.children:
            visit(child)

    visit(top.task_tree)
    return out


def _picture(top: Any) -> list[tuple[str, str, str]]:
    return [
        (t.task_spec.name, TaskState.get_name(t.state), json.dumps(t.data, sort_keys=True, default=str))
        for t in _walk(top)
    ]


def _act(action: Any, *args: Any) -> str | None:
    try:
        action(*args)
    except Exception as err:  # both classes must fail alike, with the same message
        return f"{type(err).__name__}: {err}"
    return None


def play_side_by_side(spec: spiff.Spec, answer: Any, messages: list[str], steps: int = 200) -> int:
    """Run the process in both classes, the same inputs in the same order; compare after each
    action. Returns the number of actions it took to complete."""
    ours = spiff.new_workflow(spec)
    theirs = BpmnWorkflow(spec.spec, spec.subprocess_specs, script_engine=spiff.SCRIPT_ENGINE)
    assert type(ours) is stepping.StepWorkflow and type(theirs) is BpmnWorkflow
    now = START
    with clock.pinned(now):
        assert _act(spiff.run_engine, ours) == _act(spiff.run_engine, theirs)
    waited = False
    to_send = list(messages)
    for done in range(steps):
        assert _picture(ours) == _picture(theirs), f"after {done} actions"
        assert [t.task_spec.name for t in ours.get_tasks(state=TaskState.READY)] == [
            t.task_spec.name for t in theirs.get_tasks(state=TaskState.READY)
        ]
        if ours.is_completed():
            assert theirs.is_completed()
            return done
        walk_ours, walk_theirs = _walk(ours), _walk(theirs)
        ready = [
            i
            for i, t in enumerate(walk_ours)
            if t.state == TaskState.READY
            and t.task_spec.manual
            and (waited or t.task_spec.bpmn_id not in LEFT)
        ]
        if ready:
            mine, other = walk_ours[ready[0]], walk_theirs[ready[0]]
            data = answer(mine)
            with clock.pinned(now):
                assert _act(spiff.complete, ours, mine, dict(data)) == _act(
                    spiff.complete, theirs, other, dict(data)
                )
        elif to_send:
            name = to_send.pop(0)
            with clock.pinned(now):
                assert spiff.catch_message(ours, name, {}) == spiff.catch_message(theirs, name, {})
        else:
            now += timedelta(days=1)
            waited = True
            assert _act(spiff.fire_timers, ours, now) == _act(spiff.fire_timers, theirs, now)
    raise AssertionError(f"not completed after {steps} actions")


@pytest.mark.parametrize("process_id", sorted(p.stem for p in SPIFF.glob("*.bpmn")))
def test_each_spiff_style_process_steps_as_spiffworkflow_does(process_id: str) -> None:
    specs = _specs(SPIFF)
    if process_id not in specs:
        pytest.skip(f"{process_id}.bpmn holds no process of that id")
    messages = [MESSAGES[process_id]] if process_id in MESSAGES else []
    play_side_by_side(specs[process_id], lambda t: GIVEN.get(t.task_spec.bpmn_id, {}), messages, 40)


def test_the_bench_program_steps_as_spiffworkflow_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """66 user tasks across subprocesses, parallel branches, joins and gateways; the tables answer
    every query the steps make from the root (none falls back to the walk)."""
    asked, walked = [], []
    real = stepping._answer

    def counted(root: Any, first_task: Any, kwargs: dict[str, Any]) -> list[Any] | None:
        found = real(root, first_task, kwargs)
        if first_task is None:  # (one asks from a given task: answered by the walk, as before)
            (asked if found is not None else walked).append(kwargs)
        return found

    monkeypatch.setattr(stepping, "_answer", counted)
    spec = _specs(bench_steps.PROCESSES)[bench_steps.PROCESS_ID]
    actions = play_side_by_side(
        spec, lambda t: bench_steps.task_data(t.task_spec.bpmn_id, t.task_spec.bpmn_name), []
    )
    assert actions >= 66
    assert len(asked) > 2 * actions and not walked  # several queries a step, all answered by the tables


def test_the_engine_steps_its_workflows_new_and_restored_from_the_tables(
    program: Engine,  # noqa: F811
) -> None:
    v = Village(program)
    through_preparation_and_training(v, baseline=2)
    workflow = restored(program, v.instance)
    assert type(workflow) is stepping.StepWorkflow
    assert workflow.subprocesses  # finished steps' and the running step's subprocesses
    kinds = {sub.spec.name: type(sub) for sub in workflow.subprocesses.values()}
    assert kinds == {
        "persiapan": PackedSubWorkflow,  # finished: its tasks made when first read
        "pelaksanaan_pengembangan": PackedSubWorkflow,
        "monitoring_evaluasi_pelaporan": stepping.StepSubWorkflow,
    }
    assert all(isinstance(sub, stepping.StepSubWorkflow) for sub in workflow.subprocesses.values())


def test_an_answer_in_another_order_than_the_walk_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under DESA_VERIFY_STATE (as every test runs) the tables' answer is checked against the walk:
    two parallel branches answered in reverse order stop the step."""
    spec = _specs(SPIFF)["parallel_gateway"]
    workflow = spiff.new_workflow(spec)
    with clock.pinned(START):
        spiff.run_engine(workflow)
        assert len(workflow.get_tasks(state=TaskState.READY)) == 2
        real = stepping.tasks_matching
        monkeypatch.setattr(stepping, "tasks_matching", lambda *a, **k: list(reversed(real(*a, **k))))
        with pytest.raises(stepping.StepOrderError, match="kanan.*kiri|kiri.*kanan"):
            workflow.get_tasks(state=TaskState.READY)
