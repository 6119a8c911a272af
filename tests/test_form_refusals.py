"""The program's forms refuse bad data with one Indonesian message per field, at the field's path."""

from __future__ import annotations

from typing import Any

import pytest

from engine.definitions import forms
from engine.errors import InvalidInput
from tests.form_checks import check, example, only, schema
from tests.model_desa_program import KETUA, context_for


def test_31_participants_need_the_reason_of_local_need() -> None:
    data = example("registrasi_peserta.json")
    data["peserta"].append(
        {"nama": "Peserta Tambahan", "jenis_kelamin": "L", "umur": 30, "pranata": "Lainnya"}
    )
    error = only(check("registrasi_peserta.json", data))
    assert (error.path, error.code) == ("alasan_lebih_dari_30", "required")
    data["alasan_lebih_dari_30"] = "Dusun seberang sungai perlu wakil sendiri."
    assert check("registrasi_peserta.json", data) == []


def test_an_empty_participant_list_is_refused() -> None:
    error = only(check("siapkan_calon_peserta.json", {"calon_peserta": []}))
    assert (error.path, error.code, error.message) == ("calon_peserta", "minItems", "Paling sedikit 1 butir.")


def test_an_age_of_12_is_refused_beside_that_field_only() -> None:
    data = example("registrasi_peserta.json")
    data["peserta"][3]["umur"] = 12
    error = only(check("registrasi_peserta.json", data))
    assert (error.path, error.code, error.params["limit"]) == ("peserta/3/umur", "minimum", 17)
    assert error.message == "Paling kecil 17."


def test_a_person_is_checked_field_by_field() -> None:
    data = example("siapkan_calon_peserta.json")
    data["calon_peserta"][0] = {"nama": "A", "jenis_kelamin": "X", "umur": "empat puluh", "pranata": "Arisan"}
    found = check("siapkan_calon_peserta.json", data)
    assert {(e.path, e.code) for e in found} == {
        ("calon_peserta/0/nama", "minLength"),
        ("calon_peserta/0/jenis_kelamin", "enum"),
        ("calon_peserta/0/umur", "type"),
        ("calon_peserta/0/pranata", "enum"),
    }
    messages = {e.path: e.message for e in found}
    assert messages["calon_peserta/0/umur"] == "Jenis isian tidak sesuai (harus bilangan bulat)."
    assert messages["calon_peserta/0/pranata"] == "Pilih salah satu pilihan yang tersedia."


def test_a_board_member_who_is_not_a_participant_is_refused() -> None:
    data = example("bentuk_pokja.json")
    data["pokja"]["ketua"] = "Budi Santoso"  # the fasilitator daerah, not a participant
    error = only(check("bentuk_pokja.json", data))
    assert (error.path, error.code) == ("pokja/ketua", "choice")
    assert error.params == {"value": "Budi Santoso", "from": "peserta"}
    assert error.message == "'Budi Santoso' tidak ada dalam daftar peserta."


def test_board_members_are_chosen_from_the_participants_in_the_task_data() -> None:
    data = example("bentuk_pokja.json")
    context = {"peserta": [{"nama": "Orang Lain"}]}
    found = forms.errors(schema("bentuk_pokja.json"), data, context)
    board = {"pokja/ketua", "pokja/sekretaris", "pokja/bendahara"}
    voters = {f"pokja/pemilih/{i}" for i in range(len(data["pokja"]["pemilih"]))}
    assert {e.path for e in found} == board | voters
    assert {e.code for e in found} == {"choice"}


def test_the_same_person_cannot_be_ketua_and_bendahara() -> None:
    data = example("bentuk_pokja.json")
    data["pokja"]["bendahara"] = KETUA
    error = only(check("bentuk_pokja.json", data))
    assert (error.path, error.code) == ("pokja/bendahara", "distinct")
    assert error.params == {"other": "ketua", "value": KETUA}
    assert error.message == f"'{KETUA}' sudah dipilih untuk ketua."


def test_a_negative_commitment_is_refused() -> None:
    data = example("komitmen_peserta.json")
    data["komitmen"][4]["nilai"] = -50_000
    error = only(check("komitmen_peserta.json", data))
    assert (error.path, error.code, error.message) == ("komitmen/4/nilai", "minimum", "Paling kecil 0.")


def test_a_commitment_from_someone_who_is_not_a_participant_is_refused() -> None:
    data = example("komitmen_peserta.json")
    data["komitmen"].append({"nama": "Rina Marlina", "jenis": "Uang", "uraian": "Iuran", "nilai": 100_000})
    error = only(check("komitmen_peserta.json", data))
    assert (error.path, error.code) == ("komitmen/30/nama", "choice")


@pytest.mark.parametrize(
    "name", ["rencana_aksi.json", "revisi_rencana_aksi.json", "rencana_aksi_lanjutan.json"]
)
def test_a_negative_budget_or_a_seventh_month_is_refused(name: str) -> None:
    data = example(name)
    data["rencana_aksi"][1]["anggaran"] = -1
    data["rencana_aksi"][2]["bulan"] = 7
    data["rencana_aksi"][2]["dimensi"] = "ekonomi"
    found = check(name, data)
    assert [(e.path, e.code, e.message) for e in found] == [
        ("rencana_aksi/1/anggaran", "minimum", "Paling kecil 0."),
        ("rencana_aksi/2/bulan", "maximum", "Paling besar 6."),
        ("rencana_aksi/2/dimensi", "enum", "Pilih salah satu pilihan yang tersedia."),
    ]


def test_budgets_are_whole_rupiah() -> None:
    data = example("rencana_aksi.json")
    data["rencana_aksi"][0]["anggaran"] = 3_500_000.5
    error = only(check("rencana_aksi.json", data))
    assert (error.path, error.code) == ("rencana_aksi/0/anggaran", "type")


def test_a_stimulus_fund_of_zero_is_refused() -> None:
    data = example("transfer_dana_stimulan.json")
    data["dana_stimulan"]["jumlah"] = 0
    error = only(check("transfer_dana_stimulan.json", data))
    assert (error.path, error.code, error.message) == (
        "dana_stimulan/jumlah",
        "exclusiveMinimum",
        "Harus lebih dari 0.",
    )


@pytest.mark.parametrize(("count", "code"), [(3, "maxItems"), (1, "minItems")])
def test_exactly_two_pendamping(count: int, code: str) -> None:
    data = example("tetapkan_petugas.json")
    third = {"nama": "Sri Wahyuni", "jenis_kelamin": "P", "asal_lembaga": "Karang Taruna"}
    data["pendamping"] = (data["pendamping"] + [third])[:count]
    error = only(check("tetapkan_petugas.json", data))
    assert (error.path, error.code, error.params["limit"]) == ("pendamping", code, 2)
    assert error.message == ("Paling banyak 2 butir." if count == 3 else "Paling sedikit 2 butir.")


def test_a_withdrawing_village_must_say_why() -> None:
    data = example("koordinasi_dinas_sosial.json")
    data["desa_bersedia"] = False
    error = only(check("koordinasi_dinas_sosial.json", data))
    assert (error.path, error.code, error.message) == ("alasan_mundur", "required", "Wajib diisi.")
    data["alasan_mundur"] = ""
    assert only(check("koordinasi_dinas_sosial.json", data)).path == "alasan_mundur"
    data["alasan_mundur"] = "Pemerintah desa meminta program ditunda sampai pemilihan kepala desa selesai."
    assert check("koordinasi_dinas_sosial.json", data) == []


def test_a_willing_village_needs_no_reason() -> None:
    data = example("koordinasi_dinas_sosial.json")
    assert data["desa_bersedia"] is True and "alasan_mundur" not in data
    assert check("koordinasi_dinas_sosial.json", data) == []


def test_a_pendamping_who_disagrees_must_say_why() -> None:
    part = "Pendampingan dua kali sebulan di balai desa."
    error = only(check("setujui_laporan.json", {"persetujuan": {"bagian_laporan": part, "setuju": False}}))
    assert (error.path, error.code) == ("persetujuan/catatan", "required")
    disagreeing = {"bagian_laporan": part, "setuju": False, "catatan": "Capaian belum ada buktinya."}
    assert check("setujui_laporan.json", {"persetujuan": disagreeing}) == []


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("koordinasi_dinas_sosial.json", []),
        ("bentuk_pokja.json", ["pokja"]),
        ("bentuk_pokja.json", ["pokja", "rekening"]),
        ("registrasi_peserta.json", ["peserta", 0]),
        ("pemetaan_kondisi_awal.json", ["kondisi_awal", "partisipasi"]),
        ("pemetaan_kondisi_awal.json", ["kondisi_awal", "partisipasi", "relasi_sosial"]),
        ("berita_acara_serah_terima.json", ["serah_terima", "penerima"]),
    ],
)
def test_an_unknown_field_is_refused(name: str, where: list[Any]) -> None:
    data = example(name)
    target = data
    for key in where:
        target = target[key]
    target["wakil_ketua"] = "Mukhlis"
    error = only(check(name, data))
    expected = "/".join(str(p) for p in [*where, "wakil_ketua"])
    assert (error.path, error.code) == (expected, "additionalProperties")
    assert error.message == "Ada isian yang tidak dikenal formulir ini."


@pytest.mark.parametrize("value", ["11-01-2027", "2027/01/11", "11 Januari 2027", "2027-02-30", "20270111"])
def test_a_date_in_the_wrong_format_is_refused(value: str) -> None:
    data = example("koordinasi_dinas_sosial.json")
    data["tanggal_koordinasi"] = value
    error = only(check("koordinasi_dinas_sosial.json", data))
    assert (error.path, error.code) == ("tanggal_koordinasi", "format")
    assert error.message == "Tanggal harus berbentuk TTTT-BB-HH."
    assert error.message_en == "Dates are written YYYY-MM-DD."


def test_nested_dates_are_checked_too() -> None:
    data = example("bentuk_pokja.json")
    data["pokja"]["tanggal_pembentukan"] = "18/02/2027"
    assert only(check("bentuk_pokja.json", data)).path == "pokja/tanggal_pembentukan"


@pytest.mark.parametrize("value", ["8.30", "8:30", "24:00", "08:60"])
def test_times_are_hh_mm(value: str) -> None:
    data = example("kontrak_belajar.json")
    data["jam_mulai"] = value
    error = only(check("kontrak_belajar.json", data))
    assert (error.path, error.code) == ("jam_mulai", "pattern")
    assert error.message == "Jam harus berbentuk JJ:MM, misalnya 08:30."


def test_kontrak_belajar_days() -> None:
    data = example("kontrak_belajar.json")
    data["tanggal_bimbingan"] = [f"2027-03-{day:02d}" for day in range(1, 12)]
    assert only(check("kontrak_belajar.json", data)).message == "Paling banyak 10 butir."
    data["tanggal_bimbingan"] = []
    assert only(check("kontrak_belajar.json", data)).path == "tanggal_bimbingan"


def test_attendance_is_ticked_from_the_registered_participants_once_each() -> None:
    data = example("absensi_bimbingan.json")
    data["hadir"].append("Orang Asing")
    error = only(check("absensi_bimbingan.json", data))
    assert (error.path, error.code) == (f"hadir/{len(data['hadir']) - 1}", "choice")
    data = example("absensi_bimbingan.json")
    data["hadir"].append(data["hadir"][0])
    error = only(check("absensi_bimbingan.json", data))
    assert (error.path, error.code, error.message) == (
        "hadir",
        "uniqueItems",
        "Ada isian yang sama lebih dari sekali.",
    )


def test_progress_names_an_action_plan_activity() -> None:
    data = example("catat_kemajuan.json")
    data["kemajuan"][0]["kegiatan"] = "Kegiatan yang tidak direncanakan"
    data["kemajuan"][1]["status"] = "Batal"
    found = check("catat_kemajuan.json", data)
    assert [(e.path, e.code) for e in found] == [
        ("kemajuan/0/kegiatan", "choice"),
        ("kemajuan/1/status", "enum"),
    ]
    assert found[0].message == "'Kegiatan yang tidak direncanakan' tidak ada dalam daftar rencana_aksi."


def test_scores_outside_1_to_5_and_missing_evidence_are_refused() -> None:
    data = example("evaluasi_bulan_5.json")
    data["kondisi_evaluasi"]["kearifan_lokal"]["aturan_lokal"]["skor"] = 6
    del data["kondisi_evaluasi"]["partisipasi"]["relasi_sosial"]["bukti"]
    del data["kondisi_evaluasi"]["pengendalian_konflik"]["pencegahan_dampak"]
    found = check("evaluasi_bulan_5.json", data)
    assert [(e.path, e.code) for e in found] == [
        ("kondisi_evaluasi/kearifan_lokal/aturan_lokal/skor", "maximum"),
        ("kondisi_evaluasi/partisipasi/relasi_sosial/bukti", "required"),
        ("kondisi_evaluasi/pengendalian_konflik/pencegahan_dampak", "required"),
    ]


def test_validate_raises_with_every_field_and_a_summary() -> None:
    data = example("registrasi_peserta.json")
    data["peserta"][3]["umur"] = 12
    data["peserta"][7]["jenis_kelamin"] = "Laki-laki"
    data["catatan"] = "tambahan"
    with pytest.raises(InvalidInput) as raised:
        forms.validate(schema("registrasi_peserta.json"), data, "registrasi_peserta.json", context_for("x"))
    fields = raised.value.fields
    assert [f.path for f in fields] == ["catatan", "peserta/3/umur", "peserta/7/jenis_kelamin"]
    assert "peserta/3/umur: Paling kecil 17." in str(raised.value)
    assert "registrasi_peserta.json" in str(raised.value)
