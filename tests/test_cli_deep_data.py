"""`--data` nested 200,000 deep (or deeper than the engine stores) on the command line: one clear
line on standard error and exit 1, never a traceback; nothing is started or completed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.core import Engine
from engine.views import queries
from tests.conftest import LEMPUR

DEEP = "[" * 200_000 + "]" * 200_000
OBJECTS = '{"a":' * 200_000 + "1" + "}" * 200_000


@pytest.mark.parametrize("data", [DEEP, OBJECTS], ids=["lists", "objects"])
def test_start_with_data_nested_200000_deep_is_one_line(basic: Engine, data: str) -> None:
    result = CliRunner().invoke(
        main, ["start", "simple", "--village", LEMPUR, "--as", "rina", "--data", data], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: --data is nested too deeply to be task data"]
    assert queries.instances(basic, village=LEMPUR) == []


def test_complete_with_data_nested_200000_deep_is_one_line(basic: Engine) -> None:
    runner = CliRunner()
    started = runner.invoke(
        main, ["start", "simple", "--village", LEMPUR, "--as", "rina"], catch_exceptions=False
    )
    assert started.exit_code == 0, started.output
    [task] = queries.tasks(basic, village=LEMPUR)
    result = runner.invoke(
        main, ["complete", task.id, "--as", "rina", "--data", OBJECTS], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: --data is nested too deeply to be task data"]
    assert [t.id for t in queries.tasks(basic, village=LEMPUR)] == [task.id]


def test_data_deeper_than_the_engine_stores_is_refused_by_name(basic: Engine) -> None:
    data = '{"catatan":' * 40 + '"x"' + "}" * 40
    result = CliRunner().invoke(
        main, ["start", "simple", "--village", LEMPUR, "--as", "rina", "--data", data], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert result.stderr.startswith("error: ") and "nested deeper than" in result.stderr
