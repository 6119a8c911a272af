"""Model Desa Berketahanan Sosial's program package (processes/model_desa/program), as the engine
loads it: its example answers to every form and its demo stories, for the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.definitions import programs

FOLDER = Path(__file__).resolve().parent.parent / "processes" / "model_desa"
_PROGRAM = programs.load(FOLDER)[0]
assert _PROGRAM is not None
PROGRAM: programs.Program = _PROGRAM
PROCESS = PROGRAM.process
MODULE: Any = PROGRAM.module()

FORM_EXAMPLES: dict[str, dict[str, Any]] = MODULE.FORM_EXAMPLES
NAMA_PESERTA: list[str] = MODULE.NAMA_PESERTA
PESERTA: list[dict[str, Any]] = MODULE.PESERTA
KETUA: str = MODULE.KETUA
Story = MODULE.Story
context_for = MODULE.context_for
story = MODULE.story


def task_data(task: Any, village_story: Any, seen: dict[str, int]) -> dict[str, Any]:
    """What the demo answers to a task, for the village of `village_story`."""
    return dict(village_story.answer(task, seen))
