"""The BPMN a designer may bring, part one: tasks, gateways, subprocesses and call activities,
driven through the engine's public functions on small hand-written fixtures
(tests/fixtures/scope/processes), the way staff, the CLI and the timer worker use it. Each test runs
"warm" and "cold" (see tests/engine/scope_desk.py).

tests/fixtures/scope/unsupported holds BPMN and DMN that SpiffWorkflow 3.2 runs wrongly or not at
all; the last tests ask `desa validate` (engine.definitions) to name each before it is deployed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.definitions import folder as definitions
from engine.definitions import registry
from engine.errors import NotFound
from tests.engine.scope_desk import T0, UNSUPPORTED, Desk, at, inbox

# --- tasks -------------------------------------------------------------------------------------


def test_manual_task_then_script_result_reaches_the_next_lane(desk: Desk) -> None:
    iid = desk.start("manual_script", {"kk": ["siti", "ahmad"]})
    kunjungan = desk.task(iid, "kunjungan")
    assert (kunjungan.name, kunjungan.role) == ("Kunjungi Rumah Warga", "Pendamping")
    assert inbox(desk, "sari") == [(iid, "kunjungan")]  # the companion of Sigi, and nobody else
    assert inbox(desk, "rina") == [] and inbox(desk, "budi") == [] and inbox(desk, "dewi") == []

    desk.complete(iid, "kunjungan", {"laki": 12, "perempuan": 18}, actor="sari")

    tinjau = desk.task(iid, "tinjau")
    assert tinjau.role == "Fasilitator Daerah"
    assert inbox(desk, "budi") == [(iid, "tinjau")] and inbox(desk, "sari") == []
    data = desk.data(iid, tinjau.id)
    assert data["total"] == 30
    assert data["persen_perempuan"] == 60
    assert data["ringkasan"] == "30 warga"
    assert data["nama_kk"] == ["AHMAD", "SITI"]
    desk.complete(iid, "tinjau", actor="budi")
    assert desk.status(iid) == "completed"
    assert desk.history(iid) == ["INSTANCE_STARTED", "TASK_COMPLETED", "TASK_COMPLETED"]


def test_script_may_compute_a_deadline_with_date_and_timedelta(desk: Desk) -> None:
    iid = desk.start("script_dates", {"lama_hari": 30})
    task = desk.task(iid, "patuhi_tenggat")
    data = desk.data(iid, task.id)
    # Stored as the types the script made, shown as ISO 8601 text.
    assert (data["tenggat"], data["masa"], data["sisa_hari"]) == ("2027-02-03", "P30D", 30)
    desk.complete(iid, "patuhi_tenggat")
    assert desk.status(iid) == "completed"


def test_business_rule_task_applies_the_decision_table(desk: Desk) -> None:
    cases = [
        ({"jumlah_kk": 40, "pesisir": True}, "kecil", 1, "catat"),
        ({"jumlah_kk": 250, "pesisir": False}, "sedang", 2, "catat"),
        ({"jumlah_kk": 250, "pesisir": True}, "besar", 4, "verifikasi"),
        ({"jumlah_kk": 900, "pesisir": False}, "besar", 11, "verifikasi"),
    ]
    for submitted, kategori, paket, next_task in cases:
        iid = desk.start("business_rule")
        desk.complete(iid, "isi_kk", submitted, actor="sari")
        assert desk.open(iid) == [next_task], submitted  # the gateway reads the decision's result
        task = desk.task(iid, next_task)
        assert task.role == ("Fasilitator Daerah" if next_task == "verifikasi" else "Pendamping")
        data = desk.data(iid, task.id)
        assert (data["kategori"], data["paket"]) == (kategori, paket), submitted
        desk.complete(iid, next_task)
        assert desk.status(iid) == "completed"
        assert desk.final_data(iid)["kategori"] == kategori


# --- gateways ----------------------------------------------------------------------------------


def test_exclusive_gateway_takes_the_matching_flow_or_the_default(desk: Desk) -> None:
    for skor, expected in [(95, "baik"), (80, "baik"), (10, "buruk"), (60, "cukup"), (40, "cukup")]:
        iid = desk.start("exclusive")
        assert desk.task(iid, "nilai").role == "Fasilitator Pusat"  # no lanes: the default role
        assert (iid, "nilai") in inbox(desk, "dewi")
        desk.complete(iid, "nilai", {"skor": skor})
        assert desk.open(iid) == [expected], skor
        desk.complete(iid, expected)
        assert desk.status(iid) == "completed"


def test_parallel_gateway_opens_both_branches_and_joins_them(desk: Desk) -> None:
    iid = desk.start("parallel")
    assert desk.open(iid) == ["data_anggaran", "data_warga"]
    assert desk.task(iid, "data_warga").role == "Pendamping"
    assert desk.task(iid, "data_anggaran").role == "Fasilitator Daerah"
    assert inbox(desk, "sari") == [(iid, "data_warga")] and inbox(desk, "budi") == [(iid, "data_anggaran")]

    desk.complete(iid, "data_anggaran", {"anggaran": 5_000_000}, actor="budi")
    assert desk.open(iid) == ["data_warga"]  # the join waits for the other branch
    desk.complete(iid, "data_warga", {"warga": 120}, actor="sari")

    rekap = desk.task(iid, "rekap")
    data = desk.data(iid, rekap.id)
    assert (data["warga"], data["anggaran"]) == (120, 5_000_000)  # both branches' data arrive
    desk.complete(iid, "rekap", actor="sari")
    assert desk.status(iid) == "completed"


def test_inclusive_gateway_runs_only_the_chosen_branches(desk: Desk) -> None:
    iid = desk.start("inclusive")
    desk.complete(iid, "pilih", {"bantuan": ["air", "kesehatan"]})
    assert desk.open(iid) == ["salur_air", "salur_kesehatan"]

    desk.complete(iid, "salur_kesehatan", {"dilayani": 14})
    assert desk.open(iid) == ["salur_air"]  # the join waits for the other chosen branch only
    desk.complete(iid, "salur_air", {"liter": 2000})
    laporan = desk.task(iid, "laporan_bantuan")
    data = desk.data(iid, laporan.id)
    assert (data["dilayani"], data["liter"]) == (14, 2000)
    desk.complete(iid, "laporan_bantuan")
    assert desk.status(iid) == "completed"


def test_inclusive_gateway_takes_the_default_when_nothing_is_chosen(desk: Desk) -> None:
    iid = desk.start("inclusive")
    desk.complete(iid, "pilih", {"bantuan": []})
    assert desk.open(iid) == ["laporan_bantuan"]
    desk.complete(iid, "laporan_bantuan")
    assert desk.status(iid) == "completed"


def test_event_gateway_follows_the_timer_when_it_comes_first(desk: Desk) -> None:
    iid = desk.start("event_gateway")
    assert desk.open(iid) == [] and desk.status(iid) == "waiting"
    assert desk.timers(iid) == [at(7)]

    assert desk.fire(T0 + timedelta(days=6)) == 0
    assert desk.open(iid) == []
    assert desk.fire(T0 + timedelta(days=7)) == 1
    assert desk.open(iid) == ["tagih_dokumen"]
    assert desk.timers(iid) == []
    with pytest.raises(NotFound):  # nobody waits for the documents any more
        desk.message("dokumen_masuk", {"halaman": 3})
    desk.complete(iid, "tagih_dokumen")
    assert desk.status(iid) == "completed"


def test_event_gateway_follows_the_message_when_it_comes_first(desk: Desk) -> None:
    iid = desk.start("event_gateway")
    assert desk.message("dokumen_masuk", {"halaman": 3}) == [iid]
    periksa = desk.task(iid, "periksa_dokumen")
    assert desk.data(iid, periksa.id)["dokumen"] == {"halaman": 3}
    assert desk.timers(iid) == []  # the week's timer is gone
    assert desk.fire(T0 + timedelta(days=8)) == 0
    assert desk.open(iid) == ["periksa_dokumen"]
    desk.complete(iid, "periksa_dokumen")
    assert desk.status(iid) == "completed"


# --- subprocesses ------------------------------------------------------------------------------


def test_embedded_subprocess_runs_in_its_lane_and_returns_its_data(desk: Desk) -> None:
    iid = desk.start("embedded", {"undangan": 40})
    hadir = desk.task(iid, "catat_hadir")
    assert hadir.role == "Pendamping"  # the subprocess's lane applies to what is drawn inside it
    assert inbox(desk, "sari") == [(iid, "catat_hadir")]
    assert desk.data(iid, hadir.id)["undangan"] == 40  # the subprocess sees the process data

    desk.complete(iid, "catat_hadir", {"hadir": 25}, actor="sari")
    sahkan = desk.task(iid, "sahkan")
    assert sahkan.role == "Fasilitator Daerah"
    data = desk.data(iid, sahkan.id)
    assert (data["hadir"], data["kuorum"]) == (25, True)  # the script inside ran; its result came out
    desk.complete(iid, "sahkan", actor="budi")
    assert desk.status(iid) == "completed"


def test_call_activity_runs_the_called_process_and_returns_its_data(desk: Desk) -> None:
    iid = desk.start("call_activity", {"batas_luas": 9})
    ukur = desk.task(iid, "ukur_rumah")
    assert ukur.role == "Pendamping"  # the lane drawn in the called process
    assert inbox(desk, "sari") == [(iid, "ukur_rumah")]
    assert desk.data(iid, ukur.id)["batas_luas"] == 9  # the caller's data goes in

    desk.complete(iid, "ukur_rumah", {"luas": 24, "penghuni": 4}, actor="sari")
    putuskan = desk.task(iid, "putuskan")
    assert putuskan.role == "Fasilitator Daerah"
    data = desk.data(iid, putuskan.id)
    assert (data["luas_per_orang"], data["layak_bantuan"]) == (6, True)  # and the callee's comes out
    desk.complete(iid, "putuskan", actor="budi")
    assert desk.status(iid) == "completed"


def test_called_process_can_also_be_started_alone(desk: Desk) -> None:
    iid = desk.start("penilaian_rumah", {"batas_luas": 9})
    desk.complete(iid, "ukur_rumah", {"luas": 40, "penghuni": 2}, actor="sari")
    assert desk.status(iid) == "completed"
    assert desk.final_data(iid)["layak_bantuan"] is False


# --- definitions -------------------------------------------------------------------------------


def test_every_scope_process_is_deployed(desk: Desk) -> None:
    with desk.engine.db.sessions() as session:
        deployed = {v.process_id for v in registry.versions(session)}
    assert deployed == {
        "boundary_error",
        "boundary_escalation",
        "boundary_message",
        "boundary_message_noninterrupting",
        "business_rule",
        "call_activity",
        "embedded",
        "event_gateway",
        "event_sub_message",
        "event_sub_timer",
        "exclusive",
        "inclusive",
        "manual_script",
        "mi_parallel",
        "mi_sequential",
        "parallel",
        "penilaian_rumah",
        "script_dates",
        "timer_interrupting",
        "timer_noninterrupting",
    }


def _problems(*files: str) -> list[tuple[str, str | None, str]]:
    bundle = definitions.load([UNSUPPORTED / f for f in files], UNSUPPORTED)
    return [(p.file, p.element, p.message) for p in bundle.problems]


def test_validate_names_an_interrupting_event_subprocess() -> None:
    found = _problems("interrupting_event_subprocess.bpmn")
    assert any(element in ("tutup_start", "tutup_program") for _, element, _ in found), found


def test_validate_names_a_collect_aggregation() -> None:
    found = _problems("collect_sum.bpmn", "collect_sum.dmn")
    assert any(file == "collect_sum.dmn" for file, _, _ in found), found


def test_validate_names_an_unsupported_hit_policy() -> None:
    found = _problems("rule_order.bpmn", "rule_order.dmn")
    assert any(file == "rule_order.dmn" for file, _, _ in found), found


def test_validate_names_a_dmn_entry_that_is_not_python() -> None:
    found = _problems("feel_range.bpmn", "feel_range.dmn")
    assert any(file == "feel_range.dmn" and element == "fr_r1_in" for file, element, _ in found), found


def test_validate_explains_a_dmn_file_with_two_decisions() -> None:
    found = _problems("two_decisions.bpmn", "two_decisions.dmn")
    assert found
    assert any(
        "decision" in message.lower() and "AttributeError" not in message for _, _, message in found
    ), found
