"""Tasks whose names are filled from their data (a BPMN `displayName`: the four days of the social
guidance, the six months of progress, the four handover records) keep a name of their own in
English too: the program's `display_name` is filled with the values read back from the Indonesian
name, in the inbox, on the task page and in a village's history."""

from __future__ import annotations

import pytest
from flask import session

from engine.core import Engine
from tests.test_program import BEFORE_THE_CONTRACT, Village, program  # noqa: F401 (program: a fixture)
from tests.web.task_page_helpers import make_app, signed_in
from web import program_english


def test_the_days_of_the_guidance_keep_their_number_in_english(program: Engine) -> None:  # noqa: F811
    v = Village(program)
    for bpmn_id, role in [*BEFORE_THE_CONTRACT, ("kontrak_belajar", "Fasilitator Pusat")]:
        v.do(bpmn_id, role)
    client = signed_in(program, "pendamping1")
    for day in (1, 2):
        v.appears_exactly_at("Hari Bimbingan Dimulai", "absensi_bimbingan")
        indonesian = client.get("/").get_data(as_text=True)
        assert f"Absensi Bimbingan Sosial Hari ke-{day}</a>" in indonesian
        client.post("/bahasa", data={"language": "en", "next": "/"})
        english = client.get("/").get_data(as_text=True)
        assert f"Attendance of the social guidance, day {day}</a>" in english
        task_link = english.split('<a class="name" href="')[1].split('"')[0]
        page = client.get(task_link).get_data(as_text=True)
        assert f"<h1>Attendance of the social guidance, day {day}</h1>" in page
        client.post("/bahasa", data={"language": "id", "next": "/"})
        v.do("absensi_bimbingan", "Pendamping")
    client.post("/bahasa", data={"language": "en", "next": "/"})
    history = client.get(f"/desa/{v.code}").get_data(as_text=True)
    assert "Attendance of the social guidance, day 1" in history
    assert "Attendance of the social guidance, day 2" in history


@pytest.mark.parametrize(
    ("template", "name", "values"),
    [
        ("Absensi Hari ke-{hari_ke}", "Absensi Hari ke-3", {"hari_ke": "3"}),
        (
            "Berita Acara Serah Terima: {tingkat_ini}",
            "Berita Acara Serah Terima: Kabupaten/Kota",
            {"tingkat_ini": "Kabupaten/Kota"},
        ),
        (
            "Persetujuan Laporan oleh Pendamping ({pendamping_ini[nama]})",
            "Persetujuan Laporan oleh Pendamping (Siti (Ketua))",
            {"pendamping_ini[nama]": "Siti (Ketua)"},
        ),
        ("{a} dan {a}", "x dan x", {"a": "x"}),
        ("{a} dan {a}", "x dan y", None),  # one field, two values: not made from it
        ("Absensi Hari ke-{hari_ke}", "Menyiapkan Petugas", None),
    ],
)
def test_the_values_are_read_back_from_the_indonesian_name(
    template: str, name: str, values: dict[str, str] | None
) -> None:
    assert program_english.filled(template, name) == values


def test_a_name_the_template_does_not_match_shows_the_english_name(program: Engine) -> None:  # noqa: F811
    app = make_app(program)
    with app.test_request_context("/"):
        session["language"] = "en"
        assert program_english.text("Absensi Bimbingan Sosial Hari ke-2", "absensi_bimbingan") == (
            "Attendance of the social guidance, day 2"
        )
        # an earlier version's name, made from another template
        earlier = program_english.text("Absensi Hari 2", "absensi_bimbingan")
        assert earlier == "Attendance of the social guidance"
        assert program_english.text("Berita Acara Serah Terima: Provinsi", "berita_acara_serah_terima") == (
            "Handover record: Provinsi"
        )
        session["language"] = "id"
        assert program_english.text("Absensi Bimbingan Sosial Hari ke-2", "absensi_bimbingan") == (
            "Absensi Bimbingan Sosial Hari ke-2"
        )


def test_a_long_name_with_many_ways_to_split_it_is_read_in_one_pass() -> None:
    """The text between fields is looked for once, from the left: a name of 20,000 characters that
    a template of four fields could split in billions of ways is read at once (a regular expression
    with a lazy group per field took seconds for a few hundred)."""
    assert program_english.filled("{a} {b} {c} {d}.", " " * 20_000) is None
    assert program_english.filled("{a} {b} {c}", "x " * 10_000) == {"a": "x", "b": "x", "c": "x " * 9_998}
    assert program_english.filled("Tanpa isian", "Tanpa isian") == {}
    assert program_english.filled("A{a}A", "A") is None
