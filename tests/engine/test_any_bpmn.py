"""Any BPMN that SpiffWorkflow runs, desa runs: small processes in the style of SpiffWorkflow's own
test suite (tests/fixtures/spiff/, a folder without roles.toml whose processes have no lanes), each
played through the `desa` command as an operator would (validate, deploy, start, complete every
ready task, advance the clock) until the instance is completed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from engine.cli import main
from engine.core import Engine
from engine.definitions import folder as definitions
from tests.conftest import FIXTURES, LEMPUR

SPIFF = FIXTURES / "spiff"
Desa = Callable[..., Result]

# process id -> the human tasks completed when the ready tasks are done one by one; a task in LEFT is
# left alone (the boundary timer of 'kerjakan' fires when the clock moves on a day; 'menunggu' is
# still open when the terminate end event ends the instance)
PATHS = {
    "boundary_timer": ["tindak_lanjut"],
    "call_activity": ["dipanggil", "sesudah"],
    "event_based_gateway": ["ingatkan"],
    "exclusive_gateway": ["besar"],
    "implicit_end": ["catat"],
    "inclusive_gateway": ["perbaiki_air", "perbaiki_listrik"],
    "message_end": ["siapkan"],
    "message_within": ["tulis"],
    "multi_instance_parallel": ["kunjungi"] * 3,
    "multi_instance_sequential": ["kunjungi"] * 3,
    "parallel_gateway": ["kiri", "kanan"],
    "script_task": [],
    "subprocess": ["di_dalam", "sesudah"],
    "terminate_end": ["putuskan"],
    "timer_duration": ["mulai", "lanjut"],
    "user_task_no_form": ["setujui", "arsipkan"],
}
LEFT = frozenset({"kerjakan", "menunggu"})
# what the person doing a task fills in, by the task's BPMN id (the rest complete with no data)
GIVEN = {"kunjungi": {"satu_hasil": "dikunjungi"}}

# (file, element, rule) of every warning `desa validate` gives on the folder; there is no error
WARNINGS = [
    ("boundary_timer.bpmn", "kerjakan", "default-role"),
    ("boundary_timer.bpmn", "kerjakan", "no-form"),
    ("call_activity.bpmn", "sesudah", "default-role"),
    ("call_activity.bpmn", "dipanggil", "default-role"),
    ("event_based_gateway.bpmn", "olah", "default-role"),
    ("exclusive_gateway.bpmn", "besar", "default-role"),
    ("implicit_end.bpmn", "catat", "default-role"),
    ("implicit_end.bpmn", "catat", "implicit-end"),
    ("implicit_end.bpmn", "hitung", "implicit-end"),
    ("inclusive_gateway.bpmn", "perbaiki_air", "default-role"),
    ("message_end.bpmn", "siapkan", "default-role"),
    ("message_within.bpmn", "tulis", "default-role"),
    ("multi_instance_parallel.bpmn", "kunjungi", "default-role"),
    ("multi_instance_sequential.bpmn", "kunjungi", "default-role"),
    ("parallel_gateway.bpmn", "kiri", "default-role"),
    ("parallel_gateway.bpmn", "kanan", "no-form"),
    ("subprocess.bpmn", "di_dalam", "default-role"),
    ("terminate_end.bpmn", "putuskan", "default-role"),
    ("terminate_end.bpmn", "menunggu", "no-form"),
    ("timer_duration.bpmn", "mulai", "default-role"),
    ("user_task_no_form.bpmn", "setujui", "default-role"),
    ("user_task_no_form.bpmn", "setujui", "no-form"),
]


@pytest.fixture
def desa(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Desa:
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(SPIFF))
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return run


@pytest.fixture
def deployed(desa: Desa) -> Desa:
    """The folder deployed as it is, a village, and an admin."""
    assert "deployed as version 1" in desa("deploy", str(SPIFF)).output
    desa("villages", "add", LEMPUR, "Lempur Mudik")
    desa("users", "add", "admin", "--admin", "--password", "rahasia-admin")
    return desa


def _show(desa: Desa, instance: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(desa("instance", "show", instance, "--json").output)
    return found


def play(desa: Desa, process_id: str, actor: str = "admin") -> dict[str, Any]:
    """Start the process and complete the ready tasks one by one (but those in LEFT); when none is
    ready, move the clock a day on. The instance's detail once it no longer runs or waits."""
    instance = desa("start", process_id, "--village", LEMPUR).output.strip()
    for _ in range(20):
        detail = _show(desa, instance)
        if detail["status"] not in ("running", "waiting"):
            return detail
        ready = [t for t in detail["tasks"] if t["bpmn_id"] not in LEFT]
        if ready:
            data = json.dumps(GIVEN.get(ready[0]["bpmn_id"], {}))
            desa("complete", ready[0]["id"], "--as", actor, "--data", data)
        else:
            desa("clock", "advance", "P1D")
    raise AssertionError(f"{process_id} does not finish: {_show(desa, instance)}")


def _completed(detail: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in detail["history"] if e["type"] == "TASK_COMPLETED"]


def test_the_folder_without_roles_validates_with_warnings_only(desa: Desa) -> None:
    result = desa("validate", "--format", "json", str(SPIFF))
    found = json.loads(result.stdout)
    assert (found["ok"], sorted(found["processes"])) == (True, sorted([*PATHS, "called_process"]))
    assert {p["severity"] for p in found["problems"]} == {"warning"}
    assert sorted((p["file"], p["element"], p["rule"]) for p in found["problems"]) == sorted(WARNINGS)
    text = desa("validate", str(SPIFF))
    assert "they go to the built-in role 'Petugas'" in text.stderr
    assert "there is no roles.toml" in text.stderr


def test_every_fixture_is_played() -> None:
    assert sorted(PATHS) == sorted(p.stem for p in SPIFF.glob("*.bpmn"))


@pytest.mark.parametrize("process_id", sorted(PATHS))
def test_each_process_runs_to_its_end_through_the_command_line(deployed: Desa, process_id: str) -> None:
    detail = play(deployed, process_id)
    assert (detail["status"], detail["error"], detail["tasks"], detail["timers"]) == (
        "completed",
        None,
        [],
        [],
    )
    done = _completed(detail)
    assert sorted(e["bpmn_id"] for e in done) == sorted(PATHS[process_id])
    # the tasks outside lanes went to the built-in role, which the admin worked (an override)
    assert all((e["data"]["role"], e["data"]["override"]) == ("Petugas", True) for e in done)
    # only a message that left the instance is recorded as sent
    sent = [m for e in done for m in e["data"].get("messages_sent", [])]
    expected = (
        [{"name": "laporan_terkirim", "payload": {"halaman": 3}}] if process_id == "message_end" else []
    )
    assert sent == expected


def test_a_terminate_end_event_ends_the_instance_and_sends_no_message(deployed: Desa) -> None:
    detail = play(deployed, "terminate_end")
    [done] = _completed(detail)
    assert done["bpmn_id"] == "putuskan" and "messages_sent" not in done["data"]
    # the other path's task was open when the instance ended: it is gone, not left waiting
    assert (detail["status"], detail["tasks"]) == ("completed", [])


def test_the_event_based_gateway_takes_the_message_when_it_comes_first(deployed: Desa) -> None:
    instance = deployed("start", "event_based_gateway", "--village", LEMPUR).output.strip()
    assert [t["bpmn_id"] for t in _show(deployed, instance)["timers"]] != []
    deployed("message", "jawaban", "--village", LEMPUR)
    [task] = _show(deployed, instance)["tasks"]
    assert task["bpmn_id"] == "olah"
    deployed("complete", task["id"], "--as", "admin")
    detail = _show(deployed, instance)
    assert (detail["status"], detail["timers"]) == ("completed", [])


def test_anyone_granted_the_built_in_role_works_its_tasks(deployed: Desa) -> None:
    deployed("users", "add", "rina", "--password", "rahasia-rina")
    deployed("users", "add", "sari", "--password", "rahasia-sari")
    assert "Petugas" in deployed("assign", "rina", "Petugas", "--village", LEMPUR).output
    instance = deployed("start", "user_task_no_form", "--village", LEMPUR).output.strip()
    assert json.loads(deployed("tasks", "--user", "sari", "--json").output) == []
    [task] = json.loads(deployed("tasks", "--user", "rina", "--json").output)
    assert (task["bpmn_id"], task["lane"]) == ("setujui", "Petugas")
    assert deployed("complete", task["id"], "--as", "sari", ok=False).exit_code == 1
    deployed("complete", task["id"], "--as", "rina")
    [task] = json.loads(deployed("tasks", "--user", "rina", "--json").output)
    deployed("complete", task["id"], "--as", "rina")
    detail = _show(deployed, instance)
    assert detail["status"] == "completed"
    assert [(e["actor"], "override" in e["data"]) for e in _completed(detail)] == [
        ("rina", False),
        ("rina", False),
    ]


def test_a_roles_file_naming_no_default_role_warns_and_gives_the_built_in_role(tmp_path: Path) -> None:
    folder = tmp_path / "processes"
    folder.mkdir()
    (folder / "roles.toml").write_text('[[role]]\nname = "Pendamping"\nscope = "village"\n', encoding="utf-8")
    (folder / "setuju.bpmn").write_bytes((SPIFF / "user_task_no_form.bpmn").read_bytes())
    bundle = definitions.load([folder], folder)
    assert bundle.ok
    assert bundle.roles is not None and sorted(bundle.roles.roles) == ["Pendamping", "Petugas"]
    [warning] = [p for p in bundle.problems if p.rule == "default-role"]
    assert warning.severity == "warning"
    assert "('Setujui', 'Arsipkan') and roles.toml names no default_role" in warning.message
