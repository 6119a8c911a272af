"""bench/steps.py's report: the table, the ratios (wall clock and CPU time) and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from argparse import Namespace
from typing import Any, Protocol


class Timed(Protocol):
    """What the report reads of a bench path (bench.steps.BenchPath)."""

    name: str
    completions: int
    seconds: float
    per_instance: list[int]
    bytes_per_step: list[int]

    @property
    def per_second(self) -> float: ...

    @property
    def cpu_per_second(self) -> float: ...

    @property
    def ms_per_completion(self) -> float: ...

    def to_json(self) -> dict[str, Any]: ...


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def print_table(paths: list[Timed]) -> None:
    header = f"{'path':<52} {'tasks':>6} {'seconds':>8} {'completions/s':>14} {'ms/completion':>14}"
    print(header)
    print("-" * len(header))
    for p in paths:
        rate, ms = p.per_second, p.ms_per_completion
        print(f"{p.name:<52} {p.completions:>6} {p.seconds:>8.2f} {rate:>14.1f} {ms:>14.2f}")


def mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def named(paths: list[Timed], start: str) -> Timed:
    return next(p for p in paths if p.name.startswith(start))


def ratios(paths: list[Timed], of: str) -> dict[str, float]:
    """engine_vs_floor, engine_vs_naive and engine_cold_vs_floor, of completions per wall-clock
    second (`per_second`) or per CPU second (`cpu_per_second`)."""
    engine, naive, floor = paths[0], named(paths, "naive"), named(paths, "floor")
    cold = next((p for p in paths if p.name.startswith("engine, no workflow cache")), None)

    def rate(p: Timed) -> float:
        return float(getattr(p, of))

    found = {"engine_vs_floor": rate(engine) / rate(floor), "engine_vs_naive": rate(engine) / rate(naive)}
    if cold is not None:
        found["engine_cold_vs_floor"] = rate(cold) / rate(floor)
    stepped = next((p for p in paths if p.name.startswith("in memory, stepped")), None)
    if stepped is not None:
        found["engine_vs_stepped_floor"] = rate(engine) / rate(stepped)
    return {k: round(v, 2) for k, v in found.items()}


def report(command: str, args: Namespace, info: dict[str, Any], paths: list[Timed], rows: list[Any]) -> None:
    counts = {p.name: sorted(set(p.per_instance)) for p in paths}
    if len({tuple(c) for c in counts.values()}) != 1:
        raise SystemExit(f"the paths completed different numbers of tasks per instance: {counts}")
    per_instance = paths[0].per_instance[0]
    engine, naive = paths[0], named(paths, "naive")
    print(f"user tasks completed per instance: {per_instance}")
    print(
        f"state written per step: naive {mean(naive.bytes_per_step):,.0f} bytes of JSON (workflow + spec); "
        f"engine {mean(engine.bytes_per_step):,.0f} bytes stored in all at the end "
        "(no spec; each step rewrites only the tasks it changed) "
        "+ projections + event"
    )
    if rows:
        print()
        total = sum(r[1] for r in rows)
        print(f"where an engine completion's time goes (CPU self time, {total:.2f} ms in all):")
        for label, ms, calls in rows:
            print(f"  {label:<66} {ms:6.3f} ms  {calls:4.1f} calls")
    print()
    print_table(paths)
    print()
    wall, cpu = ratios(paths, "per_second"), ratios(paths, "cpu_per_second")
    if args.json is not None:
        payload = {
            "command": command,
            "process": "siklus_desa",
            "tasks_per_instance": per_instance,
            "instances": args.instances,
            "warmup": args.warmup,
            "machine": info,
            "paths": [p.to_json() for p in paths],
            "breakdown_ms_per_completion": [
                {"what": label, "ms": round(ms, 3), "calls": round(calls, 2)} for label, ms, calls in rows
            ],
            **wall,
            "cpu_vs_floor": cpu,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    for name, value in wall.items():
        print(f"{name}: {value:.2f}")
    print("in CPU time (this process's): " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()))
