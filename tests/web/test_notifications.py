"""The Pemberitahuan page and the count in the header, through the Flask test client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select, update

from engine.core import Engine
from engine.runtime import actions as runtime
from engine.store.models import HumanTask
from tests.conftest import LEMPUR, SIGI
from tests.engine.helpers import set_clock
from web import create_app

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _start(engine: Engine, village: str, who: str, due: datetime) -> str:
    instance_id = runtime.start(engine, "simple", village, who).instance_id
    with engine.db.transaction() as s:
        task_id = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id))
        assert task_id is not None
        s.execute(update(HumanTask).where(HumanTask.id == task_id).values(due_at=due))
    return task_id


def _signed_in(engine: Engine, username: str) -> FlaskClient:
    c = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}, engine=engine
    ).test_client()
    response = c.post("/masuk", data={"username": username, "password": "rahasia-" + username})
    assert response.status_code == 302
    return c


def test_the_page_groups_the_tasks_of_the_person(basic: Engine) -> None:
    set_clock(basic, T0 - timedelta(days=5))  # created long ago: not new any more
    overdue = _start(basic, LEMPUR, "rina", T0 - timedelta(days=1))
    soon = _start(basic, LEMPUR, "rina", T0 + timedelta(days=2))
    other = _start(basic, SIGI, "sari", T0 - timedelta(days=1))
    set_clock(basic, T0)

    c = _signed_in(basic, "rina")
    page = c.get("/pemberitahuan").get_data(as_text=True)
    assert "Terlambat (1)" in page and "Segera Jatuh Tempo (1)" in page and "Tugas Baru" not in page
    assert f'href="/tugas/{overdue}"' in page and f'href="/tugas/{soon}"' in page
    assert f"/tugas/{other}" not in page
    assert page.index(f"/tugas/{overdue}") < page.index(f"/tugas/{soon}")  # overdue first
    assert "Lempur Mudik" in page and "Sigi" not in page
    assert "Pemberitahuan (2)" in c.get("/").get_data(as_text=True)

    c.post("/bahasa", data={"language": "en", "next": "/"})
    english = c.get("/pemberitahuan").get_data(as_text=True)
    assert "Notifications (2)" in english and "Overdue" in english


def test_nothing_to_tell_and_a_login_first(basic: Engine) -> None:
    anonymous = create_app({"TESTING": True, "SECRET_KEY": "test"}, engine=basic).test_client()
    assert "/masuk" in anonymous.get("/pemberitahuan").headers["Location"]
    c = _signed_in(basic, "budi")
    page = c.get("/pemberitahuan").get_data(as_text=True)
    assert "Tidak ada pemberitahuan." in page and "Pemberitahuan (0)" in page
