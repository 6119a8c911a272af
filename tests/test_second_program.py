"""A second program runs beside Model Desa Berketahanan Sosial with no engine change.

Kampung Siaga Bencana (processes/siaga_bencana, forms/siaga_bencana) is deployed with Model Desa
from the one processes folder, started in a village from the command line, and worked through by
its own roles: the relawan's risk assessment, the DMN's risk level and drill deadline, the
coordinator's review and contingency plan, the drill's timer running out (the clock moved past it)
and the escalation it raises. Along the way its village page shows its own steps and sections, the
inboxes show its tasks to its roles only, the dashboard counts it on its own board, and its history
verifies.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient
from sqlalchemy import select

from engine import clock
from engine.cli import main
from engine.core import Engine
from engine.store.models import Role
from engine.views import dashboard
from web import create_app

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
CIKAHURIPAN = "32.02.05.2003"  # Kab. Sukabumi, Jawa Barat: runs Kampung Siaga Bencana
LEMPUR = "15.01.01.2003"  # Kab. Kerinci, Jambi: runs Model Desa
PASSWORD = "rahasia-siaga"

KAJIAN = {
    "tanggal_kajian": "2027-03-02",
    "ancaman": [
        {"jenis": "banjir", "lokasi": "Kampung Cikahuripan Hilir", "kemungkinan": 3, "dampak": 4},
        {"jenis": "tanah_longsor", "lokasi": "Lereng Gunung Walat", "kemungkinan": 2, "dampak": 3},
    ],
    "kelompok_rentan": 84,
    "jalur_evakuasi_ada": False,
}
KONTINJENSI = {
    "kontinjensi": {
        "skenario": "Banjir bandang Sungai Cicatih setelah hujan deras dua hari berturut-turut.",
        "titik_kumpul": [{"nama": "Lapangan Desa Cikahuripan", "kapasitas": 400}],
        "tim_siaga": [
            {"nama": "Asep Saepudin", "tugas": "Komandan evakuasi"},
            {"nama": "Neng Yulia", "tugas": "Pendataan warga rentan"},
            {"nama": "Dadang Kurnia", "tugas": "Logistik dan dapur umum"},
        ],
        "tanggal_simulasi": "2027-03-20",
    }
}


@pytest.fixture
def desa(engine: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DESA_PROCESSES_DIR", raising=False)
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return run


def signed_in(engine: Engine, username: str) -> FlaskClient:
    client = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}, engine=engine
    ).test_client()
    assert client.post("/masuk", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def tasks_of(desa: Any, user: str) -> list[dict[str, Any]]:
    return list(json.loads(desa("tasks", "--user", user, "--json").output))


def only_task(desa: Any, user: str, village: str = CIKAHURIPAN) -> dict[str, Any]:
    [task] = [t for t in tasks_of(desa, user) if t["village"] == village]
    return task


def role_of(task: dict[str, Any]) -> str:
    return str(task.get("role") or task.get("lane"))


def complete(desa: Any, task: dict[str, Any], user: str, data: dict[str, Any]) -> None:
    desa("complete", task["id"], "--as", user, "--data", json.dumps(data))


def set_up(desa: Any) -> None:
    desa("init")
    assert "ok: 9 process(es)" in desa("validate", str(PROCESSES)).output
    deployed = desa("deploy", str(PROCESSES)).output
    for process in ("siaga_bencana", "kajian_risiko", "kontinjensi_simulasi", "program_desa", "persiapan"):
        assert f"{process}: deployed as version 1" in deployed
    assert "siaga_bencana: unchanged at version 1" in desa("deploy", str(PROCESSES)).output
    for code, name, kecamatan, kabupaten, provinsi in (
        (CIKAHURIPAN, "Cikahuripan", "Cisaat", "Kab. Sukabumi", "Jawa Barat"),
        (LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi"),
    ):
        where = ["--kecamatan", kecamatan, "--kabupaten", kabupaten, "--provinsi", provinsi]
        desa("villages", "add", code, name, *where)
    for user in ("koordinator", "relawan", "pusat", "auditor", "pendamping"):
        desa("users", "add", user, "--password", PASSWORD)
    desa("assign", "koordinator", "Koordinator Tagana", "--kabupaten", "32.02")
    desa("assign", "relawan", "Relawan Desa", "--village", CIKAHURIPAN)
    desa("assign", "pusat", "Fasilitator Pusat")
    desa("assign", "auditor", "Auditor")
    desa("assign", "pendamping", "Pendamping", "--village", LEMPUR)


def test_kampung_siaga_bencana_beside_model_desa(desa: Any, engine: Engine) -> None:
    set_up(desa)
    with engine.db.sessions() as session:
        roles = {r.name: r for r in session.scalars(select(Role))}
    assert roles["Koordinator Tagana"].scope == "kabupaten" and roles["Relawan Desa"].scope == "village"
    assert [name for name, r in roles.items() if r.is_default] == ["Fasilitator Pusat"]  # kept

    desa("clock", "set", "2027-03-02T08:00:00+07:00", "--frozen")
    desa("start", "program_desa", "--village", LEMPUR, "--as", "pusat")
    started = desa("start", "siaga_bencana", "--village", CIKAHURIPAN, "--as", "koordinator").output.strip()
    instance = int(started)

    # Step 1: the relawan's assessment; the coordinator sees nothing to do yet, Model Desa's
    # companion sees only Model Desa's village.
    kajian = only_task(desa, "relawan")
    assert kajian["bpmn_id"] == "kajian_risiko_desa" and role_of(kajian) == "Relawan Desa"
    assert tasks_of(desa, "koordinator") == []
    assert {t["village"] for t in tasks_of(desa, "pendamping")} <= {LEMPUR}
    inbox = signed_in(engine, "relawan").get("/").get_data(as_text=True)
    assert "Kajian Risiko Bencana Desa" in inbox and "Cikahuripan" in inbox
    # In English, its tasks, their documentation and its diagram read in English (its english.toml).
    in_english = signed_in(engine, "relawan")
    in_english.post("/bahasa", data={"language": "en", "next": "/"})
    inbox = in_english.get("/").get_data(as_text=True)
    assert "Village disaster risk assessment" in inbox and "Kajian Risiko Bencana Desa" not in inbox
    page = in_english.get(f"/tugas/{kajian['id']}").get_data(as_text=True)
    assert "records each hazard with its likelihood and impact" in page
    # Named once, as in Indonesian: the form's English title is the task's English name.
    assert "<h1>Village disaster risk assessment</h1>" in page and "<h2>Village disaster" not in page
    in_english.post("/bahasa", data={"language": "id", "next": "/"})  # the relawan's own choice, kept
    complete(desa, kajian, "relawan", KAJIAN)

    tinjau = only_task(desa, "koordinator")
    assert tinjau["bpmn_id"] == "tinjau_kajian" and role_of(tinjau) == "Koordinator Tagana"
    complete(desa, tinjau, "koordinator", {"kajian_diterima": True})

    # Step 2: the contingency plan, then the drill within the deadline the DMN gave (Sedang: 30 days).
    rencana = only_task(desa, "koordinator")
    assert rencana["bpmn_id"] == "rencana_kontinjensi"
    complete(desa, rencana, "koordinator", KONTINJENSI)
    simulasi = only_task(desa, "relawan")
    assert simulasi["bpmn_id"] == "simulasi_evakuasi"
    with engine.db.sessions() as session:
        now = clock.now(session)
    assert datetime.fromisoformat(simulasi["due_at"]) - now == timedelta(days=30)

    page = signed_in(engine, "koordinator").get(f"/desa/{CIKAHURIPAN}").get_data(as_text=True)
    assert "Kampung Siaga Bencana" in page
    assert "Langkah 2 dari 2: Rencana Kontinjensi &amp; Simulasi" in page
    assert "Tingkat Risiko dan Simulasi" in page and "Sedang" in page and ">12<" in page  # 3 x 4
    assert "Ancaman" in page and "Banjir" in page and "Tanah longsor" in page
    assert 'data-process="kontinjensi_simulasi"' in page and 'data-process="siaga_bencana"' in page
    assert "Skor Ketahanan Sosial" not in page  # Model Desa's sections are Model Desa's

    central = signed_in(engine, "pusat")
    board = central.get("/dasbor").get_data(as_text=True)
    assert "Kampung Siaga Bencana" in board and "Model Desa Berketahanan Sosial" in board
    assert "Batas Simulasi Evakuasi" in board  # its timer, within the next 30 days
    boards = {b.process: b for b in dashboard.dashboard(engine, "pusat").boards}
    assert boards["siaga_bencana"].by_province == {"Jawa Barat": {"kontinjensi_simulasi": 1}}
    assert boards["program_desa"].by_province == {"Jambi": {"persiapan": 1}}

    # The drill is late: the timer escalates to the coordinator; the drill stays the relawan's to do.
    desa("clock", "advance", "P31D")
    eskalasi = only_task(desa, "koordinator")
    assert eskalasi["bpmn_id"] == "eskalasi_simulasi"
    relawan_inbox = signed_in(engine, "relawan").get("/").get_data(as_text=True)
    assert "Simulasi Evakuasi" in relawan_inbox
    # Its escalation does not take the drill's deadline away: it is still late, and counted so.
    late = only_task(desa, "relawan")
    assert late["bpmn_id"] == "simulasi_evakuasi" and late["due_at"] == simulasi["due_at"]
    assert "1 terlambat" in relawan_inbox
    follow_up = {
        "penyebab": "Hujan deras berminggu-minggu; lapangan desa tergenang.",
        "tindakan": "Simulasi dipindah ke halaman SD Negeri Cikahuripan.",
        "tanggal_baru": "2027-05-05",
    }
    complete(desa, eskalasi, "koordinator", {"tindak_lanjut_simulasi": follow_up})
    drill = {
        "tanggal": "2027-05-05",
        "jumlah_peserta": 212,
        "waktu_evakuasi_menit": 18,
        "temuan": "Warga lansia di RT 03 perlu dijemput; sirene tidak terdengar di hilir.",
    }
    complete(desa, only_task(desa, "relawan"), "relawan", {"simulasi": drill})
    shown = json.loads(desa("instance", "show", str(instance), "--json").output)
    assert shown["status"] == "completed"

    page = signed_in(engine, "relawan").get(f"/desa/{CIKAHURIPAN}").get_data(as_text=True)
    assert "Program selesai." in page and "Simulasi terlaksana" in page and "2027-05-05" in page
    english = signed_in(engine, "relawan")
    english.post("/bahasa", data={"language": "en", "next": "/"})
    assert "Risk level" in english.get(f"/desa/{CIKAHURIPAN}").get_data(as_text=True)

    verified = desa("audit", "verify", "--village", CIKAHURIPAN)
    assert "1 of 1 instance histories verified" in verified.output
    auditor = signed_in(engine, "auditor")
    assert auditor.get(f"/audit/desa/{CIKAHURIPAN}").status_code == 200
    step = auditor.get(f"/audit/desa/{CIKAHURIPAN}/{instance}/3").get_data(as_text=True)
    assert 'data-process="siaga_bencana"' in step
    assert signed_in(engine, "pendamping").get(f"/desa/{CIKAHURIPAN}").status_code == 404
