"""Hostile request bodies and parameters on the JSON API: each gets a documented 4xx answer with
the API's error body (checked against the OpenAPI document), never a 5xx, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.core import Engine
from tests.web.test_api import Api, first_task

LEMPUR = "15.01.01.2003"

# (what, raw body, the status, the error code)
BODIES: list[tuple[str, bytes, int, str]] = [
    ("JSON nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, 400, "bad_request"),
    ("an object nested 100 deep", b'{"a":' * 100 + b"1" + b"}" * 100, 422, "invalid_input"),
    ("NaN", b'{"jumlah": NaN}', 400, "bad_request"),
    ("Infinity", b'{"jumlah": -Infinity}', 400, "bad_request"),
    ("a lone surrogate", b'{"catatan": "\\ud800"}', 400, "bad_request"),
    ("a lone surrogate in a key", b'{"\\udfff": 1}', 400, "bad_request"),
    ("a surrogate pair", b'{"catatan": "\\ud83d\\ude00"}', 422, "invalid_input"),
    ("NUL", b'{"catatan": "a\\u0000b"}', 422, "invalid_input"),
    ("a number of 5,000 digits", b'{"jumlah": ' + b"9" * 5000 + b"}", 400, "bad_request"),
    ("not UTF-8", b'{"catatan": "\xff\xfe"}', 400, "bad_request"),
    ("truncated", b'{"catatan": ', 400, "bad_request"),
    ("a list", b"[1, 2]", 422, "invalid_input"),
    ("a text", b'"isi"', 422, "invalid_input"),
    ("a key twice", b'{"catatan": "a", "catatan": "b"}', 400, "bad_request"),
]


@pytest.mark.parametrize(("what", "body", "status", "code"), BODIES, ids=[b[0] for b in BODIES])
def test_hostile_bodies_to_complete_get_a_documented_error(
    what: str, body: bytes, status: int, code: str, staffed: Engine
) -> None:
    api = Api(staffed, "pusat")
    task = first_task(api, LEMPUR)
    before = api.get(f"/tasks/{task['id']}").get_json()
    response = api.post(f"/tasks/{task['id']}/complete", data=body, content_type="application/json")
    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code), response.get_json()
    assert api.get(f"/tasks/{task['id']}").get_json() == before


STARTS = [b for b in BODIES if b[0] != "a surrogate pair"]  # fine data to start with


@pytest.mark.parametrize(("what", "body", "status", "code"), STARTS, ids=[b[0] for b in STARTS])
def test_hostile_bodies_to_start_get_a_documented_error(
    what: str, body: bytes, status: int, code: str, staffed: Engine
) -> None:
    api = Api(staffed, "pusat")
    wrapped = (
        body
        if status == 400
        else b'{"process_id": "program_desa", "village": "%s", "data": %s}'
        % (
            LEMPUR.encode(),
            body,
        )
    )
    before = api.get(f"/villages/{LEMPUR}").get_json()
    response = api.post("/instances", data=wrapped, content_type="application/json")
    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code), response.get_json()
    assert api.get(f"/villages/{LEMPUR}").get_json() == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"process_id": "\ud800", "village": LEMPUR}, 400),
        ({"process_id": "program_desa", "village": "\udfff"}, 400),
        ({"process_id": "program_desa\x00", "village": LEMPUR}, 404),
        ({"process_id": "program_desa", "village": LEMPUR + "\x00"}, 404),
        ({"process_id": ["program_desa"], "village": LEMPUR}, 422),
        ({"process_id": "program_desa", "village": {"$ne": ""}}, 422),
        ({"process_id": "program_desa", "village": "' OR '1'='1"}, 404),
        ({"process_id": "program_desa", "village": LEMPUR, "data": {"a": float("nan")}}, 400),
    ],
)
def test_hostile_start_fields_get_a_documented_error(
    body: dict[str, Any], status: int, staffed: Engine
) -> None:
    api = Api(staffed, "pusat")
    before = api.get(f"/villages/{LEMPUR}").get_json()
    response = api.post("/instances", data=json.dumps(body), content_type="application/json")
    assert response.status_code == status, response.get_json()
    assert api.get(f"/villages/{LEMPUR}").get_json() == before


@pytest.mark.parametrize("code", ["%00", "15.01.01.2003%00", "%ED%A0%80", "..", "x" * 5000])
def test_hostile_village_codes_are_not_found(code: str, staffed: Engine) -> None:
    response = Api(staffed, "pusat").get(f"/villages/{code}")
    assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize("task_id", ["%00", "%ED%A0%80", "' OR 1=1 --", "x" * 5000])
def test_hostile_task_ids_are_not_found(task_id: str, staffed: Engine) -> None:
    api = Api(staffed, "pusat")
    assert api.get(f"/tasks/{task_id}").status_code == 404
    for action in ("claim", "unclaim", "complete"):
        assert api.post(f"/tasks/{task_id}/{action}").status_code in (404, 422)


def test_a_query_parameter_the_operation_does_not_take_is_refused(staffed: Engine) -> None:
    api = Api(staffed, "pusat")
    response = api.get(f"/tasks?vilage={LEMPUR}")
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == (
        "unknown query parameter 'vilage' (this operation takes: status, village)"
    )
    assert api.get(f"/tasks?village={LEMPUR}").status_code == 200
