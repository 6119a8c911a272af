"""The collector settings a server or worker process runs with (engine/gc_settings.py), checked
in a process of their own: the web app made for serving sets them, DESA_GC_THRESHOLD changes
the first one, and an app made for tests leaves the test process as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """
import gc, sys
from web import create_app
before = gc.get_threshold()
create_app({"TESTING": sys.argv[1] == "test", "SECRET_KEY": "x", "DATABASE_URL": sys.argv[2]})
print(before, gc.get_threshold(), gc.get_freeze_count() > 0)
"""


def _thresholds(tmp_path: Path, mode: str, **env: str) -> str:
    found = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode, f"sqlite:///{tmp_path / 'gc.db'}"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return found.stdout.strip()


def test_a_serving_app_collects_less_often(tmp_path: Path) -> None:
    assert _thresholds(tmp_path, "serve") == "(700, 10, 10) (50000, 20, 100) True"


def test_the_threshold_can_be_set(tmp_path: Path) -> None:
    assert _thresholds(tmp_path, "serve", DESA_GC_THRESHOLD="20000") == "(700, 10, 10) (20000, 20, 100) True"


def test_an_app_for_tests_leaves_the_collector_alone(tmp_path: Path) -> None:
    assert _thresholds(tmp_path, "test") == "(700, 10, 10) (700, 10, 10) False"
