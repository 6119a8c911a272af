"""Task completion throughput: the engine against the naive way and against the floor, in one run.

    .venv/bin/python bench/steps.py [--instances N] [--database-dir DIR] [--json FILE] [--breakdown]

Every path completes the human tasks of the same process (bench/fixtures/processes/long.bpmn, 66
user tasks per run, made by bench/make_long_process.py) with the same data, the same SpiffWorkflow
script engine (`engine.spiff.SCRIPT_ENGINE`) and the same SQLite settings (`engine.db.make_engine`:
WAL, synchronous=NORMAL, BEGIN IMMEDIATE for writes), each on its own fresh database file:

engine  `runtime.start`, then `runtime.complete(...)` as the admin on the first task the previous
        step reports open, until none is: per completion one transaction that checks access and the
        form, runs the step, writes the state, the projections and the hash-chained audit event.
engine, no workflow cache
        the same with `Engine(db, cache_size=0)`: every step deserializes the stored state, as after
        a restart or when another process (worker, second web process) changed the instance last.
naive   per completion one transaction that reads the one row of the instance, deserializes the
        whole workflow with its spec (stock `BpmnWorkflowSerializer` with SPIFF_CONFIG), completes
        the task, serializes workflow + spec to one JSON text and UPDATEs the row. It gets its list
        of open tasks for free from the workflow it just wrote (no extra load per round).
floor   SpiffWorkflow alone, in memory (one workflow, never serialized), plus per completion one
        raw committed INSERT of a small event row. Naive and floor use SpiffWorkflow's own workflow
        class, which finds the tasks to run by walking its task trees; the engine's workflows answer
        the same from their task tables (`engine.spiff.stepping`), so part of the engine's lead over
        the floor is a cheaper SpiffWorkflow step. The last path shows how much:
in memory, stepped as the engine
        the floor with the engine's workflow class; `engine_vs_stepped_floor` is then the engine's
        rate against it: what storing every step costs, the step itself being the same.

Only the completion loops are timed (starting an instance is not). The paths take turns instance by
instance, so a noisy neighbour slows all of them alike; each first runs untimed warm-up instances.
Prints a table and ends with the lines `engine_vs_floor: F`, `engine_vs_naive: R` and (unless
--no-cold) `engine_cold_vs_floor: C`: the engine's completions per second divided by the floor's
and by the naive way's, and the engine's without its workflow cache divided by the floor's.

--breakdown then runs up to three more engine instances with timers around the engine's functions (wrapped
at run time, nothing edited) and prints where each completion's milliseconds go (self time).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import Connection  # noqa: E402
from sqlalchemy import Engine as SqlEngine  # noqa: E402

from bench.breakdown import breakdown  # noqa: E402
from bench.steps_report import machine, report  # noqa: E402
from engine import spiff
from engine.core import Engine
from engine.definitions import folder as definitions
from engine.definitions import registry
from engine.directory import users, villages
from engine.runtime import actions as runtime
from engine.store.db import Database, make_engine
from engine.views import queries

PROCESSES = Path(__file__).resolve().parent / "fixtures" / "processes"
PROCESS_ID = "siklus_desa"
VILLAGE = "15.01.01.2003"  # Lempur Mudik, Gunung Raya, Kerinci
ACTOR = "admin"
STEPPED_FLOOR = "in memory, stepped as the engine + 1 commit/step"
UPDATE_NAIVE = "UPDATE naive_instance SET state = ? WHERE id = ?"


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


def ready_human(workflow: Any) -> list[Any]:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def restored_spec() -> spiff.Spec:
    """The spec as the engine runs it: parsed, then round-tripped through its stored form."""
    bundle = definitions.load([PROCESSES])
    if not bundle.ok:
        raise SystemExit(f"{PROCESSES}: " + "; ".join(p.message for p in bundle.problems))
    return spiff.spec_from_dict(PROCESS_ID, spiff.spec_to_dict(bundle.specs[PROCESS_ID]))


def upstream_workflow(spec: spiff.Spec) -> Any:
    """A workflow of SpiffWorkflow's own class, as a program using the library directly makes it
    (the engine's steps from its task tables: `engine.spiff.stepping`)."""
    return BpmnWorkflow(spec.spec, spec.subprocess_specs, script_engine=spiff.SCRIPT_ENGINE)


def sqlite_engine(path: Path, ddl: str) -> SqlEngine:
    sa = make_engine(f"sqlite:///{path}")
    with write_transaction(sa) as conn:
        conn.exec_driver_sql(ddl)
    return sa


@contextmanager
def write_transaction(sa: SqlEngine) -> Iterator[Connection]:
    """A committed write transaction begun the way the engine begins its writes (engine.db takes
    the SQLite write lock at BEGIN, BEGIN IMMEDIATE, for connections marked desa_write)."""
    with sa.connect() as conn:
        conn.execution_options(desa_write=True)
        with conn.begin():
            yield conn


@dataclass
class BenchPath(ABC):
    """One way of doing the work: run_one() runs an instance to its end and returns the number of
    completions, and the seconds and CPU seconds its completion loop took."""

    name: str
    completions: int = 0
    seconds: float = 0.0
    cpu_seconds: float = (
        0.0  # this process's CPU time in the same loops: what a loaded machine barely changes
    )
    per_instance: list[int] = field(default_factory=list)
    bytes_per_step: list[int] = field(default_factory=list)

    @abstractmethod
    def run_one(self) -> tuple[int, float, float]: ...

    @abstractmethod
    def close(self) -> None: ...

    @property
    def per_second(self) -> float:
        return self.completions / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_second(self) -> float:
        return self.completions / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def ms_per_completion(self) -> float:
        return 1000 * self.seconds / self.completions if self.completions else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "completions": self.completions,
            "seconds": round(self.seconds, 4),
            "cpu_seconds": round(self.cpu_seconds, 4),
            "completions_per_second": round(self.per_second, 1),
            "ms_per_completion": round(self.ms_per_completion, 3),
            "per_instance": self.per_instance,
        }


class EnginePath(BenchPath):
    def __init__(self, name: str, folder: Path, cache_size: int | None = None) -> None:
        super().__init__(name)
        folder.mkdir(parents=True, exist_ok=True)
        db = Database(f"sqlite:///{folder / 'engine.sqlite'}")
        db.upgrade()
        self.engine = Engine(db) if cache_size is None else Engine(db, cache_size=cache_size)
        registry.deploy(db, [PROCESSES])
        with db.transaction() as session:
            villages.upsert(session, VILLAGE, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
            users.add(session, ACTOR, password="rahasia-admin", admin=True)

    def run_one(self) -> tuple[int, float, float]:
        engine = self.engine
        started = runtime.start(engine, PROCESS_ID, VILLAGE, ACTOR)
        done = 0
        t0, c0 = time.perf_counter(), time.process_time()
        pending = started.open_tasks
        while pending:
            # Each step answers with the tasks open after it, as the naive path reads its own.
            task = pending[0]
            pending = runtime.complete(engine, task.id, ACTOR, task_data(task.bpmn_id, task.name)).open_tasks
            done += 1
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        detail = queries.instance_detail(engine, started.instance_id)
        assert detail["status"] == "completed", f"instance ended {detail['status']}"
        self.bytes_per_step.append(detail["state_bytes"])
        return done, seconds, cpu

    def close(self) -> None:
        self.engine.db.dispose()


class NaivePath(BenchPath):
    def __init__(self, folder: Path, spec: spiff.Spec) -> None:
        super().__init__("naive (workflow + spec as one JSON per step)")
        folder.mkdir(parents=True, exist_ok=True)
        self.spec = spec
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.sa = sqlite_engine(
            folder / "naive.sqlite", "CREATE TABLE naive_instance (id INTEGER PRIMARY KEY, state TEXT)"
        )
        self.next_id = 0

    def load(self, conn: Any, instance_id: int) -> Any:
        sql = "SELECT state FROM naive_instance WHERE id = ?"
        workflow = self.serializer.deserialize_json(conn.exec_driver_sql(sql, (instance_id,)).scalar_one())
        workflow.script_engine = spiff.SCRIPT_ENGINE
        return workflow

    def run_one(self) -> tuple[int, float, float]:
        self.next_id += 1
        instance_id = self.next_id
        workflow = upstream_workflow(self.spec)
        spiff.run_engine(workflow)
        with write_transaction(self.sa) as conn:
            conn.exec_driver_sql(
                "INSERT INTO naive_instance (id, state) VALUES (?, ?)",
                (instance_id, self.serializer.serialize_json(workflow)),
            )
        done = 0
        t0, c0 = time.perf_counter(), time.process_time()
        while ready := [(t.id, t.task_spec.bpmn_id, t.task_spec.bpmn_name) for t in ready_human(workflow)]:
            for task_id, bpmn_id, name in ready:
                with write_transaction(self.sa) as conn:
                    workflow = self.load(conn, instance_id)
                    spiff.complete(workflow, workflow.get_task_from_id(task_id), task_data(bpmn_id, name))
                    blob = self.serializer.serialize_json(workflow)
                    conn.exec_driver_sql(UPDATE_NAIVE, (blob, instance_id))
                self.bytes_per_step.append(len(blob))
                done += 1
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert workflow.is_completed(), "naive instance did not complete"
        return done, seconds, cpu

    def close(self) -> None:
        self.sa.dispose()


class FloorPath(BenchPath):
    def __init__(self, folder: Path, spec: spiff.Spec, stepped: bool = False) -> None:
        super().__init__(STEPPED_FLOOR if stepped else "floor (SpiffWorkflow in memory + 1 commit/step)")
        folder.mkdir(parents=True, exist_ok=True)
        self.spec = spec
        self.make = spiff.new_workflow if stepped else upstream_workflow
        self.sa = sqlite_engine(
            folder / "floor.sqlite",
            "CREATE TABLE event (id INTEGER PRIMARY KEY, instance INTEGER, seq INTEGER, task TEXT, "
            "type TEXT)",
        )
        self.next_id = 0

    def run_one(self) -> tuple[int, float, float]:
        self.next_id += 1
        workflow = self.make(self.spec)
        spiff.run_engine(workflow)
        done = 0
        t0, c0 = time.perf_counter(), time.process_time()
        while ready := ready_human(workflow):
            for task in ready:
                spiff.complete(workflow, task, task_data(task.task_spec.bpmn_id, task.task_spec.bpmn_name))
                done += 1
                with write_transaction(self.sa) as conn:
                    conn.exec_driver_sql(
                        "INSERT INTO event (instance, seq, task, type) VALUES (?, ?, ?, ?)",
                        (self.next_id, done, str(task.id), "TASK_COMPLETED"),
                    )
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert workflow.is_completed(), "floor instance did not complete"
        return done, seconds, cpu

    def close(self) -> None:
        self.sa.dispose()


def run_all(paths: list[BenchPath], instances: int, warmup: int) -> None:
    """Instance by instance, every path in turn; the first `warmup` rounds are not counted."""
    for i in range(warmup + instances):
        for path in paths:
            gc.collect()
            done, seconds, cpu = path.run_one()
            if i >= warmup:
                path.completions += done
                path.seconds += seconds
                path.cpu_seconds += cpu
                path.per_instance.append(done)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=5, help="timed instances per path (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed instances per path first (default 1)")
    parser.add_argument(
        "--database-dir", type=Path, default=None, help="keep the SQLite files here (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    parser.add_argument("--no-cold", action="store_true", help="skip the engine without its workflow cache")
    parser.add_argument("--breakdown", action="store_true", help="also show where the engine's time goes")
    args = parser.parse_args(argv)
    if args.instances < 1 or args.warmup < 0:
        parser.error("--instances must be at least 1 and --warmup at least 0")
    os.environ.pop("DESA_FORMS_DIR", None)  # the fixture's own forms folder must apply

    if args.database_dir is not None:
        args.database_dir.mkdir(parents=True, exist_ok=True)
        base = Path(tempfile.mkdtemp(prefix="desa-bench-", dir=args.database_dir))
    else:
        base = Path(tempfile.mkdtemp(prefix="desa-bench-"))
    info = machine()
    print(
        f"desa bench/steps.py: process {PROCESS_ID}, {args.instances} timed instances per path "
        f"(+{args.warmup} warm-up), SQLite {info['sqlite']}, files in {base}"
    )
    print(f"machine: {info['cpus']} cpus, Python {info['python']}, {info['platform']}")
    paths: list[BenchPath] = []
    rows: list[tuple[str, float, float]] = []
    try:
        spec = restored_spec()
        engine = EnginePath("engine (desa, SQLite)", base / "engine")
        paths.append(engine)
        if not args.no_cold:
            paths.append(EnginePath("engine, no workflow cache (deserializes every step)", base / "cold", 0))
        naive = NaivePath(base / "naive", spec)
        floor = FloorPath(base / "floor", spec)
        paths += [naive, floor, FloorPath(base / "stepped", spec, stepped=True)]
        run_all(paths, args.instances, args.warmup)
        if args.breakdown:
            timed = EnginePath("engine (breakdown)", base / "breakdown")
            rows = breakdown(timed, max(1, min(args.instances, 3)))
    finally:
        for p in paths:
            p.close()
        if args.database_dir is None:
            shutil.rmtree(base, ignore_errors=True)

    command = "bench/steps.py " + " ".join(sys.argv[1:] if argv is None else argv)
    report(command, args, info, paths, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
