"""One village through the whole program, checked against the source text
(shared/seed/model-desa-berketahanan-sosial.txt) where the model once departed from it (issue 13):
the joint team of central and regional facilitators, every date counted from the plan's start, the
training days of the learning contract, two approvals by two people, the verdict "telah menerapkan
empat dimensi", and no receipt awaited forever."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest

from engine.core import Engine
from engine.directory import access
from engine.errors import Forbidden
from engine.runtime import actions as runtime
from engine.views import queries
from tests.model_desa_program import FORM_EXAMPLES
from tests.test_program import BEFORE_THE_CONTRACT, WIB, Village, all_done, program, scores  # noqa: F401 (program: a fixture)

START = "2027-03-31"  # a plan that starts on a month's last day: months end on 30 April, 31 May, ...
MONTHS = ["2027-04-30", "2027-05-31", "2027-06-30", "2027-07-31", "2027-08-31", "2027-09-30"]
TRAINING = ["2027-02-15", "2027-02-17", "2027-02-22", "2027-02-23"]  # agreed in the learning contract


def at(day: str, time: str = "00:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}:00").replace(tzinfo=WIB)


def due(v: Village, bpmn_id: str) -> datetime:
    row = next(t for t in queries.tasks(v.engine, instance_id=v.instance) if t.bpmn_id == bpmn_id)
    assert row.due_at, f"{bpmn_id} has no due date"
    return datetime.fromisoformat(row.due_at)


def prepare_and_train(v: Village) -> None:
    for task, role in BEFORE_THE_CONTRACT:
        v.do(task, role)
    v.do("kontrak_belajar", "Fasilitator Pusat", tanggal_bimbingan=TRAINING)
    for day, date in enumerate(TRAINING, start=1):
        # Each day opens on its agreed date at 08:30, however late the day before was recorded.
        assert v.appears_exactly_at("Hari Bimbingan Dimulai", "absensi_bimbingan") == at(date, "08:30")
        assert due(v, "absensi_bimbingan") == at(date, "21:30")  # recorded before the session ends
        if day == 2:
            v.advance_to(at(date, "23:00"))  # late: recorded the next night
        v.do("absensi_bimbingan", "Pendamping")
    assert due(v, "rencana_aksi" if "rencana_aksi" in v.open() else "asesmen_masalah") == at(
        TRAINING[-1], "21:30"
    )
    v.do("asesmen_masalah", "Fasilitator Pusat")
    v.do("alternatif_program", "Fasilitator Pusat")
    v.do("rencana_aksi", "Fasilitator Daerah", tanggal_mulai_rencana_aksi=START)
    v.do("bentuk_pokja", "Fasilitator Daerah")
    v.do("komitmen_peserta", "Pengurus Pokja")
    v.do("transfer_dana_stimulan", "Fasilitator Pusat")


def six_months(
    v: Village, evaluation: dict[str, Any], done: list[dict[str, Any]], every_month: bool = False
) -> None:
    """The action plan's six months: each date from START, whatever happened before it. `done` is
    month 6's progress (and every month's, with `every_month`)."""
    progress = {"kemajuan": done} if every_month else {}
    for n in (1, 2):
        assert v.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan") == at(MONTHS[n - 1])
        v.advance_to(v.now + timedelta(days=20))  # recorded 20 days late: the next month does not move
        v.do("catat_kemajuan", "Pengurus Pokja", progress)
    # Month 3: the joint team; each side records its part, in either order.
    assert v.appears_exactly_at("Setelah Tiga Bulan", "monitoring_bulan_3") == at(MONTHS[2])
    assert {"monitoring_bulan_3", "monitoring_bulan_3_pusat", "catat_kemajuan"} <= set(v.open())
    assert due(v, "monitoring_bulan_3") == due(v, "monitoring_bulan_3_pusat") == at(MONTHS[3])
    v.do("monitoring_bulan_3_pusat", "Fasilitator Pusat")
    v.do("monitoring_bulan_3", "Fasilitator Daerah", perlu_revisi=False)
    v.do("catat_kemajuan", "Pengurus Pokja", progress)
    # "memasuki bulan kelima dilakukan evaluasi": exactly four months after the plan's start.
    assert v.appears_exactly_at("Memasuki Bulan Kelima", "evaluasi_bulan_5") == at(MONTHS[3])
    assert {"evaluasi_bulan_5", "evaluasi_bulan_5_pusat"} <= set(v.open())
    assert due(v, "evaluasi_bulan_5") == at(MONTHS[4])
    v.do("catat_kemajuan", "Pengurus Pokja", progress)
    v.do("evaluasi_bulan_5", "Fasilitator Daerah", kondisi_evaluasi=evaluation)
    v.do("evaluasi_bulan_5_pusat", "Fasilitator Pusat")
    assert v.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan") == at(MONTHS[4])
    v.do("catat_kemajuan", "Pengurus Pokja", progress)
    assert v.appears_exactly_at("Akhir Bulan Rencana Aksi", "catat_kemajuan") == at(MONTHS[5])
    assert v.do("catat_kemajuan", "Pengurus Pokja", kemajuan=done) == "Kemajuan Rencana Aksi Bulan ke-6"


def test_one_village_as_the_text_describes_it(program: Engine) -> None:  # noqa: F811
    v = Village(program)
    prepare_and_train(v)
    six_months(v, scores(4), all_done())
    data = v.data()

    # The joint team: both sides took part, and who they were is recorded.
    did = {(bpmn_id, user) for bpmn_id, _, user, _ in v.inboxes}
    assert {("monitoring_bulan_3_pusat", "pusat"), ("monitoring_bulan_3", "daerah")} <= did
    assert {("evaluasi_bulan_5_pusat", "pusat"), ("evaluasi_bulan_5", "daerah")} <= did
    pusat = FORM_EXAMPLES["monitoring_bulan_3_pusat.json"]["monitoring_pusat"]["fasilitator"]
    daerah = FORM_EXAMPLES["monitoring_bulan_3.json"]["monitoring"]["fasilitator"]
    assert data["tim_monitoring"] == {"fasilitator_pusat": pusat, "fasilitator_daerah": daerah}
    assert data["tim_evaluasi"]["fasilitator_pusat"] and data["tim_evaluasi"]["fasilitator_daerah"]

    # Table 1's counts, measured twice, with the change.
    awal = FORM_EXAMPLES["pemetaan_kondisi_awal.json"]["kondisi_awal"]["perlindungan_sosial"]
    pmks = data["perubahan_jumlah"]["tren_kelompok_rentan"]
    assert pmks["awal"] == awal["tren_kelompok_rentan"]["jumlah"]
    assert pmks["selisih"] == pmks["evaluasi"] - pmks["awal"]
    assert set(data["perubahan_jumlah"]) == {
        "tren_kelompok_rentan",
        "warga_dalam_organisasi",
        "warga_dalam_pelayanan_sosial",
        "warga_merusak_lingkungan",
    }
    assert (data["jumlah_diterapkan"], data["status_desa"]) == (4, "Berketahanan Sosial")

    # The report: the board writes; each pendamping writes a part and approves, two people.
    assert v.now == at(MONTHS[5])
    v.do("tulis_laporan", "Pengurus Pokja")
    v.do("setujui_laporan", "Pendamping")
    second = next(t for t in queries.tasks(program, instance_id=v.instance) if t.bpmn_id == "setujui_laporan")
    answer = copy.deepcopy(FORM_EXAMPLES["setujui_laporan.json"])
    with pytest.raises(Forbidden, match="someone other than"):
        runtime.complete(program, second.id, "pendamping1", answer)  # the same pendamping again
    v.do("setujui_laporan", "Pendamping", as_user="pendamping2")
    parts = [p["bagian_laporan"] for p in v.data()["persetujuan_pendamping"]]
    assert len(parts) == 2 and all(parts)

    # No receipt is awaited forever: after 14 days without one, someone who can act follows it up.
    sent = v.now
    assert v.deliver("tanda_terima_badiklit", {"diterima_oleh": "Sekretariat", "tanggal": "2027-10-01"})
    v.advance_to(sent + timedelta(days=14) - timedelta(seconds=1))
    assert not {"tindak_lanjut_tanda_terima_dinsos_kabupaten"} & set(v.open())
    v.advance_to(sent + timedelta(days=14))
    assert {
        "tindak_lanjut_tanda_terima_dinsos_kabupaten",
        "tindak_lanjut_tanda_terima_dinsos_provinsi",
    } <= set(v.open())
    assert "tindak_lanjut_tanda_terima_badiklit" not in v.open()  # that one came
    v.do(
        "tindak_lanjut_tanda_terima_dinsos_kabupaten",
        "Fasilitator Daerah",
        FORM_EXAMPLES["tindak_lanjut_tanda_terima.json"],
    )
    v.do(
        "tindak_lanjut_tanda_terima_dinsos_provinsi",
        "Fasilitator Daerah",
        FORM_EXAMPLES["tindak_lanjut_tanda_terima.json"],
    )
    for message in ("tanda_terima_dinsos_kabupaten", "tanda_terima_dinsos_provinsi"):
        assert v.deliver(message, {"diterima_oleh": "Kepala Bidang", "tanggal": "2027-10-16"}) == [v.instance]
    assert "berita_acara_serah_terima" in v.open()  # Terminasi began


def dimensions(**levels: int) -> dict[str, Any]:
    """The evaluation's scores, dimension by dimension (4 where not given)."""
    template = scores(4)
    return {
        d: {k: {**p, "skor": levels.get(d, 4)} for k, p in params.items()} for d, params in template.items()
    }


def done_except(dimension: str) -> list[dict[str, Any]]:
    plan = FORM_EXAMPLES["rencana_aksi.json"]["rencana_aksi"]
    return [item for item, k in zip(all_done(), plan, strict=True) if k["dimensi"] != dimension]


@pytest.mark.parametrize(
    ("evaluation", "done", "applied", "status"),
    [
        # Every activity done, but conflict control still Rendah at the evaluation: three applied.
        (dimensions(pengendalian_konflik=2), all_done(), 3, "Menuju Berketahanan Sosial"),
        # Every dimension Tinggi, but no activity of local wisdom carried out: three applied.
        (dimensions(), done_except("kearifan_lokal"), 3, "Menuju Berketahanan Sosial"),
        # Only one dimension's activity done and nothing else.
        (dimensions(), done_except("kearifan_lokal")[:1], 1, "Belum Berketahanan Sosial"),
    ],
)
def test_a_village_with_fewer_than_four_dimensions_applied_is_not_berketahanan_sosial(
    program: Engine,  # noqa: F811
    evaluation: dict[str, Any],
    done: list[dict[str, Any]],
    applied: int,
    status: str,
) -> None:
    v = Village(program)
    prepare_and_train(v)
    six_months(v, evaluation, done, every_month=True)
    data = v.data()
    assert (data["jumlah_diterapkan"], data["status_desa"], data["berketahanan_sosial"]) == (
        applied,
        status,
        False,
    )


def test_every_participant_commits(program: Engine) -> None:  # noqa: F811
    # "setiap peserta diharuskan membuat komitmen": the Pokja's form comes back until all have.
    v = Village(program)
    for task, role in [*BEFORE_THE_CONTRACT, ("kontrak_belajar", "Fasilitator Pusat")]:
        v.do(task, role)
    for _ in TRAINING:
        v.advance_to(v.now + timedelta(days=60))  # every agreed day has come
        v.do("absensi_bimbingan", "Pendamping")
    for task, role in [
        ("asesmen_masalah", "Fasilitator Pusat"),
        ("alternatif_program", "Fasilitator Pusat"),
        ("rencana_aksi", "Fasilitator Daerah"),
        ("bentuk_pokja", "Fasilitator Daerah"),
    ]:
        v.do(task, role)
    everyone = FORM_EXAMPLES["komitmen_peserta.json"]["komitmen"]
    v.do("komitmen_peserta", "Pengurus Pokja", komitmen=everyone[:-1])
    assert v.open() == ["komitmen_peserta"]  # back to the Pokja: one participant has none yet
    assert v.data()["peserta_tanpa_komitmen"] == [everyone[-1]["nama"]]
    v.do("komitmen_peserta", "Pengurus Pokja", komitmen=everyone)
    assert v.open() == ["transfer_dana_stimulan"]


def test_one_person_cannot_be_both_sides_of_the_joint_team(program: Engine) -> None:  # noqa: F811
    # "tim fasilitator pusat dan daerah": a person granted both roles records only one side.
    with program.db.transaction() as session:
        access.assign(session, "pusat", "Fasilitator Daerah", None, "15.01")
    v = Village(program)
    prepare_and_train(v)
    for n in (1, 2):
        v.advance_to(at(MONTHS[n - 1]))
        v.do("catat_kemajuan", "Pengurus Pokja")
    v.advance_to(at(MONTHS[2]))
    v.do("monitoring_bulan_3_pusat", "Fasilitator Pusat")
    tasks = queries.tasks(program, instance_id=v.instance)
    regional = next(t for t in tasks if t.bpmn_id == "monitoring_bulan_3")
    answer = copy.deepcopy(FORM_EXAMPLES["monitoring_bulan_3.json"])
    with pytest.raises(Forbidden, match="someone other than"):
        runtime.complete(program, regional.id, "pusat", answer)
    v.do("monitoring_bulan_3", "Fasilitator Daerah")  # the regional facilitator records it
    assert "monitoring_bulan_3" not in v.open()
