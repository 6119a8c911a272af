"""Audit export throughput: each format against reading the same events without formatting, in one run.

    .venv/bin/python bench/export.py [--rounds N] [--repeat N] [--batch-size N] [--json FILE]

The history is made by the real engine: the demo (`engine.demo.run`: the 22 villages of the
2006-2009 table played forward to 2027-06-01, about 600 events), and then `--rounds` - 1 more
rounds in which every demo village plays its story again as a new instance (`engine.demo.play`),
on one SQLite file with the engine's settings (`engine.db.make_engine`). Then, taking turns
`--repeat` times:

read    the exporter's own reading (`engine.export_read.events`: the instances in scope a page at
        a time, their events in batches of `--batch-size`), every event taken, nothing written:
        the baseline.
csv, xes, jsonl
        `engine.export.Export(engine, fmt).write_to(sink)` for all villages: the same reading, the
        formatting, and the bytes handed to a sink that only counts them (no disk in the timing).
raw     for information: one DB-API cursor over `SELECT * FROM audit_event ORDER BY instance_id,
        seq` with fetchmany, no decoding of JSON or times.

Prints each path's median seconds, events/s and its ratio to the baseline's events/s, and ends
with one line per format: `csv_vs_read: R`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import model_desa as demo
from engine.core import Engine
from engine.definitions import registry
from engine.history.export import read as export_read
from engine.history.export import stream as export
from engine.store.db import Database
from engine.store.models import Village

TODAY = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
VILLAGES_CSV = ROOT / "processes" / "model_desa" / "desa-2006-2009.csv"


class Sink:
    """Counts the bytes an export writes."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def make_history(engine: Engine, rounds: int) -> None:
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    demo.run(engine, VILLAGES_CSV, password="bench-rahasia", today=TODAY)
    with engine.db.sessions() as session:
        villages = list(session.query(Village).order_by(Village.code))
    for _ in range(rounds - 1):
        for index, village in enumerate(villages):
            demo.play(engine, village, demo.STORIES[index % len(demo.STORIES)], TODAY)


def read_only(engine: Engine, batch_size: int) -> tuple[int, int]:
    events = 0
    for batch in export_read.events(engine, export_read.scope(engine), batch_size):
        events += len(batch)
    return events, 0


def formatted(fmt: str) -> Callable[[Engine, int], tuple[int, int]]:
    def run(engine: Engine, batch_size: int) -> tuple[int, int]:
        sink = Sink()
        written = export.Export(engine, fmt, batch_size=batch_size).write_to(sink)  # type: ignore[arg-type]
        return written, sink.size

    return run


def raw_cursor(path: Path) -> Callable[[Engine, int], tuple[int, int]]:
    def run(_engine: Engine, batch_size: int) -> tuple[int, int]:
        events = 0
        with sqlite3.connect(path) as conn:
            cursor = conn.execute("SELECT * FROM audit_event ORDER BY instance_id, seq")
            while rows := cursor.fetchmany(batch_size):
                events += len(rows)
        return events, 0

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="times the demo villages play (default 4)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per path, taking turns (default 7)")
    parser.add_argument("--batch-size", type=int, default=export_read.BATCH_SIZE, help="events per read")
    parser.add_argument("--database-dir", type=Path, default=None, help="keep the SQLite file here")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.repeat < 1 or args.batch_size < 1:
        parser.error("--rounds, --repeat and --batch-size must be at least 1")
    os.environ.pop("DESA_VERIFY_STATE", None)

    base = Path(tempfile.mkdtemp(prefix="desa-bench-export-", dir=args.database_dir))
    path = base / "history.sqlite"
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    print(f"desa bench/export.py: {args.rounds} round(s) of the demo, batches of {args.batch_size}, {path}")
    print(f"machine: {info['cpus']} cpus, Python {info['python']}, SQLite {info['sqlite']}")
    paths: dict[str, Callable[[Engine, int], tuple[int, int]]] = {"read": read_only}
    paths.update({fmt: formatted(fmt) for fmt in export.FORMATS})
    paths["raw"] = raw_cursor(path)
    times: dict[str, list[float]] = {name: [] for name in paths}
    results: dict[str, tuple[int, int]] = {}
    db = Database(f"sqlite:///{path}")
    try:
        db.upgrade()
        engine = Engine(db)
        started = time.perf_counter()
        make_history(engine, args.rounds)
        print(f"history made by the engine in {time.perf_counter() - started:.1f} s")
        for name, run in paths.items():  # warm-up: caches, compiled statements
            results[name] = run(engine, args.batch_size)
        for _ in range(args.repeat):
            for name, run in paths.items():
                t0 = time.perf_counter()
                results[name] = run(engine, args.batch_size)
                times[name].append(time.perf_counter() - t0)
    finally:
        db.dispose()
        if args.database_dir is None:
            shutil.rmtree(base, ignore_errors=True)

    counts = {name: events for name, (events, _) in results.items()}
    if len(set(counts.values())) != 1:
        raise SystemExit(f"the paths read different numbers of events: {counts}")
    events = counts["read"]
    rate = {name: events / statistics.median(t) for name, t in times.items()}
    print(f"events: {events:,}; median of {args.repeat} runs per path\n")
    header = f"{'path':<8} {'seconds':>8} {'events/s':>10} {'vs read':>8} {'bytes/event':>12}"
    print(header)
    print("-" * len(header))
    for name in paths:
        size = results[name][1]
        per_event = f"{size / events:,.0f}" if size else ""
        print(
            f"{name:<8} {statistics.median(times[name]):>8.3f} {rate[name]:>10,.0f} "
            f"{rate[name] / rate['read']:>8.2f} {per_event:>12}"
        )
    print()
    if args.json is not None:
        payload: dict[str, Any] = {
            "command": "bench/export.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "events": events,
            "machine": info,
            "paths": {
                name: {
                    "seconds_median": round(statistics.median(times[name]), 4),
                    "events_per_second": round(rate[name]),
                    "vs_read": round(rate[name] / rate["read"], 3),
                    "bytes": results[name][1],
                }
                for name in paths
            },
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    for fmt in export.FORMATS:
        print(f"{fmt}_vs_read: {rate[fmt] / rate['read']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
