"""What the task page tests share: the program deployed with its staff, a signed-in client, and
reading the page's form."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.core import Engine
from engine.runtime import actions as runtime
from engine.views import queries
from tests.conftest import LEMPUR, OTHER, PROGRAM, set_up
from tests.model_desa_program import FORM_EXAMPLES
from web import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
_STAFF = [
    ("pusat", "Fasilitator Pusat", None, None),
    ("daerah", "Fasilitator Daerah", None, "15.01"),
    ("pendamping1", "Pendamping", LEMPUR, None),
    ("pendamping.lain", "Pendamping", OTHER, None),
]


@pytest.fixture(name="program")
def program_fixture(engine: Engine) -> Engine:
    """The program deployed, two villages, and its staff (tests ask for it as `program`)."""
    set_up(engine, PROGRAM, [LEMPUR, OTHER], _STAFF, lambda name: "rahasia")
    return engine


def make_app(engine: Engine, csrf: bool = False) -> Flask:
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": csrf, "SECRET_KEY": "test"}, engine=engine)


def signed_in(engine: Engine, user: str) -> FlaskClient:
    client = make_app(engine).test_client()
    response = client.post("/masuk", data={"username": user, "password": "rahasia"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def start(engine: Engine, data: dict[str, Any] | None = None) -> int:
    return runtime.start(engine, "program_desa", LEMPUR, "pusat", data).instance_id


def open_task(engine: Engine, instance: int, bpmn_id: str) -> queries.TaskRow:
    found = [t for t in queries.tasks(engine, instance_id=instance) if t.bpmn_id == bpmn_id]
    assert found, [t.bpmn_id for t in queries.tasks(engine, instance_id=instance)]
    return found[0]


def do(engine: Engine, instance: int, bpmn_id: str, user: str) -> None:
    task = open_task(engine, instance, bpmn_id)
    runtime.complete(engine, task.id, user, copy.deepcopy(FORM_EXAMPLES[f"{bpmn_id}.json"]))


def to_candidates(engine: Engine) -> tuple[int, queries.TaskRow]:
    """An instance at its fourth task, where the regional facilitator lists the candidates."""
    instance = start(engine)
    do(engine, instance, "tetapkan_petugas", "pusat")
    do(engine, instance, "koordinasi_dinas_sosial", "daerah")
    do(engine, instance, "siapkan_lokasi", "daerah")
    return instance, open_task(engine, instance, "siapkan_calon_peserta")


def form_fields(people: list[dict[str, Any]], prefix: str = "calon_peserta") -> dict[str, str]:
    fields = {f"{prefix}-n": str(len(people))}
    for i, p in enumerate(people):
        for key, value in p.items():
            fields[f"{prefix}-{i}-{key}"] = str(value)
    return fields


def page(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))


def value_of(text: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', text)
    return found.group(1) if found else None


def revision_of(text: str) -> str:
    value = value_of(text, "_revisi")
    assert value is not None
    return value


# --- showing a task --------------------------------------------------------------------------------
