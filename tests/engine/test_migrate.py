"""Moving running villages to a new version: the plan, the move, the refusals, and the history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.core import Engine
from engine.definitions import registry
from engine.history import replay, verify
from engine.runtime import audit
from engine.runtime import moves as migrate
from engine.views import queries
from tests.conftest import LEMPUR
from tests.engine.program_change import add_month_4_visit, copy_program, remove_revision
from tests.test_program import (
    Village,
    through_monitoring_and_evaluation,
    through_preparation_and_training,
)


def timers_of(engine: Engine, instance: int) -> list[tuple[str, str]]:
    return sorted((t["bpmn_id"], t["due_at"]) for t in queries.timers(engine) if t["instance"] == instance)


def to_terminasi(v: Village) -> None:
    """Through the report and its receipts: Monitoring is behind the village."""
    through_preparation_and_training(v)
    through_monitoring_and_evaluation(v, evaluation=4, revise=False)
    v.do("tulis_laporan", "Pengurus Pokja")
    v.do("setujui_laporan", "Pendamping")
    v.do("setujui_laporan", "Pendamping", as_user="pendamping2")  # two approvals, two people
    v.advance_to(v.now + timedelta(days=3))
    for message in ("tanda_terima_badiklit", "tanda_terima_dinsos_kabupaten", "tanda_terima_dinsos_provinsi"):
        v.deliver(message, {"diterima_oleh": "Sekretariat", "tanggal": v.now.date().isoformat()})
    assert "berita_acara_serah_terima" in v.open()


def deploy_change(engine: Engine, tmp_path: Path, *changes: object) -> Path:
    processes = copy_program(tmp_path)
    for change in changes:
        change(processes)  # type: ignore[operator]
    return processes


def test_a_new_task_in_monitoring_moves_the_villages_before_and_inside_it(
    program: Engine, tmp_path: Path
) -> None:
    past = Village(program, LEMPUR)
    to_terminasi(past)
    inside = Village(program, LEMPUR)  # a second cycle of the program in the same village
    inside.now = past.now
    through_preparation_and_training(inside)
    before = Village(program, LEMPUR)  # a third, still in Persiapan
    due_before = timers_of(program, inside.instance)
    assert due_before  # waiting for month 1, month 3, month 5

    processes = deploy_change(program, tmp_path, add_month_4_visit)
    runner = CliRunner()
    dry = runner.invoke(main, ["deploy", "--dry-run", str(processes)])
    assert dry.exit_code == 0, dry.output
    assert "monitoring_evaluasi_pelaporan: + kunjungan_bulan_4 'Kunjungan Bulan ke-4'" in dry.output
    assert "2 can move, 1 stays on its version" in dry.output
    assert f"#{past.instance} Lempur Mudik: past the change, stays" in dry.output
    with program.db.sessions() as s:  # nothing was deployed by the dry run
        assert [v.version for v in registry.versions(s) if v.process_id == "program_desa"] == [1]

    deployed = {v.process_id: v for v in registry.deploy(program.db, [processes])}
    assert deployed["program_desa"].version == 2 and deployed["program_desa"].created

    diff = runner.invoke(main, ["diff", "program_desa", "1", "2"])
    assert diff.exit_code == 0, diff.output
    assert "monitoring_evaluasi_pelaporan: + kunjungan_bulan_4 'Kunjungan Bulan ke-4'" in diff.output
    assert "~ gabung_jalur" in diff.output and " - " not in diff.output  # nothing was removed

    result = migrate.migrate(program, "program_desa", 1, 2, "perancang")
    outcome = {i.instance_id: (i.standing, i.result) for i in result.instances}
    assert outcome == {
        past.instance: ("past", "stays"),
        inside.instance: ("inside", "moved"),
        before.instance: ("before", "moved"),
    }
    assert timers_of(program, inside.instance) == due_before  # the months count on from the start

    # The moved village runs the new task after its month-3 monitoring.
    through_monitoring_until_visit(inside)
    inside.do("kunjungan_bulan_4", "Fasilitator Daerah", catatan_kunjungan="Kegiatan berjalan baik")
    checks = verify.verify(program)
    assert all(c.ok for c in checks), [c.message for c in checks if not c.ok]
    with program.db.sessions() as s:
        kinds = [e.type for e in replay.events_of(s, inside.instance)]
    assert kinds.count(audit.DEFINITION_MIGRATED) == 1


def through_monitoring_until_visit(v: Village) -> None:
    for _ in (1, 2):
        v.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan")
        v.do("catat_kemajuan", "Pengurus Pokja")
    v.appears_exactly_at("Setelah Tiga Bulan", "monitoring_bulan_3")
    v.do("monitoring_bulan_3_pusat", "Fasilitator Pusat")  # the joint team: both sides
    v.do("monitoring_bulan_3", "Fasilitator Daerah", perlu_revisi=False)
    assert "kunjungan_bulan_4" in v.open()


def test_a_village_past_a_removed_element_is_refused_with_the_reason(program: Engine, tmp_path: Path) -> None:
    revised = Village(program, LEMPUR)
    through_preparation_and_training(revised)
    for _ in (1, 2):
        revised.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan")
        revised.do("catat_kemajuan", "Pengurus Pokja")
    revised.appears_exactly_at("Setelah Tiga Bulan", "monitoring_bulan_3")
    revised.do("monitoring_bulan_3_pusat", "Fasilitator Pusat")
    revised.do("monitoring_bulan_3", "Fasilitator Daerah", perlu_revisi=True)
    revised.do("revisi_rencana_aksi", "Pengurus Pokja")
    waiting = Village(program, LEMPUR)
    waiting.now = revised.now
    through_preparation_and_training(waiting)

    registry.deploy(program.db, [deploy_change(program, tmp_path, remove_revision)])
    dry = migrate.migrate(program, "program_desa", 1, 2, "perancang", dry_run=True)
    assert {i.instance_id: i.result for i in dry.instances} == {
        revised.instance: "refused",
        waiting.instance: "would move",
    }
    [refused] = [i for i in dry.instances if i.instance_id == revised.instance]
    assert refused.reasons == [
        "element 'Merevisi Rencana Aksi' (revisi_rencana_aksi) was removed "
        "and this village has already done it"
    ]
    cli = CliRunner().invoke(main, ["migrate", "program_desa", "--from", "1", "--to", "2", "--all"])
    assert cli.exit_code == 0, cli.output
    assert f"#{revised.instance} Lempur Mudik: refused: element 'Merevisi Rencana Aksi'" in cli.output
    assert f"#{waiting.instance} Lempur Mudik: moved" in cli.output
    versions = {i.id: i.version for i in queries.instances(program)}
    assert (versions[revised.instance], versions[waiting.instance]) == (1, 2)
    assert all(c.ok for c in verify.verify(program))
