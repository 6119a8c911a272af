"""Signing in and the task list, through real HTTP requests to the Flask app."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine.core import Engine
from engine.runtime import actions as runtime
from engine.views import inbox
from web import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
LEMPUR, SIGI = "15.01.01.2003", "62.11.03.2005"


def client(engine: Engine, csrf: bool = False) -> FlaskClient:
    config = {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": csrf}
    return create_app(config, engine=engine).test_client()


def sign_in(c: FlaskClient, username: str) -> None:
    response = c.post("/masuk", data={"username": username, "password": "kata-sandi-" + username})
    assert response.status_code == 302


def test_the_inbox_asks_for_a_login_first(staffed: Engine) -> None:
    c = client(staffed)
    response = c.get("/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    wrong = c.post("/masuk", data={"username": "pusat", "password": "salah"})
    assert wrong.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in wrong.get_data(as_text=True)


def test_each_person_sees_the_tasks_of_their_role_and_villages(staffed: Engine) -> None:
    c = client(staffed)
    sign_in(c, "pusat")
    page = c.get("/").get_data(as_text=True)
    assert page.count('class="task"') == 2  # Menyiapkan Petugas, in both villages
    assert "Lempur Mudik" in page and "Sigi" in page and "Menyiapkan Petugas" in page
    assert "2 tugas terbuka" in page

    c = client(staffed)
    sign_in(c, "daerah.kerinci")
    assert "Tidak ada tugas." in c.get("/").get_data(as_text=True)  # nothing for the FD yet


def test_filter_by_village_and_language(staffed: Engine) -> None:
    c = client(staffed)
    sign_in(c, "pusat")
    page = c.get(f"/?desa={SIGI}").get_data(as_text=True)
    assert page.count('class="task"') == 1 and "Sigi" in page
    c.post("/bahasa", data={"language": "en", "next": "/"})
    english = c.get("/").get_data(as_text=True)
    assert "My tasks" in english and "2 open tasks" in english


def test_a_filter_no_task_can_match_shows_an_empty_inbox(staffed: Engine) -> None:
    """A village, step or role holding a NUL (which PostgreSQL cannot hold) matches no task."""
    c = client(staffed)
    sign_in(c, "pusat")
    for query in ("desa=15.01%00", "tahap=persiapan%00", "peran=Fasilitator%00Pusat"):
        response = c.get("/?" + query)
        assert response.status_code == 200, query
        assert 'class="task"' not in response.get_data(as_text=True), query


def test_the_rows_mark_the_tasks_the_person_took_in_their_language(staffed: Engine) -> None:
    """The row texts every task shares alike (the badges) are looked up once per page: still
    shown on the right rows only, in the person's language."""
    taken = next(t for t in inbox.tasks(staffed, "pusat") if t.village == LEMPUR)
    runtime.claim(staffed, taken.id, "pusat")
    c = client(staffed)
    sign_in(c, "pusat")
    page = c.get("/").get_data(as_text=True)
    assert page.count('class="badge mine"') == 1
    rows = page.split('<li class="task">')[1:]
    assert [("Diambil saya" in row, taken.id in row) for row in rows].count((True, True)) == 1
    assert all("Diambil saya" not in row for row in rows if taken.id not in row)
    c.post("/bahasa", data={"language": "en", "next": "/"})
    english = c.get("/").get_data(as_text=True)
    assert english.count('<span class="badge mine">Taken by me</span>') == 1


def test_session_cookie_and_security_headers(staffed: Engine) -> None:
    c = client(staffed)
    response = c.post("/masuk", data={"username": "pusat", "password": "kata-sandi-pusat"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = c.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_forms_without_the_csrf_token_are_refused(staffed: Engine) -> None:
    c = client(staffed, csrf=True)
    refused = c.post("/masuk", data={"username": "pusat", "password": "kata-sandi-pusat"})
    assert refused.status_code == 400
    page = c.get("/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    accepted = c.post(
        "/masuk", data={"username": "pusat", "password": "kata-sandi-pusat", "csrf_token": token}
    )
    assert accepted.status_code == 302


def test_logout(staffed: Engine) -> None:
    c = client(staffed)
    sign_in(c, "pusat")
    c.post("/keluar")
    assert c.get("/").status_code == 302


def test_the_language_stays_with_the_account(staffed: Engine) -> None:
    c = client(staffed)
    sign_in(c, "pusat")
    c.post("/bahasa", data={"language": "en", "next": "/"})
    other_device = client(staffed)
    sign_in(other_device, "pusat")
    assert "My tasks" in other_device.get("/").get_data(as_text=True)


def test_the_inbox_links_are_the_ones_url_for_builds(staffed: Engine) -> None:
    from flask import url_for

    from web.inbox import _links

    odd = ["15.01.01.2003", "a b", "ü/ß?#%", "!$&'()*+,;=@:", "e2a8-40fe"]
    with client(staffed).application.test_request_context("/"):
        assert _links("village.show", "code", odd) == {v: url_for("village.show", code=v) for v in odd}
        assert _links("tasks.show", "task_id", odd) == {v: url_for("tasks.show", task_id=v) for v in odd}


def test_with_more_tasks_than_villages_it_lists_the_page_names_its_villages_and_the_chosen_one(
    staffed: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past VILLAGE_CHOICES tasks the village filter offers the villages of the page and the one
    chosen, read with the page's tasks; a village chosen with no task on the page keeps its name."""
    monkeypatch.setattr(inbox, "VILLAGE_CHOICES", 0)
    c = client(staffed)
    sign_in(c, "pusat")
    page = c.get("/").get_data(as_text=True)
    assert f'<option value="{LEMPUR}"' in page and f'<option value="{SIGI}"' in page
    assert "Lempur Mudik" in page and "Sigi" in page
    found = inbox.inbox(staffed, "pusat", village=LEMPUR, status="saya")  # none taken: an empty page
    assert found.page.tasks == [] and found.summary.villages == {LEMPUR: "Lempur Mudik"}
