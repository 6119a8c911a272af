"""A village's whole program with the stored state taken after every transaction (replay and verify tests)."""

from __future__ import annotations

from typing import Any

import pytest

from engine import spiff
from engine.core import Engine
from engine.runtime.step import load_live
from engine.store.fastsql import Sql
from engine.store.models import Instance
from tests.test_program import (
    Village,
    program,  # noqa: F401  (the fixture full_village builds on)
    through_monitoring_and_evaluation,
    through_preparation_and_training,
    through_report_termination_and_reflection,
)


def stored_view(engine: Engine, instance_id: int) -> tuple[list[tuple[str, str, str]], str, int]:
    """What the database holds for the instance now: its tasks, its status and its last event."""
    with engine.db.sessions() as session:
        row = session.get(Instance, instance_id)
        assert row is not None
        spec = engine.specs.get(session, row.process_version_id).spec_for_instance()
        workflow = load_live(Sql.of(session), instance_id, spec).workflow
        return spiff.normalised_view(workflow), row.status, row.last_seq


class RecordingVillage(Village):
    """A village whose stored state is taken after every transaction, keyed by its last event."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.recorded: dict[int, tuple[list[tuple[str, str, str]], str]] = {}
        self.take()

    def take(self) -> None:
        view, status, seq = stored_view(self.engine, self.instance)
        self.recorded[seq] = (view, status)

    def do(self, *args: Any, **kwargs: Any) -> str:
        name = super().do(*args, **kwargs)
        self.take()
        return name

    def advance_to(self, at: Any) -> int:
        fired = super().advance_to(at)
        self.take()
        return fired

    def deliver(self, message: str, payload: dict[str, Any]) -> list[int]:
        delivered = super().deliver(message, payload)
        self.take()
        return delivered


@pytest.fixture
def full_village(program: Engine) -> RecordingVillage:  # noqa: F811
    v = RecordingVillage(program)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    through_report_termination_and_reflection(v)
    return v
