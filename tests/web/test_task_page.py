"""The task page: a form drawn from the task's JSON Schema, filled in and sent through the browser."""

from __future__ import annotations

import copy
import re

from engine.core import Engine
from engine.runtime import actions as runtime
from engine.views import queries
from tests.form_checks import schema as form_schema
from tests.model_desa_program import FORM_EXAMPLES, PESERTA
from tests.web.task_page_helpers import (
    do,
    form_fields,
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
