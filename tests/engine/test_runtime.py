"""Starting, completing, persisting and routing: what staff notice when they work their tasks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from engine import spiff
from engine.core import Engine
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.runtime import actions as runtime
from engine.runtime import audit, holds
from engine.runtime.step import Step, load_live
from engine.store.fastsql import Sql
from engine.store.models import Instance
from engine.views import queries
from tests.conftest import GOHONG, LEMPUR, SIGI
from tests.engine.helpers import open_ids, open_task, set_clock, snapshot


def _stored_view(engine: Engine, instance_id: int) -> list[tuple[str, str, str]]:
    """The instance as the database holds it, rebuilt without the cache."""
    with engine.db.sessions() as session:
        row = session.get(Instance, instance_id)
        assert row is not None
        spec = engine.specs.get(session, row.process_version_id).spec
        return spiff.normalised_view(load_live(Sql(session), instance_id, spec).workflow)


def _live_view(engine: Engine, instance_id: int) -> list[tuple[str, str, str]]:
    with engine.db.sessions() as session:
        step = Step.load(engine, session, instance_id, datetime.now(UTC))
        view = spiff.normalised_view(step.workflow)
        step.keep()
        return view


def test_state_survives_save_and_load_after_every_step(basic: Engine) -> None:
    set_clock(basic, datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
    instance = runtime.start(basic, "simple", SIGI, "sari").instance_id
    assert _stored_view(basic, instance) == _live_view(basic, instance)

    runtime.complete(basic, open_task(basic, instance, "isi_data").id, "sari", {"jumlah": 9, "catatan": "ok"})
    assert _stored_view(basic, instance) == _live_view(basic, instance)
    basic.workflows.clear()  # a restarted server continues from the database alone
    assert open_ids(basic, instance) == ["periksa"]

    runtime.complete(basic, open_task(basic, instance, "periksa").id, "budi", {"setuju": True})
    assert _stored_view(basic, instance) == _live_view(basic, instance)
    detail = queries.instance_detail(basic, instance)
    assert detail["status"] == "completed"
    assert [e["type"] for e in detail["history"]] == ["INSTANCE_STARTED", "TASK_COMPLETED", "TASK_COMPLETED"]


def test_gateway_follows_submitted_data(basic: Engine) -> None:
    small = runtime.start(basic, "simple", LEMPUR, "rina").instance_id
    runtime.complete(basic, open_task(basic, small, "isi_data").id, "rina", {"jumlah": 2})
    assert queries.instance_detail(basic, small)["status"] == "completed"


def test_lanes_route_tasks_to_role_and_village_only(basic: Engine) -> None:
    lempur = runtime.start(basic, "simple", LEMPUR, "rina").instance_id
    sigi = runtime.start(basic, "simple", SIGI, "sari").instance_id

    assert [(t.instance, t.role) for t in queries.tasks(basic, user="rina")] == [(lempur, "Pendamping")]
    assert [(t.instance, t.role) for t in queries.tasks(basic, user="sari")] == [(sigi, "Pendamping")]
    assert queries.tasks(basic, user="budi") == []  # no task for his role yet
    assert queries.tasks(basic, user="dewi") == []  # national, but not a pendamping task

    lempur_task = open_task(basic, lempur, "isi_data")
    with pytest.raises(NotFound):  # another village's companion does not learn the task exists
        runtime.complete(basic, lempur_task.id, "sari", {"jumlah": 1})
    with pytest.raises(NotFound):
        runtime.claim(basic, lempur_task.id, "sari")

    runtime.complete(basic, open_task(basic, sigi, "isi_data").id, "sari", {"jumlah": 8})
    periksa = open_task(basic, sigi, "periksa")
    assert periksa.role == "Fasilitator Daerah"
    assert [t.id for t in queries.tasks(basic, user="budi")] == [periksa.id]  # Pulang Pisau is his kabupaten
    with pytest.raises(Forbidden):  # the companion sees her village's task but it is not her role
        runtime.complete(basic, periksa.id, "sari", {})


def test_fasilitator_daerah_sees_only_his_kabupaten(basic: Engine) -> None:
    for village, companion in [(LEMPUR, "rina"), (SIGI, "sari"), (GOHONG, "admin")]:
        iid = runtime.start(basic, "simple", village, companion).instance_id
        runtime.complete(basic, open_task(basic, iid, "isi_data").id, "admin", {"jumlah": 10})
    assert sorted(t.village for t in queries.tasks(basic, user="budi")) == sorted([SIGI, GOHONG])


def test_admin_override_is_recorded(basic: Engine) -> None:
    iid = runtime.start(basic, "simple", LEMPUR, "rina").instance_id
    runtime.complete(basic, open_task(basic, iid, "isi_data").id, "admin", {"jumlah": 1})
    completed = queries.instance_detail(basic, iid)["history"][-1]
    assert completed["type"] == "TASK_COMPLETED" and completed["actor"] == "admin"
    assert completed["data"]["override"] is True
    assert completed["data"]["data"] == {"jumlah": 1}


def test_claim_routes_and_blocks_colleagues(basic: Engine) -> None:
    iid = runtime.start(basic, "simple", GOHONG, "admin").instance_id
    runtime.complete(basic, open_task(basic, iid, "isi_data").id, "admin", {"jumlah": 7})
    task = open_task(basic, iid, "periksa")
    with pytest.raises(NotFound):  # not her village: she does not learn the task exists
        runtime.claim(basic, task.id, "rina")
    with pytest.raises(Forbidden):  # sees every village, but the task is for a fasilitator daerah
        runtime.claim(basic, task.id, "dewi")
    runtime.claim(basic, task.id, "budi")
    assert open_task(basic, iid, "periksa").claimed_by == "budi"
    with pytest.raises(Conflict, match="taken by budi"):
        runtime.claim(basic, task.id, "admin")
    with pytest.raises(Forbidden):
        runtime.unclaim(basic, task.id, "dewi")
    runtime.unclaim(basic, task.id, "budi")
    assert open_task(basic, iid, "periksa").claimed_by is None
    types = [e["type"] for e in queries.instance_detail(basic, iid)["history"]]
    assert types[-2:] == ["TASK_CLAIMED", "TASK_UNCLAIMED"]


def test_stale_revision_is_refused_and_nothing_is_written(basic: Engine) -> None:
    iid = runtime.start(basic, "simple", LEMPUR, "rina").instance_id
    task = open_task(basic, iid, "isi_data")
    runtime.claim(basic, task.id, "rina")  # revision 1 -> 2
    before = snapshot(basic, iid)
    with pytest.raises(Conflict, match="changed since you loaded it"):
        runtime.complete(basic, task.id, "rina", {"jumlah": 3}, expected_revision=1)
    assert snapshot(basic, iid) == before
    runtime.complete(basic, task.id, "rina", {"jumlah": 3}, expected_revision=before["revision"])
    assert snapshot(basic, iid)["revision"] == before["revision"] + 1


def test_double_submit_says_who_completed_it(basic: Engine) -> None:
    iid = runtime.start(basic, "simple", LEMPUR, "rina").instance_id
    task = open_task(basic, iid, "isi_data")
    runtime.complete(basic, task.id, "rina", {"jumlah": 3})
    before = snapshot(basic, iid)
    with pytest.raises(Conflict, match="already completed by rina"):
        runtime.complete(basic, task.id, "rina", {"jumlah": 3})
    assert snapshot(basic, iid) == before


def test_concurrent_completions_of_one_task_have_one_winner(basic: Engine) -> None:
    iid = runtime.start(basic, "simple", LEMPUR, "rina").instance_id
    task = open_task(basic, iid, "isi_data")
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def submit(n: int) -> None:
        engine = Engine(basic.db)  # each "server process" has its own cache
        barrier.wait()
        try:
            runtime.complete(engine, task.id, "rina", {"jumlah": n})
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["won"]
    history = queries.instance_detail(basic, iid)["history"]
    assert [e["type"] for e in history].count("TASK_COMPLETED") == 1


def test_form_schema_refuses_bad_data_per_field(basic: Engine) -> None:
    iid = runtime.start(basic, "simple", LEMPUR, "rina").instance_id
    task = open_task(basic, iid, "isi_data")
    before = snapshot(basic, iid)
    with pytest.raises(InvalidInput) as refused:
        runtime.complete(basic, task.id, "rina", {"jumlah": -4, "catatan": 5})
    fields = {f.path: f for f in refused.value.fields}
    assert set(fields) == {"jumlah", "catatan"}
    assert (fields["jumlah"].message, fields["jumlah"].message_en) == (
        "Paling kecil 0.",
        "Must be at least 0.",
    )
    assert fields["catatan"].message == "Jenis isian tidak sesuai (harus teks)."
    with pytest.raises(InvalidInput) as missing:
        runtime.complete(basic, task.id, "rina", {})
    assert [f.path for f in missing.value.fields] == ["jumlah"]
    assert snapshot(basic, iid) == before


def test_suspended_instance_holds_its_tasks(basic: Engine) -> None:
    iid = runtime.start(basic, "simple", LEMPUR, "rina").instance_id
    task = open_task(basic, iid, "isi_data")
    with pytest.raises(Forbidden):
        holds.suspend(basic, iid, "rina")
    holds.suspend(basic, iid, "admin", reason="desa mengundurkan diri sementara")
    assert queries.tasks(basic, user="rina") == []
    with pytest.raises(Conflict, match="suspended"):
        runtime.complete(basic, task.id, "rina", {"jumlah": 1})
    holds.resume(basic, iid, "admin")
    runtime.complete(basic, task.id, "rina", {"jumlah": 1})
    assert queries.instance_detail(basic, iid)["status"] == "completed"


def test_cancel_clears_work_and_is_recorded(basic: Engine) -> None:
    iid = runtime.start(basic, "timers", LEMPUR, "rina").instance_id
    holds.cancel(basic, iid, "admin", reason="desa mengundurkan diri")
    detail = queries.instance_detail(basic, iid)
    assert detail["status"] == "cancelled" and detail["tasks"] == [] and detail["timers"] == []
    assert detail["history"][-1]["type"] == "INSTANCE_CANCELLED"
    assert detail["history"][-1]["data"] == {"reason": "desa mengundurkan diri"}
    with pytest.raises(Conflict):
        holds.cancel(basic, iid, "admin")


def test_start_needs_a_known_village_and_process(basic: Engine) -> None:
    with pytest.raises(NotFound, match="no village"):
        runtime.start(basic, "simple", "99.99.99.9999", "admin")
    with pytest.raises(NotFound, match="no deployed process 'nope'"):
        runtime.start(basic, "nope", LEMPUR, "admin")
    with pytest.raises(Forbidden):
        runtime.start(basic, "simple", SIGI, "rina")


def test_history_chain_verifies_and_detects_an_edit(basic: Engine) -> None:
    iid = runtime.start(basic, "simple", SIGI, "sari").instance_id
    runtime.complete(basic, open_task(basic, iid, "isi_data").id, "sari", {"jumlah": 9})
    with basic.db.transaction() as session:
        events = audit.history(session, iid)
        assert audit.verify_chain(events) is None
        events[1].data = {"data": {"jumlah": 90}}  # someone edits an amount in the database
        session.flush()
        assert audit.verify_chain(audit.history(session, iid)) == 2
        session.rollback()
