"""The engine as staff, the CLI and the timer worker drive it, for the scope tests
(tests/engine/test_scope_*.py) on the small hand-written fixtures in tests/fixtures/scope/.

"warm" keeps the engine's in-process caches between steps; "cold" empties the workflow and spec
caches before every step, as a restarted server would, so every step continues from the database
alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine import spiff
from engine.clock import set_time
from engine.core import Engine, SpecCache
from engine.runtime import actions as runtime
from engine.runtime.step import Step
from engine.views import queries
from engine.worker import timers
from tests.conftest import FIXTURES, LEMPUR, ONE_PER_ROLE, SIGI, set_up

SCOPE = FIXTURES / "scope" / "processes"
UNSUPPORTED = FIXTURES / "scope" / "unsupported"
T0 = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


@dataclass
class Desk:
    """The engine as the web app, the CLI and the worker drive it; every instance starts in Sigi."""

    engine: Engine
    cold: bool

    def _step(self) -> None:
        if self.cold:  # a restarted server: no live workflow and no restored spec in memory
            self.engine.workflows.clear()
            self.engine.specs = SpecCache()

    def start(self, process_id: str, data: dict[str, Any] | None = None) -> int:
        self._step()
        return runtime.start(self.engine, process_id, SIGI, "admin", data).instance_id

    def open(self, instance_id: int) -> list[str]:
        """The BPMN ids of the instance's open human tasks, sorted."""
        return sorted(t.bpmn_id for t in queries.tasks(self.engine, instance_id=instance_id))

    def tasks(self, instance_id: int, bpmn_id: str) -> list[queries.TaskRow]:
        return [t for t in queries.tasks(self.engine, instance_id=instance_id) if t.bpmn_id == bpmn_id]

    def task(self, instance_id: int, bpmn_id: str) -> queries.TaskRow:
        found = self.tasks(instance_id, bpmn_id)
        assert len(found) == 1, f"expected one open {bpmn_id}; open: {self.open(instance_id)}"
        return found[0]

    def complete(
        self, instance_id: int, bpmn_id: str, data: dict[str, Any] | None = None, actor: str = "admin"
    ) -> None:
        self.complete_task(self.task(instance_id, bpmn_id).id, data, actor)

    def complete_task(self, task_id: str, data: dict[str, Any] | None = None, actor: str = "admin") -> None:
        self._step()
        runtime.complete(self.engine, task_id, actor, data or {})

    def message(self, name: str, payload: dict[str, Any], village: str = SIGI) -> list[int]:
        """Deliver a message to the village; the instances that caught it."""
        self._step()
        return [r.instance_id for r in runtime.deliver_message(self.engine, name, village, "admin", payload)]

    def fire(self, when: datetime) -> int:
        """Move the clock to `when` and run the worker's sweep; how many timers fired."""
        self._step()
        with self.engine.db.transaction() as session:
            set_time(session, when, frozen=True)
        return timers.fire_due(self.engine, when)

    def detail(self, instance_id: int) -> dict[str, Any]:
        return queries.instance_detail(self.engine, instance_id)

    def status(self, instance_id: int) -> str:
        return str(self.detail(instance_id)["status"])

    def timers(self, instance_id: int) -> list[str | None]:
        """Due times of the instance's waiting timers, as the timer list shows them."""
        return [t["due_at"] for t in self.detail(instance_id)["timers"]]

    def history(self, instance_id: int) -> list[str]:
        return [e["type"] for e in self.detail(instance_id)["history"]]

    def _stored_workflow(self, instance_id: int) -> Any:
        """The workflow rebuilt from the database alone, by an engine with empty caches."""
        with self.engine.db.sessions() as session:
            return Step.load(Engine(self.engine.db), session, instance_id, T0).workflow

    def data(self, instance_id: int, task_id: str) -> dict[str, Any]:
        """The data an open task holds, as stored: what its form is filled from."""
        task = spiff.find_task(self._stored_workflow(instance_id), task_id)
        assert task is not None
        return spiff.task_data(task)

    def final_data(self, instance_id: int) -> dict[str, Any]:
        """The data a completed instance ended with, as stored."""
        workflow = self._stored_workflow(instance_id)
        ends = [t for t in workflow.get_tasks(spec_name="End") if t.workflow is workflow]
        assert len(ends) == 1
        return spiff.task_data(ends[0])


def open_desk(engine: Engine, cold: bool) -> Desk:
    set_up(engine, SCOPE, [LEMPUR, SIGI], ONE_PER_ROLE, admin=True)
    with engine.db.transaction() as s:
        set_time(s, T0, frozen=True)
    return Desk(engine, cold=cold)


def inbox(desk: Desk, user: str) -> list[tuple[int, str]]:
    return sorted((t.instance, t.bpmn_id) for t in queries.tasks(desk.engine, user=user))


def at(days: int) -> str:
    return (T0 + timedelta(days=days)).isoformat()
