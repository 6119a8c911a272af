"""The program's forms (forms/*.json): valid draft 2020-12 schemas that follow our conventions and
accept a complete submission of every task (what they refuse: tests/test_form_refusals.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from engine.definitions import forms
from tests.form_checks import FORMS, check, example, load, only, schema
from tests.model_desa_program import FORM_EXAMPLES, NAMA_PESERTA, context_for

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes" / "model_desa"
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
    form = load(name)
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
    form = load(name)
    assert form["title"] and form["description"]
    for path, node in walk(form):
        if "title" in node:
            english = node.get("x-en")
            assert isinstance(english, dict) and english.get("title"), f"{name}{path} has no x-en title"
            assert ("description" in node) == ("description" in english), f"{name}{path}"


@pytest.mark.parametrize("name", FORM_FILES)
def test_form_uses_only_the_known_ui_hints(name: str) -> None:
    form = load(name)
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
        for path, node in walk(load(name))
        if node.get("x-desa-widget") == "rupiah"
    ]
    assert len(amounts) >= 5
    for path, node in amounts:
        assert node["type"] == "integer", path
        assert node.get("minimum") == 0 or node.get("exclusiveMinimum") == 0, path
    dana = load("transfer_dana_stimulan.json")["properties"]["dana_stimulan"]["properties"]["jumlah"]
    assert dana["exclusiveMinimum"] == 0


@pytest.mark.parametrize("name", ["siapkan_calon_peserta.json", "registrasi_peserta.json"])
def test_participant_lists(name: str) -> None:
    form = load(name)
    field = "calon_peserta" if name.startswith("siapkan") else "peserta"
    people = form["properties"][field]
    # "maksimal 30 (tiga puluh) orang atau sesuai dengan kebutuhan setempat": more with a reason.
    assert (people["type"], people["minItems"], "maxItems" in people) == ("array", 1, False)
    data = example(name)
    data[field] = data[field] + [dict(data[field][0], nama=f"Warga Tambahan {i}") for i in range(3)]
    assert only(check(name, data)).path == "alasan_lebih_dari_30"
    data["alasan_lebih_dari_30"] = "Tiga dusun terpencil perlu wakil sendiri."
    assert check(name, data) == []
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
    form = load(name)
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
            counts = ("warga_merusak_lingkungan", "tren_kelompok_rentan", "warga_dalam_organisasi")
            if key in (*counts, "warga_dalam_pelayanan_sosial"):  # Table 1 counts people: a number too
                assert parameter["required"] == ["skor", "bukti", "jumlah"], key
                assert parameter["properties"]["jumlah"]["type"] == "integer"
            else:
                assert parameter["required"] == ["skor", "bukti"], key
            if key in ("warga_merusak_lingkungan", "tren_kelompok_rentan"):
                assert "turun" in parameter["description"] and "sangat rendah" in parameter["description"]
    # Dimension 1's four criteria, each its own, as Table 1 lists them.
    criteria = kondisi["properties"]["perlindungan_sosial"]["description"]
    assert [f"{n}. " in criteria for n in range(1, 5)] == [True] * 4
    for n, key in enumerate(DIMENSIONS["perlindungan_sosial"], start=1):
        description = node_of(form, kondisi, "perlindungan_sosial", key)["description"]
        assert description.startswith(f"Kriteria {n}: ")


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("koordinasi_dinas_sosial.json", "desa_bersedia"),
        ("monitoring_bulan_3.json", "perlu_revisi"),
        ("evaluasi_pokja.json", "lanjut_siklus"),
    ],
)
def test_decisions_the_gateways_read_are_required_booleans(name: str, field: str) -> None:
    form = load(name)
    assert form["properties"][field]["type"] == "boolean"
    assert field in form["required"]
    data = example(name)
    del data[field]
    assert only(check(name, data)).path == field


def test_fields_read_by_scripts_are_required() -> None:
    # The schedule is built from the contract's dates and hours; scripts read `hadir`,
    # `catatan_absensi`, `kemajuan`, the plan's start date and the two teams' names.
    assert {"tanggal_bimbingan", "jam_mulai", "jam_selesai"} <= set(load("kontrak_belajar.json")["required"])
    assert "tanggal_mulai_rencana_aksi" in load("rencana_aksi.json")["required"]
    assert "fasilitator" in load("monitoring_bulan_3.json")["properties"]["monitoring"]["required"]
    assert {"hadir", "catatan_absensi"} <= set(load("absensi_bimbingan.json")["required"])
    assert "kemajuan" in load("catat_kemajuan.json")["required"]


def node_of(form: dict[str, Any], kondisi: dict[str, Any], dimension: str, key: str) -> dict[str, Any]:
    return dict(kondisi["properties"][dimension]["properties"][key])


def test_kontrak_belajar_defaults() -> None:
    props = load("kontrak_belajar.json")["properties"]
    days = props["tanggal_bimbingan"]
    assert (days["minItems"], days["maxItems"], days["items"]["format"]) == (1, 10, "date")
    methods = props["metode_bimbingan"]["items"]["enum"]
    assert methods == ["Ceramah", "Tanya Jawab", "Diskusi (FGD)", "Simulasi", "Games/Role Playing"]
    assert len(props["prinsip"]["required"]) == 6
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
    assert set(FORM_EXAMPLES["tulis_laporan.json"]["laporan"]["penulis_pengurus"]) == set(board)
    assert len(pendamping) == 2  # each writes a part of the report when approving it


def test_multi_instance_forms_write_one_object_named_by_the_output_item() -> None:
    assert load("setujui_laporan.json")["required"] == ["persetujuan"]
    assert load("berita_acara_serah_terima.json")["required"] == ["serah_terima"]
    part = "Pendampingan dua kali sebulan."
    assert check("setujui_laporan.json", {"persetujuan": {"bagian_laporan": part, "setuju": True}}) == []
    found = check("setujui_laporan.json", {"setuju": True})
    assert [(e.path, e.code) for e in found] == [
        ("setuju", "additionalProperties"),
        ("persetujuan", "required"),
    ]
