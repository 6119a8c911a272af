"""The step's speed against the floor may not fall more than 20 % below the figure in the repository.

bench/steps_check.py measures it, in a process of its own (what the test run left in this one, such
as threads still running, would count in its CPU time): a short bench/steps.py in which the engine,
with and without its workflow cache, and the floor complete the same instance in turn, each path's
fastest round counting. What is compared is a ratio of the same run, in CPU time, not a time.
bench/steps_baseline.json holds the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench import steps_check

BASELINE = Path(steps_check.__file__).resolve().parent / "steps_baseline.json"
ALLOWED_DROP = 0.20


def bars_of(baseline: dict[str, object]) -> dict[str, float]:
    recorded = baseline["cpu_vs_floor"]
    assert isinstance(recorded, dict)
    return {
        name: (1 - ALLOWED_DROP) * float(recorded[name])
        for name in ("engine_vs_floor", "engine_cold_vs_floor")
    }


def measured(folder: Path, bars: dict[str, float]) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESA_")}
    command = [sys.executable, steps_check.__file__, "--folder", str(folder)]
    command += [f"--bar={name}={bar}" for name, bar in bars.items()]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_a_step_is_not_slower_against_the_floor_than_recorded(tmp_path: Path) -> None:
    bars = bars_of(json.loads(BASELINE.read_text(encoding="utf-8")))
    found = measured(tmp_path, bars)
    for name, bar in bars.items():
        ratio = found[name]
        assert isinstance(ratio, float)
        assert ratio >= bar, (
            f"{name} is {ratio:.2f} (CPU time, each path's fastest of {found['rounds']} rounds: "
            f"{found['ms_per_completion']} ms per completion), more than {ALLOWED_DROP:.0%} below the "
            f"{bar / (1 - ALLOWED_DROP):.2f} recorded in {BASELINE.name}: a step became slower "
            "(bench/steps.py --breakdown shows where its time goes)"
        )


def test_the_check_fails_a_step_slower_than_the_bar(tmp_path: Path) -> None:
    """A bar no step reaches is reported as missed after every round, not passed."""
    found = measured(tmp_path, {"engine_vs_floor": 50.0})
    assert found["rounds"] == steps_check.ROUNDS
    ratio = found["engine_vs_floor"]
    assert isinstance(ratio, float) and 0 < ratio < 50.0
