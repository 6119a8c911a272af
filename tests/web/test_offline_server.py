"""The offline layer's server side: the service worker and manifest, the person's queue key in
their pages, the JSON answers a phone gets when it sends what was filled offline, and whether a
waiting queue's person may still sign in."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient

from engine.core import Engine
from engine.directory import access, users
from engine.runtime import actions as runtime
from engine.runtime import holds
from engine.views import queries
from engine.views.task import task_view
from tests.conftest import LEMPUR
from tests.web.test_idempotency import PETUGAS_FORM, completions
from web import create_app
from web.offline import queue_tag

KEY = "8d0f3c6a-52b1-4f7e-a1c9-2e4b6d8f0a13"


def client_of(engine: Engine, user: str | None = None) -> FlaskClient:
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"}, engine=engine)
    client = app.test_client()
    if user:
        signed = client.post("/masuk", data={"username": user, "password": "kata-sandi-" + user})
        assert signed.status_code == 302
    return client


def tag_of(client: FlaskClient, user: str) -> str:
    with client.application.app_context():
        return queue_tag(user)


def meta_key(text: str) -> str | None:
    found = re.search(r'<meta name="desa-luring" content="([^"]+)"', text)
    return found.group(1) if found else None


def test_the_service_worker_and_manifest_are_served_from_the_root_under_the_csp(staffed: Engine) -> None:
    client = client_of(staffed)
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert worker.headers["Cache-Control"] == "no-cache"
    assert "unsafe-inline" not in worker.headers["Content-Security-Policy"]
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    described = json.loads(manifest.get_data())
    assert (
        described["lang"] == "id" and described["start_url"] == "/" and described["display"] == "standalone"
    )
    assert "Tugas Desa" in described["name"]
    for icon in described["icons"]:
        assert client.get(icon["src"]).status_code == 200
    for path in ("/static/offline.js", "/static/luring/kirim.js", "/static/offline.css", "/static/sw.js"):
        assert client.get(path).status_code == 200


def test_only_the_persons_own_pages_carry_their_key_and_no_page_runs_inline_code(staffed: Engine) -> None:
    anonymous = client_of(staffed).get("/masuk").get_data(as_text=True)
    assert meta_key(anonymous) is None and "/static/offline.js" in anonymous
    pusat = client_of(staffed, "pusat").get("/").get_data(as_text=True)
    again = client_of(staffed, "pusat").get("/").get_data(as_text=True)  # another session, same person
    other = client_of(staffed, "daerah.kerinci").get("/").get_data(as_text=True)
    assert meta_key(pusat) and meta_key(pusat) == meta_key(again) != meta_key(other)
    assert f'data-tanda="{tag_of(client_of(staffed), "pusat")}"' in pusat
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", pusat, re.S)
    assert scripts, "the page script is linked"
    for attributes, body in scripts:  # code only from files; the one block inline is data
        assert 'src="/static/offline.js"' in attributes or 'type="application/json"' in attributes
        assert not body.strip() or json.loads(body)["menunggu"] == "Menunggu koneksi"


def test_the_offline_texts_follow_the_persons_language(staffed: Engine) -> None:
    client = client_of(staffed, "pusat")
    client.post("/bahasa", data={"language": "en", "next": "/"})
    texts = re.search(r'id="desa-luring-teks">(.*?)</script>', client.get("/").get_data(as_text=True), re.S)
    assert texts is not None
    said = json.loads(texts.group(1))
    assert said["menunggu"] == "Waiting for a connection" and said["perlu_ditinjau"] == "Needs review"


def sync(
    client: FlaskClient, task_id: str, form: dict[str, str], key: str = KEY
) -> tuple[int, dict[str, object]]:
    response = client.post(f"/tugas/{task_id}/luring", data={**form, "_kunci": key})
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def test_a_submission_sent_twice_completes_once_and_answers_the_same(staffed: Engine) -> None:
    client = client_of(staffed, "pusat")
    task = queries.tasks(staffed, village=LEMPUR)[0]
    first = client.post(f"/tugas/{task.id}/luring", data={**PETUGAS_FORM, "_kunci": KEY})
    again = client.post(f"/tugas/{task.id}/luring", data={**PETUGAS_FORM, "_kunci": KEY})
    assert first.status_code == again.status_code == 200 and first.get_data() == again.get_data()
    answer = first.get_json()
    assert answer["hasil"] == "selesai" and answer["pesan"] == "Tugas selesai: Menyiapkan Petugas"
    assert answer["berikutnya"].startswith("Berikutnya: Koordinasi dengan Dinas Sosial")
    assert completions(staffed, task.id) == 1
    status, later = sync(client, task.id, PETUGAS_FORM, key="another-key")  # sent again under a new key
    assert status == 409 and later["hasil"] == "konflik"
    assert "sudah diselesaikan oleh pusat" in str(later["pesan"])


def test_a_refused_field_is_answered_with_its_name_label_and_message(staffed: Engine) -> None:
    client = client_of(staffed, "pusat")
    task = queries.tasks(staffed, village=LEMPUR)[0]
    status, answer = sync(client, task.id, {**PETUGAS_FORM, "pendamping-0-nama": ""})
    assert status == 422 and answer["hasil"] == "ditolak"
    assert {"nama": "pendamping-0-nama", "label": "Nama", "pesan": "Wajib diisi."} in answer["isian"]  # type: ignore[operator]
    assert completions(staffed, task.id) == 0


def test_a_task_gone_or_not_theirs_or_a_session_ended_is_said_so(staffed: Engine) -> None:
    status, answer = sync(client_of(staffed, "pusat"), "no-such-task", PETUGAS_FORM)
    assert status == 404 and answer["hasil"] == "hilang"
    task = queries.tasks(staffed, village=LEMPUR)[0]
    status, answer = sync(client_of(staffed, "daerah.kerinci"), task.id, PETUGAS_FORM)
    assert status in (403, 404) and answer["hasil"] in ("bukan", "hilang")
    signed_out = client_of(staffed).post(f"/tugas/{task.id}/luring", data={**PETUGAS_FORM, "_kunci": KEY})
    assert signed_out.status_code == 302 and "/masuk" in signed_out.headers["Location"]
    assert completions(staffed, task.id) == 0


def test_a_waiting_queues_person_is_said_to_be_able_to_sign_in_or_not(staffed: Engine) -> None:
    client = client_of(staffed)
    unknown = client.post("/luring/pemilik", json={"pengguna": "pusat", "tanda": "0" * 32})
    assert unknown.status_code == 404  # only a device that holds the queue's tag may ask
    active = client.post("/luring/pemilik", json={"pengguna": "pusat", "tanda": tag_of(client, "pusat")})
    assert active.get_json()["aktif"] is True
    with staffed.db.transaction() as s:
        users.disable(s, "pusat")
    disabled = client.post("/luring/pemilik", json={"pengguna": "pusat", "tanda": tag_of(client, "pusat")})
    assert disabled.get_json() == {
        "aktif": False,
        "pesan": "Akun pusat dinonaktifkan: kiriman yang menunggu dari akun ini tidak akan diterima. "
        "Catat isiannya bila perlu dan hubungi admin, lalu hapus dari perangkat ini.",
    }


def test_a_task_given_to_someone_else_meanwhile_says_to_whom(staffed: Engine) -> None:
    with staffed.db.transaction() as s:
        users.add(s, "pusat.dua", password="kata-sandi-pusat.dua")
        access.assign(s, "pusat.dua", "Fasilitator Pusat", None, None)
    client = client_of(staffed, "pusat")
    task = queries.tasks(staffed, village=LEMPUR)[0]
    revision = str(task_view(staffed, task.id, "pusat").revision)
    runtime.reassign(staffed, task.id, "pusat", "pusat.dua")
    status, answer = sync(client, task.id, {**PETUGAS_FORM, "_revisi": revision})
    assert status == 409 and answer["hasil"] == "konflik"
    assert (
        answer["pesan"] == "Tugas ini sekarang dikerjakan oleh pusat.dua; isian Anda tidak disimpan di sana."
    )
    assert completions(staffed, task.id) == 0


def test_a_task_whose_process_an_admin_holds_says_so(staffed: Engine) -> None:
    with staffed.db.transaction() as s:
        users.add(s, "admin", password="kata-sandi-admin", admin=True)
    client = client_of(staffed, "pusat")
    task = queries.tasks(staffed, village=LEMPUR)[0]
    holds.suspend(staffed, task.instance, "admin", "data diperiksa")
    status, answer = sync(client, task.id, PETUGAS_FORM)
    assert status == 409 and answer["hasil"] == "konflik"
    assert str(answer["pesan"]).startswith("Proses tugas ini sedang ditahan oleh admin")
    assert completions(staffed, task.id) == 0
