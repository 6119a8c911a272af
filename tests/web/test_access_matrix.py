"""Every route of the app x every kind of person x their own village / another, against the table of
docs/security.md (tests/web/access_table.py): a route without an entry fails, a person who gets
more or less than the table says fails, and a refused request must have changed nothing.

People: one of each role (a Fasilitator Daerah and an Auditor for Kab. Kerinci, a Pendamping and a
Pengurus Pokja of Lempur Mudik), a national auditor, an admin and a signed-out visitor; on the API,
a token of each, no token and a revoked one. Each task case acts on a fresh instance of
`tests/fixtures/access` (one open task per working role), so no case depends on another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine.core import Engine
from engine.directory import tokens
from engine.runtime import actions as runtime
from engine.store.db import Database
from engine.store.models import AuditCheck, HumanTask, Instance, User
from engine.views import queries
from tests.conftest import FIXTURES, LEMPUR, PG_URL, SIGI, _fresh_postgres, set_up
from tests.web import access_table
from tests.web.access_table import API, CALLERS, PEOPLE, WEB
from web import create_app, offline

PROCESSES = FIXTURES / "access" / "processes"
STAFF = [
    ("pusat", "Fasilitator Pusat", None, None),
    ("daerah", "Fasilitator Daerah", None, "15.01"),
    ("pendamping", "Pendamping", LEMPUR, None),
    ("pokja", "Pengurus Pokja", LEMPUR, None),
    ("auditor", "Auditor", None, "15.01"),
    ("auditor.nasional", "Auditor", None, None),
    ("perancang", "Perancang Program", None, None),
    # The people of each role in Sigi, who hold (and are given) its tasks.
    ("daerah.pp", "Fasilitator Daerah", None, "62.11"),
    ("pendamping.sigi", "Pendamping", SIGI, None),
    ("pokja.sigi", "Pengurus Pokja", SIGI, None),
]
ROLE_TASK = {
    "pusat": "tugas_pusat",
    "daerah": "tugas_daerah",
    "pendamping": "tugas_pendamping",
    "pokja": "tugas_pokja",
}
OTHER_ROLE_TASK = {
    "pusat": "tugas_pendamping",
    "daerah": "tugas_pusat",
    "pendamping": "tugas_pokja",
    "pokja": "tugas_pendamping",
}
HOLDER = {
    LEMPUR: {
        "tugas_pusat": "pusat",
        "tugas_daerah": "daerah",
        "tugas_pendamping": "pendamping",
        "tugas_pokja": "pokja",
    },
    SIGI: {
        "tugas_pusat": "pusat",
        "tugas_daerah": "daerah.pp",
        "tugas_pendamping": "pendamping.sigi",
        "tugas_pokja": "pokja.sigi",
    },
}
VILLAGE = {"-": LEMPUR, "sendiri": LEMPUR, "peran-lain": LEMPUR, "lain": SIGI}


@dataclass
class World:
    engine: Engine
    app: Flask
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    audited: dict[str, int] = field(default_factory=dict)  # village -> an instance with a history

    def client(self, person: str) -> FlaskClient:
        if person not in self.clients:
            self.clients[person] = signed_in(self.app, person)
        return self.clients[person]

    def start(self, village: str) -> int:
        return runtime.start(self.engine, "akses", village, "system").instance_id

    def fresh_task(self, village: str, bpmn_id: str, held: bool = False) -> str:
        """An open task `bpmn_id` of a new instance in `village` (held by its role's person)."""
        instance = self.start(village)
        task = next(t for t in queries.tasks(self.engine, instance_id=instance) if t.bpmn_id == bpmn_id)
        if held:
            runtime.claim(self.engine, task.id, HOLDER[village][bpmn_id])
        return task.id

    def task_state(self, task_id: str) -> tuple[bool, str | None]:
        with self.engine.db.sessions() as s:
            row = s.get(HumanTask, task_id)
            return (row is not None, row.claimed_by if row is not None else None)

    def count(self, what: Any, *where: Any) -> int:
        with self.engine.db.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(what).where(*where)) or 0)


def signed_in(app: Flask, person: str) -> FlaskClient:
    client = app.test_client()
    if person != "tamu":
        answer = client.post("/masuk", data={"username": person, "password": "rahasia-" + person})
        assert answer.status_code == 302, f"{person} cannot sign in"
    return client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("access") / "access.sqlite"
    db = _fresh_postgres(PG_URL) if PG_URL else Database(f"sqlite:///{path}")
    if not PG_URL:
        db.upgrade()
    engine = set_up(Engine(db), PROCESSES, [LEMPUR, SIGI], STAFF, admin=True)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}, engine=engine)
    w = World(engine, app)
    with engine.db.transaction() as s:
        for person in PEOPLE[:-1]:
            w.tokens[person] = tokens.create(s, person, "matrix")[1]
        info, w.tokens["token-dicabut"] = tokens.create(s, "pendamping", "dicabut")
    with engine.db.transaction() as s:
        tokens.revoke(s, info.id)
    for village in (LEMPUR, SIGI):  # an instance with a history of two events
        w.audited[village] = w.start(village)
        first = queries.tasks(engine, instance_id=w.audited[village])[0]
        runtime.claim(engine, first.id, HOLDER[village][first.bpmn_id])
    yield w
    db.dispose()


@dataclass
class Call:
    """One request, and what it must have changed when allowed (`effect`) or not (`unchanged`)."""

    method: str
    url: str
    form: dict[str, str] | None = None
    json: Any = None
    snapshot: Callable[[], Any] | None = None
    effect: Callable[[Any, Any], bool] | None = None  # given the snapshots before and after: done?


def _task_bpmn(person: str, target: str) -> str:
    if target == "peran-lain":
        return OTHER_ROLE_TASK.get(person, "tugas_pusat")
    return ROLE_TASK.get(person, "tugas_pendamping")


def _task_call(w: World, route: str, person: str, target: str, api: bool) -> Call:
    village, bpmn_id = VILLAGE[target], _task_bpmn(person, target)
    releasing = route.endswith(("/lepas", "/unclaim"))
    task = w.fresh_task(village, bpmn_id, held=releasing)
    holder = HOLDER[village][bpmn_id]
    url = route.split(" ", 1)[1].replace("<task_id>", task)
    method = route.split(" ", 1)[0]

    def state() -> tuple[bool, str | None]:
        return w.task_state(task)

    if method == "GET":
        return Call(method, url)
    last = url.rsplit("/", 1)[-1]
    if last in ("claim", "ambil"):
        return Call(method, url, {}, snapshot=state, effect=lambda _, s: s == (True, person))
    if last in ("unclaim", "lepas"):
        return Call(method, url, {}, snapshot=state, effect=lambda _, s: s == (True, None))
    if last == "alihkan":
        return Call(method, url, {"kepada": holder}, snapshot=state, effect=lambda _, s: s == (True, holder))
    form = None if api else {"_kirim": "1"}
    return Call(method, url, form, json={} if api else None, snapshot=state, effect=lambda _, s: not s[0])


def _village_call(w: World, route: str, person: str, target: str) -> Call:
    method, rule = route.split(" ", 1)
    code = VILLAGE[target]
    instance = w.audited[code]
    url = rule.replace("<code>", code).replace("<int:instance_id>", str(instance)).replace("<int:seq>", "1")
    if rule.endswith("/tanggal"):
        url += "?tanggal=2020-01-01"
    if rule == "/audit/ekspor":
        url += f"?format=csv&desa={code}"
    if rule.endswith("/verifikasi"):

        def checks() -> int:
            return w.count(AuditCheck, AuditCheck.checked_by == person)

        return Call(method, url, {}, snapshot=checks, effect=lambda before, after: after > before)
    if rule == "/api/v1/instances":

        def started() -> int:
            return w.count(Instance, Instance.village_code == code)

        return Call(
            method,
            url,
            json={"process_id": "akses", "village": code},
            snapshot=started,
            effect=lambda before, after: after == before + 1,
        )
    return Call(method, url)


def build(w: World, route: str, person: str, target: str) -> Call:
    method, rule = route.split(" ", 1)
    if "<task_id>" in rule:
        return _task_call(w, route, person, target, rule.startswith("/api/"))
    if target != "-" or rule == "/api/v1/instances":
        return _village_call(w, route, person, target)
    if rule == "/audit/ekspor":
        return Call(method, "/audit/ekspor?format=csv")
    if rule.startswith("/perancangan/formulir/"):  # a form of a program on disk
        url = rule.replace("<program>", "model_desa")
        return Call(method, url.replace("<form>", "tetapkan_petugas.json"))
    if rule.startswith("/perancangan/"):  # the fixture's process, its only version
        url = rule.replace("<process_id>", "akses").replace("<int:version>", "1")
        return Call(method, url.replace("<int:v1>", "1").replace("<int:v2>", "1"))
    if rule == "/static/<path:filename>":
        return Call(method, "/static/desa.css")
    if route == "POST /masuk":
        password = "salah" if person == "tamu" else "rahasia-" + person
        return Call(method, rule, {"username": person, "password": password})
    if rule == "/bahasa":
        return Call(method, rule, {"language": "id", "next": "/"})
    if route == "POST /luring/pemilik":  # the queue's owner and tag, as the device keeps them
        owner = "pendamping" if person == "tamu" else person
        with w.app.app_context():
            tag = offline.queue_tag(owner)
        return Call(method, rule, json={"pengguna": owner, "tanda": tag})
    if route == "POST /akun/kata-sandi":  # to the same password: a new hash, and everyone signs in still
        own = "rahasia-" + person

        def stored() -> str | None:
            with w.engine.db.sessions() as s:
                return s.scalar(select(User.password_hash).where(User.username == person))

        form = {"sekarang": own, "baru": own, "ulangi": own}
        return Call(method, rule, form, snapshot=stored, effect=lambda before, after: before != after)
    return Call(method, rule, {} if method == "POST" else None)


def _outcome(response: TestResponse) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and urlsplit(location).path == "/masuk" and "next=" in location:
        return "masuk"
    return str(response.status_code)


def unprotected(response: TestResponse) -> str | None:
    """What is missing of the security headers every response carries."""
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    missing = [
        name
        for name, ok in (
            ("Content-Security-Policy", "default-src 'self'" in policy and "'unsafe-inline'" not in policy),
            ("CSP frame-ancestors", "frame-ancestors 'none'" in policy),
            ("X-Content-Type-Options", headers.get("X-Content-Type-Options") == "nosniff"),
            ("X-Frame-Options", headers.get("X-Frame-Options") == "DENY"),
            ("Referrer-Policy", headers.get("Referrer-Policy") == "same-origin"),
        )
        if not ok
    ]
    return f"without {', '.join(missing)}" if missing else None


def run(w: World, call: Call, send: Callable[[Call], TestResponse], allowed: bool) -> tuple[str, str | None]:
    """The outcome, and what is wrong with the response or the state afterwards (None: nothing)."""
    before = call.snapshot() if call.snapshot else None
    response = send(call)
    if unprotected(response):
        return _outcome(response), unprotected(response)
    if call.snapshot is None or call.effect is None:
        return _outcome(response), None
    after = call.snapshot()
    if allowed and not call.effect(before, after):
        return _outcome(response), f"allowed but nothing happened: {before!r} -> {after!r}"
    if not allowed and after != before:
        return _outcome(response), f"refused but the state changed: {before!r} -> {after!r}"
    return _outcome(response), None


def _web_send(w: World, person: str) -> Callable[[Call], TestResponse]:
    def send(call: Call) -> TestResponse:
        # Signing out ends the session: do that on a client of its own.
        client = signed_in(w.app, person) if call.url == "/keluar" else w.client(person)
        return client.open(call.url, method=call.method, data=call.form, json=call.json)

    return send


def _api_send(w: World, caller: str) -> Callable[[Call], TestResponse]:
    headers = {"Authorization": f"Bearer {w.tokens[caller]}"} if caller in w.tokens else {}

    def send(call: Call) -> TestResponse:
        return w.app.test_client().open(call.url, method=call.method, json=call.json, headers=headers)

    return send


def _check(w: World, route: str, targets: dict[str, str], columns: tuple[str, ...], api: bool) -> None:
    wrong = []
    for target, row in targets.items():
        for person, expected in access_table.cells(row, columns).items():
            call = build(w, route, person, target)
            allowed = expected[0] in "23"
            send = _api_send(w, person) if api else _web_send(w, person)
            got, problem = run(w, call, send, allowed)
            if got != expected or problem:
                wrong.append(f"{person} @ {target}: expected {expected}, got {got} {problem or ''}".rstrip())
    assert not wrong, f"{route}:\n  " + "\n  ".join(wrong)


def _routes(app: Flask) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    }


def test_every_route_of_the_app_is_in_the_table(world: World) -> None:
    routes = _routes(world.app)
    assert routes - set(WEB) - set(API) == set(), "routes without an entry in tests/web/access_table.py"
    assert (set(WEB) | set(API)) - routes == set(), "entries for routes the app does not have"
    assert all(r.startswith(("GET /api/v1/", "POST /api/v1/")) for r in API)
    assert not any("/api/v1/" in r for r in WEB)


@pytest.mark.parametrize("route", list(WEB))
def test_web_route(world: World, route: str) -> None:
    _check(world, route, WEB[route], PEOPLE, api=False)


@pytest.mark.parametrize("route", list(API))
def test_api_route(world: World, route: str) -> None:
    _check(world, route, API[route], CALLERS, api=True)


LISTINGS = ["GET /", "GET /pemberitahuan", "GET /api/v1/tasks", "GET /audit/", "GET /audit/ekspor"]


@pytest.mark.parametrize("person", ["daerah", "pendamping", "pokja", "auditor"])
def test_listings_name_nothing_of_a_village_one_may_not_see(world: World, person: str) -> None:
    world.fresh_task(SIGI, ROLE_TASK.get(person, "tugas_pendamping"))
    for route in LISTINGS:
        call = build(world, route, person, "-")
        send = _api_send(world, person) if "/api/" in route else _web_send(world, person)
        text = send(call).get_data(as_text=True)
        assert SIGI not in text and "Sigi" not in text, f"{route} shows Sigi to {person}"


def test_the_documented_table_is_the_tested_one() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    assert access_table.markdown(WEB, PEOPLE) in doc, "docs/security.md: the web table differs"
    assert access_table.markdown(API, CALLERS) in doc, "docs/security.md: the API table differs"
