"""The inbox, page and API figures of bench/scale.py taken again on a database a run of it left.

    .venv/bin/python bench/scale_again.py --villages N --database-url URL [--json FILE]

Nothing is loaded: the villages, staff and instances are the ones the run made (N must be the
run's), and the database is analyzed first. The completions are of tasks still open, so the
instances are where the run left them. That is after its timer sweeps: every village has its
month-3 cohort instance too (every eighth two), with their open tasks, so the inboxes and pages
read about twice what they read in the run's own figures, taken before the sweeps: compare these
figures with each other (before and after a change), not with the run's. Prints the same rows of
the same table as bench/scale.py.
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

from sqlalchemy import text

from bench import scale  # noqa: E402
from bench import scale_load as load  # noqa: E402
from bench import scale_measure as measure  # noqa: E402
from bench.scale_table import cpu_parts  # noqa: E402
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
    scale.http_measures(args, engine, url, users, chosen, results, set(), people_of(engine, chosen))
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
            print("  CPU per request: client / web / database".ljust(44), cpu_parts(c))
    print(f"load average {results['load_average_start'][0]:.1f} -> {results['load_average_end'][0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


def people_of(engine: Engine, chosen: list[Any]) -> dict[int, Any]:
    """Instance -> the village whose story its template played (the forms' answers come from it),
    from the order bench/scale.py made them in: the story templates (one per story, in the first
    villages), the two month-3 cohort templates, a clone of story i % stories in each further
    village in turn, then the cohorts' clones (cohort 1 played in the first village, cohort 2 in
    the second)."""
    stories = len(scale.STORIES)
    with engine.db.engine.connect() as conn:
        ids = [int(r[0]) for r in conn.execute(text("SELECT id FROM instance ORDER BY id"))]
    people = {ids[i]: chosen[i] for i in range(stories)}
    people[ids[stories]], people[ids[stories + 1]] = chosen[0], chosen[1]
    clones = ids[stories + 2 : stories + 2 + len(chosen) - stories]
    people.update({iid: chosen[(stories + n) % stories] for n, iid in enumerate(clones)})
    cohort1 = len([v for v in chosen[::8] if v.code != chosen[0].code])
    rest = ids[stories + 2 + len(clones) :]
    people.update({iid: chosen[0] for iid in rest[:cohort1]})
    people.update({iid: chosen[1] for iid in rest[cohort1:]})
    return people


def scale_ms(d: dict[str, float]) -> str:
    return f"p50 {d['p50']:.1f}  p95 {d['p95']:.1f}  p99 {d['p99']:.1f} ms"


if __name__ == "__main__":
    main()
