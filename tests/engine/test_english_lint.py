"""`desa validate` checks a program folder's English texts (english.toml): a file that is no TOML is
an error on its line; a text for an element the BPMN files do not have, a field the pages do not
show, a value that is no text and a display_name that cannot be filled are warnings, each on the
line and element where the designer fixes it. Model Desa's own file has none of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.definitions import programs
from tests.engine.program_change import PROGRAM, copy_program

ENGLISH = "english.toml"


def _validate(*args: str, forms: Path | None = None) -> tuple[int, list[dict[str, Any]]]:
    env = {"DESA_FORMS_DIR": str(forms)} if forms is not None else {}
    result = CliRunner(env=env).invoke(main, ["validate", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)["problems"]


def _english(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in problems if p["rule"].startswith("english-")]


def _edited(tmp_path: Path, change: str, by: str) -> tuple[Path, int]:
    """A copy of the program whose english.toml has `change` replaced `by`; the line it is on."""
    processes = copy_program(tmp_path)
    path = processes / ENGLISH
    text = path.read_text(encoding="utf-8")
    assert change in text
    line = text[: text.index(change)].count("\n") + 1
    path.write_text(text.replace(change, by, 1), encoding="utf-8")
    return processes, line


def test_model_desa_english_texts_have_no_problem() -> None:
    code, problems = _validate(str(PROGRAM))
    assert code == 0
    assert _english(problems) == []


@pytest.mark.parametrize(
    ("change", "by", "element", "below", "words"),
    [
        (
            '[program_mulai]\nname = "Program Started"',
            '[program_mulia]\nname = "Program Started"',
            "program_mulia",
            0,
            ["'program_mulia' is no element of this program's BPMN files", "did you mean 'program_mulai'?"],
        ),
        (
            'name = "Program Started"',
            'nama = "Program Started"',
            "program_mulai",
            0,
            ["'nama' is not one of name, documentation, display_name"],
        ),
        ('name = "Program Started"', "name = 3", "program_mulai", 0, ["name must be a text in quotes"]),
        (
            'name = "Program Started"',
            'name = "Program Started"\ndisplay_name = "Started {tanggal}"',
            "program_mulai",
            1,
            ["'program_mulai' has no displayName in its BPMN file"],
        ),
        (
            'display_name = "Attendance of the social guidance, day {hari_ke}"',
            'display_name = "Attendance of the social guidance, day {hari}"',
            "absensi_bimbingan",
            0,
            ["display_name uses {hari}", "'Absensi Bimbingan Sosial Hari ke-{hari_ke}' does not have"],
        ),
    ],
)
def test_a_text_the_pages_cannot_show_is_a_warning_on_its_line(
    tmp_path: Path, change: str, by: str, element: str, below: int, words: list[str]
) -> None:
    processes, line = _edited(tmp_path, change, by)
    code, problems = _validate(str(processes), forms=tmp_path / "forms")
    found = _english(problems)
    assert code == 0  # warnings alone: the program still deploys
    assert [(p["file"], p["element"], p["severity"]) for p in found] == [
        (str(processes / ENGLISH), element, "warning")
    ]
    assert found[0]["line"] == line + below  # the line of the table, or of the field that is wrong
    for word in words:
        assert word in found[0]["message"]


def test_an_english_file_that_is_no_toml_is_an_error_on_its_line(tmp_path: Path) -> None:
    processes, line = _edited(tmp_path, "[program_mulai]", "[program_mulai")
    code, problems = _validate(str(processes), forms=tmp_path / "forms")
    assert code == 1
    assert [(p["rule"], p["line"], p["severity"]) for p in _english(problems)] == [
        ("english-syntax", line, "error")
    ]
    assert "not valid TOML" in _english(problems)[0]["message"]
    # Deploying refuses it as it refuses any other error.
    assert not programs.merged(programs.load_bundles([processes])).ok


def test_checking_one_process_file_leaves_the_english_texts_alone(tmp_path: Path) -> None:
    processes, _ = _edited(tmp_path, "[program_mulai]", "[program_mulai")
    code, problems = _validate(
        "--processes", str(processes), str(processes / "persiapan.bpmn"), forms=tmp_path / "forms"
    )
    assert _english(problems) == []
    assert code == 0
