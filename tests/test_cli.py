"""The `desa` command as an operator or a script uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli import main
from engine.core import Engine
from tests.conftest import BASIC, LEMPUR


@pytest.fixture
def desa(engine: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(BASIC))
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return run


def test_a_day_of_work_from_the_command_line(desa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "schema revision" in desa("init").output
    assert "simple: deployed as version 1" in desa("deploy", str(BASIC)).output
    assert "simple: unchanged at version 1" in desa("deploy").output

    csv_file = tmp_path / "desa.csv"
    csv_file.write_text(
        "code,name,kecamatan,kabupaten,provinsi\n"
        f"{LEMPUR},Lempur Mudik,Gunung Raya,Kab. Kerinci,Jambi\n"
        "62.11.02.2001,Sigi,Kahayan Tengah,Kab. Pulang Pisau,Kalimantan Tengah\n"
    )
    assert "2 added, 0 updated" in desa("villages", "import", str(csv_file)).output
    villages = json.loads(desa("villages", "list", "--json").output)
    assert [v["code"] for v in villages] == [LEMPUR, "62.11.02.2001"]

    assert "password: rahasia" in desa("users", "add", "rina", "--password", "rahasia").output
    desa("assign", "rina", "Pendamping", "--village", LEMPUR)
    users = json.loads(desa("users", "list", "--json").output)
    assert users == [
        {
            "full_name": "",
            "is_admin": False,
            "active": True,
            "sessions": 0,
            "roles": [{"code": LEMPUR, "role": "Pendamping", "scope": "village"}],
            "username": "rina",
            "villages": [LEMPUR],
        }
    ]

    instance_id = desa("start", "timers", "--village", LEMPUR, "--as", "rina").output.strip()
    assert instance_id.isdigit()
    tasks = json.loads(desa("tasks", "--user", "rina", "--json").output)
    assert len(tasks) == 1
    assert {"id", "instance", "village", "bpmn_id", "name", "lane", "claimed_by", "due_at"} <= set(tasks[0])
    assert tasks[0]["instance"] == int(instance_id) and tasks[0]["lane"] == "Pendamping"

    desa("claim", tasks[0]["id"], "--as", "rina")
    assert json.loads(desa("tasks", "--json").output)[0]["claimed_by"] == "rina"

    timers = json.loads(desa("timers", "--json").output)
    assert [t["bpmn_id"] for t in timers] == ["terlambat"]
    assert "1 timer(s) fired" in desa("clock", "advance", "P3D").output
    detail = json.loads(desa("instance", "show", instance_id, "--json").output)
    assert [t["bpmn_id"] for t in detail["tasks"]] == ["eskalasi"]
    assert [e["type"] for e in detail["history"]] == ["INSTANCE_STARTED", "TASK_CLAIMED", "TIMER_FIRED"]

    listed = json.loads(desa("instances", "--village", LEMPUR, "--json").output)
    assert [(i["id"], i["status"]) for i in listed] == [(int(instance_id), "running")]


def test_errors_are_one_clear_line(desa) -> None:  # type: ignore[no-untyped-def]
    desa("deploy")
    result = desa("complete", "no-such-task", "--as", "nobody", ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no active user 'nobody'"

    result = desa("start", "simple", "--village", LEMPUR, "--data", "{not json", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --data is not valid JSON")

    result = desa("start", "simple", "--village", "11.22.33.4444", ok=False)
    assert result.stderr.strip() == "error: no village with code '11.22.33.4444'"

    result = desa("clock", "advance", "3 months", ok=False)
    assert "is not an ISO 8601 duration" in result.stderr


def test_message_and_worker_commands(desa) -> None:  # type: ignore[no-untyped-def]
    desa("deploy")
    desa("villages", "add", LEMPUR, "Lempur Mudik", "--kabupaten", "Kab. Kerinci")
    instance_id = desa("start", "message", "--village", LEMPUR).output.strip()
    out = desa("message", "laporan_diterima", "--village", LEMPUR, "--data", '{"nomor": "L-1"}').output
    assert out.strip() == f"delivered to instance(s) {instance_id}"
    assert desa("worker", "--once").output.strip() == "0 timer(s) fired"
