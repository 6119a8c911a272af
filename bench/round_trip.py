"""What one statement's round trip costs the engine's process and PostgreSQL, in CPU time.

    .venv/bin/python bench/round_trip.py URL [--statements 5000]

Runs `SELECT 1`, a one-row `INSERT` (into a temporary table) and a `SAVEPOINT` with its `RELEASE`
through the engine's statement path (`engine.store.fastsql`, as a step's statements go), each
`--statements` times in one transaction, and prints per statement this process's CPU time,
PostgreSQL's (its processes' CPU from /proc, on this machine) and the wall time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scale_measure as measure  # noqa: E402
from engine.store.db import Database, normalise_url  # noqa: E402
from engine.store.fastsql import Sql  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--statements", type=int, default=5000)
    args = parser.parse_args()
    n = args.statements
    db = Database(normalise_url(args.url))
    with db.transaction() as session:
        sql = Sql.of(session)
        sql.run("CREATE TEMP TABLE round_trip (id integer PRIMARY KEY, body text)")
        for kind in ("SELECT 1", "INSERT one row", "SAVEPOINT + RELEASE"):
            database = {pid: measure.cpu_seconds(pid) for pid in measure.database_pids()}
            cpu, wall = time.process_time(), time.perf_counter()
            for i in range(n):
                if kind == "SELECT 1":
                    sql.one("SELECT 1")
                elif kind == "INSERT one row":
                    sql.run("INSERT INTO round_trip (id, body) VALUES (:i, :b)", i=i, b="x" * 50)
                else:
                    sql.run("SAVEPOINT round_trip")
                    sql.run("RELEASE SAVEPOINT round_trip")
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            db_cpu = sum(measure.cpu_seconds(p) - database.get(p, 0.0) for p in measure.database_pids())
            print(
                f"{kind}: this process {1e6 * cpu / n:.0f} µs, PostgreSQL {1e6 * db_cpu / n:.0f} µs, "
                f"wall {1e6 * wall / n:.0f} µs per statement"
            )


if __name__ == "__main__":
    main()
