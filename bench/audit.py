"""Replay and verification of histories, against rebuilding the same instances from stored state.

    .venv/bin/python bench/audit.py [--repeat N] [--json FILE]

The history is made by the real engine: the demo (`engine.demo.run`: the 22 villages of the
2006-2009 table played forward to 2027-06-01, one of them through the whole program and a second
reflection cycle) on one SQLite file with the engine's settings. Then, taking turns `--repeat`
times, for the village that went through the whole program and for all demo villages:

load     the baseline: rebuild each instance from its stored state (`engine.steps.load_live`,
         what a step does when its workflow is not cached);
chain    walk the hash chain of each instance (`engine.verify.check_chain`), events already read;
replay   rebuild each instance from its history (`engine.replay.Replay.apply_all`);
verify   `engine.verify.verify_instance`: read the events, the chain, replay, and compare with the
         stored state, the status, the open tasks and the timers (what `desa audit verify` does
         per instance, without keeping the result).

Prints the median seconds of each, events/s, and each path's ratio to `load`; then the stored
size of the histories (SQLite's dbstat: the audit_event table and its index).
"""

from __future__ import annotations

import argparse
import json
import platform
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
from engine.history import replay, verify
from engine.runtime.step import load_live
from engine.store.db import Database
from engine.store.fastsql import Sql
from engine.store.models import Instance

TODAY = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
VILLAGES_CSV = ROOT / "processes" / "model_desa" / "desa-2006-2009.csv"


def median_seconds(run: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def paths(engine: Engine, ids: list[int]) -> dict[str, Callable[[], None]]:
    def load() -> None:
        with engine.db.sessions() as s:
            for i in ids:
                row = s.get(Instance, i)
                assert row is not None
                load_live(Sql.of(s), i, engine.specs.get(s, row.process_version_id).spec_for_instance())

    def chain() -> None:
        with engine.db.sessions() as s:
            for i in ids:
                row = s.get(Instance, i)
                assert row is not None
                assert verify.check_chain(replay.events_of(s, i), row.last_seq, row.last_hash) is None

    def rerun() -> None:
        with engine.db.sessions() as s:
            for i in ids:
                replay.Replay(replay.spec_source(engine, s)).apply_all(replay.events_of(s, i))

    def check() -> None:
        with engine.db.sessions() as s:
            for i in ids:
                assert verify.verify_instance(engine, s, i).ok

    return {"load": load, "chain": chain, "replay": rerun, "verify": check}


def history_bytes(path: Path) -> int:
    with sqlite3.connect(path) as c:
        found = c.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name = 'audit_event')"
        ).fetchone()
    return int(found[0] or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "audit.sqlite"
        db = Database(f"sqlite:///{db_path}")
        db.upgrade()
        engine = Engine(db)
        registry.deploy(db, [ROOT / "processes" / "model_desa"])
        loaded = demo.run(engine, VILLAGES_CSV, password="bench", today=TODAY)
        with db.sessions() as s:
            instances = list(s.query(Instance).order_by(Instance.id))
            events = {i.id: i.last_seq for i in instances}
        finished_code = next(
            code for code, _, where in loaded.villages if where.startswith("program selesai")
        )
        full = [i.id for i in instances if i.village_code == finished_code]
        scopes = {"one full-program village": full, "all demo villages": [i.id for i in instances]}
        results: dict[str, Any] = {"machine": platform.processor() or platform.machine(), "scopes": {}}
        for label, ids in scopes.items():
            runs = paths(engine, ids)
            for run in runs.values():  # warm the spec cache and SQLite's pages
                run()
            count = sum(events[i] for i in ids)
            timed = {name: median_seconds(run, args.repeat) for name, run in runs.items()}
            print(f"\n{label}: {len(ids)} instance(s), {count} events (median of {args.repeat})")
            print(f"{'path':<8} {'seconds':>9} {'events/s':>10} {'vs load':>8}")
            for name, seconds in timed.items():
                print(f"{name:<8} {seconds:>9.4f} {count / seconds:>10,.0f} {seconds / timed['load']:>8.2f}")
            results["scopes"][label] = {"instances": len(ids), "events": count, "seconds": timed}
        size = history_bytes(db_path)
        total = sum(events.values())
        full_events = sum(events[i] for i in full)
        per_village = size / total * full_events / 1024
        print(
            f"\nstored history: {size:,} bytes for {total} events ({size / total:,.0f} bytes/event); "
            f"the full-program village's {full_events} events: about {per_village:,.0f} KiB"
        )
        results["history_bytes"] = {"total": size, "events": total, "per_event": size / total}
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
