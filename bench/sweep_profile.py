"""Where a timer firing's time goes: a month-3 cohort swept in-process, profiled.

    .venv/bin/python bench/sweep_profile.py build URL N    # N villages, each with a month-3 timer due
    .venv/bin/python bench/sweep_profile.py run URL [--profile] [--top 40] [--limit K]

`build` makes the database anew (as bench/scale.py does: PostgreSQL names must start with
desa_scale) and, on PostgreSQL, keeps a copy `<name>_base`; `run` restores that copy (on SQLite,
copy the file yourself), then runs `engine.timers.fire_due` once in this process on a cold cache
(as a worker process starting would) and prints the firings, wall and CPU seconds and ms per
firing; with --profile, the cProfile table (cumulative and own time).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import scale_clone as clone  # noqa: E402
from bench import scale_load as load  # noqa: E402
from bench import scale_measure as measure  # noqa: E402
from bench.scale import COHORT_STORY, fresh_database, set_clock  # noqa: E402
from engine.core import Engine
from engine.definitions import registry
from engine.store.db import Database, normalise_url
from engine.worker import timers


def _admin(url: str) -> tuple[object, str]:
    target = make_url(url)
    name = target.database or ""
    if not name.startswith("desa_scale"):
        raise SystemExit(f"refusing to touch database {name!r}: its name must start with desa_scale")
    return create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT"), name


def build(url: str, villages: int) -> None:
    db = fresh_database(url)
    engine = Engine(db)
    registry.deploy(db, [ROOT / "processes" / "model_desa"])
    chosen = load.pick(villages)
    load.load_directory(engine, chosen)
    (template,) = clone.play_templates(
        engine, [("cohort", chosen[0], COHORT_STORY, load.TODAY - timedelta(hours=23))]
    )
    set_clock(engine, load.TODAY)
    rest = [v.code for v in chosen[1:]]
    clone.clone_all(engine, ((template, c) for c in rest), len(rest), "month-3 cohort")
    if not db.is_sqlite:
        with db.engine.begin() as conn:  # committed: statistics taken in a rolled-back transaction are lost
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    if not url.startswith("sqlite"):
        admin, name = _admin(url)
        with admin.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_base" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}_base" TEMPLATE "{name}"'))
    print(f"built {villages} villages with a month-3 timer due")


def restore(url: str) -> None:
    if url.startswith("sqlite"):
        return
    admin, name = _admin(url)
    with admin.connect() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{name}_base"'))


def run(url: str, profile: bool, top: int, limit: int) -> None:
    restore(url)
    engine = Engine(Database(url))
    at = load.TODAY + timedelta(hours=1)
    set_clock(engine, at)
    profiler = cProfile.Profile() if profile else None
    database = {pid: measure.cpu_seconds(pid) for pid in measure.database_pids()}
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    fired = timers.fire_due(engine, at, limit=limit)
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db_cpu = sum(measure.cpu_seconds(pid) - database.get(pid, 0.0) for pid in measure.database_pids())
    with engine.db.engine.connect() as conn:
        events = conn.execute(text("SELECT COUNT(*) FROM audit_event WHERE type = 'TIMER_FIRED'")).scalar()
    print(
        f"fired {fired} (TIMER_FIRED events {events}) in {wall:.2f} s wall, {cpu:.2f} s CPU: "
        f"{1000 * wall / max(fired, 1):.2f} ms wall, {1000 * cpu / max(fired, 1):.2f} ms CPU per firing"
        + (f"; PostgreSQL's CPU {1000 * db_cpu / max(fired, 1):.2f} ms per firing" if db_cpu else "")
    )
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("build", "run"))
    parser.add_argument("url")
    parser.add_argument("villages", type=int, nargs="?", default=1000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--limit", type=int, default=1_000_000)
    args = parser.parse_args()
    url = normalise_url(args.url)
    if args.what == "build":
        build(url, args.villages)
    else:
        run(url, args.profile, args.top, args.limit)


if __name__ == "__main__":
    main()
