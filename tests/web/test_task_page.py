"""The task page: a form drawn from the task's JSON Schema, filled in and sent through the browser."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.core import Engine
from engine.directory import web_sessions
from engine.runtime import actions as runtime
from engine.views import queries
from tests.conftest import LEMPUR, OTHER, PROGRAM, set_up
from tests.form_checks import schema as form_schema
from tests.model_desa_program import FORM_EXAMPLES, PESERTA
from web import create_app, formdata

ROOT = Path(__file__).resolve().parent.parent.parent
_STAFF = [
    ("pusat", "Fasilitator Pusat", None, None),
    ("daerah", "Fasilitator Daerah", None, "15.01"),
    ("pendamping1", "Pendamping", LEMPUR, None),
    ("pendamping.lain", "Pendamping", OTHER, None),
]


@pytest.fixture
def program(engine: Engine) -> Engine:
    set_up(engine, PROGRAM, [LEMPUR, OTHER], _STAFF, lambda name: "rahasia")
    return engine


def make_app(engine: Engine, csrf: bool = False) -> Flask:
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": csrf, "SECRET_KEY": "test"}, engine=engine)


def signed_in(engine: Engine, user: str) -> FlaskClient:
    client = make_app(engine).test_client()
    response = client.post("/masuk", data={"username": user, "password": "rahasia"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def start(engine: Engine, data: dict[str, Any] | None = None) -> int:
    return runtime.start(engine, "program_desa", LEMPUR, "pusat", data).instance_id


def open_task(engine: Engine, instance: int, bpmn_id: str) -> queries.TaskRow:
    found = [t for t in queries.tasks(engine, instance_id=instance) if t.bpmn_id == bpmn_id]
    assert found, [t.bpmn_id for t in queries.tasks(engine, instance_id=instance)]
    return found[0]


def do(engine: Engine, instance: int, bpmn_id: str, user: str) -> None:
    task = open_task(engine, instance, bpmn_id)
    runtime.complete(engine, task.id, user, copy.deepcopy(FORM_EXAMPLES[f"{bpmn_id}.json"]))


def to_candidates(engine: Engine) -> tuple[int, queries.TaskRow]:
    """An instance at its fourth task, where the regional facilitator lists the candidates."""
    instance = start(engine)
    do(engine, instance, "tetapkan_petugas", "pusat")
    do(engine, instance, "koordinasi_dinas_sosial", "daerah")
    do(engine, instance, "siapkan_lokasi", "daerah")
    return instance, open_task(engine, instance, "siapkan_calon_peserta")


def form_fields(people: list[dict[str, Any]], prefix: str = "calon_peserta") -> dict[str, str]:
    fields = {f"{prefix}-n": str(len(people))}
    for i, p in enumerate(people):
        for key, value in p.items():
            fields[f"{prefix}-{i}-{key}"] = str(value)
    return fields


def page(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))


def value_of(text: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', text)
    return found.group(1) if found else None


def revision_of(text: str) -> str:
    value = value_of(text, "_revisi")
    assert value is not None
    return value


# --- showing a task --------------------------------------------------------------------------------


def test_the_first_task_shows_its_form(program: Engine) -> None:
    task = open_task(program, start(program), "tetapkan_petugas")
    client = signed_in(program, "pusat")
    response = client.get(f"/tugas/{task.id}")
    assert response.status_code == 200
    text = page(response)
    assert "<h1>Menyiapkan Petugas</h1>" in text
    assert "Lempur Mudik" in text and "Fasilitator Pusat" in text
    assert "dua pendamping untuk desa ini" in text  # the task's documentation
    for name in ("fasilitator_daerah-nama", "fasilitator_daerah-instansi", "pendamping-0-nama"):
        assert f'name="{name}"' in text
    # exactly two pendamping: two rows, no row to add or remove
    assert 'name="pendamping-1-asal_lembaga"' in text and 'name="pendamping-2-nama"' not in text
    assert 'name="_tambah"' not in text and 'name="_hapus"' not in text
    assert 'type="radio" name="pendamping-0-jenis_kelamin"' in text and "Perempuan" in text
    assert "Tepat dua pendamping untuk setiap desa." in text  # the description as help text
    assert ">Ambil</button>" in text
    assert revision_of(text) == "1"


def test_the_form_is_filled_with_the_task_data_and_the_defaults(program: Engine) -> None:
    instance = start(program, {"fasilitator_daerah": {"nama": "Budi Santoso", "instansi": "Dinsos"}})
    task = open_task(program, instance, "tetapkan_petugas")
    text = page(signed_in(program, "pusat").get(f"/tugas/{task.id}"))
    assert value_of(text, "fasilitator_daerah-nama") == "Budi Santoso"
    assert value_of(text, "fasilitator_daerah-instansi") == "Dinsos"

    schema = form_schema("kontrak_belajar.json")
    raw = formdata.to_raw(schema, formdata.initial(schema, {}))
    assert raw["jam_mulai"] == ["08:30"] and raw["jeda-n"] == ["4"]
    assert raw["jeda-1-keterangan"] == ["Ishoma"]


def registration_page(program: Engine) -> str:
    """The pendamping's page of the registration, once the candidates, mapping and briefing are done."""
    instance, task = to_candidates(program)
    runtime.complete(program, task.id, "daerah", copy.deepcopy(FORM_EXAMPLES["siapkan_calon_peserta.json"]))
    do(program, instance, "pemetaan_kondisi_awal", "daerah")
    do(program, instance, "pembekalan", "pusat")
    registration = open_task(program, instance, "registrasi_peserta")
    return page(signed_in(program, "pendamping1").get(f"/tugas/{registration.id}"))


def test_earlier_data_is_shown_read_only(program: Engine) -> None:
    text = registration_page(program)
    assert text.index('class="task-form"') < text.index("Data sebelumnya")  # the form comes first
    shown = text[text.index('<details class="shown"') :]
    assert "<h3>Calon peserta</h3>" in shown
    assert '<th scope="col">Nama lengkap</th>' in shown  # a list of people is a table, titled as the form
    assert ">Laki-laki</td>" in shown and ">L</td>" not in shown  # with the form's labels
    assert shown.count("<tr>") == 31  # the header and 30 candidates
    assert f'<td data-label="Nama lengkap">{PESERTA[0]["nama"]}</td>' in shown


def test_the_registration_starts_from_the_candidates(program: Engine) -> None:
    text = registration_page(program)
    form = text[text.index('class="task-form"') :]
    assert value_of(form, "peserta-0-nama") == PESERTA[0]["nama"]
    assert value_of(form, "peserta-29-nama") == PESERTA[29]["nama"]


def test_another_villages_pendamping_gets_404(program: Engine) -> None:
    task = open_task(program, start(program), "tetapkan_petugas")
    client = signed_in(program, "pendamping.lain")
    response = client.get(f"/tugas/{task.id}")
    missing = client.get("/tugas/no-such-task")
    assert response.status_code == missing.status_code == 404
    assert "Tugas tidak ditemukan" in page(response)

    # Nothing tells the task exists (CSRF tokens carry a timestamp, so they are left out of the comparison).
    def without_tokens(text: str) -> str:
        return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', text)

    assert without_tokens(page(response).replace(task.id, "no-such-task")) == without_tokens(page(missing))
    assert client.post(f"/tugas/{task.id}", data={"_kirim": "1"}).status_code == 404
    assert client.post(f"/tugas/{task.id}/ambil").status_code == 404


def test_a_task_of_another_role_is_read_only_and_refused(program: Engine) -> None:
    task = open_task(program, start(program), "tetapkan_petugas")
    client = signed_in(program, "pendamping1")  # Lempur's pendamping: sees the task, may not do it
    text = page(client.get(f"/tugas/{task.id}"))
    assert "<fieldset disabled>" in text and 'name="_kirim"' not in text and ">Ambil<" not in text
    data = formdata.to_raw(
        form_schema("tetapkan_petugas.json"),
        FORM_EXAMPLES["tetapkan_petugas.json"],
    )
    response = client.post(f"/tugas/{task.id}", data={**data, "_kirim": "1"})
    assert response.status_code == 403
    assert "Bukan tugas Anda" in page(response)
    assert open_task(program, task.instance, "tetapkan_petugas").id == task.id


def test_labels_in_english(program: Engine) -> None:
    task = open_task(program, start(program), "tetapkan_petugas")
    client = signed_in(program, "pusat")
    client.post("/bahasa", data={"language": "en", "next": "/"})
    text = page(client.get(f"/tugas/{task.id}"))
    assert ">Regional facilitator</legend>" in text
    assert "Exactly two companions per village." in text
    assert "> Female</label>" in text
    assert ">Fasilitator Daerah</legend>" not in text


# --- sending a task --------------------------------------------------------------------------------


def test_a_valid_submit_completes_the_task(program: Engine) -> None:
    instance = start(program)
    task = open_task(program, instance, "tetapkan_petugas")
    client = signed_in(program, "pusat")
    revision = revision_of(page(client.get(f"/tugas/{task.id}")))
    response = client.post(
        f"/tugas/{task.id}",
        data={
            "_revisi": revision,
            "fasilitator_daerah-nama": " Budi Santoso ",
            "fasilitator_daerah-instansi": "Dinas Sosial Kabupaten Kerinci",
            "fasilitator_daerah-telepon": "",
            "pendamping-n": "2",
            "pendamping-0-nama": "Rina Marlina",
            "pendamping-0-jenis_kelamin": "P",
            "pendamping-0-asal_lembaga": "TKSK Kecamatan Gunung Raya",
            "pendamping-1-nama": "Doni Saputra",
            "pendamping-1-jenis_kelamin": "L",
            "pendamping-1-telepon": "0853-6620-1147",
            "pendamping-1-asal_lembaga": "PSM Kabupaten Kerinci",
            "_kirim": "1",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert [t.bpmn_id for t in queries.tasks(program, instance_id=instance)] == ["koordinasi_dinas_sosial"]
    data = queries.instance_data(program, instance)
    assert data["fasilitator_daerah"] == {
        "nama": "Budi Santoso",
        "instansi": "Dinas Sosial Kabupaten Kerinci",
    }
    assert data["pendamping"][1]["telepon"] == "0853-6620-1147"
    assert "Tugas selesai: Menyiapkan Petugas" in page(client.get("/"))


def test_an_invalid_submit_shows_each_message_beside_its_field(program: Engine) -> None:
    _, task = to_candidates(program)
    client = signed_in(program, "daerah")
    people = copy.deepcopy(PESERTA[:5])
    people[3]["umur"] = 12
    response = client.post(f"/tugas/{task.id}", data={**form_fields(people), "_kirim": "1"})
    assert response.status_code == 422
    text = page(response)
    assert value_of(text, "calon_peserta-3-umur") == "12"  # the input is kept
    assert value_of(text, "calon_peserta-4-nama") == PESERTA[4]["nama"]
    field = text[text.index('id="f-calon_peserta-3-umur"') :]
    assert field.index('<p class="field-error" id="e-calon_peserta-3-umur">Paling kecil 17.</p>') < 400
    assert 'aria-invalid="true"' in field[:300]
    # The summary names the row and links to the field.
    assert '<a href="#f-calon_peserta-3-umur">Peserta 4: Umur (tahun)</a>: Paling kecil 17.' in text
    assert open_task(program, task.instance, "siapkan_calon_peserta").id == task.id


def test_31_participants_need_the_local_reason(program: Engine) -> None:
    # "maksimal 30 (tiga puluh) orang atau sesuai dengan kebutuhan setempat": more, with the reason.
    _, task = to_candidates(program)
    client = signed_in(program, "daerah")
    people = [*copy.deepcopy(PESERTA), {**PESERTA[0], "nama": "Orang ke-31"}]
    response = client.post(f"/tugas/{task.id}", data={**form_fields(people), "_kirim": "1"})
    assert response.status_code == 422
    text = page(response)
    assert 'id="e-alasan_lebih_dari_30"' in text  # the reason is asked for, beside its field
    assert value_of(text, "calon_peserta-30-nama") == "Orang ke-31"  # the 31st row is kept
    reason = "Tiga dusun terpencil perlu wakil sendiri."
    fields = {**form_fields(people), "alasan_lebih_dari_30": reason, "_kirim": "1"}
    response = client.post(f"/tugas/{task.id}", data=fields)
    assert response.status_code == 302, page(response)
    assert len(queries.instance_data(program, task.instance)["calon_peserta"]) == 31


def test_an_empty_required_number_is_reported_as_missing(program: Engine) -> None:
    _, task = to_candidates(program)
    client = signed_in(program, "daerah")
    fields = form_fields(PESERTA[:1])
    fields["calon_peserta-0-umur"] = ""
    fields["calon_peserta-0-jenis_kelamin"] = ""
    response = client.post(f"/tugas/{task.id}", data={**fields, "_kirim": "1"})
    assert response.status_code == 422
    text = page(response)
    assert 'id="e-calon_peserta-0-umur">Wajib diisi.' in text
    assert 'id="e-calon_peserta-0-jenis_kelamin">Wajib diisi.' in text


def test_the_second_submit_is_told_who_completed_the_task(program: Engine) -> None:
    instance = start(program)
    task = open_task(program, instance, "tetapkan_petugas")
    client = signed_in(program, "pusat")
    schema = form_schema("tetapkan_petugas.json")
    data = {
        **formdata.to_raw(schema, FORM_EXAMPLES["tetapkan_petugas.json"]),
        "_revisi": "1",
        "_kirim": "1",
    }
    assert client.post(f"/tugas/{task.id}", data=data).status_code == 302
    again = client.post(f"/tugas/{task.id}", data=data)  # e.g. sent again after the connection dropped
    assert again.status_code == 409
    text = page(again)
    assert "sudah diselesaikan oleh pusat" in text and "tidak ada yang diubah" in text
    assert 'href="/"' in text
    history = queries.instance_detail(program, instance)["history"]
    assert [e["type"] for e in history].count("TASK_COMPLETED") == 1
    shown = client.get(f"/tugas/{task.id}")
    assert shown.status_code == 409 and "sudah diselesaikan oleh pusat" in page(shown)


def test_a_change_by_someone_else_keeps_the_input(program: Engine) -> None:
    instance = start(program)
    task = open_task(program, instance, "tetapkan_petugas")
    client = signed_in(program, "pusat")
    revision = revision_of(page(client.get(f"/tugas/{task.id}")))
    runtime.claim(program, task.id, "pusat")  # the instance changes after the page was drawn
    runtime.unclaim(program, task.id, "pusat")
    schema = form_schema("tetapkan_petugas.json")
    data = {**formdata.to_raw(schema, FORM_EXAMPLES["tetapkan_petugas.json"]), "_revisi": revision}
    response = client.post(f"/tugas/{task.id}", data={**data, "_kirim": "1"})
    assert response.status_code == 409
    text = page(response)
    assert "diubah orang lain sejak Anda membukanya" in text
    assert value_of(text, "pendamping-0-nama") == "Rina Marlina"
    assert revision_of(text) == str(int(revision) + 2)
    assert open_task(program, instance, "tetapkan_petugas").id == task.id
    data["_revisi"] = revision_of(text)
    assert client.post(f"/tugas/{task.id}", data={**data, "_kirim": "1"}).status_code == 302


# --- rows, claiming, CSRF ----------------------------------------------------------------------------


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
