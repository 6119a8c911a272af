"""The table bench/scale.py prints, and the figures of a completion run it is made from."""

from __future__ import annotations

import argparse
from typing import Any


def completion_figures(
    result: Any, sent: int, args: argparse.Namespace, servers: list[Any]
) -> dict[str, Any]:
    return {
        **result.latencies,
        "completed": result.completed,
        "deliberate_conflicts": result.deliberate_conflicts,
        "errors": result.errors[:20],
        "error_count": len(result.errors),
        "per_second": sent / result.seconds,
        "clients": args.clients,
        "web_processes": len(servers),
        # the machine's CPU per request sent, by part (client threads, web processes, database)
        "cpu_ms_per_request": {part: 1000 * sec / sent for part, sec in result.cpu_seconds.items()},
    }


def cpu_parts(c: dict[str, Any]) -> str:
    parts = c["cpu_ms_per_request"]
    each = " / ".join(f"{parts[k]:.1f}" for k in ("client", "web", "database"))
    return f"{each} ms ({sum(parts.values()):.1f})"


def print_table(r: dict[str, Any]) -> None:
    rows: list[tuple[str, str, str]] = []

    def ms(d: dict[str, float]) -> str:
        return f"p50 {d['p50']:.1f}  p95 {d['p95']:.1f}  p99 {d['p99']:.1f} ms"

    rows.append(
        (
            "load (villages, staff, instances)",
            f"{r['load']['seconds']:.0f} s ({r['load']['instances']:,} instances)",
            "< 1200 s",
        )
    )
    rows.append(("database per village", f"{r['size']['bytes_per_village'] / 1024:.0f} KiB", ""))
    rows.append(
        (
            "stored state per running village (median)",
            f"{r['size']['state_median_bytes'] / 1024:.1f} KiB",
            "< 30 KiB",
        )
    )
    for role, d in r["inbox_engine"].items():
        rows.append((f"inbox query, {role} ({r['inbox_rows'][role]:.0f} rows)", ms(d), "p95 < 25 ms"))
    for role, d in r.get("inbox_page", {}).items():
        rows.append((f"GET / (inbox page), {role}", ms(d), "p95 < 25 ms"))
    if "village_page" in r:
        rows.append(("GET /desa/<code>", ms(r["village_page"]), "p95 < 50 ms"))
        rows.append(("GET /dasbor", ms(r["dashboard"]), ""))
        c = r["complete_api"]
        rows.append(
            (
                f"POST complete, {c['clients']} clients, {c['web_processes']} web processes",
                f"p50 {c['p50']:.0f}  p95 {c['p95']:.0f} ms, {c['per_second']:.0f}/s, {c['completed']} done, "
                f"{c['deliberate_conflicts']} deliberate conflicts, {c['error_count']} errors",
                "p95 < 100 ms, 0 errors",
            )
        )
        if c.get("cpu_ms_per_request"):
            rows.append(("  CPU per request: client / web / database", cpu_parts(c), ""))
    if "complete_api_paced" in r:
        c = r["complete_api_paced"]
        rows.append(
            (
                f"POST complete, {c['rate']:.0f}/s sent by {c['clients']} clients",
                f"p50 {c['p50']:.0f}  p95 {c['p95']:.0f} ms, {c['completed']} done, "
                f"{c['deliberate_conflicts']} deliberate conflicts, {c['error_count']} errors",
                "",
            )
        )
    for label in ("1 worker", "2 workers"):
        s = r[f"sweep {label}"]
        rows.append(
            (
                f"timer sweep, {label}",
                f"{s['month3_fired']:,}/{s['timers']:,} in {s['seconds']:.1f} s ({s['per_second']:.0f}/s), "
                f"{s['fired_twice']} fired twice",
                "all in < 180 s, once each" if label == "2 workers" else "",
            )
        )
    o = r["one_village"]
    rows.append(
        (
            "replay / verify, one village",
            f"{o['replay_ms']:.0f} / {o['verify_ms']:.0f} ms ({o['events']} events)",
            "",
        )
    )
    v = r["verify_all"]
    rows.append(
        (
            "verify villages" + ("" if v["instances"] == v["of"] else f" (a sample of {v['of']:,})"),
            f"{v['instances']:,} in {v['seconds']:.0f} s ({v['instances'] / max(v['seconds'], 1e-9):.0f}/s, "
            f"{v['events'] / max(v['seconds'], 1e-9):,.0f} events/s), {len(v['failed'])} failed",
            "",
        )
    )
    rows.append(("the whole bench", f"{r['seconds'] / 60:.1f} min", "< 60 min"))
    width = max(len(a) for a, _, _ in rows)
    print(
        f"\n{r['villages']:,} villages on {r['database']} ({r['machine']}); "
        f"load average {r['load_average_start'][0]:.1f} -> {r['load_average_end'][0]:.1f}"
    )
    for a, b, c in rows:
        print(f"{a:<{width}}  {b:<70}  {c}")
