"""National scale: N villages of the official list with the program running, measured.

    .venv/bin/python bench/scale.py --villages N --database-url URL [--json FILE]

URL is a SQLite file (`sqlite:///path`, made anew) or a PostgreSQL database whose name starts
with `desa_scale` (dropped and created anew; never the test suite's `test`). Steps:

1. load: the N villages, their staff (bench/scale_load.py), 22 template villages played through
   the engine with the demo's stories (so they stand at different points of the five steps) and
   the other villages cloned from them (bench/scale_clone.py: each clone with its own task uuids,
   staff and hash chain);
2. the stored size: the database per village, the stored state per running instance;
3. inbox: `engine.queries.tasks(user=...)` and GET / (the page) for pendamping (their village),
   fasilitator daerah (their kabupaten/kota) and fasilitator pusat (all), p50/p95/p99; a village
   page GET /desa/<code>; the dashboard GET /dasbor; all through waitress in a subprocess;
4. completing tasks through POST /api/v1/tasks/<id>/complete with bearer tokens, `--clients`
   threads at once; one task in ten is sent twice on purpose (the second must answer 409);
5. the timer sweep: a month-3 cohort (one more instance per village, cloned from a template
   waiting at `tunggu_bulan_3`), all due at once: an eighth of the villages swept by one worker
   process, then every village by two; each timer must fire once (TIMER_FIRED per timer id);
6. replay and verify (`engine.verify.verify_instance`) of one full-program village, then of every
   village's instance (or `--verify-limit` of them, drawn at random) with `--verify-processes`
   processes.

Prints one table (and writes it as JSON with --json). The baseline of each figure is its target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench import model_desa as demo  # noqa: E402
from bench import scale_clone as clone  # noqa: E402
from bench import scale_load as load  # noqa: E402
from bench import scale_measure as measure  # noqa: E402
from bench.scale_table import completion_figures, print_table  # noqa: E402
from bench.scale_work import completion_work  # noqa: E402
from engine import clock
from engine.core import Engine
from engine.definitions import registry
from engine.history import replay, verify
from engine.store.db import Database, normalise_url
from engine.views import queries

STORIES = demo.STORIES
FULL_PROGRAM = next(i for i, s in enumerate(STORIES) if s.lanjut_siklus)  # ends a second cycle
# The month-3 cohorts' story: played 23 and 22 hours before "today", its month-3 timer (and the
# monthly one) falls due that day at 17:00 UTC (midnight in Jakarta: the program's dates are days).
COHORT_STORY = demo.Story(age_days=111, perlu_revisi=True)
RNG = random.Random(20270601)


def fresh_database(url: str) -> Database:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        from sqlalchemy.engine import make_url

        target = make_url(url)
        name = target.database or ""
        if not name.startswith("desa_scale"):
            raise SystemExit(f"refusing to recreate database {name!r}: its name must start with desa_scale")
        admin = Database(
            engine=__import__("sqlalchemy").create_engine(
                target.set(database="postgres"), isolation_level="AUTOCOMMIT"
            )
        )
        with admin.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    db = Database(url)
    db.upgrade()
    return db


STARTED = time.perf_counter()


def phase_now() -> dict[str, float]:
    return phase(STARTED)


def phase(began: float) -> dict[str, float]:
    """When a phase started (seconds into the bench) and the load average then."""
    return {"at_seconds": time.perf_counter() - began, "load_average": os.getloadavg()[0]}


def set_clock(engine: Engine, at: Any) -> None:
    with engine.db.transaction() as session:
        clock.set_time(session, at, frozen=True)


def sizes(engine: Engine, url: str, villages: int, realistic: list[int]) -> dict[str, Any]:
    """The database per village, and the stored state (header, task rows and packed rows) per
    running instance; the task rows counted are those stored on their own."""
    sample = RNG.sample(realistic, min(len(realistic), 2000))
    marks = ", ".join(str(i) for i in sample)
    with engine.db.engine.connect() as conn:
        if engine.db.is_sqlite:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            total = Path(normalise_url(url).split("///", 1)[1]).stat().st_size
            size = "length"
        else:
            total = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
            size = "pg_column_size"
        rows = conn.execute(
            text(
                f"SELECT i.id, i.status, {size}(i.header) + COALESCE((SELECT SUM({size}(t.body)) "
                "FROM instance_task t WHERE t.instance_id = i.id), 0) + COALESCE((SELECT "
                f"SUM({size}(p.body)) FROM instance_packed p WHERE p.instance_id = i.id), 0), "
                "(SELECT COUNT(*) FROM instance_task t WHERE t.instance_id = i.id) "
                f"FROM instance i WHERE i.id IN ({marks})"
            )
        ).all()
    running = [int(r[2]) for r in rows if r[1] in ("running", "waiting")]
    return {
        "database_bytes": total,
        "bytes_per_village": total / villages,
        "state_median_bytes": statistics.median(running),
        "state_p90_bytes": sorted(running)[int(0.9 * len(running))],
        "task_rows_median": statistics.median(int(r[3]) for r in rows),
        "sampled_instances": len(rows),
    }


def inbox_users(engine: Engine, chosen: list[Any]) -> dict[str, list[str]]:
    """Per role, the people whose inboxes are timed: half of them with open tasks of their role,
    half drawn from everyone (most pendamping have nothing open at a given moment)."""
    with engine.db.engine.connect() as conn:

        def busy(role: str, column: str) -> list[str]:
            found = conn.execute(
                text(f"SELECT DISTINCT {column} FROM human_task WHERE role = :role"), {"role": role}
            ).scalars()
            codes = sorted(found)
            return RNG.sample(codes, min(20, len(codes)))

        villages = busy("Pendamping", "village_code") + [
            v.code for v in RNG.sample(chosen, min(20, len(chosen)))
        ]
        kabs = sorted({load.access.kabupaten_code_of(v.code) for v in chosen})
        kabupaten = busy("Fasilitator Daerah", "kabupaten_code") + RNG.sample(kabs, min(20, len(kabs)))
    return {
        "pendamping": [f"p1.{code}" for code in villages],
        "fasilitator daerah": [f"fd.{code}" for code in kabupaten],
        "fasilitator pusat": list(load.PUSAT),
    }


def fired_twice(engine: Engine, ids: list[int]) -> tuple[int, int]:
    """(TIMER_FIRED events of tunggu_bulan_3 among these instances, timer ids fired more than once)."""
    counts: dict[str, int] = {}
    with engine.db.engine.connect() as conn:
        for start in range(0, len(ids), 1000):
            marks = ", ".join(str(i) for i in ids[start : start + 1000])
            for task_id, n in conn.execute(
                text(
                    "SELECT task_id, COUNT(*) FROM audit_event WHERE type = 'TIMER_FIRED' "
                    f"AND bpmn_id = 'tunggu_bulan_3' AND instance_id IN ({marks}) GROUP BY task_id"
                )
            ):
                counts[task_id] = counts.get(task_id, 0) + int(n)
    return sum(counts.values()), sum(1 for n in counts.values() if n > 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=500)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--completions", type=int, default=400)
    parser.add_argument("--samples", type=int, default=200, help="calls per latency figure")
    parser.add_argument("--verify-processes", type=int, default=2)
    parser.add_argument("--verify-limit", type=int, default=0, help="verify this many villages (0: all)")
    parser.add_argument(
        "--web-processes",
        type=int,
        default=0,
        help="waitress processes serving the API (default: 2, 1 on SQLite)",
    )
    parser.add_argument(
        "--paced-rate",
        type=float,
        default=20.0,
        help="then completions sent at this many per second (0: not measured)",
    )
    parser.add_argument("--skip-http", action="store_true", help="no web server (the smoke test)")
    args = parser.parse_args()
    results = run(args)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


def run(args: argparse.Namespace) -> dict[str, Any]:
    began = time.perf_counter()
    url = normalise_url(args.database_url)
    os.environ["DESA_DATABASE_URL"] = url
    os.environ.pop("DESA_VERIFY_STATE", None)
    results: dict[str, Any] = {
        "villages": args.villages,
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_start": os.getloadavg(),
        "phases": {"load": phase(began)},
    }
    db = fresh_database(url)
    engine = Engine(db)
    registry.deploy(db, [ROOT / "processes" / "model_desa"])
    t0 = time.perf_counter()
    chosen = load.pick(args.villages)
    results["users"] = load.load_directory(engine, chosen)
    plays = [(f"story {i}", chosen[i], story, load.TODAY) for i, story in enumerate(STORIES)]
    plays.append(("cohort 1", chosen[0], COHORT_STORY, load.TODAY - timedelta(hours=23)))
    plays.append(("cohort 2", chosen[1], COHORT_STORY, load.TODAY - timedelta(hours=22)))
    templates = {t.label: t for t in clone.play_templates(engine, plays)}
    set_clock(engine, load.TODAY)
    t_templates = time.perf_counter() - t0
    spread = (
        (templates[f"story {i % len(STORIES)}"], v.code) for i, v in enumerate(chosen) if i >= len(STORIES)
    )
    made = clone.clone_all(engine, spread, len(chosen) - len(STORIES), "clones of the templates")
    realistic = [templates[f"story {i}"].instance_id for i in range(len(STORIES))]
    realistic += [i for ids in made.values() for i in ids]
    results["load"] = {
        "seconds": time.perf_counter() - t0,
        "templates_seconds": t_templates,
        "instances": len(realistic),
    }
    with db.engine.connect() as conn:
        results["status"] = dict(
            conn.execute(text("SELECT status, COUNT(*) FROM instance GROUP BY status")).all()
        )
        results["open_tasks"] = int(conn.execute(text("SELECT COUNT(*) FROM human_task")).scalar_one())
        results["events"] = int(conn.execute(text("SELECT COUNT(*) FROM audit_event")).scalar_one())
    if not db.is_sqlite:
        # Settled as a database in service is (its autovacuum long past): the visibility map set and
        # the rows' hint bits written, not left to the first reads of the measurements below (or
        # to an autovacuum of the freshly loaded tables running beside them); and the statistics.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    results["size"] = sizes(engine, url, len(chosen), realistic)

    results["phases"]["inbox and pages"] = phase(began)
    users = inbox_users(engine, chosen)
    results["inbox_engine"] = {
        role: measure.latencies(
            [lambda u=u: queries.tasks(engine, user=u) for u in (names * args.samples)[: args.samples]]
        )
        for role, names in users.items()
    }
    results["inbox_rows"] = {
        role: statistics.median(len(queries.tasks(engine, user=u)) for u in names)
        for role, names in users.items()
    }
    if not args.skip_http:  # the month-3 cohorts' templates wait for their sweeps untouched
        spared = {templates["cohort 1"].instance_id, templates["cohort 2"].instance_id}
        people = {templates[f"story {i}"].instance_id: chosen[i] for i in range(len(STORIES))}
        people.update({i: chosen[n] for n in range(len(STORIES)) for i in made.get(f"story {n}", [])})
        http_measures(args, engine, url, users, chosen, results, spared, people)

    results["phases"]["timer sweeps"] = phase(began)
    cohort1 = [v.code for v in chosen[::8] if v.code != chosen[0].code]
    cohort2 = [v.code for v in chosen if v.code != chosen[1].code]
    results["cohort_load_seconds"] = 0.0
    # Each cohort is cloned just before its sweep: both fall due on the same day, so a cohort
    # cloned earlier would be fired by the sweep before its own (the second cohort's template is).
    for label, cohort, codes, due, workers in (
        ("1 worker", "cohort 1", cohort1, 1, 1),
        ("2 workers", "cohort 2", cohort2, 2, 2),
    ):
        t0 = time.perf_counter()
        template = templates[cohort]
        ids = [template.instance_id] + clone.clone_all(
            engine, ((template, c) for c in codes), len(codes), f"month-3 {cohort}"
        )[cohort]
        results["cohort_load_seconds"] += time.perf_counter() - t0
        if not db.is_sqlite:
            with (
                db.engine.begin() as conn
            ):  # committed: statistics taken in a rolled-back transaction are lost
                conn.exec_driver_sql("ANALYZE")
        at = load.TODAY + timedelta(hours=due)
        set_clock(engine, at)
        swept = measure.sweep(url, at, workers)
        events, twice = fired_twice(engine, ids)
        swept.update({"timers": len(ids), "month3_fired": events, "fired_twice": twice})
        swept["per_second"] = events / swept["seconds"] if swept["seconds"] else 0.0
        results[f"sweep {label}"] = swept
    set_clock(engine, load.TODAY + timedelta(hours=2))

    full = [i for i in made.get(f"story {FULL_PROGRAM}", [])[:5]] or [
        templates[f"story {FULL_PROGRAM}"].instance_id
    ]
    with db.sessions() as session:
        source = replay.spec_source(engine, session)
        history = replay.events_of(session, full[0])

        def one_replay() -> None:
            replay.Replay(source).apply_all(history)

        def one_verify() -> None:
            assert verify.verify_instance(engine, session, full[0]).ok

        results["one_village"] = {
            "events": len(history),
            "replay_ms": measure.latencies([one_replay] * 7, warmup=1)["p50"],
            "verify_ms": measure.latencies([one_verify] * 7, warmup=1)["p50"],
        }
    results["phases"]["verify"] = phase(began)
    checked = (
        RNG.sample(realistic, args.verify_limit) if 0 < args.verify_limit < len(realistic) else realistic
    )
    results["verify_all"] = measure.verify_all(url, checked, args.verify_processes)
    results["verify_all"]["of"] = len(realistic)
    results["seconds"] = time.perf_counter() - began
    results["load_average_end"] = os.getloadavg()
    return results


def http_measures(
    args: argparse.Namespace,
    engine: Engine,
    url: str,
    users: dict[str, list[str]],
    chosen: list[Any],
    results: dict[str, Any],
    spared: set[int],
    people: dict[int, Any],
) -> None:
    """The pages and the completions over HTTP; no task of the `spared` instances is completed."""
    count = args.web_processes or (1 if url.startswith("sqlite") else 2)  # SQLite: one writer at a time
    servers = [measure.Server(url) for _ in range(count)]
    try:
        server = servers[0]
        sessions = {
            role: [server.signed_in(u, load.PASSWORD) for u in names[:10]] for role, names in users.items()
        }
        results["inbox_page"] = {
            role: measure.latencies(measure.page_calls(server, s, ["/"] * args.samples))
            for role, s in sessions.items()
        }
        codes = [v.code for v in RNG.sample(chosen, min(len(chosen), args.samples))]
        pusat = sessions["fasilitator pusat"]
        results["village_page"] = measure.latencies(
            measure.page_calls(server, pusat, [f"/desa/{c}" for c in codes])
        )
        results["dashboard"] = measure.latencies(
            measure.page_calls(server, pusat, ["/dasbor"] * 40), warmup=1
        )
        results["phases"]["completions"] = phase_now()
        work = completion_work(engine, args.completions, spared, people, RNG)
        load_result = measure.complete_under_load(servers, work, args.clients)
        results["complete_api"] = completion_figures(load_result, len(work), args, servers)
        if args.paced_rate:
            results["phases"]["paced_completions"] = phase_now()
            work = completion_work(engine, args.completions, spared, people, RNG)
            paced = measure.complete_under_load(servers, work, args.clients, rate=args.paced_rate)
            results["complete_api_paced"] = {
                **completion_figures(paced, len(work), args, servers),
                "rate": args.paced_rate,
            }
    finally:
        for s in servers:
            s.stop()


if __name__ == "__main__":
    main()
