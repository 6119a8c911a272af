"""Task completion throughput: the engine against the naive way and against the floor, in one run.

    .venv/bin/python bench/steps.py [--instances N] [--database-dir DIR] [--json FILE]

Every path completes the human tasks of the same process (bench/fixtures/processes/long.bpmn, 66
user tasks per run, made by bench/make_long_process.py) with the same data, the same SpiffWorkflow
script engine (`engine.spiff.SCRIPT_ENGINE`) and the same SQLite settings (`engine.db.make_engine`:
WAL, synchronous=NORMAL, BEGIN IMMEDIATE), each on a fresh database file:

engine  `runtime.start`, then `queries.tasks(instance_id=...)` and `runtime.complete(...)` as the
        admin until no task is open: per completion one transaction that checks access and the
        form, runs the step, writes the state, the projections and the hash-chained audit event.
engine, no workflow cache
        the same with `Engine(db, cache_size=0)`: every step deserializes the stored state, as after
        a restart or when another process (worker, second web process) changed the instance last.
naive   per completion one transaction that reads the one row of the instance, deserializes the
        whole workflow with its spec (stock `BpmnWorkflowSerializer` with SPIFF_CONFIG), completes
        the task, serializes workflow + spec to one JSON text and UPDATEs the row. It gets its list
        of open tasks for free from the workflow it just wrote (no extra load per round).
floor   SpiffWorkflow alone, in memory (one workflow, never serialized), plus per completion one
        raw committed INSERT of a small event row.

Only the completion loop is timed (the start of each instance is not); a warm-up instance per path
runs first, untimed. Prints a table and ends with the lines `engine_vs_floor: F` and
`engine_vs_naive: R` (engine completions/s divided by the floor's and by the naive way's).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import Engine as SqlEngine  # noqa: E402

from engine import definitions, queries, registry, runtime, spiff, users, villages  # noqa: E402
from engine.db import Database, make_engine  # noqa: E402
from engine.models import Instance  # noqa: E402
from engine.steps import Engine  # noqa: E402

PROCESSES = Path(__file__).resolve().parent / "fixtures" / "processes"
PROCESS_ID = "siklus_desa"
VILLAGE = "15.01.01.2003"  # Lempur Mudik, Gunung Raya, Kerinci
ACTOR = "admin"


def task_data(bpmn_id: str, name: str) -> dict[str, Any]:
    """What a person submits for a task: the form's fields plus one field of the task's own, so the
    workflow data grows along the run as it does in real use. Fixed per task, so every path takes
    the same branches (skor 14 -> intensif; kategori berkembang) and completes the same 66 tasks."""
    data: dict[str, Any] = {
        "jumlah": 12,
        "catatan": f"{name}: selesai sesuai rencana, tanpa kendala berarti.",
        "tanggal": "2025-03-01",
        f"hasil_{bpmn_id}": "selesai",
    }
    if bpmn_id == "penilaian_kerentanan":
        data["jumlah_kk_rentan"] = 7
    if bpmn_id == "penetapan_kategori":
        data["kategori"] = "berkembang"
    return data


@dataclass
class PathResult:
    name: str
    completions: int = 0
    seconds: float = 0.0
    per_instance: list[int] = field(default_factory=list)
    bytes_written_per_step: float | None = None

    @property
    def per_second(self) -> float:
        return self.completions / self.seconds if self.seconds else 0.0

    @property
    def ms_per_completion(self) -> float:
        return 1000 * self.seconds / self.completions if self.completions else 0.0


def timed_instances(
    result: PathResult, instances: int, warmup: int, run_one: Callable[[], tuple[int, float]]
) -> PathResult:
    """Run `warmup` untimed instances, then `instances` timed ones; run_one returns its completions
    and the seconds its completion loop took."""
    for i in range(warmup + instances):
        gc.collect()
        done, seconds = run_one()
        if i >= warmup:
            result.completions += done
            result.seconds += seconds
            result.per_instance.append(done)
    return result


def ready_human(workflow: Any) -> list[Any]:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


# --- engine ------------------------------------------------------------------------------------


def setup_engine(folder: Path, cache_size: int | None) -> Engine:
    db = Database(f"sqlite:///{folder / 'engine.sqlite'}")
    db.upgrade()
    engine = Engine(db) if cache_size is None else Engine(db, cache_size=cache_size)
    registry.deploy(db, [PROCESSES])
    with db.transaction() as session:
        villages.upsert(session, VILLAGE, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        users.add(session, ACTOR, password="rahasia-admin", admin=True)
    return engine


def bench_engine(name: str, folder: Path, instances: int, warmup: int, cache_size: int | None) -> PathResult:
    folder.mkdir(parents=True, exist_ok=True)
    engine = setup_engine(folder, cache_size)
    result = PathResult(name)
    state_bytes: list[int] = []

    def run_one() -> tuple[int, float]:
        started = runtime.start(engine, PROCESS_ID, VILLAGE, ACTOR)
        done = 0
        t0 = time.perf_counter()
        while rows := queries.tasks(engine, instance_id=started.instance_id):
            for row in rows:
                runtime.complete(engine, row.id, ACTOR, task_data(row.bpmn_id, row.name))
                done += 1
        seconds = time.perf_counter() - t0
        with engine.db.sessions() as session:
            row = session.get(Instance, started.instance_id)
            assert row is not None and row.status == "completed", f"instance ended {row and row.status}"
            state_bytes.append(len(row.state))
        return done, seconds

    timed_instances(result, instances, warmup, run_one)
    result.bytes_written_per_step = sum(state_bytes) / len(state_bytes)  # final state, compressed
    engine.db.dispose()
    return result


# --- SpiffWorkflow alone -----------------------------------------------------------------------


def restored_spec() -> spiff.Spec:
    """The spec as the engine runs it: parsed, then round-tripped through the stored form."""
    bundle = definitions.load([PROCESSES])
    if not bundle.ok:
        raise SystemExit(f"{PROCESSES}: " + "; ".join(p.message for p in bundle.problems))
    return spiff.spec_from_dict(PROCESS_ID, spiff.spec_to_dict(bundle.specs[PROCESS_ID]))


def sqlite_engine(path: Path, ddl: str) -> SqlEngine:
    sa = make_engine(f"sqlite:///{path}")
    with sa.begin() as conn:
        conn.exec_driver_sql(ddl)
    return sa


def bench_naive(folder: Path, instances: int, warmup: int) -> PathResult:
    folder.mkdir(parents=True, exist_ok=True)
    spec = restored_spec()
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    sa = sqlite_engine(folder / "naive.sqlite", "CREATE TABLE naive_instance (id INTEGER PRIMARY KEY, state TEXT)")
    result = PathResult("naive (workflow + spec as one JSON per step)")
    written: list[int] = []
    counter = iter(range(1, 1_000_000))

    def load(conn: Any, instance_id: int) -> Any:
        blob = conn.exec_driver_sql("SELECT state FROM naive_instance WHERE id = ?", (instance_id,)).scalar_one()
        workflow = serializer.deserialize_json(blob)
        workflow.script_engine = spiff.SCRIPT_ENGINE
        return workflow

    def run_one() -> tuple[int, float]:
        instance_id = next(counter)
        workflow = spiff.new_workflow(spec)
        spiff.run_engine(workflow)
        with sa.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO naive_instance (id, state) VALUES (?, ?)", (instance_id, serializer.serialize_json(workflow))
            )
        done = 0
        t0 = time.perf_counter()
        ready = [(t.id, t.task_spec.bpmn_id, t.task_spec.bpmn_name) for t in ready_human(workflow)]
        while ready:
            for task_id, bpmn_id, name in ready:
                with sa.begin() as conn:
                    workflow = load(conn, instance_id)
                    task = workflow.get_task_from_id(task_id)
                    spiff.complete(workflow, task, task_data(bpmn_id, name))
                    blob = serializer.serialize_json(workflow)
                    conn.exec_driver_sql("UPDATE naive_instance SET state = ? WHERE id = ?", (blob, instance_id))
                written.append(len(blob.encode("utf-8")))
                done += 1
            ready = [(t.id, t.task_spec.bpmn_id, t.task_spec.bpmn_name) for t in ready_human(workflow)]
        seconds = time.perf_counter() - t0
        assert workflow.is_completed(), "naive instance did not complete"
        return done, seconds

    timed_instances(result, instances, warmup, run_one)
    result.bytes_written_per_step = sum(written) / len(written)
    sa.dispose()
    return result


def bench_floor(folder: Path, instances: int, warmup: int) -> PathResult:
    folder.mkdir(parents=True, exist_ok=True)
    spec = restored_spec()
    sa = sqlite_engine(
        folder / "floor.sqlite",
        "CREATE TABLE event (id INTEGER PRIMARY KEY, instance INTEGER, seq INTEGER, task TEXT, type TEXT)",
    )
    result = PathResult("floor (SpiffWorkflow in memory + 1 commit/step)")
    counter = iter(range(1, 1_000_000))

    def run_one() -> tuple[int, float]:
        instance_id = next(counter)
        workflow = spiff.new_workflow(spec)
        spiff.run_engine(workflow)
        done = 0
        t0 = time.perf_counter()
        while ready := ready_human(workflow):
            for task in ready:
                spiff.complete(workflow, task, task_data(task.task_spec.bpmn_id, task.task_spec.bpmn_name))
                done += 1
                with sa.begin() as conn:
                    conn.exec_driver_sql(
                        "INSERT INTO event (instance, seq, task, type) VALUES (?, ?, ?, ?)",
                        (instance_id, done, str(task.id), "TASK_COMPLETED"),
                    )
        seconds = time.perf_counter() - t0
        assert workflow.is_completed(), "floor instance did not complete"
        return done, seconds

    timed_instances(result, instances, warmup, run_one)
    result.bytes_written_per_step = None
    sa.dispose()
    return result


# --- report ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def print_table(results: list[PathResult]) -> None:
    header = f"{'path':<52} {'tasks':>6} {'seconds':>8} {'completions/s':>14} {'ms/completion':>14}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.name:<52} {r.completions:>6} {r.seconds:>8.2f} {r.per_second:>14.1f} {r.ms_per_completion:>14.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=5, help="timed instances per path (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed instances per path first (default 1)")
    parser.add_argument(
        "--database-dir", type=Path, default=None, help="where the SQLite files go (kept); default a temp dir"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    parser.add_argument(
        "--no-cold", action="store_true", help="skip the extra engine run without its workflow cache"
    )
    args = parser.parse_args(argv)
    if args.instances < 1:
        parser.error("--instances must be at least 1")
    os.environ.pop("DESA_FORMS_DIR", None)  # the fixture's forms folder must apply

    if args.database_dir is not None:
        args.database_dir.mkdir(parents=True, exist_ok=True)
        base = Path(tempfile.mkdtemp(prefix="desa-bench-", dir=args.database_dir))
    else:
        base = Path(tempfile.mkdtemp(prefix="desa-bench-"))
    info = machine()
    print(
        f"desa bench/steps.py: process {PROCESS_ID}, {args.instances} timed instances per path "
        f"(+{args.warmup} warm-up), SQLite {info['sqlite']} files in {base}"
    )
    print(f"machine: {info['cpus']} cpus, Python {info['python']}, {info['platform']}")
    try:
        floor = bench_floor(base / "floor", args.instances, args.warmup)
        naive = bench_naive(base / "naive", args.instances, args.warmup)
        engine = bench_engine("engine (desa, SQLite)", base / "engine", args.instances, args.warmup, None)
        results = [engine]
        if not args.no_cold:
            results.append(
                bench_engine(
                    "engine, no workflow cache (deserializes every step)",
                    base / "engine-cold",
                    args.instances,
                    args.warmup,
                    0,
                )
            )
        results += [naive, floor]
    finally:
        if args.database_dir is None:
            shutil.rmtree(base, ignore_errors=True)

    counts = {r.name: sorted(set(r.per_instance)) for r in results}
    if len({tuple(c) for c in counts.values()}) != 1:
        raise SystemExit(f"the paths completed different numbers of tasks per instance: {counts}")
    per_instance = results[0].per_instance[0]
    print(f"user tasks completed per instance: {per_instance}")
    print(
        f"bytes written per step: naive {naive.bytes_written_per_step or 0:,.0f} (JSON, workflow + spec); "
        f"engine state at the end {engine.bytes_written_per_step or 0:,.0f} (zlib JSON, no spec) "
        f"+ projections + audit row"
    )
    print()
    print_table(results)
    print()
    f_ratio = engine.per_second / floor.per_second
    r_ratio = engine.per_second / naive.per_second
    if args.json is not None:
        payload = {
            "process": PROCESS_ID,
            "tasks_per_instance": per_instance,
            "instances": args.instances,
            "warmup": args.warmup,
            "machine": info,
            "paths": [
                {**asdict(r), "completions_per_second": r.per_second, "ms_per_completion": r.ms_per_completion}
                for r in results
            ],
            "engine_vs_floor": round(f_ratio, 2),
            "engine_vs_naive": round(r_ratio, 2),
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    print(f"engine_vs_floor: {f_ratio:.2f}")
    print(f"engine_vs_naive: {r_ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
