"""The inbox, page and API figures of bench/scale.py taken again on a database a run of it left.

    .venv/bin/python bench/scale_again.py --villages N --database-url URL [--json FILE]

Nothing is loaded: the villages, staff and instances are the ones the run made (N must be the
run's), and the database is analyzed first. The completions are of tasks still open, so the
instances are where the run left them (its month-3 timers fired). Prints the same rows of the
same table as bench/scale.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scale  # noqa: E402
from bench import scale_load as load  # noqa: E402
from bench import scale_measure as measure  # noqa: E402
from engine.core import Engine
from engine.store.db import Database, normalise_url
from engine.views import queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--completions", type=int, default=400)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--web-processes", type=int, default=0)
    parser.add_argument("--paced-rate", type=float, default=20.0)
    args = parser.parse_args()
    url = normalise_url(args.database_url)
    os.environ["DESA_DATABASE_URL"] = url
    os.environ.pop("DESA_VERIFY_STATE", None)
    db = Database(url)
    if not db.is_sqlite:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine = Engine(db)
    began = time.perf_counter()
    chosen = load.pick(args.villages)
    users = scale.inbox_users(engine, chosen)
    results: dict[str, Any] = {"villages": args.villages, "phases": {}, "load_average_start": os.getloadavg()}
    results["inbox_engine"] = {
        role: measure.latencies(
            [lambda u=u: queries.tasks(engine, user=u) for u in (names * args.samples)[: args.samples]]
        )
        for role, names in users.items()
    }
    results["inbox_rows"] = {
        role: sorted(len(queries.tasks(engine, user=u)) for u in names)[len(names) // 2]
        for role, names in users.items()
    }
    scale.http_measures(args, engine, url, users, chosen, results)
    results["seconds"] = time.perf_counter() - began
    results["load_average_end"] = os.getloadavg()
    for role, figures in results["inbox_engine"].items():
        print(f"inbox query, {role} ({results['inbox_rows'][role]} rows)".ljust(44), scale_ms(figures))
    for role, figures in results["inbox_page"].items():
        print(f"GET / (inbox page), {role}".ljust(44), scale_ms(figures))
    print("GET /desa/<code>".ljust(44), scale_ms(results["village_page"]))
    print("GET /dasbor".ljust(44), scale_ms(results["dashboard"]))
    for key in ("complete_api", "complete_api_paced"):
        c = results.get(key)
        if c:
            print(
                f"POST complete ({key})".ljust(44),
                f"p50 {c['p50']:.0f}  p95 {c['p95']:.0f} ms, {c['per_second']:.0f}/s, {c['completed']} done, "
                f"{c['deliberate_conflicts']} deliberate conflicts, {c['error_count']} errors",
            )
    print(f"load average {results['load_average_start'][0]:.1f} -> {results['load_average_end'][0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


def scale_ms(d: dict[str, float]) -> str:
    return f"p50 {d['p50']:.1f}  p95 {d['p95']:.1f}  p99 {d['p99']:.1f} ms"


if __name__ == "__main__":
    main()
