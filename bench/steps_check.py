"""The bench check's measurement (tests/test_bench_gate.py), run in a process of its own.

    .venv/bin/python bench/steps_check.py [--folder DIR] [--bar NAME=RATIO ...]

A short bench/steps.py: the engine (with and without its workflow cache) and the floor (SpiffWorkflow
alone in memory plus one commit per completion) complete the same instance in turn, round after
round. What is compared is a ratio of the same run, not a time, in CPU time: on a machine shared with
other jobs, waiting for a core stretches the wall clock of whichever path it hits, while the work each
path does stays what it is. Each path's fastest round counts (noise only adds time). After MIN_ROUNDS
rounds the measurement stops as soon as every ratio reaches its bar, and otherwise goes on to ROUNDS:
a burst of load on the machine passes within a few rounds, a slower step does not.

It runs as a fresh interpreter, as bench/steps.py does, so that what a test run left in its process
(threads still running count in the process's CPU time, caches, a large heap) weighs on neither path.
Prints one JSON object: each ratio, the rounds run and each path's fastest milliseconds per completion.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import steps  # noqa: E402
from engine import config  # noqa: E402

MIN_ROUNDS = 3
ROUNDS = 20
TASKS = 66  # the user tasks of the bench process


def measure(folder: Path, bars: dict[str, float]) -> dict[str, object]:
    """engine_vs_floor and engine_cold_vs_floor in CPU time: the floor's fastest round against each
    engine path's, after at least MIN_ROUNDS rounds and once every ratio reaches its bar (or after
    ROUNDS)."""
    engine = steps.EnginePath("engine", folder / "engine")
    cold = steps.EnginePath("engine, no workflow cache", folder / "cold", 0)
    floor = steps.FloorPath(folder / "floor", steps.restored_spec())
    paths = {"engine": engine, "engine_cold": cold, "floor": floor}
    fastest = dict.fromkeys(paths, float("inf"))
    found: dict[str, float] = {}
    rounds = 0
    try:
        for path in paths.values():
            path.run_one()  # warm-up: the spec, the forms, SQLAlchemy's statement cache
        for rounds in range(1, ROUNDS + 1):
            for name, path in paths.items():
                gc.collect()
                done, _, cpu = path.run_one()
                if done != TASKS:
                    raise SystemExit(f"{name} completed {done} tasks, not the process's {TASKS}")
                fastest[name] = min(fastest[name], cpu)
            found = {
                f"{name}_vs_floor": fastest["floor"] / fastest[name] for name in ("engine", "engine_cold")
            }
            if rounds >= MIN_ROUNDS and all(found[name] >= bar for name, bar in bars.items()):
                break
    finally:
        for path in paths.values():
            path.close()
    return {
        **found,
        "rounds": rounds,
        "ms_per_completion": {name: 1000 * cpu / TASKS for name, cpu in fastest.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--folder", type=Path, default=None, help="the SQLite files' folder (default: a temp dir)"
    )
    parser.add_argument(
        "--bar",
        action="append",
        default=[],
        metavar="NAME=RATIO",
        help="stop early once the ratio NAME reaches RATIO",
    )
    args = parser.parse_args(argv)
    bars = {}
    for bar in args.bar:
        name, _, ratio = bar.partition("=")
        bars[name] = float(ratio)
    os.environ.pop("DESA_VERIFY_STATE", None)  # the steps as in production, not checked
    os.environ.pop("DESA_FORMS_DIR", None)  # the bench process's own forms apply
    config.reload()
    if args.folder is not None:
        print(json.dumps(measure(args.folder, bars)))
    else:
        with tempfile.TemporaryDirectory(prefix="desa-steps-check-") as folder:
            print(json.dumps(measure(Path(folder), bars)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
