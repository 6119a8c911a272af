"""The defences of the cookie-session UI: CSRF tokens on every form, the session cookie's flags,
request size, sign-in throttling, and how passwords and API tokens are stored.

(Security headers are checked on every response of tests/web/test_access_matrix.py.)
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.cli import main
from engine.core import Engine
from engine.directory import passwords, signin, tokens, users
from engine.runtime import actions as runtime
from engine.store.models import ApiToken, AuditCheck, SignInAttempt, User
from engine.views import queries
from tests.conftest import FIXTURES, LEMPUR, set_up
from web import create_app

STAFF = [("pusat", "Fasilitator Pusat", None, None), ("pendamping", "Pendamping", LEMPUR, None)]
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@pytest.fixture
def desk(engine: Engine) -> Engine:
    """One task per role open in Lempur Mudik (tests/fixtures/access), its staff and an admin."""
    set_up(engine, FIXTURES / "access" / "processes", [LEMPUR], STAFF, admin=True)
    runtime.start(engine, "akses", LEMPUR, "system")
    return engine


def app_for(engine: Engine, csrf: bool = True) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": csrf}, engine=engine)


def token_in(page: TestResponse) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, user: str, address: str = "127.0.0.1") -> TestResponse:
    token = token_in(client.get("/masuk"))
    return client.post(
        "/masuk",
        data={"username": user, "password": "rahasia-" + user, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def task_of(engine: Engine, bpmn_id: str) -> str:
    return next(t.id for t in queries.tasks(engine, village=LEMPUR) if t.bpmn_id == bpmn_id)


def claimed_by(engine: Engine, bpmn_id: str) -> str | None:
    return next(t.claimed_by for t in queries.tasks(engine, village=LEMPUR) if t.bpmn_id == bpmn_id)


# Every POST route of the cookie-session UI: what to send, and how to see that it went through.
def _posts(engine: Engine) -> dict[str, tuple[str, dict[str, str]]]:
    pusat, daerah = task_of(engine, "tugas_pusat"), task_of(engine, "tugas_daerah")
    pendamping = task_of(engine, "tugas_pendamping")
    return {
        "/masuk": ("/masuk", {"username": "admin", "password": "rahasia-admin"}),
        "/bahasa": ("/bahasa", {"language": "en", "next": "/"}),
        "/akun/kata-sandi": (
            "/akun/kata-sandi",
            {"sekarang": "rahasia-admin", "baru": "rahasia-admin", "ulangi": "rahasia-admin"},
        ),
        "/tugas/<task_id>": (f"/tugas/{pusat}", {"_kirim": "1"}),
        "/tugas/<task_id>/ambil": (f"/tugas/{daerah}/ambil", {}),
        "/tugas/<task_id>/lepas": (f"/tugas/{daerah}/lepas", {}),
        "/tugas/<task_id>/alihkan": (f"/tugas/{pendamping}/alihkan", {"kepada": "pendamping"}),
        "/tugas/<task_id>/luring": (f"/tugas/{pusat}/luring", {"_kunci": "k"}),
        "/luring/pemilik": ("/luring/pemilik", {"pengguna": "admin"}),
        "/tugas/massal": ("/tugas/massal", {"aksi": "ambil"}),  # nothing ticked: said so, nothing done
        "/tugas/saringan": ("/tugas/saringan", {"nama": "Pagi", "status": "terlambat"}),
        "/tugas/saringan/hapus": ("/tugas/saringan/hapus", {"id": "1"}),
        "/audit/desa/<code>/verifikasi": (f"/audit/desa/{LEMPUR}/verifikasi", {}),
        "/keluar": ("/keluar", {}),  # last: it ends the session
    }


def _effects(engine: Engine) -> tuple[dict[str, str | None], int]:
    """The open tasks with who holds them, and how many verifications were recorded."""
    with engine.db.sessions() as s:
        checks = len(list(s.scalars(select(AuditCheck.id))))
    return {t.bpmn_id: t.claimed_by for t in queries.tasks(engine, village=LEMPUR)}, checks


def test_every_form_post_needs_the_csrf_token(desk: Engine) -> None:
    app = app_for(desk)
    ui_posts = {
        r.rule
        for r in app.url_map.iter_rules()
        if "POST" in (r.methods or ()) and not r.rule.startswith("/api/")
    }
    posts = _posts(desk)
    assert ui_posts == set(posts), "a POST route of the UI without a case here"
    client = app.test_client()
    assert sign_in(client, "admin").status_code == 302
    before = _effects(desk)
    for rule, (url, data) in posts.items():
        refused = client.post(url, data=data)
        assert refused.status_code == 400, f"{rule} without a token: {refused.status_code}"
        assert "Formulir ditolak" in refused.get_data(as_text=True)
        assert _effects(desk) == before, f"{rule} without a token changed something"
    assert client.get("/").status_code == 200  # still signed in: /keluar did nothing either

    for rule, (url, data) in posts.items():
        token = token_in(client.get("/masuk"))
        accepted = client.post(url, data={**data, "csrf_token": token})
        if rule in ("/tugas/<task_id>/luring", "/luring/pemilik"):  # the offline layer's, in JSON
            assert accepted.status_code != 400 and accepted.mimetype == "application/json", rule
            continue
        assert accepted.status_code == 302, f"{rule} with the token: {accepted.status_code}"
    held, checks = _effects(desk)
    assert "tugas_pusat" not in held  # completed
    assert held["tugas_daerah"] is None  # taken, then released
    assert held["tugas_pendamping"] == "pendamping"  # given to the Pendamping
    assert checks == before[1] + 1  # the village verified once
    assert client.get("/").status_code == 302  # signed out


def test_a_form_from_another_session_is_refused(desk: Engine) -> None:
    app = app_for(desk)
    attacker, victim = app.test_client(), app.test_client()
    sign_in(attacker, "pendamping")
    sign_in(victim, "pusat")
    task = task_of(desk, "tugas_pusat")
    forged = token_in(attacker.get(f"/tugas/{task}"))  # a valid token, but of the attacker's session
    assert victim.post(f"/tugas/{task}/ambil", data={"csrf_token": forged}).status_code == 400
    assert claimed_by(desk, "tugas_pusat") is None


def _session_cookie(response: TestResponse) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert found, "no session cookie was set"
    return found[0]


def test_the_session_cookie_is_httponly_and_samesite_lax(
    desk: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DESA_ENV", raising=False)
    cookie = _session_cookie(sign_in(app_for(desk).test_client(), "pusat"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # `make run` serves plain HTTP on 127.0.0.1


def test_in_production_the_session_cookie_is_also_secure(
    desk: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESA_ENV", "production")
    cookie = _session_cookie(sign_in(app_for(desk).test_client(), "pusat"))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_too_large_request_is_refused_with_413(desk: Engine) -> None:
    app = app_for(desk)
    client = app.test_client()
    sign_in(client, "pusat")
    task = task_of(desk, "tugas_pusat")
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    token = token_in(client.get("/masuk"))
    refused = client.post(f"/tugas/{task}", data={"catatan": big, "_kirim": "1", "csrf_token": token})
    assert refused.status_code == 413
    assert all(h in refused.headers for h in SECURITY_HEADERS)
    assert task_of(desk, "tugas_pusat") == task  # still open
    with desk.db.transaction() as s:
        secret = tokens.create(s, "pusat")[1]
    api = client.post(
        f"/api/v1/tasks/{task}/complete",
        data=b"{" + b" " * app.config["MAX_CONTENT_LENGTH"] + b"}",
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert api.status_code == 413
    assert task_of(desk, "tugas_pusat") == task
    assert app.config["MAX_CONTENT_LENGTH"] <= 2 * 1024 * 1024


def _fail(client: FlaskClient, user: str, address: str = "127.0.0.1") -> TestResponse:
    token = token_in(client.get("/masuk"))
    return client.post(
        "/masuk",
        data={"username": user, "password": "bukan-ini", "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_five_failures_refuse_the_name_for_a_while_in_every_web_process(desk: Engine) -> None:
    first, second = app_for(desk).test_client(), app_for(desk).test_client()  # two web processes
    for _ in range(signin.USER_LIMIT):
        assert _fail(first, "pusat").status_code == 401
    refused = sign_in(second, "pusat", address="10.1.1.1")  # the right password, elsewhere
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit." in text
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert second.get("/").status_code == 302  # not signed in
    assert sign_in(second, "pendamping", address="10.1.1.1").status_code == 302  # other names may
    second.post("/bahasa", data={"language": "en", "csrf_token": token_in(second.get("/"))})
    english = sign_in(second, "pusat", address="10.1.1.1").get_data(as_text=True)
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in english
    with desk.db.sessions() as s:
        recorded = [(a.username, a.address, a.outcome) for a in s.scalars(select(SignInAttempt))]
    assert recorded.count(("pusat", "127.0.0.1", "failed")) == signin.USER_LIMIT
    assert ("pusat", "10.1.1.1", "refused") in recorded


def test_the_refusal_ends_when_the_window_has_passed(desk: Engine) -> None:
    t0 = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    for minute, typed in enumerate(["pusat", "Pusat", "PUSAT", " pusat", "pusat "]):  # one name
        assert signin.sign_in(desk, typed, "salah", "10.0.0.1", t0 + timedelta(minutes=minute)).user is None
    refused = signin.sign_in(desk, "pusat", "rahasia-pusat", "10.0.0.1", t0 + timedelta(minutes=10))
    assert refused.user is None and refused.retry_after == 5 * 60  # when the first failure expires
    later = t0 + timedelta(minutes=15, seconds=1)  # four failures left in the window
    assert signin.sign_in(desk, "pusat", "rahasia-pusat", "10.0.0.1", later).user == "pusat"


def test_a_success_resets_the_names_count(desk: Engine) -> None:
    t0 = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    for second in range(signin.USER_LIMIT - 1):
        signin.sign_in(desk, "pusat", "salah", "10.0.0.1", t0 + timedelta(seconds=second))
    assert (
        signin.sign_in(desk, "pusat", "rahasia-pusat", "10.0.0.1", t0 + timedelta(seconds=10)).user == "pusat"
    )
    for second in range(signin.USER_LIMIT - 1):
        signin.sign_in(desk, "pusat", "salah", "10.0.0.1", t0 + timedelta(seconds=20 + second))
    assert (
        signin.sign_in(desk, "pusat", "rahasia-pusat", "10.0.0.1", t0 + timedelta(seconds=30)).user == "pusat"
    )


def test_one_address_guessing_many_names_is_refused(desk: Engine) -> None:
    client = app_for(desk).test_client()
    for n in range(signin.ADDRESS_LIMIT - 1):
        assert _fail(client, f"nama-{n}", address="192.0.2.9").status_code == 401
    assert sign_in(client, "pusat", address="192.0.2.9").status_code == 302  # a success...
    client.post("/keluar", data={"csrf_token": token_in(client.get("/"))})
    assert _fail(client, "nama-lagi", address="192.0.2.9").status_code == 401  # ... does not reset it
    refused = sign_in(client, "pendamping", address="192.0.2.9")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert sign_in(app_for(desk).test_client(), "pendamping", address="192.0.2.10").status_code == 302


def _stored_bytes(engine: Engine) -> bytes:
    """Everything the SQLite database holds on disk, write-ahead log included."""
    path = Path(engine.db.engine.url.database or "")
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_passwords_are_scrypt_hashes_with_their_own_salt(engine: Engine) -> None:
    with engine.db.transaction() as s:
        users.add(s, "rina", password="Kata-Sandi-Rina-2027")
        users.add(s, "rudi", password="Kata-Sandi-Rina-2027")
    with engine.db.sessions() as s:
        stored = {u.username: u.password_hash or "" for u in s.scalars(select(User))}
    kinds = {h.split("$")[0] for h in stored.values()}
    assert kinds == {"scrypt"}
    _, n, r, p, salt, digest = stored["rina"].split("$")
    assert int(n) >= 2**14 and int(r) >= 8 and int(p) >= 1  # at least 16 MiB of memory per guess
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert stored["rina"] != stored["rudi"]  # same password, different salt
    assert passwords.check_password(stored["rina"], "Kata-Sandi-Rina-2027")
    assert not passwords.check_password(stored["rina"], "kata-sandi-rina-2027")
    # A hash made with other parameters (say, stronger ones later) still checks.
    salt_bytes = b"0123456789abcdef"
    stronger = hashlib.scrypt(b"p", salt=salt_bytes, n=2**15, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    assert passwords.check_password(
        f"scrypt${2**15}$8$1${base64.b64encode(salt_bytes).decode()}${base64.b64encode(stronger).decode()}",
        "p",
    )
    app = app_for(engine, csrf=False)
    assert (
        app.test_client()
        .post("/masuk", data={"username": "rina", "password": "Kata-Sandi-Rina-2027"})
        .status_code
        == 302
    )
    assert b"Kata-Sandi-Rina-2027" not in _stored_bytes(engine)


def test_api_tokens_are_stored_hashed_and_a_revoked_one_is_refused_at_once(desk: Engine) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["tokens", "create", "pusat", "--name", "skrip"])
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    token_id = int(made.output.split()[1])
    with desk.db.sessions() as s:
        stored = s.scalar(select(ApiToken.token_hash).where(ApiToken.id == token_id))
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.encode() not in _stored_bytes(desk)
    client = app_for(desk).test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    revoked = runner.invoke(main, ["tokens", "revoke", str(token_id)])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401
    task = task_of(desk, "tugas_pusat")
    assert client.post(f"/api/v1/tasks/{task}/claim", headers=headers).status_code == 401
    assert claimed_by(desk, "tugas_pusat") is None
