"""What people typed never runs as a formula when the CSV event log is opened in a spreadsheet:
every text cell beginning with = + - @, a tab or a carriage return gets a leading apostrophe,
without exception (the finding: `-2+3+cmd|' /C calc'!A0`, exempted for the digit after its "-"),
in `/audit/ekspor?format=csv` and in `desa export --format csv`. Numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.core import Engine
from engine.runtime import actions as runtime
from engine.views import queries
from tests.conftest import LEMPUR
from web import create_app

FORMULAS = [
    "-2+3+cmd|' /C calc'!A0",
    "-1",
    "-",
    "=1+1",
    "+62 812 555",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
STARTS = ("=", "+", "-", "@", "\t", "\r")


def completed_with(engine: Engine, catatan: str) -> None:
    instance = runtime.start(engine, "simple", LEMPUR, "rina").instance_id
    task = next(t for t in queries.tasks(engine, instance_id=instance) if t.bpmn_id == "isi_data")
    runtime.complete(engine, task.id, "rina", {"jumlah": 5, "catatan": catatan})


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def assert_inert(rows: list[dict[str, str]]) -> None:
    """No cell of the log a spreadsheet would run; every typed note there, behind its apostrophe."""
    running = [(key, value) for row in rows for key, value in row.items() if value.startswith(STARTS)]
    assert running == []
    notes = {row["data.catatan"] for row in rows if row["data.catatan"]}
    assert notes == {"'" + value for value in FORMULAS}
    assert {row["data.jumlah"] for row in rows if row["data.jumlah"]} == {"5"}  # a number, as it is


@pytest.fixture
def typed(basic: Engine) -> Engine:
    for value in FORMULAS:
        completed_with(basic, value)
    return basic


def test_the_audit_export_over_the_web_runs_nothing(typed: Engine) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}, engine=typed)
    client = app.test_client()
    assert client.post("/masuk", data={"username": "admin", "password": "rahasia-admin"}).status_code == 302
    answer = client.get(f"/audit/ekspor?format=csv&desa={LEMPUR}")
    assert answer.status_code == 200
    assert_inert(rows_of(answer.get_data(as_text=True)))


def test_desa_export_runs_nothing(typed: Engine) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--output", "-"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert_inert(rows_of(result.stdout_bytes.decode("utf-8")))
