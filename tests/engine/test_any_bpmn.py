"""Any BPMN that SpiffWorkflow runs, desa runs: small processes in the style of SpiffWorkflow's own
test suite (tests/fixtures/spiff/, a folder without roles.toml whose processes have no lanes), each
played through the `desa` command as an operator would (validate, deploy, start, complete every
ready task, advance the clock) until the instance is completed."""

from __future__ import annotations

import json
from collections import Counter
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

# process id -> the human tasks completed when the ready tasks are done one by one (in any order)
PATHS = {
    "boundary_message": ["rapikan"],  # the message interrupts 'kerjakan_dulu'
    "boundary_timer": ["tindak_lanjut"],  # the timer interrupts 'kerjakan'
    "call_activity": ["dipanggil", "sesudah"],
    "error_boundary": ["cek", "lengkapi"],  # the error end event in the subprocess is caught
    "error_uncaught": ["a"],
    "escalation": ["bantu", "lanjut_kerja"],  # non-interrupting: both paths run
    "event_based_gateway": ["ingatkan"],  # the timer came first
    "event_subprocess": ["ingatkan", "utama"],  # its timer fires after the main flow ended
    "event_subprocess_message": ["utama"],  # its message never came: it ends with the process
    "exclusive_gateway": ["besar"],
    "implicit_end": ["catat"],
    "inclusive_gateway": ["perbaiki_air", "perbaiki_listrik"],
    "message_end": ["siapkan"],
    "message_start": ["a"],
    "message_within": ["tulis"],
    "multi_instance_cardinality": ["undang"],  # the completion condition holds after the first
    "multi_instance_empty": ["sesudah"],  # nothing to loop over
    "multi_instance_parallel": ["kunjungi"] * 3,
    "multi_instance_sequential": ["kunjungi"] * 3,
    "multi_instance_subprocess": ["datangi"] * 2,
    "parallel_gateway": ["kanan", "kiri"],
    "parallel_gateway_end": ["a"],
    "script_task": [],
    "send_receive": ["olah"],
    "signal_within": ["bekerja", "umumkan"],
    "standard_loop": ["lihat"],
    "subprocess": ["di_dalam", "sesudah"],
    "terminate_end": ["putuskan"],  # ends the instance with 'menunggu' still open
    "timer_cycle": ["tunggu_lama"],  # the boundary cycle fires twice, the task stays
    "timer_cycle_catch": ["a", "a"],  # SpiffWorkflow goes on once per cycle (R2)
    "timer_date": ["sesudah"],
    "timer_duration": ["lanjut", "mulai"],
    "timer_message": ["mulai"],  # the timer throws a message
    "timer_start": ["a"],
    "transaction_cancel": ["sesudah_batal", "t_a"],  # the cancel end event is caught on the border
    "user_task_no_form": ["arsipkan", "setujui"],
}
# Left alone until the clock has moved: boundary events interrupt them, or another path ends first.
LEFT = frozenset({"kerjakan", "kerjakan_dulu", "menunggu", "tunggu_lama"})
# process id -> the message delivered (`desa message`) when the instance has nothing else to do
MESSAGES = {"boundary_message": "dibatalkan", "message_start": "mulai_kerja", "send_receive": "balasan_data"}
# process id -> (event, message) of the messages that left the instance: nothing else is a message
SENT = {
    "message_end": [("TASK_COMPLETED", {"name": "laporan_terkirim", "payload": {"halaman": 3}})],
    "send_receive": [("INSTANCE_STARTED", {"name": "minta_data", "payload": {}})],
    "timer_message": [("TIMER_FIRED", {"name": "pengingat_terkirim", "payload": {"jam": 1}})],
}
# what the person doing a task fills in, by the task's BPMN id (the rest complete with no data)
GIVEN = {"kunjungi": {"satu_hasil": "dikunjungi"}, "undang": {"cukup": True}}

# (file, element, rule) of the warnings `desa validate` gives on the folder besides `default-role`
# (one for each process with tasks: all but script_task); there is no error
WARNINGS = [
    ("boundary_timer.bpmn", "kerjakan", "no-form"),
    ("event_subprocess.bpmn", "e_start", "timer-event-subprocess"),
    ("implicit_end.bpmn", "catat", "implicit-end"),
    ("implicit_end.bpmn", "hitung", "implicit-end"),
    ("parallel_gateway.bpmn", "kanan", "no-form"),
    ("parallel_gateway_end.bpmn", "g", "implicit-end"),
    ("terminate_end.bpmn", "menunggu", "no-form"),
    ("user_task_no_form.bpmn", "setujui", "no-form"),
]
# (file, element, rule) of what `desa validate` refuses in tests/fixtures/spiff_refused/: what
# SpiffWorkflow 3.2 runs otherwise than BPMN says (each fixture hangs or skips work there)
REFUSED = [
    ("conditional_event.bpmn", "tunggu_siap", "conditional-event"),
    ("gateway_no_way_out.bpmn", "g", "dead-end"),
    ("link_events.bpmn", "dari_awal", "link-event"),
    ("link_events.bpmn", "ke_akhir", "link-event"),
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
    """Start the process and complete the ready tasks one by one; when none is ready, deliver the
    message the process waits for (MESSAGES) once, else move the clock a day on. A task in LEFT is
    left alone until the clock has moved. The instance's detail once it no longer runs or waits."""
    instance = desa("start", process_id, "--village", LEMPUR).output.strip()
    to_send = [MESSAGES[process_id]] if process_id in MESSAGES else []
    waited = False
    for _ in range(20):
        detail = _show(desa, instance)
        if detail["status"] not in ("running", "waiting"):
            return detail
        ready = [t for t in detail["tasks"] if waited or t["bpmn_id"] not in LEFT]
        if ready:
            data = json.dumps(GIVEN.get(ready[0]["bpmn_id"], {}))
            desa("complete", ready[0]["id"], "--as", actor, "--data", data)
        elif to_send:
            assert "delivered to instance(s)" in desa("message", to_send.pop(), "--village", LEMPUR).output
        else:
            desa("clock", "advance", "P1D")
            waited = True
    raise AssertionError(f"{process_id} does not finish: {_show(desa, instance)}")


def _completed(detail: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in detail["history"] if e["type"] == "TASK_COMPLETED"]


def test_the_folder_without_roles_validates_with_warnings_only(desa: Desa) -> None:
    result = desa("validate", "--format", "json", str(SPIFF))
    found = json.loads(result.stdout)
    assert (found["ok"], sorted(found["processes"])) == (True, sorted([*PATHS, "called_process"]))
    assert {p["severity"] for p in found["problems"]} == {"warning"}
    others = [(p["file"], p["element"], p["rule"]) for p in found["problems"] if p["rule"] != "default-role"]
    assert sorted(others) == WARNINGS
    per_file = Counter(p["file"] for p in found["problems"] if p["rule"] == "default-role")
    assert per_file == {f"{process}.bpmn": 1 for process in PATHS if process != "script_task"} | {
        "call_activity.bpmn": 2
    }
    text = desa("validate", str(SPIFF))
    assert "they go to the built-in role 'Petugas'" in text.stderr
    assert "there is no roles.toml" in text.stderr


def test_what_spiffworkflow_runs_otherwise_is_refused_with_its_reason(desa: Desa) -> None:
    refused = FIXTURES / "spiff_refused"
    result = desa("validate", "--format", "json", str(refused), ok=False)
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    errors = [(p["file"], p["element"], p["rule"]) for p in found["problems"] if p["severity"] == "error"]
    assert sorted(errors) == REFUSED
    deploy = desa("deploy", str(refused), ok=False)
    assert deploy.exit_code == 1 and "link-event" in deploy.output + deploy.stderr
    assert json.loads(desa("versions", "--json").output) == []


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
    assert sorted(e["bpmn_id"] for e in done) == PATHS[process_id]
    # the tasks outside lanes went to the built-in role, which the admin worked (an override)
    assert all((e["data"]["role"], e["data"]["override"]) == ("Petugas", True) for e in done)
    # only a message that left the instance is recorded as sent, by the event of the step that sent it
    sent = [(e["type"], m) for e in detail["history"] for m in e["data"].get("messages_sent", [])]
    assert sent == SENT.get(process_id, [])


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
