"""Program folders: program.toml checked by validate and deploy, programs kept apart from each other,
and the village page's sections built from a description alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.cli import main
from engine.core import Engine
from engine.definitions import programs, registry
from engine.errors import DefinitionError
from engine.store.models import Role
from engine.views import sections

ROOT = Path(__file__).resolve().parents[2]
BASIC = ROOT / "tests" / "fixtures" / "basic" / "processes"


def copy_program(tmp_path: Path, name: str, as_name: str | None = None) -> Path:
    """processes/NAME and forms/NAME copied under tmp_path (as AS_NAME)."""
    target = tmp_path / "processes" / (as_name or name)
    shutil.copytree(ROOT / "processes" / name, target)
    shutil.copytree(ROOT / "forms" / name, tmp_path / "forms" / (as_name or name))
    return target


def validate(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(folder)])
    return result.exit_code, result.output


def test_a_broken_program_toml_is_refused(tmp_path: Path, engine: Engine) -> None:
    folder = copy_program(tmp_path, "siaga_bencana")
    text = (folder / "program.toml").read_text(encoding="utf-8")
    (folder / "program.toml").write_text(text.replace('kind = "table"', 'kind = "chart"'), encoding="utf-8")
    code, output = validate(tmp_path / "processes")
    assert code == 1 and "kind 'chart' is not one of table, scores, fields" in output
    with pytest.raises(DefinitionError, match="kind 'chart'"):
        registry.deploy(engine.db, [tmp_path / "processes"])
    (folder / "program.toml").write_text('name = "x"\n[[steps]]\nlabel = "y"\n', encoding="utf-8")
    code, output = validate(folder)
    assert code == 1 and "'process' is required" in output and "needs a 'process'" in output
    assert "(program-invalid)" in output
    (folder / "program.toml").write_text('name = "x"\nprocess = "y"\n[steps\n', encoding="utf-8")
    code, output = validate(folder)
    assert code == 1 and f"{folder / 'program.toml'}:3: not valid TOML" in output


def test_two_programs_may_not_define_one_process(tmp_path: Path) -> None:
    copy_program(tmp_path, "siaga_bencana")
    copy_program(tmp_path, "siaga_bencana", "siaga_lagi")
    code, output = validate(tmp_path / "processes")
    assert code == 1 and "process 'siaga_bencana' is defined by two programs" in output


def test_a_second_program_keeps_the_first_programs_default_role(tmp_path: Path, engine: Engine) -> None:
    registry.deploy(engine.db, [BASIC])  # its default role: Fasilitator Pusat
    folder = copy_program(tmp_path, "siaga_bencana")
    roles = (folder / "roles.toml").read_text(encoding="utf-8")
    (folder / "roles.toml").write_text('default_role = "Relawan Desa"\n' + roles, encoding="utf-8")
    registry.deploy(engine.db, [folder])
    with engine.db.sessions() as session:
        defaults = list(session.scalars(select(Role.name).where(Role.is_default)))
        assert "Relawan Desa" in set(session.scalars(select(Role.name)))
    assert defaults == ["Fasilitator Pusat"]


def test_sections_are_built_from_the_description_alone() -> None:
    program = programs.Program(
        "uji",
        {
            "name": "uji",
            "process": "uji",
            "steps": [],
            "names": {"warna": {"m": {"id": "Merah", "en": "Red"}}},
            "village": {
                "sections": [
                    {
                        "kind": "fields",
                        "title": {"id": "F"},
                        "fields": [{"field": "a.b", "label": {"id": "AB"}}],
                    },
                    {
                        "kind": "table",
                        "data": "baris",
                        "key": "k",
                        "columns": [{"field": "w", "names": "warna", "label": {"id": "W"}}],
                        "progress": {
                            "data": "periode",
                            "period": "n",
                            "items": "isi",
                            "key": "k",
                            "status": "s",
                        },
                    },
                    {
                        "kind": "scores",
                        "names": "warna",
                        "before": {"data": "awal"},
                        "after": {"data": "akhir"},
                    },
                    {"kind": "fields", "fields": [{"field": "tidak_ada"}]},
                ]
            },
        },
    )
    data = {
        "a": {"b": 7},
        "baris": [{"k": "satu", "w": "m"}, {"k": "dua", "w": "x"}],
        "periode": [{"n": 2, "isi": [{"k": "dua", "s": "Selesai"}]}, {"n": 1, "isi": []}],
        "awal": {"m": 2},
        "akhir": [4],
    }
    fields, table, scores = sections.build(program, data)  # the section with nothing to show is left out
    assert fields["entries"] == [({"id": "AB"}, 7)]
    assert table["periods"] == [1, 2]
    assert [r["cells"][0]["text"] for r in table["rows"]] == [{"id": "Merah", "en": "Red"}, "x"]
    assert [r["progress"] for r in table["rows"]] == [
        [None, None],
        [None, {"status": "Selesai", "note": None}],
    ]
    assert [(r["key"], r["before"], r["after"]) for r in scores["rows"]] == [("m", 2, 4)]
    assert programs.text({"id": "Merah", "en": "Red"}, "en") == "Red"
    assert programs.text({"id": "Merah"}, "en") == "Merah"
    assert sections.build(program, {}) == []
