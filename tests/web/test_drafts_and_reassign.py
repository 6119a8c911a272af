"""Saving a draft and coming back to it; a central facilitator giving a task to someone else."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core import Engine
from engine.definitions import registry
from engine.directory import access, users, villages
from engine.runtime import actions as runtime
from engine.views import queries
from web import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
LEMPUR = "15.01.01.2003"


@pytest.fixture
def program(engine: Engine) -> Engine:
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    with engine.db.transaction() as s:
        villages.upsert(s, LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        for name, role, village, kabupaten in [
            ("pusat", "Fasilitator Pusat", None, None),
            ("pusat2", "Fasilitator Pusat", None, None),
            ("pendamping1", "Pendamping", LEMPUR, None),
        ]:
            users.add(s, name, password="rahasia")
            access.assign(s, name, role, village, kabupaten)
    runtime.start(engine, "program_desa", LEMPUR, "pusat")
    return engine


def client(engine: Engine, user: str):  # type: ignore[no-untyped-def]
    c = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t"}, engine=engine
    ).test_client()
    assert c.post("/masuk", data={"username": user, "password": "rahasia"}).status_code == 302
    return c


def test_a_draft_is_kept_and_comes_back(program: Engine) -> None:
    task = queries.tasks(program, user="pusat")[0]
    c = client(program, "pusat")
    form = {"_draf": "1", "fasilitator_daerah-nama": "Budi Santoso", "pendamping-n": "2"}
    saved = c.post(f"/tugas/{task.id}", data=form)
    assert saved.status_code == 200 and "Draf disimpan." in saved.get_data(as_text=True)
    again = c.get(f"/tugas/{task.id}").get_data(as_text=True)
    assert 'value="Budi Santoso"' in again and "Draf Anda yang tersimpan dimuat" in again
    assert task.id in {t.id for t in queries.tasks(program, user="pusat")}  # a draft completes nothing
    history = queries.instance_detail(program, task.instance)["history"]
    assert history[-1]["type"] == "DRAFT_SAVED" and history[-1]["actor"] == "pusat"
    other = client(program, "pusat2").get(f"/tugas/{task.id}").get_data(as_text=True)
    assert "Budi Santoso" not in other  # a draft is its author's only


def test_a_central_facilitator_reassigns_a_task(program: Engine) -> None:
    task = queries.tasks(program, user="pusat")[0]
    c = client(program, "pusat")
    c.post(f"/tugas/{task.id}/alihkan", data={"kepada": "pusat2"})
    assert queries.tasks(program, instance_id=task.instance)[0].claimed_by == "pusat2"
    refused = c.post(f"/tugas/{task.id}/alihkan", data={"kepada": "pendamping1"})  # not this role
    assert refused.status_code == 422  # the task page again, saying why (tests/web/test_task_page.py)
    assert queries.tasks(program, instance_id=task.instance)[0].claimed_by == "pusat2"
    assert queries.instance_detail(program, task.instance)["history"][-1]["type"] == "TASK_REASSIGNED"


def test_the_inbox_filters_by_step_and_role(program: Engine) -> None:
    page = client(program, "pusat").get("/?tahap=persiapan&peran=Fasilitator+Pusat").get_data(as_text=True)
    assert page.count('class="task"') == 1
    page = client(program, "pusat").get("/?tahap=refleksi").get_data(as_text=True)
    assert page.count('class="task"') == 0
