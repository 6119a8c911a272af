"""The task page's rows, drafts, taking and handing over tasks, and how it reads amounts and
earlier values."""

from __future__ import annotations

import re

from engine.core import Engine
from engine.directory import web_sessions
from engine.views import queries
from tests.form_checks import schema as form_schema
from tests.model_desa_program import FORM_EXAMPLES, PESERTA
from tests.web.task_page_helpers import (
    ROOT,
    form_fields,
    make_app,
    open_task,
    page,
    program_fixture,  # noqa: F401  (the `program` fixture)
    revision_of,
    signed_in,
    start,
    to_candidates,
    value_of,
)
from web import formdata


def test_add_row_keeps_the_input_and_completes_nothing(program: Engine) -> None:
    _, task = to_candidates(program)
    client = signed_in(program, "daerah")
    response = client.post(f"/tugas/{task.id}", data={**form_fields(PESERTA[:2]), "_tambah": "calon_peserta"})
    assert response.status_code == 200
    text = page(response)
    assert value_of(text, "calon_peserta-1-nama") == PESERTA[1]["nama"]
    assert value_of(text, "calon_peserta-n") == "3"
    assert value_of(text, "calon_peserta-2-nama") == ""
    assert 'class="field-error"' not in text  # not a submit: no complaints yet
    assert open_task(program, task.instance, "siapkan_calon_peserta").id == task.id


def test_remove_row_moves_the_later_rows_up(program: Engine) -> None:
    _, task = to_candidates(program)
    client = signed_in(program, "daerah")
    response = client.post(
        f"/tugas/{task.id}", data={**form_fields(PESERTA[:3]), "_hapus": "calon_peserta-1"}
    )
    text = page(response)
    assert value_of(text, "calon_peserta-n") == "2"
    assert value_of(text, "calon_peserta-0-nama") == PESERTA[0]["nama"]
    assert value_of(text, "calon_peserta-1-nama") == PESERTA[2]["nama"]
    assert 'name="calon_peserta-2-nama"' not in text


def test_claim_and_release(program: Engine) -> None:
    task = open_task(program, start(program), "tetapkan_petugas")
    client = signed_in(program, "pusat")
    response = client.post(f"/tugas/{task.id}/ambil")
    assert response.status_code == 302 and response.headers["Location"] == f"/tugas/{task.id}"
    text = page(client.get(f"/tugas/{task.id}"))
    assert "Tugas ini sekarang Anda ambil." in text and ">Lepaskan</button>" in text
    assert open_task(program, task.instance, "tetapkan_petugas").claimed_by == "pusat"
    client.post(f"/tugas/{task.id}/lepas")
    text = page(client.get(f"/tugas/{task.id}"))
    assert "Tugas ini sudah Anda lepaskan." in text and ">Ambil</button>" in text
    assert open_task(program, task.instance, "tetapkan_petugas").claimed_by is None


def test_a_post_without_the_csrf_token_is_refused(program: Engine) -> None:
    instance = start(program)
    task = open_task(program, instance, "tetapkan_petugas")
    client = make_app(program, csrf=True).test_client()
    with client.session_transaction() as session:
        session["user"] = "pusat"
        session["sid"] = web_sessions.begin(program, "pusat")  # signed in, without the sign-in form
    schema = form_schema("tetapkan_petugas.json")
    data = {**formdata.to_raw(schema, FORM_EXAMPLES["tetapkan_petugas.json"]), "_kirim": "1"}
    assert client.post(f"/tugas/{task.id}", data=data).status_code == 400
    assert client.post(f"/tugas/{task.id}/ambil").status_code == 400
    text = page(client.get(f"/tugas/{task.id}"))
    token = value_of(text, "csrf_token")
    assert token
    data.update(csrf_token=token, _revisi=revision_of(text))
    assert client.post(f"/tugas/{task.id}", data=data).status_code == 302
    assert [t.bpmn_id for t in queries.tasks(program, instance_id=instance)] == ["koordinasi_dinas_sosial"]


# --- in a pendamping's hand (issue 14, items 1, 2, 4, 5) -------------------------------------------


def test_a_draft_skips_the_browsers_checks_and_is_said_as_a_success(program: Engine) -> None:
    task = open_task(program, start(program), "tetapkan_petugas")
    client = signed_in(program, "pusat")
    text = page(client.get(f"/tugas/{task.id}"))
    draft_button = re.search(r'<button[^>]*name="_draf"[^>]*>', text)
    assert draft_button and "formnovalidate" in draft_button.group(0)  # required fields may stay empty
    saved = page(client.post(f"/tugas/{task.id}", data={"_draf": "1", "fasilitator_daerah-nama": "Budi"}))
    assert '<p class="flash" role="status">Draf disimpan.</p>' in saved
    assert '<p class="error" role="alert">Draf disimpan.' not in saved


def test_taking_a_task_keeps_what_was_typed(program: Engine) -> None:
    task = open_task(program, start(program), "tetapkan_petugas")
    client = signed_in(program, "pusat")
    text = page(client.get(f"/tugas/{task.id}"))
    take = re.search(r"<button[^>]*>Ambil</button>", text)
    assert (
        take and 'form="tugas"' in take.group(0) and "formnovalidate" in take.group(0)
    )  # the form's fields go along
    typed = {"_revisi": revision_of(text), "fasilitator_daerah-nama": "Budi Santoso", "pendamping-n": "2"}
    taken = client.post(f"/tugas/{task.id}/ambil", data=typed, follow_redirects=True)
    shown = page(taken)
    assert "Tugas ini sekarang Anda ambil." in shown
    assert value_of(shown, "fasilitator_daerah-nama") == "Budi Santoso"
    assert queries.tasks(program, instance_id=task.instance)[0].claimed_by == "pusat"
    # Nothing typed: no draft is made.
    other = open_task(program, start(program), "tetapkan_petugas")
    untouched = page(client.get(f"/tugas/{other.id}"))
    form = {"_revisi": revision_of(untouched), "pendamping-n": "2"}
    again = page(client.post(f"/tugas/{other.id}/ambil", data=form, follow_redirects=True))
    assert "Draf Anda yang tersimpan dimuat" not in again


def test_a_new_row_is_where_the_page_comes_back(program: Engine) -> None:
    _, task = to_candidates(program)
    text = page(signed_in(program, "daerah").get(f"/tugas/{task.id}"))
    add = re.search(r'<button[^>]*name="_tambah"[^>]*>', text.replace("\n", " "))
    assert add is not None
    rows = int(re.search(r'name="calon_peserta-n" value="(\d+)"', text).group(1))  # type: ignore[union-attr]
    assert f'formaction="#f-calon_peserta-{rows}"' in add.group(0)  # the page comes back at the new row


def test_earlier_values_per_dimension_are_named() -> None:
    from tests.model_desa_program import PROGRAM
    from web import taskwords
    from web.formrender import display

    context = {
        "dimensi_urut": ["perlindungan_sosial", "partisipasi", "pengendalian_konflik", "kearifan_lokal"],
        "tingkat_evaluasi": ["Sedang", "Tinggi", "Sedang", "Rendah"],
        "dimensi_diterapkan": ["perlindungan_sosial", "partisipasi"],
    }
    forms = {"asesmen": form_schema("pemetaan_kondisi_awal.json")}
    said = taskwords.vocabulary(
        form_schema("tulis_laporan.json"), forms, context, PROGRAM, "id", ("Ya", "Tidak")
    )
    levels = display(context["tingkat_evaluasi"], said, "tingkat_evaluasi")
    assert [(k, v.text) for k, v in levels.pairs] == [
        ("Perlindungan sosial", "Sedang"),
        ("Partisipasi", "Tinggi"),
        ("Pengendalian konflik", "Sedang"),
        ("Kearifan lokal", "Rendah"),
    ]
    applied = display(context["dimensi_diterapkan"], said, "dimensi_diterapkan")
    assert [i.text for i in applied.items] == ["Perlindungan sosial", "Partisipasi"]
    assert said.title("tingkat_evaluasi") == "Tingkat evaluasi"
    english = taskwords.vocabulary({}, {}, context, PROGRAM, "en", ("Yes", "No"))
    assert (
        display(context["tingkat_evaluasi"], english, "tingkat_evaluasi").pairs[0][0] == "Social protection"
    )


def test_reassign_lists_who_may_take_it_and_refuses_in_words(program: Engine) -> None:
    from engine.directory import access, users

    with program.db.transaction() as s:
        users.add(s, "pusat.dua", password="rahasia")
        access.assign(s, "pusat.dua", "Fasilitator Pusat", None, None)
    task = open_task(program, start(program), "tetapkan_petugas")
    client = signed_in(program, "pusat")
    text = page(client.get(f"/tugas/{task.id}"))
    choices = text[text.index('<select id="kepada"') :]
    choices = choices[: choices.index("</select>")]
    assert '<option value="pusat.dua">' in choices and '<option value="pusat">' in choices
    assert "pendamping1" not in choices and "daerah" not in choices  # not their role
    assert text.index('name="_kirim" value="1">') < text.index('<section class="reassign"')  # apart

    unknown = client.post(f"/tugas/{task.id}/alihkan", data={"kepada": "tidak.ada"})
    assert unknown.status_code == 422
    said = page(unknown)
    assert (
        '<p class="error" role="alert" id="alihkan-galat">Tidak ada pengguna aktif bernama tidak.ada.</p>'
        in said
    )
    assert "<h1>Menyiapkan Petugas</h1>" in said  # the page is kept
    wrong = page(client.post(f"/tugas/{task.id}/alihkan", data={"kepada": "pendamping1"}))
    assert "pendamping1 tidak memegang peran Fasilitator Pusat untuk Lempur Mudik." in wrong
    assert "does not hold" not in wrong and 'class="flash"' not in wrong
    done = page(client.post(f"/tugas/{task.id}/alihkan", data={"kepada": "pusat.dua"}, follow_redirects=True))
    assert '<p class="flash" role="status">Tugas dialihkan kepada pusat.dua.</p>' in done


def test_amounts_are_read_as_their_help_says() -> None:
    """A Rupiah field is drawn as 3.500.000; its help must not ask for no dots, and what it shows
    (and what its help gives as an example) is read back as the amount."""
    from web.numbers import parse_integer

    for path in sorted((ROOT / "forms").glob("*/*.json")):
        text = path.read_text()
        assert "tanpa titik" not in text, path.name
    schema = form_schema("rencana_aksi.json")
    anggaran = schema["$defs"]["kegiatan_rencana_aksi"]["properties"]["anggaran"]
    assert "3.500.000" in anggaran["description"]
    assert formdata.to_raw(schema, {"rencana_aksi": [{"anggaran": 3_500_000}]})[
        "rencana_aksi-0-anggaran"
    ] == ["3.500.000"]
    for typed in ("3.500.000", "3500000", "Rp 3.500.000", "3.500.000,00"):
        assert parse_integer(typed, money=True) == 3_500_000
