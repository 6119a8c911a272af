"""Data corrections: an admin fixes a value the program holds (a mistyped amount), with a reason.

A correction is an input like any other: one transaction, a `DATA_CORRECTED` event with the new
values, the values they replace and the reason, and replay applies it the same way. Finished
tasks keep what they recorded (the history shows both); open tasks and everything after them read
the corrected values.
"""

from __future__ import annotations

import json
from typing import Any

from engine import clock, spiff
from engine.core import Engine
from engine.errors import Conflict, InvalidInput
from engine.runtime import audit
from engine.runtime.actions import StepResult, step_result
from engine.runtime.holds import admin_instance
from engine.runtime.step import Step


def correct_data(
    engine: Engine, instance_id: int, actor: str, changes: dict[str, Any], reason: str
) -> StepResult:
    """Set `changes` (top-level fields) in the open data of an instance; admins only."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("a correction names at least one field and its new value")
    if not reason or not reason.strip():
        raise InvalidInput("a correction needs a reason, for the history")
    try:
        values = json.loads(json.dumps(changes))
    except (TypeError, ValueError) as err:
        raise InvalidInput(f"corrected values must be plain JSON values: {err}") from err
    with engine.db.transaction() as session:
        row = admin_instance(session, actor, instance_id, "correct the data of")
        if row.status in ("completed", "cancelled"):
            raise Conflict(f"instance {instance_id} is {row.status}; its data can no longer change")
        step = Step.load(engine, session, instance_id, clock.now(session))
        before = spiff.current_data(step.workflow)
        with clock.pinned(step.now):
            touched = spiff.correct_data(step.workflow, values)
        if not touched:
            raise Conflict(f"instance {instance_id} has no open task whose data could be corrected")
        assert step.live is not None
        step.live.ledger.forget(touched)
        event = step.save(
            audit.DATA_CORRECTED,
            actor,
            {"changes": values, "previous": {k: before.get(k) for k in values}, "reason": reason.strip()},
        )
        result = step_result(step, event)
    step.keep()
    return result
