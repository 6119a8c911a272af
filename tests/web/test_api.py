"""The JSON API under /api/v1: bearer tokens, scope, errors, and the OpenAPI document it serves."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import update
from werkzeug.test import TestResponse

from engine.cli import main
from engine.core import Engine
from engine.directory import tokens
from engine.store.models import ApiToken
from tests.model_desa_program import FORM_EXAMPLES
from web import create_app
from web.api import SPEC

ROOT = Path(__file__).resolve().parent.parent.parent
LEMPUR, SIGI = "15.01.01.2003", "62.11.03.2005"
PETUGAS = FORM_EXAMPLES["tetapkan_petugas.json"]


def app_for(engine: Engine) -> Flask:
    # CSRF stays on, as in production: the API must not need it.
    return create_app({"TESTING": True, "SECRET_KEY": "test"}, engine=engine)


def token_for(engine: Engine, user: str, name: str = "") -> str:
    with engine.db.transaction() as s:
        return tokens.create(s, user, name)[1]


class Api:
    """A test client that sends one user's token and checks every answer against the OpenAPI document."""

    def __init__(self, engine: Engine, user: str | None) -> None:
        self.client: FlaskClient = app_for(engine).test_client()
        self.headers = {"Authorization": f"Bearer {token_for(engine, user)}"} if user else {}

    def call(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)
        check_documented(method, path, response)
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, **kwargs)


def _template(path: str) -> str:
    """/tasks/abc/claim -> /tasks/{id}/claim: the documented path a request went to."""
    bare = path.split("?")[0]
    for documented in SPEC["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(documented)) + "$"
        if re.match(pattern, bare):
            return str(documented)
    raise AssertionError(f"{path} is not documented")


def check_documented(method: str, path: str, response: TestResponse) -> None:
    operation = SPEC["paths"][_template(path)][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {path} answered {response.status_code}, not documented"
    assert response.mimetype == "application/json"
    schema = documented["content"]["application/json"]["schema"]
    validator = Draft202012Validator({"components": SPEC["components"], "allOf": [schema]})
    validator.validate(response.get_json())


def inbox(api: Api, query: str = "") -> list[dict[str, Any]]:
    response = api.get("/tasks" + query)
    assert response.status_code == 200, response.get_json()
    tasks: list[dict[str, Any]] = response.get_json()["tasks"]
    return tasks


def first_task(api: Api, village: str) -> dict[str, Any]:
    return inbox(api, f"?village={village}")[0]


def test_no_token_a_wrong_token_or_a_revoked_one_is_401(staffed: Engine) -> None:
    anonymous = Api(staffed, None)
    response = anonymous.get("/tasks")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert anonymous.get("/tasks", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert anonymous.get("/tasks", headers={"Authorization": "Basic cHVzYXQ6eA=="}).status_code == 401

    with staffed.db.transaction() as s:
        info, secret = tokens.create(s, "pusat", "script")
    good = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/tasks", headers=good).status_code == 200
    with staffed.db.sessions() as s:
        listed = tokens.listing(s, "pusat")
    assert [t.name for t in listed] == ["script"] and listed[0].last_used_at is not None
    with staffed.db.transaction() as s:
        tokens.revoke(s, info.id)
    assert anonymous.get("/tasks", headers=good).status_code == 401


def test_a_token_s_last_use_is_kept_to_the_minute(staffed: Engine) -> None:
    """`desa tokens list` shows when each token was last used: a call a minute or more after
    the recorded one moves it; calls in between do not write (no write per API call)."""
    anonymous = Api(staffed, None)
    with staffed.db.transaction() as s:
        info, secret = tokens.create(s, "pusat", "script")
    good = {"Authorization": f"Bearer {secret}"}

    def last_used() -> Any:
        with staffed.db.sessions() as s:
            return next(t for t in tokens.listing(s, "pusat") if t.id == info.id).last_used_at

    assert last_used() is None
    assert anonymous.get("/tasks", headers=good).status_code == 200
    first = last_used()
    assert first is not None
    assert anonymous.get("/tasks", headers=good).status_code == 200
    assert last_used() == first
    with staffed.db.transaction() as s:  # as if the first call were a minute ago
        s.execute(
            update(ApiToken)
            .where(ApiToken.id == info.id)
            .values(last_used_at=datetime.now(UTC) - tokens.USE_RECORDED_EVERY)
        )
    stale = last_used()
    assert anonymous.get("/tasks", headers=good).status_code == 200
    assert last_used() > stale


def test_a_session_cookie_is_not_accepted(staffed: Engine) -> None:
    app = app_for(staffed)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert (
        client.post("/masuk", data={"username": "pusat", "password": "kata-sandi-pusat"}).status_code == 302
    )
    assert client.get("/").status_code == 200  # signed in for the web pages
    assert client.get("/api/v1/tasks").status_code == 401


def test_the_inbox_lists_only_the_callers_tasks(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    tasks = inbox(pusat)
    assert sorted(t["village"] for t in tasks) == [LEMPUR, SIGI]
    assert {t["bpmn_id"] for t in tasks} == {"tetapkan_petugas"}
    assert [t["village"] for t in inbox(pusat, f"?village={SIGI}")] == [SIGI]
    assert inbox(Api(staffed, "daerah.kerinci")) == []  # nothing for the regional facilitator yet
    # a village code no village has, or one no database can hold: no tasks, not an error
    assert inbox(pusat, "?village=99.99.99.9999") == [] and inbox(pusat, "?village=15.01%00") == []

    task = first_task(pusat, LEMPUR)
    claimed = pusat.post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["instance_id"] == task["instance"]
    assert [t["id"] for t in inbox(pusat, "?status=claimed")] == [task["id"]]
    assert [t["village"] for t in inbox(pusat, "?status=unclaimed")] == [SIGI]
    again = pusat.post(f"/tasks/{task['id']}/claim")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    assert pusat.post(f"/tasks/{task['id']}/unclaim").status_code == 200
    assert inbox(pusat, "?status=claimed") == []
    bad = pusat.get("/tasks?status=mine")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_input"


def test_a_task_shows_its_form_and_another_villages_task_is_404(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    view = pusat.get(f"/tasks/{task['id']}").get_json()
    assert view["village_name"] == "Lempur Mudik" and view["may_act"] is True
    assert view["schema"]["title"] == "Menyiapkan Petugas"
    assert "fasilitator_daerah" in view["schema"]["properties"]

    done = pusat.post(f"/tasks/{task['id']}/complete", json=copy.deepcopy(PETUGAS)).get_json()
    next_task = done["open_tasks"][0]
    assert next_task["lane"] == "Fasilitator Daerah"

    kerinci, pulangpisau = Api(staffed, "daerah.kerinci"), Api(staffed, "daerah.pulangpisau")
    assert kerinci.get(f"/tasks/{next_task['id']}").status_code == 200
    for response in (
        pulangpisau.get(f"/tasks/{next_task['id']}"),
        pulangpisau.post(f"/tasks/{next_task['id']}/claim"),
        pulangpisau.post(f"/tasks/{next_task['id']}/complete", json={}),
        pulangpisau.get(f"/villages/{LEMPUR}"),
        pulangpisau.get("/villages/99.99.99.9999"),
    ):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_complete_with_bad_data_then_twice(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    task = first_task(pusat, LEMPUR)
    path = f"/tasks/{task['id']}/complete"

    bad = pusat.post(path, json={"fasilitator_daerah": {"nama": "B"}})
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "invalid_input"
    paths = {f["path"] for f in error["fields"]}
    assert "pendamping" in paths and any(p.startswith("fasilitator_daerah") for p in paths)
    assert all(f["message"] and f["message_en"] for f in error["fields"])

    malformed = pusat.post(path, data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed.get_json()["error"]["code"] == "bad_request"
    assert pusat.post(path, json=[1, 2]).status_code == 422

    revision = pusat.get(f"/tasks/{task['id']}").get_json()["revision"]
    stale = pusat.post(f"{path}?revision={revision - 1}", json=copy.deepcopy(PETUGAS))
    assert stale.status_code == 409

    done = pusat.post(f"{path}?revision={revision}", json=copy.deepcopy(PETUGAS))
    assert done.status_code == 200
    result = done.get_json()
    assert result["revision"] > revision and [t["bpmn_id"] for t in result["open_tasks"]] == [
        "koordinasi_dinas_sosial"
    ]

    twice = pusat.post(path, json=copy.deepcopy(PETUGAS))
    assert twice.status_code == 409
    assert "already completed by pusat" in twice.get_json()["error"]["message"]


def test_start_an_instance_and_read_the_village(staffed: Engine) -> None:
    pusat = Api(staffed, "pusat")
    started = pusat.post("/instances", json={"process_id": "program_desa", "village": LEMPUR})
    assert started.status_code == 201
    body = started.get_json()
    assert body["id"] == body["instance_id"] and body["open_tasks"]

    status = pusat.get(f"/villages/{LEMPUR}").get_json()
    assert status["village"]["name"] == "Lempur Mudik"
    assert body["id"] in [i["id"] for i in status["instances"]]
    mine = next(i for i in status["instances"] if i["id"] == body["id"])
    assert [t["id"] for t in mine["tasks"]] == [t["id"] for t in body["open_tasks"]]

    missing = pusat.post("/instances", json={"village": LEMPUR})
    assert missing.status_code == 422 and missing.get_json()["error"]["fields"][0]["path"] == "process_id"
    unknown = pusat.post("/instances", json={"process_id": "nope", "village": LEMPUR})
    assert unknown.status_code == 404
    assert pusat.post("/instances", data="", content_type="application/json").status_code == 400
    elsewhere = Api(staffed, "daerah.pulangpisau").post(
        "/instances", json={"process_id": "program_desa", "village": LEMPUR}
    )
    assert elsewhere.status_code == 404  # a village the caller may not see is "not found"


def test_every_route_is_documented(engine: Engine) -> None:
    app = app_for(engine)
    routes = {
        (re.sub(r"<(?:[^:>]+:)?([^>]+)>", "{\\1}", rule.rule.removeprefix("/api/v1")), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {(path, method) for path, ops in SPEC["paths"].items() for method in ops}
    assert routes == documented
    for path, method in routes:
        operation = SPEC["paths"][path][method]
        params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert params == set(re.findall(r"\{([^}]+)\}", path))
        assert "401" in operation["responses"] or operation.get("security") == []

    served = app.test_client().get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.get_json() == json.loads(json.dumps(SPEC))
    assert SPEC["openapi"].startswith("3.1")
    for schema in SPEC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    from openapi_spec_validator import validate

    validate(served.get_json())  # a valid OpenAPI 3.1 document, as tools read it


def test_the_cli_creates_lists_and_revokes_tokens(staffed: Engine) -> None:
    runner = CliRunner()

    def desa(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    output = desa("tokens", "create", "pusat", "--name", "laporan")
    secret = output.strip().splitlines()[-1]
    assert "not shown again" in output and len(secret) >= 40
    desa("tokens", "create", "daerah.kerinci")
    assert "no user 'nobody'" in desa("tokens", "create", "nobody", code=1)

    listed = json.loads(desa("tokens", "list", "--user", "pusat", "--json"))
    assert [(t["user"], t["name"], t["revoked_at"]) for t in listed] == [("pusat", "laporan", None)]
    assert secret not in desa("tokens", "list")
    assert "daerah.kerinci" in desa("tokens", "list")

    api = app_for(staffed).test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/tasks", headers=headers).status_code == 200
    assert f"revoked token {listed[0]['id']} of pusat" in desa("tokens", "revoke", str(listed[0]["id"]))
    assert api.get("/api/v1/tasks", headers=headers).status_code == 401
    assert "already revoked" in desa("tokens", "revoke", str(listed[0]["id"]), code=1)
    assert json.loads(desa("tokens", "list", "--user", "pusat", "--json"))[0]["revoked_at"]
