"""The village page reads what it shows without rebuilding a workflow, and costs the same statements
however far the village is in the program."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine import spiff
from engine.core import Engine
from engine.runtime.step import load_live
from engine.spiff import stored
from engine.store.fastsql import Sql
from engine.store.models import Instance
from engine.views import queries
from tests.engine.helpers import stored_rows
from tests.engine.test_query_counts import statements
from tests.test_program import (
    LEMPUR,
    Village,
    program,  # noqa: F401  (the fixture)
    through_monitoring_and_evaluation,
    through_preparation_and_training,
    through_report_termination_and_reflection,
)
from tests.web.test_village import signed_in


def rebuilt_and_read(engine: Engine, instance_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The instance's data from its restored workflow, and as read from its stored rows."""
    with engine.db.sessions() as session:
        version = session.scalar(select(Instance.process_version_id).where(Instance.id == instance_id))
        assert version is not None
        spec = engine.specs.get(session, version).spec_for_instance()
        workflow = load_live(Sql.of(session), instance_id, spec).workflow
    rows = stored_rows(engine, instance_id)
    rebuilt = spiff.current_data(workflow)
    assert queries.instance_data(engine, instance_id) == rebuilt
    return rebuilt, stored.current_data(rows)


def test_the_data_read_from_the_rows_is_the_restored_workflows_at_every_step(
    program: Engine,  # noqa: F811
) -> None:
    v = Village(program)
    original = v.do
    checked = []

    def do(*args: Any, **kwargs: Any) -> str:
        found = original(*args, **kwargs)
        rebuilt, read = rebuilt_and_read(program, v.instance)
        assert read == rebuilt, args[0]
        checked.append(args[0])
        return found

    v.do = do  # type: ignore[method-assign]
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=True)
    through_report_termination_and_reflection(v)
    rebuilt, read = rebuilt_and_read(program, v.instance)
    assert read == rebuilt and "rencana_aksi" in rebuilt and "skor_evaluasi" in rebuilt
    assert len(checked) > 20


def test_a_village_page_costs_the_same_statements_early_and_late_in_the_program(
    program: Engine,  # noqa: F811
) -> None:
    v = Village(program)
    c = signed_in(program, "pusat")

    def page() -> None:
        assert c.get(f"/desa/{LEMPUR}").status_code == 200

    early = statements(program, page)
    through_preparation_and_training(v, baseline=2)
    through_monitoring_and_evaluation(v, evaluation=4, revise=False)
    late = statements(program, page)
    assert early == late, (early, late)
    orm, _driver = late
    assert orm <= 10, late  # the village and the user, the clock and the header's count, the instances,
    # their histories, the open tasks and timers, the stored rows: each read once


def test_rows_that_refer_to_a_task_not_stored_are_not_guessed_at() -> None:
    with pytest.raises(stored.Unreadable):
        stored.current_data(
            [("2b7c1d7e-1d5e-4a36-9f5e-0c2f6f8f9a01", "", 1, '{"p":7,"t":1.0,"s":64,"n":"x","u":{"a":1}}')]
        )
