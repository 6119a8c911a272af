"""Completions under an idempotency key: the same key twice completes once and answers the same.

Runs on SQLite, and on PostgreSQL when DESA_TEST_DATABASE_URL names one (tests/conftest.py)."""

from __future__ import annotations

import copy
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from engine.core import Engine
from engine.directory import users
from engine.runtime import audit, idempotency
from engine.store.models import AuditEvent, CompletionKey
from engine.views import queries
from tests.web.test_api import LEMPUR, PETUGAS, SIGI, Api, first_task
from web import create_app

KEY = "3f1c2a9e-0d4b-4c61-9a8e-5b7d2e6f1a00"


def completions(engine: Engine, task_id: str) -> int:
    with engine.db.sessions() as s:
        count = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.task_id == task_id, AuditEvent.type == audit.TASK_COMPLETED)
        )
    return int(count or 0)


def complete(api: Api, task_id: str, data: Any, key: str | None = KEY, query: str = "") -> TestResponse:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.post(f"/tasks/{task_id}/complete{query}", json=data, headers=headers)


def test_the_same_key_twice_completes_once_and_answers_the_first_result(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    revision = pusat.get(f"/tasks/{task['id']}").get_json()["revision"]
    first = complete(pusat, task["id"], copy.deepcopy(PETUGAS), query=f"?revision={revision}")
    again = complete(pusat, task["id"], copy.deepcopy(PETUGAS), query=f"?revision={revision}")
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert [t["bpmn_id"] for t in again.get_json()["open_tasks"]] == ["koordinasi_dinas_sosial"]
    assert completions(staffed, task["id"]) == 1
    # Without the key the same submission is a second attempt, refused as ever.
    assert complete(pusat, task["id"], copy.deepcopy(PETUGAS), key=None).status_code == 409


def test_a_quoted_key_is_the_same_key(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    first = complete(pusat, task["id"], copy.deepcopy(PETUGAS))
    again = complete(pusat, task["id"], copy.deepcopy(PETUGAS), key=f'"{KEY}"')
    assert first.status_code == again.status_code == 200 and again.get_data() == first.get_data()


def test_a_key_reused_with_other_input_is_refused(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    assert complete(pusat, task["id"], copy.deepcopy(PETUGAS)).status_code == 200
    other = copy.deepcopy(PETUGAS)
    other["pendamping"][0]["nama"] = "Seseorang Lain"
    refused = complete(pusat, task["id"], other)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_input" and "used already for a different submission" in error["message"]
    other_revision = complete(pusat, task["id"], copy.deepcopy(PETUGAS), query="?revision=0")
    assert other_revision.status_code == 422
    elsewhere = complete(pusat, first_task(pusat, SIGI)["id"], copy.deepcopy(PETUGAS))
    assert elsewhere.status_code == 422  # another task under the same key: refused, nothing done
    assert completions(staffed, task["id"]) == 1
    assert len(pusat.get(f"/tasks?village={SIGI}").get_json()["tasks"]) == 1


def test_another_users_key_never_replays(staffed: Engine) -> None:
    with staffed.db.transaction() as s:
        users.add(s, "admin", password="kata-sandi-admin", admin=True)
    pusat, admin = Api(staffed, "pusat"), Api(staffed, "admin")
    task = first_task(pusat, LEMPUR)
    assert complete(pusat, task["id"], copy.deepcopy(PETUGAS)).status_code == 200
    theirs = complete(admin, task["id"], copy.deepcopy(PETUGAS))
    assert theirs.status_code == 409
    assert "already completed by pusat" in theirs.get_json()["error"]["message"]


def test_a_refusal_is_not_kept_so_the_corrected_input_goes_through(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    bad = complete(pusat, task["id"], {"fasilitator_daerah": {"nama": "B"}})
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"]
    assert complete(pusat, task["id"], copy.deepcopy(PETUGAS)).status_code == 200
    assert completions(staffed, task["id"]) == 1


def test_a_malformed_key_is_refused(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    for key in ("", "dua kata", "x" * 201, "kunci-é"):
        refused = complete(pusat, task["id"], copy.deepcopy(PETUGAS), key=key)
        assert refused.status_code == 422, key
        assert "idempotency key" in refused.get_json()["error"]["message"]
    assert completions(staffed, task["id"]) == 0


def test_keys_are_kept_thirty_days_then_pruned(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    assert complete(pusat, task["id"], copy.deepcopy(PETUGAS)).status_code == 200
    with staffed.db.sessions() as s:
        kept = s.scalars(select(CompletionKey)).one()
    assert kept.username == "pusat" and kept.task_id == task["id"]
    lasts = idempotency._aware(kept.expires_at) - idempotency._aware(kept.created_at)
    assert lasts == timedelta(days=30) and timedelta(days=7) <= idempotency.KEEP
    # 29 days on the key still answers; past 30 days it is gone and the task answers for itself.
    moved = datetime.now(UTC) - timedelta(days=29)
    with staffed.db.transaction() as s:
        s.execute(update(CompletionKey).values(created_at=moved, expires_at=moved + idempotency.KEEP))
    assert complete(pusat, task["id"], copy.deepcopy(PETUGAS)).status_code == 200
    with staffed.db.transaction() as s:
        s.execute(update(CompletionKey).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    late = complete(pusat, task["id"], copy.deepcopy(PETUGAS))
    assert late.status_code == 409 and "already completed by pusat" in late.get_json()["error"]["message"]
    assert complete(pusat, first_task(pusat, SIGI)["id"], copy.deepcopy(PETUGAS), key="k2").status_code == 200
    with staffed.db.sessions() as s:
        assert s.scalars(select(CompletionKey.key)).all() == ["k2"]  # the expired one was pruned


def test_twin_requests_racing_under_one_key_complete_once_and_answer_alike(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    app = create_app({"TESTING": True, "SECRET_KEY": "test"}, engine=staffed)
    start = threading.Barrier(2)
    answers: list[tuple[int, bytes]] = []

    def send() -> None:
        client = app.test_client()
        start.wait()
        response = client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json=copy.deepcopy(PETUGAS),
            headers={**pusat.headers, "Idempotency-Key": KEY},
        )
        answers.append((response.status_code, response.get_data()))

    twins = [threading.Thread(target=send) for _ in range(2)]
    for t in twins:
        t.start()
    for t in twins:
        t.join()
    assert [status for status, _ in answers] == [200, 200]
    assert answers[0][1] == answers[1][1]
    assert completions(staffed, task["id"]) == 1


# --- the web form ----------------------------------------------------------------------------------

PETUGAS_FORM = {
    "fasilitator_daerah-nama": "Budi Santoso",
    "fasilitator_daerah-instansi": "Dinas Sosial Kabupaten Kerinci",
    "pendamping-n": "2",
    "pendamping-0-nama": "Rina Marlina",
    "pendamping-0-jenis_kelamin": "P",
    "pendamping-0-asal_lembaga": "TKSK Kecamatan Gunung Raya",
    "pendamping-1-nama": "Doni Saputra",
    "pendamping-1-jenis_kelamin": "L",
    "pendamping-1-asal_lembaga": "PSM Kabupaten Kerinci",
    "_kirim": "1",
}


def signed_in_pusat(engine: Engine) -> FlaskClient:
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"}, engine=engine)
    client = app.test_client()
    assert (
        client.post("/masuk", data={"username": "pusat", "password": "kata-sandi-pusat"}).status_code == 302
    )
    return client


def test_the_task_form_sent_twice_completes_once_and_says_so_twice(staffed: Engine) -> None:
    client = signed_in_pusat(staffed)
    task = [t for t in queries.tasks(staffed, village=LEMPUR)][0]
    shown = client.get(f"/tugas/{task.id}").get_data(as_text=True)
    key, revision = value_of(shown, "_kunci"), value_of(shown, "_revisi")
    assert key and revision
    assert value_of(client.get(f"/tugas/{task.id}").get_data(as_text=True), "_kunci") != key  # new each time
    form = {**PETUGAS_FORM, "_kunci": key, "_revisi": revision}
    for _ in range(2):  # a double tap, or a resend after the answer was lost
        sent = client.post(f"/tugas/{task.id}", data=form)
        assert sent.status_code == 302 and sent.headers["Location"] == "/"
        assert "Tugas selesai: Menyiapkan Petugas" in client.get("/").get_data(as_text=True)
    assert completions(staffed, task.id) == 1
    changed = client.post(f"/tugas/{task.id}", data={**form, "pendamping-0-nama": "Lain"})
    assert changed.status_code == 422  # the same key with other input: refused, nothing done
    assert "kunci yang sudah dipakai" in changed.get_data(as_text=True)


def value_of(text: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', text)
    return found.group(1) if found else None
