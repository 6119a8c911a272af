"""Crash safety, the long run: the real program under load, its server and worker SIGKILLed
at random at least `--kills` times (60 by default), then every check of the crash test.

    .venv/bin/python bench/crash.py [--kills 60] [--seed N] [--clients 4] [--keep DIR]

What runs and what is checked is `tests/reliability/crash_harness.py` (the same as
`tests/reliability/test_crash.py`, which stops at 12 kills): `desa init`, `desa deploy
processes`, `desa demo` on a SQLite file; `desa serve --no-worker` and `desa worker --interval
0.2` as subprocesses; API clients completing the demo villages' open tasks; `desa clock advance`
so timers fall due. Every step re-reads what it stored (DESA_VERIFY_STATE=1). Traffic goes to
127.0.0.1 only, and every loop ends by itself. Prints the figures; exits 1 naming each problem.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability.crash_harness import Plan, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=60, help="server and worker kills (at least)")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run (printed at the start)")
    parser.add_argument("--clients", type=int, default=4, help="API client threads")
    parser.add_argument("--max-seconds", type=float, default=900, help="stop killing after this long")
    parser.add_argument("--keep", type=Path, default=None, help="run in this folder and keep it")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    os.environ["DESA_VERIFY_STATE"] = "1"
    plan = Plan(kills=args.kills, seed=seed, clients=args.clients, max_seconds=args.max_seconds)
    print(f"crash run: at least {plan.kills} kills, seed {seed}", flush=True)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures, problems = run(args.keep, plan)
    else:
        with tempfile.TemporaryDirectory(prefix="desa-crash-") as folder:
            figures, problems = run(Path(folder), plan)
    if problems:
        print(f"FAILED (seed {seed}):", *problems[:50], sep="\n  ")
        return 1
    print(figures.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
