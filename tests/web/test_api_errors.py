"""Every answer of the JSON API that is not a success is the API's JSON error body: the routing's
404 and 405, the 413 of the size limit, Werkzeug's 400, bodies nested 200,000 deep, a form that
contains itself, and a failure of ours (500, with no traceback). Over real HTTP too, as a script
would see it from `desa serve`."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flask import abort
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import TestResponse

from engine.core import Engine
from engine.directory import tokens
from engine.store.models import ProcessVersion
from tests.conftest import LEMPUR
from tests.web.test_serve import _free_port
from web import create_app

DEEP = 200_000


def token(engine: Engine, user: str) -> str:
    with engine.db.transaction() as session:
        return tokens.create(session, user, "uji")[1]


@pytest.fixture
def api(basic: Engine) -> tuple[FlaskClient, dict[str, str]]:
    app = create_app({"TESTING": True, "SECRET_KEY": "test"}, engine=basic)
    return app.test_client(), {"Authorization": f"Bearer {token(basic, 'rina')}"}


def error_of(response: TestResponse) -> dict[str, Any]:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    assert "Traceback" not in response.get_data(as_text=True)
    return dict(body["error"])


def start(client: FlaskClient, headers: dict[str, str], data: Any = None) -> TestResponse:
    body = {"process_id": "simple", "village": LEMPUR, **({"data": data} if data is not None else {})}
    return client.post("/api/v1/instances", json=body, headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/tidak-ada", 404, "not_found"),
        ("GET", "/api/v1/", 404, "not_found"),
        ("GET", "/api/v1", 404, "not_found"),
        ("POST", "/api/v1/tasks/abc/ambil", 404, "not_found"),
        ("DELETE", "/api/v1/tasks", 405, "method_not_allowed"),
        ("PUT", "/api/v1/instances", 405, "method_not_allowed"),
        ("GET", "/api/v1/instances", 405, "method_not_allowed"),
    ],
)
def test_the_routings_refusals_are_json(
    api: tuple[FlaskClient, dict[str, str]], method: str, path: str, status: int, code: str
) -> None:
    client, headers = api
    for sent in (headers, {}):  # with a token and without
        response = client.open(path, method=method, headers=sent)
        assert response.status_code == status
        assert error_of(response)["code"] == code
    if status == 405:
        assert response.headers["Allow"]


def test_a_too_large_body_is_413_json(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = api
    body = b'{"process_id": "simple", "village": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/instances", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_what_werkzeug_refuses_under_the_api_is_json(basic: Engine) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test"}, engine=basic)

    def refuse() -> str:
        abort(400, "the request could not be read")

    app.add_url_rule("/api/v1/uji-tolak", "uji_tolak", refuse)
    response = app.test_client().get("/api/v1/uji-tolak")
    assert response.status_code == 400
    assert error_of(response) == {"code": "bad_request", "message": "the request could not be read"}
    page = app.test_client().get("/tidak-ada")  # a page, not the API: the page's own 404
    assert page.status_code == 404 and page.mimetype == "text/html"


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_a_body_nested_200000_deep_is_400_json(
    api: tuple[FlaskClient, dict[str, str]], opening: bytes
) -> None:
    client, headers = api
    closing = b"]" if opening == b"[" else b"}"
    body = opening * DEEP + b"1" + closing * DEEP
    for path in ("/api/v1/instances", "/api/v1/tasks/abc/complete"):
        response = client.post(path, data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400, path
        assert error_of(response) == {
            "code": "bad_request",
            "message": "the request body is nested too deeply",
        }


def test_a_failure_of_ours_is_500_json_without_a_traceback(
    api: tuple[FlaskClient, dict[str, str]], basic: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    client, headers = api
    basic.db.dispose()
    basic.db.engine.dispose()
    with basic.db.engine.begin() as connection:  # the tasks' table gone: every listing fails
        connection.exec_driver_sql("ALTER TABLE human_task RENAME TO human_task_kept")
    try:
        with caplog.at_level(logging.ERROR, logger="desa.api"):
            response = client.get("/api/v1/tasks", headers=headers)
    finally:
        with basic.db.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE human_task_kept RENAME TO human_task")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert "human_task" not in error["message"] and "sqlalchemy" not in error["message"].lower()
    assert "GET /api/v1/tasks failed" in caplog.text and "human_task" in caplog.text  # logged whole


def test_a_form_containing_itself_deployed_before_the_rule_never_answers_500(
    api: tuple[FlaskClient, dict[str, str]], basic: Engine
) -> None:
    """A version deployed before `desa validate` refused such forms keeps it: its completion is
    refused with the API's error body, and nothing is saved."""
    client, headers = api
    cyclic = {"type": "object", "properties": {"catatan": {"$ref": "#/properties/catatan"}}}
    with basic.db.transaction() as session:
        session.execute(
            update(ProcessVersion)
            .where(ProcessVersion.process_id == "simple")
            .values(forms={"isian.json": cyclic})
        )
    started = start(client, headers)
    assert started.status_code == 201, started.get_json()
    task = next(t for t in started.get_json()["open_tasks"] if t["bpmn_id"] == "isi_data")
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"catatan": "x"}, headers=headers)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_input" and "isian.json" in error["message"]
    again = client.get(f"/api/v1/tasks/{task['id']}", headers=headers)
    assert again.status_code == 200
    web = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}, engine=basic)
    person = web.test_client()
    assert person.post("/masuk", data={"username": "rina", "password": "rahasia-rina"}).status_code == 302
    assert person.get(f"/tugas/{task['id']}").status_code == 200
    sent = person.post(f"/tugas/{task['id']}", data={"catatan": "x", "_kirim": "1"})
    assert sent.status_code == 422 and "form-ref-cycle" in sent.get_data(as_text=True)
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=headers).status_code == 200  # still open


@pytest.fixture
def served(basic: Engine) -> Iterator[tuple[str, str]]:
    """`desa serve` on a free port: its address and a token of rina's."""
    port = _free_port()
    env = {"DESA_DATABASE_URL": basic.db.engine.url.render_as_string(hide_password=False)}
    server = subprocess.Popen(
        [sys.executable, "-m", "engine.cli.main", "serve", "--port", str(port), "--worker-interval", "60"],
        env={**__import__("os").environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                __import__("time").sleep(0.1)
        yield base, token(basic, "rina")
    finally:
        server.terminate()
        server.communicate(timeout=10)


def http(method: str, url: str, secret: str, body: bytes | None = None) -> tuple[int, str, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Authorization", f"Bearer {secret}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], json.loads(err.read())


def test_over_http_every_refusal_is_json(served: tuple[str, str]) -> None:
    base, secret = served
    deep = b"[" * DEEP + b"]" * DEEP
    cases = [
        ("GET", "/api/v1/tidak-ada", None, 404, "not_found"),
        ("DELETE", "/api/v1/tasks", None, 405, "method_not_allowed"),
        ("POST", "/api/v1/instances", deep, 400, "bad_request"),
        ("POST", "/api/v1/instances", b'{"a": "' + b"x" * (3 * 1024 * 1024) + b'"}', 413, "too_large"),
    ]
    for method, path, body, status, code in cases:
        got, kind, answer = http(method, base + path, secret, body)
        assert (got, kind, answer["error"]["code"]) == (status, "application/json", code), path
