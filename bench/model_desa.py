"""Model Desa Berketahanan Sosial's demo for the benches: its stories, answers and `desa demo` run,
through the program package the engine loads (processes/model_desa/program, engine/demo/runner.py).

A bench story names no village; `play` gives it the village it plays in (and, when a bench names
its own staff, who does each role)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.core import Engine
from engine.definitions import programs
from engine.demo import runner
from engine.store.models import Village

ROOT = Path(__file__).resolve().parent.parent
_PROGRAM = programs.load(ROOT / "processes" / "model_desa")[0]
assert _PROGRAM is not None
PROGRAM: programs.Program = _PROGRAM
MODULE: Any = PROGRAM.module()
FORM_EXAMPLES: dict[str, dict[str, Any]] = MODULE.FORM_EXAMPLES
DemoResult = runner.DemoResult


def Story(**kw: Any) -> Any:  # noqa: N802  (built like the class it stands for)
    """A story of no village yet (`play` places it)."""
    return MODULE.Story(None, **kw)


# Every cohort's stories, youngest cohort first.
STORIES = [Story(**kw) for cohort in ("2009", "2008", "2007", "2006") for kw in MODULE.COHORTS[cohort]]


def task_data(task: Any, story: Any, seen: dict[str, int]) -> dict[str, Any]:
    return dict(story.answer(task, seen))


class _Acting:
    """A story whose tasks are done by the bench's own staff."""

    def __init__(self, story: Any, actor: Callable[[str], str]) -> None:
        self._story, self.actor = story, actor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._story, name)


def play(
    engine: Engine,
    village: Village,
    story: Any,
    today: datetime,
    actor: Callable[[Village, str], str] | None = None,
) -> str:
    placed = dataclasses.replace(story, village=village)
    if actor is not None:
        placed = _Acting(placed, lambda role: actor(village, role))
    return runner.play(engine, PROGRAM, village, placed, today)


def run(engine: Engine, villages_csv: Path, password: str, today: datetime) -> runner.DemoResult:
    return runner.run(engine, PROGRAM, password, today, villages_file=villages_csv)
