"""`desa demo`: staff for every role and villages spread over the program, believable at once."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.core import Engine
from engine.definitions import forms, registry
from engine.demo import runner as demo
from engine.directory import passwords
from engine.store.models import User
from engine.views import queries
from tests.form_checks import schema
from tests.model_desa_program import MODULE, PROGRAM

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo plays about 1,500 steps; checking each against a full rebuild (as the engine tests
    # do) would multiply its time, and tests/test_program.py covers the same steps that way.
    monkeypatch.delenv("DESA_VERIFY_STATE", raising=False)


@pytest.fixture
def loaded(engine: Engine) -> tuple[Engine, demo.DemoResult]:
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    result = demo.run(engine, PROGRAM, password="demo-rahasia", today=TODAY)
    return engine, result


def test_demo_staff_villages_and_inboxes(loaded: tuple[Engine, demo.DemoResult]) -> None:
    engine, result = loaded
    roles = {what.split(",")[0] for _, _, what in result.logins}
    assert roles == {
        "admin",
        "Auditor (Itjen)",
        "Fasilitator Pusat",
        "Fasilitator Daerah",
        "Pendamping",
        "Pengurus Pokja",
        "Perancang Program (Badiklit Kessos)",
    }
    with engine.db.sessions() as session:
        for username, password, _ in result.logins:
            user = session.query(User).filter_by(username=username).one()
            assert passwords.check_password(user.password_hash, password)

    where = [w for _, _, w in result.villages]
    assert len(where) == 29  # every village of the 2006-2009 table
    for stage in (
        "Persiapan:",
        "Pelaksanaan Pengembangan:",
        "Monitoring, Evaluasi dan Pelaporan:",
        "Refleksi:",
    ):
        assert any(w.startswith(stage) for w in where), stage
    assert "mengundurkan diri pada Persiapan" in where
    assert any("Absensi Bimbingan Sosial Hari ke-" in w or "Hari Bimbingan Dimulai" in w for w in where)
    assert any("Bulan ke-3" in w for w in where)
    assert any("Evaluasi Bulan ke-5" in w for w in where)
    assert any("Laporan" in w for w in where)
    assert any(w.startswith("program selesai") for w in where)
    cohort = {v.code: v.tahun for v in _table_villages()}
    stands = {code: w for code, _, w in result.villages}
    later = ("Monitoring", "Terminasi", "Refleksi", "program selesai", "Akhir Bulan")
    assert not [w for c, w in stands.items() if cohort[c] == "2009" and any(x in w for x in later)]
    earlier = ("Persiapan:", "Pelaksanaan Pengembangan:", "Monitoring")
    assert not [w for c, w in stands.items() if cohort[c] == "2006" and w.startswith(earlier)]
    instances = {i.village: i.id for i in queries.instances(engine)}
    majene = queries.instance_data(engine, instances["76.05.05.2004"])  # Ulumanda, Kab. Majene
    assert majene["fasilitator_daerah"]["instansi"] == "Dinas Sosial Kabupaten Majene"
    assert "Kerinci" not in json.dumps(majene)
    cycles = [queries.instance_data(engine, i.id).get("siklus_ke") for i in queries.instances(engine)]
    assert 2 in cycles  # one Pokja is in its second reflection cycle

    everyone = queries.tasks(engine)
    assert {t.role for t in everyone} >= {
        "Fasilitator Pusat",
        "Fasilitator Daerah",
        "Pendamping",
        "Pengurus Pokja",
    }
    pendamping = [u for u, _, w in result.logins if w.startswith("Pendamping")]
    for username in pendamping:
        mine = queries.tasks(engine, user=username)
        assert len({t.village for t in mine}) <= 1  # a companion sees one village only
    late = [t for t in everyone if t.bpmn_id == "ingatkan_laporan"]
    assert late, "a late report reminds its companion"


def test_demo_command_loads_once(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On a database with nothing deployed, `desa demo` deploys processes/ itself, then plays."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "--password", "rahasia-demo"])
    assert first.exit_code == 0, first.output
    assert "deploying" in first.output and "pusat.andi" in first.output and "rahasia-demo" in first.output
    assert (tmp_path / "instance" / "demo-logins.txt").exists()
    deployed = {v.process_id for v in queries_versions(engine)}
    assert {"program_desa", "siaga_bencana"} <= deployed  # every program of processes/
    second = runner.invoke(main, ["demo"])
    assert second.exit_code == 0
    assert "already loaded" in second.output and "pusat.andi" in second.output
    assert len(queries.instances(engine)) == 29


def queries_versions(engine: Engine) -> list[registry.VersionInfo]:
    with engine.db.sessions() as session:
        return registry.versions(session)


def _table_villages() -> list[SimpleNamespace]:
    with (ROOT / "processes" / "model_desa" / "desa-2006-2009.csv").open(encoding="utf-8") as handle:
        return [SimpleNamespace(**row) for row in csv.DictReader(handle) if row["code"].strip()]


@pytest.mark.parametrize("village", _table_villages(), ids=lambda v: v.name)
def test_every_demo_village_answers_as_itself(village: SimpleNamespace) -> None:
    """No 'Dinas Sosial Kabupaten Kerinci' in Majene: each village's answers name its own kabupaten,
    kecamatan, people and activities, and every answer is still valid for its form."""
    examples = MODULE.examples_for(village)
    text = json.dumps(examples, ensure_ascii=False)
    short = re.sub(r"^(Kab\.|Kota)\s*", "", village.kabupaten)
    assert f"Dinas Sosial Kabupaten {short}" in text or f"Dinas Sosial {village.kabupaten}" in text
    assert village.kecamatan in text and village.name in text
    if village.code != "15.01.01.2003":  # Lempur Mudik, whose answers the others are told from
        for elsewhere in ("Kerinci", "Lempur", "Gunung Raya", "Jambi"):
            assert elsewhere not in text or elsewhere in (village.kabupaten, village.provinsi), elsewhere
        assert not set(examples_for_lempur_names()) & set(re.findall(r'"nama": "([^"]+)"', text))
    for name, answer in examples.items():
        forms.validate(schema(name), answer, name, MODULE.context_for(name, examples))


def examples_for_lempur_names() -> list[str]:
    return [p["nama"] for p in MODULE.PESERTA]
