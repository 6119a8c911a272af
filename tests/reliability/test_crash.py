"""Crash safety in `make test`: at least 10 SIGKILLs of the server and the worker under load.

The long variant (at least 50 kills) is `bench/crash.py`; both run `crash_harness.run`. The seed
is printed (and read from DESA_CRASH_SEED) so a failing run can be repeated.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from .crash_harness import Plan, run


def test_nothing_acknowledged_is_lost_and_nothing_happens_twice(tmp_path: Path) -> None:
    seed = int(os.environ.get("DESA_CRASH_SEED") or random.randrange(1_000_000))
    figures, problems = run(tmp_path, Plan(kills=12, seed=seed, pause=(0.3, 1.0), max_seconds=45))
    print(f"\ncrash test (seed {seed}):\n{figures.report()}")
    assert problems == [], f"seed {seed}:\n" + "\n".join(problems[:20])
    assert figures.kills["serve"] + figures.kills["worker"] >= 10
    assert figures.acknowledged > 0 and figures.timers_fired > 0
