"""The program's forms (forms/*.json): valid draft 2020-12 schemas that follow our conventions, accept a
complete submission of every task, and refuse bad data with one Indonesian message per field, at the
field's path."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from engine import forms
from engine.demo_data import FORM_EXAMPLES, context_for
from engine.demo_village import KETUA, NAMA_PESERTA
from engine.errors import FieldError, InvalidInput

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
PROCESSES = ROOT / "processes"
FORM_FILES = sorted(p.name for p in FORMS.glob("*.json"))

WIDGETS = {"textarea", "rupiah", "checkboxes", "radio"}
PRANATA = [
    "Tokoh Agama",
    "Tokoh Adat",
    "Tokoh Masyarakat",
    "Karang Taruna/Pemuda",
    "PKK/Perempuan",
    "Posyandu",
    "Pemerintah Desa",
    "Dunia Usaha",
    "Perguruan Tinggi",
    "Lainnya",
]
# docs/program.md: the four dimensions and their parameters, in Table 1 order.
DIMENSIONS = {
    "perlindungan_sosial": [
        "kesesuaian_layanan",
        "jangkauan_layanan",
        "keberlanjutan_layanan",
        "tren_kelompok_rentan",
    ],
    "partisipasi": ["warga_dalam_organisasi", "warga_dalam_pelayanan_sosial", "relasi_sosial"],
    "pengendalian_konflik": ["respons_cepat", "pencegahan_meluas", "pencegahan_dampak"],
    "kearifan_lokal": [
        "warga_merusak_lingkungan",
        "aturan_lokal",
        "kelembagaan_lingkungan",
        "wahana_pemeliharaan",
    ],
}


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((FORMS / name).read_text(encoding="utf-8"))


def schema(name: str) -> dict[str, Any]:
    return copy.deepcopy(_load(name))


def example(name: str) -> dict[str, Any]:
    return copy.deepcopy(FORM_EXAMPLES[name])


def check(name: str, data: dict[str, Any]) -> list[FieldError]:
    return forms.errors(schema(name), data, context_for(name))


def only(found: list[FieldError]) -> FieldError:
    assert len(found) == 1, [(e.path, e.code, e.message) for e in found]
    return found[0]


def walk(node: Any, path: str = "") -> Any:
    """Every schema node (dicts under properties, items, $defs, if/then) with its location."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key in ("enum", "default", "const", "x-desa-labels", "x-en", "x-desa-choices"):
                continue
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


def resolve_ref(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        target = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


# --- the set of forms -------------------------------------------------------------------------


def test_every_form_the_processes_name_exists_and_has_an_example() -> None:
    named = set()
    for bpmn in PROCESSES.glob("*.bpmn"):
        named |= set(re.findall(r'name="formJsonSchemaFilename" value="([^"]+)"', bpmn.read_text("utf-8")))
    assert named, "no forms named in processes/"
    assert named == set(FORM_FILES)
    assert set(FORM_EXAMPLES) == set(FORM_FILES)


@pytest.mark.parametrize("name", FORM_FILES)
def test_form_is_a_closed_draft_2020_12_schema(name: str) -> None:
    form = _load(name)
    Draft202012Validator.check_schema(form)
    assert form["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert form["type"] == "object"
    assert form["required"], "a form writes at least one field it cannot be done without"
    for path, node in walk(form):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{name}{path} is not closed"
            assert set(node.get("required", [])) <= set(node["properties"]), f"{name}{path}"


@pytest.mark.parametrize("name", FORM_FILES)
def test_form_speaks_indonesian_with_english_alongside(name: str) -> None:
    form = _load(name)
    assert form["title"] and form["description"]
    for path, node in walk(form):
        if "title" in node:
            english = node.get("x-en")
            assert isinstance(english, dict) and english.get("title"), f"{name}{path} has no x-en title"
            assert ("description" in node) == ("description" in english), f"{name}{path}"


@pytest.mark.parametrize("name", FORM_FILES)
def test_form_uses_only_the_known_ui_hints(name: str) -> None:
    form = _load(name)
    for show in form.get("x-desa-show", []):
        assert isinstance(show, str) and show not in form["properties"], f"{name}: x-desa-show {show}"
    for path, node in walk(form):
        hints = {k for k in node if k.startswith("x-")}
        assert hints <= {
            "x-en",
            "x-desa-widget",
            "x-desa-labels",
            "x-desa-show",
            "x-desa-choices",
            "x-desa-distinct",
            "x-desa-prefill-from",
        }
        if "x-desa-show" in node:
            assert path == "", "x-desa-show belongs on the form itself"
        if "x-desa-widget" in node:
            assert node["x-desa-widget"] in WIDGETS, f"{name}{path}"
            if node["x-desa-widget"] == "rupiah":
                assert node["type"] == "integer" and ("minimum" in node or "exclusiveMinimum" in node)
            if node["x-desa-widget"] == "checkboxes":
                assert node["type"] == "array" and node.get("uniqueItems") is True
        if "x-desa-labels" in node:
            assert set(node["x-desa-labels"]) == set(node["enum"]), f"{name}{path}"
        if "x-desa-choices" in node:
            assert set(node["x-desa-choices"]) == {"from", "value"} and node["type"] == "string"
        if "x-desa-distinct" in node:
            assert set(node["x-desa-distinct"]) <= set(node["properties"])
        if node.get("format") == "date":
            assert node["type"] == "string"


def test_rupiah_amounts_are_whole_numbers_never_negative() -> None:
    amounts = [
        (path, node)
        for name in FORM_FILES
        for path, node in walk(_load(name))
        if node.get("x-desa-widget") == "rupiah"
    ]
    assert len(amounts) >= 5
    for path, node in amounts:
        assert node["type"] == "integer", path
        assert node.get("minimum") == 0 or node.get("exclusiveMinimum") == 0, path
    dana = _load("transfer_dana_stimulan.json")["properties"]["dana_stimulan"]["properties"]["jumlah"]
    assert dana["exclusiveMinimum"] == 0


@pytest.mark.parametrize("name", ["siapkan_calon_peserta.json", "registrasi_peserta.json"])
def test_participant_lists(name: str) -> None:
    form = _load(name)
    field = "calon_peserta" if name.startswith("siapkan") else "peserta"
    people = form["properties"][field]
    assert (people["type"], people["minItems"], people["maxItems"]) == ("array", 1, 30)
    person = resolve_ref(form, people["items"])
    assert set(person["properties"]) == {"nama", "jenis_kelamin", "umur", "pranata", "peran"}
    assert person["properties"]["pranata"]["enum"] == PRANATA
    assert person["properties"]["jenis_kelamin"]["enum"] == ["L", "P"]
    umur = person["properties"]["umur"]
    assert (umur["type"], umur["minimum"], umur["maximum"]) == ("integer", 17, 120)


@pytest.mark.parametrize(
    ("name", "field"),
    [("pemetaan_kondisi_awal.json", "kondisi_awal"), ("evaluasi_bulan_5.json", "kondisi_evaluasi")],
)
def test_the_four_dimensions_have_exactly_the_parameters_of_table_1(name: str, field: str) -> None:
    form = _load(name)
    kondisi = form["properties"][field]
    assert list(kondisi["properties"]) == list(DIMENSIONS) == kondisi["required"]
    for dimension, parameters in DIMENSIONS.items():
        node = kondisi["properties"][dimension]
        assert list(node["properties"]) == parameters == node["required"]
        for key in parameters:
            parameter = resolve_ref(form, node["properties"][key])
            assert parameter["title"] and "5 = " in parameter["description"], key
            skor = parameter["properties"]["skor"]
            assert (skor["type"], skor["minimum"], skor["maximum"]) == ("integer", 1, 5)
            assert parameter["required"] == ["skor", "bukti"]
            if key in ("warga_merusak_lingkungan", "tren_kelompok_rentan"):
                assert "turun" in parameter["description"] and "sangat rendah" in parameter["description"]


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("koordinasi_dinas_sosial.json", "desa_bersedia"),
        ("setujui_peserta_kurang.json", "setuju_peserta_kurang"),
        ("monitoring_bulan_3.json", "perlu_revisi"),
        ("evaluasi_pokja.json", "lanjut_siklus"),
    ],
)
def test_decisions_the_gateways_read_are_required_booleans(name: str, field: str) -> None:
    form = _load(name)
    assert form["properties"][field]["type"] == "boolean"
    assert field in form["required"]
    data = example(name)
    del data[field]
    assert only(check(name, data)).path == field


def test_fields_read_by_scripts_are_required() -> None:
    # Gateway `hari_ke <= jumlah_hari`; scripts read `hadir`, `catatan_absensi` and `kemajuan`.
    assert "jumlah_hari" in _load("kontrak_belajar.json")["required"]
    assert {"hadir", "catatan_absensi"} <= set(_load("absensi_bimbingan.json")["required"])
    assert "kemajuan" in _load("catat_kemajuan.json")["required"]


def test_kontrak_belajar_defaults() -> None:
    props = _load("kontrak_belajar.json")["properties"]
    assert (
        props["jumlah_hari"]["default"],
        props["jumlah_hari"]["minimum"],
        props["jumlah_hari"]["maximum"],
    ) == (
        4,
        1,
        10,
    )
    assert (props["jam_mulai"]["default"], props["jam_selesai"]["default"]) == ("08:30", "21:30")


# --- a complete submission of every form passes ---------------------------------------------------


@pytest.mark.parametrize("name", list(FORM_EXAMPLES))
def test_a_complete_submission_passes(name: str) -> None:
    assert check(name, example(name)) == []
    forms.validate(schema(name), example(name), name, context_for(name))


def test_examples_agree_with_each_other() -> None:
    peserta = FORM_EXAMPLES["registrasi_peserta.json"]["peserta"]
    assert len(peserta) == 30 and len(set(NAMA_PESERTA)) == 30
    assert FORM_EXAMPLES["siapkan_calon_peserta.json"]["calon_peserta"] == peserta
    pokja = FORM_EXAMPLES["bentuk_pokja.json"]["pokja"]
    board = [pokja["ketua"], pokja["sekretaris"], pokja["bendahara"]]
    assert set(board) <= set(NAMA_PESERTA) and len(set(board)) == 3
    assert {k["nama"] for k in FORM_EXAMPLES["komitmen_peserta.json"]["komitmen"]} == set(NAMA_PESERTA)
    kegiatan = {k["kegiatan"] for k in FORM_EXAMPLES["rencana_aksi.json"]["rencana_aksi"]}
    assert kegiatan <= {k["kegiatan"] for k in FORM_EXAMPLES["revisi_rencana_aksi.json"]["rencana_aksi"]}
    pendamping = [p["nama"] for p in FORM_EXAMPLES["tetapkan_petugas.json"]["pendamping"]]
    assert set(FORM_EXAMPLES["tulis_laporan.json"]["laporan"]["penulis"]) == {*board, *pendamping}


def test_multi_instance_forms_write_one_object_named_by_the_output_item() -> None:
    assert _load("setujui_laporan.json")["required"] == ["persetujuan"]
    assert _load("berita_acara_serah_terima.json")["required"] == ["serah_terima"]
    assert check("setujui_laporan.json", {"persetujuan": {"setuju": True}}) == []
    found = check("setujui_laporan.json", {"setuju": True})
    assert [(e.path, e.code) for e in found] == [
        ("setuju", "additionalProperties"),
        ("persetujuan", "required"),
    ]


# --- bad data is refused, one message per field, at the field's path --------------------------------


def test_31_participants_are_refused() -> None:
    data = example("registrasi_peserta.json")
    data["peserta"].append(
        {"nama": "Peserta Tambahan", "jenis_kelamin": "L", "umur": 30, "pranata": "Lainnya"}
    )
    error = only(check("registrasi_peserta.json", data))
    assert (error.path, error.code, error.params["limit"]) == ("peserta", "maxItems", 30)
    assert error.message == "Paling banyak 30 butir."
    assert error.message_en == "At most 30 entries."


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
    assert {e.path for e in found} == {"pokja/ketua", "pokja/sekretaris", "pokja/bendahara"}
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
    error = only(check("setujui_laporan.json", {"persetujuan": {"setuju": False}}))
    assert (error.path, error.code) == ("persetujuan/catatan", "required")
    assert (
        check(
            "setujui_laporan.json",
            {"persetujuan": {"setuju": False, "catatan": "Capaian belum ada buktinya."}},
        )
        == []
    )


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
    data["jumlah_hari"] = 11
    assert only(check("kontrak_belajar.json", data)).message == "Paling besar 10."
    data["jumlah_hari"] = 0
    assert only(check("kontrak_belajar.json", data)).message == "Paling kecil 1."


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
