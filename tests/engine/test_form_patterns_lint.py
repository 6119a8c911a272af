"""A form `pattern` that needs backtracking (`form-pattern-backtracking`): RE2 cannot run it, so it is
checked in a sandbox process under the time budget; `desa validate` tells the designer so, and says
nothing of patterns RE2 runs in linear time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine.cli import main
from tests.engine.test_form_ref_cycle import folder_with

PATTERNS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kode": {"type": "string", "pattern": "^(ab)\\1$"},  # a backreference
        "nama": {"type": "string", "pattern": "^(?!x)[a-z]+$"},  # a lookahead
        "rt": {"type": "string", "pattern": "^[0-9]{3}$"},  # linear: no warning
    },
    "patternProperties": {"^(?<=a)b$": {"type": "string"}},  # a lookbehind
}


def _warnings(processes: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(processes)])
    assert result.exit_code == 0, result.output  # warnings only
    problems: list[dict[str, Any]] = json.loads(result.stdout)["problems"]
    return [p for p in problems if p["rule"] == "form-pattern-backtracking"]


def test_validate_warns_of_each_pattern_that_needs_backtracking(tmp_path: Path) -> None:
    found = _warnings(folder_with(tmp_path, PATTERNS))
    messages = [p["message"] for p in found]
    assert len(found) == 3 and all(p["severity"] == "warning" for p in found)
    assert any("'^(ab)\\\\1$' at properties/kode" in m for m in messages), messages
    assert any("'^(?!x)[a-z]+$' at properties/nama" in m for m in messages), messages
    assert any("'^(?<=a)b$' at patternProperties" in m for m in messages), messages
    assert not any("[0-9]{3}" in m for m in messages)


def test_linear_patterns_give_no_warning(tmp_path: Path) -> None:
    linear = {"type": "object", "properties": {"rt": {"type": "string", "pattern": "^(a+)+$"}}}
    assert _warnings(folder_with(tmp_path, linear)) == []
