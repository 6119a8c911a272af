"""Forms between the browser and the engine: posted fields parsed into the task's data
(`web.formdata`), fields drawn from a JSON Schema (`web.formrender`), and every form of the program
drawn and read back from its example."""

from __future__ import annotations

import html
from typing import Any

import pytest

from engine.core import Engine
from engine.definitions import forms
from tests.form_checks import schema as form_schema
from tests.model_desa_program import FORM_EXAMPLES, context_for
from web import create_app, formdata, formrender

# --- formrender ------------------------------------------------------------------------------------

PERSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["nama", "umur"],
    "properties": {
        "nama": {"title": "Nama", "type": "string", "minLength": 2},
        "umur": {"title": "Umur", "type": "integer"},
        "hadir": {"title": "Hadir", "type": "boolean"},
        "catatan": {"title": "Catatan", "type": "string"},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["peserta", "pokja", "catatan_absensi"],
    "properties": {
        "peserta": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/person"}},
        "pokja": {
            "type": "object",
            "required": ["ketua"],
            "properties": {
                "ketua": {"type": "string", "enum": ["Ani", "Budi"]},
                "rekening": {
                    "type": "object",
                    "required": ["nomor"],
                    "properties": {"nomor": {"type": "string", "minLength": 6}},
                },
                "dana": {"type": "integer", "x-desa-widget": "rupiah", "minimum": 0},
            },
        },
        "aturan": {"type": "array", "items": {"type": "string"}},
        "hadir": {
            "type": "array",
            "x-desa-widget": "checkboxes",
            "items": {"type": "string", "enum": ["A", "B"]},
        },
        "catatan_absensi": {"type": "string", "x-desa-widget": "textarea"},
        "setuju": {"type": "boolean", "x-desa-widget": "radio"},
        "skor": {"type": "number"},
    },
    "$defs": {"person": PERSON},
}


def test_parse_nested_lists_and_objects() -> None:
    raw = {
        "peserta-n": ["2"],
        "peserta-0-nama": [" Ani "],
        "peserta-0-umur": ["45"],
        "peserta-0-hadir": ["true"],
        "peserta-1-nama": ["Budi"],
        "peserta-1-umur": ["1.873"],
        "peserta-1-hadir": ["false"],
        "peserta-1-catatan": ["  "],
        "pokja-ketua": ["Budi"],
        "pokja-rekening-nomor": [""],
        "pokja-dana": ["Rp 1.500.000"],
        "aturan-n": ["3"],
        "aturan-0": ["Tepat waktu"],
        "aturan-1": [""],
        "aturan-2": ["Saling menghargai"],
        "hadir": ["B", "A", "B"],
        "catatan_absensi": ["baris satu\r\nbaris dua "],
        "setuju": ["false"],
        "skor": ["2,5"],
    }
    assert formdata.parse(SCHEMA, raw) == {
        "peserta": [
            {"nama": "Ani", "umur": 45, "hadir": True},
            {"nama": "Budi", "umur": 1873, "hadir": False},
        ],
        "pokja": {"ketua": "Budi", "dana": 1500000},
        "aturan": ["Tepat waktu", "Saling menghargai"],
        "hadir": ["B", "A"],
        "catatan_absensi": "baris satu\nbaris dua",
        "setuju": False,
        "skor": 2.5,
    }


def test_parse_leaves_out_what_is_empty_so_required_says_so() -> None:
    raw = {
        "peserta-n": ["1"],
        "peserta-0-nama": [""],
        "peserta-0-umur": [""],
        "pokja-ketua": [""],
        "catatan_absensi": [""],
        "setuju": [""],
        "skor": [""],
        "aturan-n": ["0"],
    }
    data = formdata.parse(SCHEMA, raw)
    # an empty row stays, to be told what it lacks; a required text without minLength may be empty
    assert data == {"peserta": [{}], "pokja": {}, "catatan_absensi": ""}
    found = forms.errors(SCHEMA, data)
    paths = formdata.error_paths((e.path, e.code, e.params) for e in found)
    assert sorted(paths) == ["peserta/0/nama", "peserta/0/umur", "pokja/ketua"]
    assert formdata.parse(SCHEMA, {}) == {"peserta": [], "pokja": {}}  # `hadir` unticked: left out


def test_parse_keeps_what_is_not_a_number_for_the_engine_to_refuse() -> None:
    raw = {"peserta-0-nama": ["Ani"], "peserta-0-umur": ["12a"], "peserta-0-hadir": ["mungkin"]}
    data = formdata.parse(SCHEMA, raw)  # no `-n`: the rows posted are counted
    assert data["peserta"] == [{"nama": "Ani", "umur": "12a", "hadir": "mungkin"}]
    found = {e.path: e.code for e in forms.errors(SCHEMA, data)}
    assert found["peserta/0/umur"] == "type" and found["peserta/0/hadir"] == "type"


@pytest.mark.parametrize(
    ("typed", "money", "value"),
    [
        ("1500000", True, 1500000),
        ("1.500.000", True, 1500000),
        ("Rp 1.500.000", True, 1500000),
        ("Rp1.500.000,00", True, 1500000),
        ("1,500,000", True, 1500000),
        ("0", True, 0),
        ("-5", False, -5),
        ("1.873", False, 1873),
        ("1.5", True, "1.5"),
        ("4.0", False, "4.0"),
        ("dua", False, "dua"),
    ],
)
def test_parse_integer(typed: str, money: bool, value: Any) -> None:
    assert formdata.parse_integer(typed, money) == value


def test_rupiah_is_shown_with_dots() -> None:
    raw = formdata.to_raw(SCHEMA, {"pokja": {"ketua": "Ani", "dana": 20000000}})
    assert raw["pokja-dana"] == ["20.000.000"]
    assert formdata.parse(SCHEMA, raw)["pokja"]["dana"] == 20000000


def test_row_buttons_on_posted_fields() -> None:
    raw = formdata.to_raw(SCHEMA, {"peserta": [{"nama": "A", "umur": 1}, {"nama": "B"}, {"nama": "C"}]})
    removed = formdata.remove_row(SCHEMA, raw, "peserta-0")
    assert formdata.parse(SCHEMA, removed)["peserta"] == [{"nama": "B"}, {"nama": "C"}]
    added = formdata.add_row(SCHEMA, removed, "peserta")
    assert formdata.parse(SCHEMA, added)["peserta"] == [{"nama": "B"}, {"nama": "C"}, {}]
    assert formdata.remove_row(SCHEMA, raw, "pokja-0") == raw  # not a list: nothing happens
    assert formdata.add_row(SCHEMA, raw, "nothing") == raw


def test_each_missing_field_gets_its_own_required_error() -> None:
    params = {"limit": ["nama", "umur", "pranata"], "value": {"umur": 3}}
    same = [("peserta/0/nama", "required", params), ("peserta/0/nama", "required", params)]
    assert formdata.error_paths(same) == ["peserta/0/nama", "peserta/0/pranata"]
    apart = [("peserta/0/nama", "required", params), ("peserta/0/pranata", "required", params)]
    assert formdata.error_paths(apart) == ["peserta/0/nama", "peserta/0/pranata"]
    top = [("a", "required", {"limit": ["a", "b"], "value": {}})] * 2 + [("a", "minLength", {})]
    assert formdata.error_paths(top) == ["a", "b", "a"]


def test_errors_go_beside_their_field_or_in_the_summary() -> None:
    raw = formdata.to_raw(SCHEMA, {"peserta": [{"nama": "A"}], "hadir": ["A"]})
    errors = [
        ("peserta/0/umur", "Wajib diisi."),
        ("peserta", "Paling sedikit 2 butir."),
        ("hadir/0", "Pilih salah satu."),
        ("(form)", "Ada isian yang tidak dikenal formulir ini."),
    ]
    form = formrender.build(SCHEMA, raw, "id", errors)
    assert form.summary == ["Ada isian yang tidak dikenal formulir ini."]
    assert {f.name: f.errors for f in form.with_errors()} == {
        "peserta": ["Paling sedikit 2 butir."],
        "peserta-0-umur": ["Wajib diisi."],
        "hadir": ["Pilih salah satu."],
    }


def _form(name: str) -> dict[str, Any]:
    return forms.resolve(form_schema(name), context_for(name))


@pytest.mark.parametrize("name", sorted(FORM_EXAMPLES))
def test_every_form_draws_and_reads_back_its_example(name: str, engine: Engine) -> None:
    schema, example = _form(name), FORM_EXAMPLES[name]
    raw = formdata.to_raw(schema, example)
    back = formdata.parse(schema, raw)
    assert forms.errors(schema, back, context_for(name)) == []
    assert back == _without_empty_optional_texts(schema, example)
    app = create_app({"TESTING": True, "SECRET_KEY": "test"}, engine=engine)
    with app.test_request_context():
        macros: Any = app.jinja_env.get_template("tasks/_fields.html").make_module({"_": lambda s, **kw: s})
        drawn = "".join(str(macros.field(f)) for f in formrender.build(schema, raw, "en").fields)
    for field_name, values in raw.items():
        assert f'name="{field_name}"' in drawn, field_name
        for value in values:
            assert html.escape(value) in drawn or value == "", (field_name, value)


def _without_empty_optional_texts(schema: dict[str, Any], value: Any, node: Any = None) -> Any:
    node = formdata.deref(schema, schema if node is None else node)
    if isinstance(value, dict):
        props = node.get("properties") or {}
        return {
            k: _without_empty_optional_texts(schema, v, props.get(k))
            for k, v in value.items()
            if not (v == "" and k not in node.get("required", []))
        }
    if isinstance(value, list):
        return [_without_empty_optional_texts(schema, v, node.get("items")) for v in value]
    return value
