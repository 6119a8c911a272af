"""A form whose `$ref` leads back to where it is (`form-ref-cycle`): `desa validate` names it, and
`desa deploy` refuses it, so no completion can ever meet it (what a completion does with such a
form deployed before the rule existed: tests/web/test_api_errors.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.core import Engine
from engine.definitions import registry
from engine.definitions.lint.form import ref_cycle
from engine.errors import DefinitionError
from tests.conftest import FIXTURES

CATATAN_ITSELF: dict[str, Any] = {
    "type": "object",
    "properties": {"jumlah": {"type": "integer"}, "catatan": {"$ref": "#/properties/catatan"}},
}
THROUGH_DEFS: dict[str, Any] = {
    "type": "object",
    "properties": {"jumlah": {"type": "integer"}, "rincian": {"$ref": "#/$defs/rincian"}},
    "$defs": {
        "rincian": {"allOf": [{"$ref": "#/$defs/baris"}]},
        "baris": {"type": "object", "properties": {"isi": {"$ref": "#/$defs/rincian"}}},
    },
}
ROWS_OF_ITSELF: dict[str, Any] = {
    "type": "object",
    "properties": {"jumlah": {"type": "integer"}, "anak": {"type": "array", "items": {"$ref": "#"}}},
}


def folder_with(tmp_path: Path, form: dict[str, Any]) -> Path:
    """tests/fixtures/basic with `form` as the isian.json its tasks use: the processes folder."""
    shutil.copytree(FIXTURES / "basic", tmp_path / "basic")
    (tmp_path / "basic" / "forms" / "isian.json").write_text(json.dumps(form), encoding="utf-8")
    return tmp_path / "basic" / "processes"


@pytest.mark.parametrize(
    ("form", "ref", "where"),
    [
        (CATATAN_ITSELF, "#/properties/catatan", "/properties/catatan"),
        (THROUGH_DEFS, "#/$defs/rincian", "/$defs/baris/properties/isi"),
        (ROWS_OF_ITSELF, "#", "/properties/anak/items"),
    ],
)
def test_validate_names_the_ref_that_leads_back(
    tmp_path: Path, form: dict[str, Any], ref: str, where: str
) -> None:
    processes = folder_with(tmp_path, form)
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(processes)])
    assert result.exit_code == 1, result.output
    found = [p for p in json.loads(result.stdout)["problems"] if p["rule"] == "form-ref-cycle"]
    assert found, result.stdout
    assert {p["severity"] for p in found} == {"error"}
    message = found[0]["message"]
    assert f"'isian.json' has a $ref that leads back to itself: '{ref}' at {where}" in message


def test_deploy_refuses_it_and_deploys_nothing(engine: Engine, tmp_path: Path) -> None:
    processes = folder_with(tmp_path, CATATAN_ITSELF)
    with pytest.raises(DefinitionError) as refused:
        registry.deploy(engine.db, [processes])
    assert any(p.rule == "form-ref-cycle" for p in refused.value.problems)
    with engine.db.sessions() as session:
        assert registry.versions(session) == []
    result = CliRunner().invoke(main, ["deploy", str(processes)])
    assert result.exit_code == 1
    assert "(form-ref-cycle)" in result.stderr and "Traceback" not in result.output


def test_refs_that_only_share_a_definition_are_no_cycle() -> None:
    shared = {
        "type": "object",
        "properties": {
            "ayah": {"$ref": "#/$defs/orang"},
            "ibu": {"$ref": "#/$defs/orang"},
            "anak": {"type": "array", "items": {"$ref": "#/$defs/orang"}},
        },
        "$defs": {
            "orang": {"type": "object", "properties": {"nama": {"$ref": "#/$defs/nama"}}},
            "nama": {"type": "string", "default": {"$ref": "#"}},
        },
    }
    assert ref_cycle(shared) is None


def test_every_form_of_the_program_passes(tmp_path: Path) -> None:
    forms = sorted((Path(__file__).resolve().parents[2] / "forms").rglob("*.json"))
    assert forms
    assert [f.name for f in forms if ref_cycle(json.loads(f.read_text(encoding="utf-8")))] == []


def test_a_form_of_a_hundred_thousand_parts_is_checked_without_recursion() -> None:
    deep: dict[str, Any] = {"$ref": "#"}  # the way back, at the bottom of a deep chain
    for _ in range(100_000):
        deep = {"type": "object", "properties": {"x": deep}}
    assert ref_cycle(deep) == ("#", "/properties/x" * 100_000)
