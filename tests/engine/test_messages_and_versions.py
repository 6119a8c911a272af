"""Messages reach the right village; deployments version by content; old instances stay put."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from engine import spiff
from engine.core import Engine
from engine.definitions import registry
from engine.errors import NotFound, ScriptError
from engine.runtime import actions as runtime
from engine.store.db import Database
from engine.store.models import Base
from engine.views import queries
from tests.conftest import BASIC, GOHONG, LEMPUR, SIGI
from tests.engine.helpers import open_ids, open_task


def test_message_reaches_only_the_right_village(basic: Engine) -> None:
    lempur = runtime.start(basic, "message", LEMPUR, "admin").instance_id
    sigi = runtime.start(basic, "message", SIGI, "admin").instance_id
    delivered = runtime.deliver_message(basic, "laporan_diterima", SIGI, "admin", {"nomor": "LAP-7"})
    assert [r.instance_id for r in delivered] == [sigi]
    assert open_ids(basic, sigi) == ["arsip"]
    assert open_ids(basic, lempur) == []
    history = queries.instance_detail(basic, sigi)["history"]
    assert history[-1]["type"] == "MESSAGE_RECEIVED"
    assert history[-1]["data"] == {"name": "laporan_diterima", "payload": {"nomor": "LAP-7"}}
    with pytest.raises(NotFound, match="waiting for message 'laporan_diterima'"):
        runtime.deliver_message(basic, "laporan_diterima", GOHONG, "admin", {})
    with pytest.raises(NotFound):  # delivered once: SIGI no longer waits
        runtime.deliver_message(basic, "laporan_diterima", SIGI, "admin", {})


def test_message_payload_reaches_the_task_data(basic: Engine) -> None:
    iid = runtime.start(basic, "message", LEMPUR, "admin").instance_id
    runtime.deliver_message(basic, "laporan_diterima", LEMPUR, "admin", {"nomor": "LAP-9"})
    basic.workflows.clear()
    from engine.runtime.step import Step

    with basic.db.sessions() as session:
        from datetime import UTC, datetime

        step = Step.load(basic, session, iid, datetime.now(UTC))
        task = spiff.find_task(step.workflow, open_task(basic, iid, "arsip").id)
        assert task is not None and task.data["laporan"] == {"nomor": "LAP-9"}


def _copy_basic(tmp_path: Path) -> Path:
    shutil.copytree(BASIC.parent, tmp_path / "basic")
    return tmp_path / "basic" / "processes"


def test_deploying_twice_makes_one_version_and_changes_make_the_next(basic: Engine, tmp_path: Path) -> None:
    folder = _copy_basic(tmp_path)
    again = registry.deploy(basic.db, [folder])
    assert [(v.process_id, v.version, v.created) for v in again] == [
        ("message", 1, False),
        ("simple", 1, False),
        ("timers", 1, False),
    ]
    old = runtime.start(basic, "simple", LEMPUR, "rina").instance_id

    simple = folder / "simple.bpmn"
    simple.write_text(simple.read_text().replace('name="Periksa Data"', 'name="Periksa dan Setujui Data"'))
    changed = registry.deploy(basic.db, [folder])
    assert [(v.process_id, v.version, v.created) for v in changed] == [
        ("message", 1, False),
        ("simple", 2, True),
        ("timers", 1, False),
    ]
    new = runtime.start(basic, "simple", SIGI, "sari").instance_id
    assert [i.version for i in queries.instances(basic)] == [1, 2]

    runtime.complete(basic, open_task(basic, old, "isi_data").id, "rina", {"jumlah": 9})
    runtime.complete(basic, open_task(basic, new, "isi_data").id, "sari", {"jumlah": 9})
    assert open_task(basic, old, "periksa").name == "Periksa Data"  # the old village stays on v1
    assert open_task(basic, new, "periksa").name == "Periksa dan Setujui Data"


def test_form_change_makes_a_new_version(basic: Engine, tmp_path: Path) -> None:
    folder = _copy_basic(tmp_path)
    form = folder.parent / "forms" / "isian.json"
    form.write_text(form.read_text().replace('"minimum": 0', '"minimum": 1'))
    assert [v.version for v in registry.deploy(basic.db, [folder]) if v.process_id == "simple"] == [2]


def test_refused_script_never_runs_and_names_its_task(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="hitung" name="Hitung Skor">
      <bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing>
      <bpmn:script>open("{target}", "w").write("x")</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="hitung" />
    <bpmn:sequenceFlow id="b" sourceRef="hitung" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""
    parser = spiff.new_parser()
    parser.add_bpmn_str(bpmn.encode(), "p.bpmn")
    workflow = spiff.new_workflow(spiff.parse_spec(parser, "p"))
    with pytest.raises(ScriptError, match="Hitung Skor"):
        spiff.run_engine(workflow)
    assert not target.exists()


def test_migrations_build_exactly_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
