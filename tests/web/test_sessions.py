"""Sessions kept on the server: signing out ends a session wherever its cookie was copied; an admin
ends a person's sessions, disables (and enables) an account, sets a password; a person's own new
password ends their other sessions; an idle session ends; each request reads its session once."""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, update

from engine.cli import main
from engine.core import Engine
from engine.directory import tokens
from engine.runtime import actions as runtime
from engine.store.models import WebSession
from tests.conftest import FIXTURES, LEMPUR, set_up
from tests.web.test_serve import _free_port
from web import create_app

STAFF = [("pusat", "Fasilitator Pusat", None, None), ("pendamping", "Pendamping", LEMPUR, None)]


@pytest.fixture
def desk(engine: Engine) -> Engine:
    set_up(engine, FIXTURES / "access" / "processes", [LEMPUR], STAFF, admin=True)
    runtime.start(engine, "akses", LEMPUR, "system")
    return engine


@pytest.fixture
def app(desk: Engine) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}, engine=desk)


def signed_in(app: Flask, user: str, password: str | None = None) -> FlaskClient:
    client = app.test_client()
    answer = client.post("/masuk", data={"username": user, "password": password or "rahasia-" + user})
    assert answer.status_code == 302, f"{user} cannot sign in"
    return client


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding the same cookie (copied off a phone, say)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def is_in(client: FlaskClient) -> bool:
    answer = client.get("/")
    if answer.status_code == 302:
        assert answer.headers["Location"].startswith("/masuk")
        return False
    assert answer.status_code == 200
    return True


def desa(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output + result.stderr
    return result


def test_signing_out_ends_the_session_in_every_copy_of_the_cookie(app: Flask) -> None:
    phone = signed_in(app, "pendamping")
    copied = copy_of(app, phone)
    assert is_in(copied)
    assert phone.post("/keluar").status_code == 302
    assert not is_in(copied)
    assert not is_in(phone)


def test_an_admin_ends_a_persons_sessions_and_their_api_token_stays(app: Flask, desk: Engine) -> None:
    phone, laptop, other = signed_in(app, "pendamping"), signed_in(app, "pendamping"), signed_in(app, "pusat")
    with desk.db.transaction() as s:
        secret = tokens.create(s, "pendamping", "skrip")[1]
    assert "2 session(s) of pendamping ended" in desa("users", "end-sessions", "pendamping").output
    assert not is_in(phone) and not is_in(laptop)
    assert is_in(other)
    assert (
        app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    assert is_in(signed_in(app, "pendamping"))  # the person signs in again


def test_disabling_an_account_ends_its_sessions_revokes_its_tokens_and_refuses_sign_in(
    app: Flask, desk: Engine
) -> None:
    phone = signed_in(app, "pendamping")
    with desk.db.transaction() as s:
        secret = tokens.create(s, "pendamping", "skrip")[1]
    api = {"Authorization": f"Bearer {secret}"}
    listed = desa("users", "list").output
    assert re.search(r"pendamping .* yes +1\s*$", listed, flags=re.M), listed
    assert (
        "disabled pendamping; 1 session(s) ended, 1 API token(s) revoked"
        in desa("users", "disable", "pendamping").output
    )
    assert not is_in(phone)
    assert app.test_client().get("/api/v1/tasks", headers=api).status_code == 401
    refused = app.test_client().post(
        "/masuk", data={"username": "pendamping", "password": "rahasia-pendamping"}
    )
    assert refused.status_code == 401
    assert re.search(r"pendamping .* no \(disabled\) +0\s*$", desa("users", "list").output, flags=re.M)

    assert "enabled pendamping" in desa("users", "enable", "pendamping").output
    assert is_in(signed_in(app, "pendamping"))
    assert app.test_client().get("/api/v1/tasks", headers=api).status_code == 401  # stays revoked


def test_a_password_set_by_an_admin_ends_every_session(app: Flask) -> None:
    phone = signed_in(app, "pendamping")
    output = desa("users", "password", "pendamping", "--password", "Sandi-Baru-2027").output
    assert "new password for pendamping: Sandi-Baru-2027; 1 session(s) ended" in output
    assert not is_in(phone)
    old = app.test_client().post("/masuk", data={"username": "pendamping", "password": "rahasia-pendamping"})
    assert old.status_code == 401
    assert is_in(signed_in(app, "pendamping", "Sandi-Baru-2027"))


def test_changing_ones_own_password_ends_the_other_sessions_only(app: Flask) -> None:
    here, phone = signed_in(app, "pendamping"), signed_in(app, "pendamping")
    page = here.get("/akun/kata-sandi")
    assert page.status_code == 200 and "Ganti Kata Sandi" in page.get_data(as_text=True)
    wrong = here.post(
        "/akun/kata-sandi", data={"sekarang": "salah", "baru": "Sandi-2027!", "ulangi": "Sandi-2027!"}
    )
    assert wrong.status_code == 400 and "Kata sandi sekarang salah." in wrong.get_data(as_text=True)
    differ = here.post(
        "/akun/kata-sandi",
        data={"sekarang": "rahasia-pendamping", "baru": "Sandi-2027!", "ulangi": "Sandi-2028!"},
    )
    assert differ.status_code == 400 and "tidak sama" in differ.get_data(as_text=True)
    short = here.post(
        "/akun/kata-sandi", data={"sekarang": "rahasia-pendamping", "baru": "pendek", "ulangi": "pendek"}
    )
    assert short.status_code == 400 and "paling sedikit 8 karakter" in short.get_data(as_text=True)
    assert is_in(phone)  # nothing changed yet

    done = here.post(
        "/akun/kata-sandi",
        data={"sekarang": "rahasia-pendamping", "baru": "Sandi-2027!", "ulangi": "Sandi-2027!"},
    )
    assert done.status_code == 302
    assert "Sesi Anda di perangkat lain sudah diakhiri" in here.get("/").get_data(as_text=True)
    assert is_in(here)
    assert not is_in(phone)
    assert is_in(signed_in(app, "pendamping", "Sandi-2027!"))


def test_guessing_the_current_password_is_throttled_as_signing_in_is(app: Flask) -> None:
    """A phone left signed in is no way to learn its owner's password."""
    taken = signed_in(app, "pendamping")
    guess = {"baru": "Sandi-2027!", "ulangi": "Sandi-2027!"}
    for attempt in range(5):
        wrong = taken.post("/akun/kata-sandi", data={**guess, "sekarang": f"tebakan-{attempt}"})
        assert wrong.status_code == 400
    refused = taken.post("/akun/kata-sandi", data={**guess, "sekarang": "rahasia-pendamping"})
    assert refused.status_code == 429 and "Coba lagi dalam" in refused.get_data(as_text=True)
    assert (
        app.test_client()
        .post("/masuk", data={"username": "pendamping", "password": "rahasia-pendamping"})
        .status_code
        == 429
    )


def test_a_session_unused_for_12_hours_has_ended(app: Flask, desk: Engine) -> None:
    phone = signed_in(app, "pendamping")
    assert is_in(phone)
    long_ago = datetime.now(UTC) - timedelta(hours=13)
    with desk.db.transaction() as s:
        s.execute(update(WebSession).values(last_seen_at=long_ago, expires_at=long_ago + timedelta(hours=12)))
    assert not is_in(phone)


def test_a_cookie_without_a_session_on_the_server_signs_nobody_in(app: Flask) -> None:
    """Even with the signing key (a leaked DESA_SECRET_KEY, or a cookie of before), a cookie
    naming a person but no live session of theirs is nobody's."""
    forged = app.test_client()
    with forged.session_transaction() as session:
        session["user"] = "admin"
    assert not is_in(forged)
    with forged.session_transaction() as session:
        session["user"], session["sid"] = "admin", "tebakan"
    assert not is_in(forged)


def test_a_session_of_one_person_is_no_session_of_another(app: Flask) -> None:
    client = signed_in(app, "pendamping")
    with client.session_transaction() as session:
        session["user"] = "admin"  # the same live secret, another name
    assert not is_in(client)


def _statements(desk: Engine) -> list[str]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "web_session" in statement:
            seen.append(statement.split()[0].upper())

    event.listen(desk.db.engine, "before_cursor_execute", record)
    return seen


def test_each_request_reads_its_session_once_and_writes_when_seen_at_most_once_a_minute(
    app: Flask, desk: Engine
) -> None:
    phone = signed_in(app, "pendamping")
    seen = _statements(desk)
    for _ in range(3):
        assert is_in(phone)
    assert seen == ["SELECT"] * 3
    minutes_ago = datetime.now(UTC) - timedelta(minutes=2)
    with desk.db.transaction() as s:
        s.execute(update(WebSession).values(last_seen_at=minutes_ago))
    seen.clear()
    assert is_in(phone)
    assert seen == ["SELECT", "UPDATE"]
    with desk.db.sessions() as s:
        row = s.scalars(select(WebSession)).one()
    last_seen = row.last_seen_at if row.last_seen_at.tzinfo else row.last_seen_at.replace(tzinfo=UTC)
    assert datetime.now(UTC) - last_seen < timedelta(seconds=30)


def test_the_database_holds_only_the_hash_of_the_session_secret(app: Flask, desk: Engine) -> None:
    phone = signed_in(app, "pendamping")
    with phone.session_transaction() as session:
        secret = session["sid"]
    assert len(secret) >= 40
    with desk.db.sessions() as s:
        assert s.scalars(select(WebSession.token_hash)).one() == hashlib.sha256(secret.encode()).hexdigest()
    path = Path(desk.db.engine.url.database or "")
    if path.exists():
        stored = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert secret.encode() not in stored


# --- over real HTTP, as a browser and someone holding a copy of its cookie ------------------------


@pytest.fixture
def served(desk: Engine) -> Iterator[int]:
    port = _free_port()
    env = dict(
        os.environ,
        DESA_DATABASE_URL=desk.db.engine.url.render_as_string(hide_password=False),
        DESA_SECRET_KEY="uji-sesi",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "engine.cli.main", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                if send(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.communicate(timeout=10)


def send(
    port: int, method: str, path: str, cookie: str = "", form: str | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=form, headers=headers)
    response = connection.getresponse()
    found = {k.lower(): v for k, v in response.getheaders()}
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, found, body


def _cookie(headers: dict[str, str], fallback: str) -> str:
    value = headers.get("set-cookie", "")
    return value.split(";", 1)[0] if value.startswith("session=") else fallback


def _token(body: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', body)
    assert found
    return found.group(1)


def _signed_in(served: int) -> str:
    """The cookie of pendamping signed in over HTTP, as a browser gets it."""
    status, headers, body = send(served, "GET", "/masuk")
    cookie = _cookie(headers, "")
    form = urlencode({"username": "pendamping", "password": "rahasia-pendamping", "csrf_token": _token(body)})
    status, headers, _ = send(served, "POST", "/masuk", cookie, form)
    assert status == 302
    return _cookie(headers, cookie)


def test_over_http_the_old_cookie_gets_the_sign_in_page_after_signing_out(served: int) -> None:
    kept = _signed_in(served)
    status, headers, body = send(served, "GET", "/", kept)
    assert status == 200 and "pendamping" in body
    kept = _cookie(headers, kept)  # the signed-in cookie (with its form token), saved by whoever copied it
    status, headers, _ = send(served, "POST", "/keluar", kept, urlencode({"csrf_token": _token(body)}))
    assert status == 302
    status, headers, _ = send(served, "GET", "/", kept)
    assert status == 302 and headers["location"].startswith("/masuk")


def test_a_reply_arriving_after_the_sign_in_page_leaves_its_form_working(served: int) -> None:
    """A phone reloads after its account's sessions ended while an earlier request of the same page
    is still on its way back: whichever reply's cookie the browser keeps last, the sign-in page it
    shows still signs in (its form token was not dropped with the session)."""
    signed = _signed_in(served)
    status, headers, body = send(served, "GET", "/", signed)
    signed = _cookie(headers, signed)
    desa("users", "end-sessions", "pendamping")
    status, headers, page = send(served, "GET", "/masuk", signed)  # the reload: the sign-in page
    assert status == 200
    shown = _cookie(headers, signed)
    status, headers, _ = send(served, "GET", "/", signed)  # the earlier request, answered later
    assert status == 302 and headers["location"].startswith("/masuk")
    last = _cookie(headers, shown)  # the cookie the browser holds now
    again = urlencode(
        {"username": "pendamping", "password": "rahasia-pendamping", "csrf_token": _token(page)}
    )
    status, headers, _ = send(served, "POST", "/masuk", last, again)
    assert status == 302 and headers["location"] == "/"


def test_a_page_answered_after_a_language_change_does_not_undo_it(served: int) -> None:
    """A page requested before the person switched to English (one the offline layer keeps, on a
    slow line) answers after the switch: its answer sets no cookie, so English stays."""
    before = _signed_in(served)
    status, headers, body = send(served, "GET", "/status", before)
    assert status == 200 and "set-cookie" not in headers  # the form token came with signing in
    switch = urlencode({"language": "en", "next": "/status", "csrf_token": _token(body)})
    status, headers, _ = send(served, "POST", "/bahasa", before, switch)
    after = _cookie(headers, before)
    assert status == 302 and after != before
    status, headers, _ = send(served, "GET", "/", before)  # the earlier request, answered now
    assert status == 200 and "set-cookie" not in headers
    status, headers, body = send(served, "GET", "/status", _cookie(headers, after))
    assert status == 200 and '<html lang="en"' in body
