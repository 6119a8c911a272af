"""The measurements of bench/scale.py, on a database it loaded (bench/scale_load.py, bench/scale_clone.py).

- `latencies`: p50/p95/p99 of a callable over many calls;
- `Server`: the web app under waitress in a subprocess on 127.0.0.1 (a production WSGI server),
  with `signed_in` sessions (the CSRF token read from the sign-in form, as a browser does);
- `complete_under_load`: tasks completed through POST /api/v1/tasks/<id>/complete with bearer
  tokens by client threads, some tasks sent twice on purpose (the second must be a conflict);
- `sweep`: worker processes running `engine.timers.fire_due` until nothing is due;
- `verify_all`: processes verifying every given instance with `engine.verify.verify_instance`.

Run as a script, this module is the worker and verifier processes those functions start.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from engine.core import Engine
from engine.store.db import Database


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 and the mean, in milliseconds."""
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "mean": statistics.mean(ordered) * 1000,
        "n": len(ordered),
    }


def latencies(calls: list[Callable[[], Any]], warmup: int = 3) -> dict[str, float]:
    for call in calls[:warmup]:
        call()
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """`waitress-serve --call web:create_app` in a subprocess, on the bench's database."""

    def __init__(self, url: str, threads: int = 8) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DESA_DATABASE_URL": url,
            "DESA_SECRET_KEY": "bench-scale",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DESA_VERIFY_STATE", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "waitress",
                "--host=127.0.0.1",
                f"--port={self.port}",
                f"--threads={threads}",
                "--connection-limit=200",
                "--call",
                "web:create_app",
            ],
            env=env,
            cwd=str(ROOT),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                if requests.get(self.base + "/masuk", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the web server did not start")

    def signed_in(self, username: str, password: str) -> requests.Session:
        session = requests.Session()
        page = session.get(self.base + "/masuk").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        answer = session.post(
            self.base + "/masuk",
            data={"username": username, "password": password, "csrf_token": token},
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"could not sign in as {username}: {answer.status_code}")
        return session

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def page_calls(server: Server, sessions: list[requests.Session], paths: list[str]) -> list[Callable[[], Any]]:
    def call(s: requests.Session, path: str) -> Callable[[], Any]:
        def run() -> None:
            answer = s.get(server.base + path)
            if answer.status_code != 200:
                raise RuntimeError(f"GET {path}: {answer.status_code}")

        return run

    return [call(sessions[i % len(sessions)], path) for i, path in enumerate(paths)]


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def database_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (none for SQLite)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def children_of(parents: list[int]) -> list[int]:
    """The processes these started and that still run (a web process's sandbox processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid in parents:
                found.append(int(entry.name))
    return found


class CpuShare:
    """The machine's CPU seconds spent by each part of a measurement: this process (the bench's
    client threads), the web processes with the sandbox processes they started (scripts run
    there) and the database server, between `__init__` and `parts`. A process started meanwhile
    (a new connection's backend, a new sandbox process) counts from zero."""

    def __init__(self, servers: list[Server]) -> None:
        self.servers = [s.process.pid for s in servers]
        self.started_client = time.process_time()
        self.started_web = self._web()
        self.started_db = {pid: cpu_seconds(pid) for pid in database_pids()}

    def _web(self) -> dict[int, float]:
        return {pid: cpu_seconds(pid) for pid in [*self.servers, *children_of(self.servers)]}

    def parts(self) -> dict[str, float]:
        db = sum(cpu_seconds(pid) - self.started_db.get(pid, 0.0) for pid in database_pids())
        web = sum(now - self.started_web.get(pid, 0.0) for pid, now in self._web().items())
        return {"client": time.process_time() - self.started_client, "web": web, "database": db}


@dataclass
class LoadResult:
    latencies: dict[str, float]
    completed: int
    deliberate_conflicts: int
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # by part: client, web, database


def complete_under_load(
    servers: list[Server],
    work: list[tuple[str, str, dict[str, Any], bool]],
    clients: int,
    rate: float = 0.0,
) -> LoadResult:
    """POST every (task id, token, data, deliberate duplicate) with `clients` threads at once,
    the threads spread over the servers (web processes) in turn.

    With `rate` 0 each thread sends its next request as soon as its last one is answered (the
    most the servers can take: latency is then mostly waiting in line). With a rate, request k
    is due at k / rate seconds and its latency counts from then, so time spent waiting for a free
    client is counted too."""
    jobs: queue.Queue[tuple[int, tuple[str, str, dict[str, Any], bool]]] = queue.Queue()
    for k, item in enumerate(work):
        jobs.put((k, item))
    samples: list[float] = []
    outcomes: list[tuple[str, int, bool, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(server: Server) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        start.wait()
        while True:
            try:
                k, (task_id, token, data, duplicate) = jobs.get_nowait()
            except queue.Empty:
                break
            body = json.dumps(data).encode()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            began = time.perf_counter()
            if rate:
                due = first + k / rate
                if due > began:
                    time.sleep(due - began)
                began = due
            conn.request("POST", f"/api/v1/tasks/{task_id}/complete", body, headers)
            answer = conn.getresponse()
            text = answer.read().decode()
            took = time.perf_counter() - began
            with lock:
                samples.append(took)
                outcomes.append((task_id, answer.status, duplicate, text[:200]))
        conn.close()

    threads = [threading.Thread(target=client, args=(servers[n % len(servers)],)) for n in range(clients)]
    cpu = CpuShare(servers)
    began = first = time.perf_counter() + 0.05
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    cpu_seconds = cpu.parts()
    by_task: dict[str, list[int]] = {}
    errors = []
    for task_id, status, duplicate, text in outcomes:
        by_task.setdefault(task_id, []).append(status)
        if status not in (200, 409) or (status == 409 and not duplicate):
            errors.append(f"{task_id}: {status} {text}")
    conflicts = 0
    for task_id, statuses in by_task.items():
        if len(statuses) > 1:
            if sorted(statuses) != [200] + [409] * (len(statuses) - 1):
                errors.append(f"{task_id} sent {len(statuses)} times: {statuses}")
            conflicts += statuses.count(409)
    completed = sum(1 for s in by_task.values() if 200 in s)
    return LoadResult(percentiles(samples), completed, conflicts, errors, seconds, cpu_seconds)


def _spawn(args: list[str], url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DESA_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("DESA_VERIFY_STATE", None)
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args], env=env, stdout=subprocess.PIPE, text=True
    )


def _results(processes: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    found = []
    for p in processes:
        out, _ = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"a bench process failed ({p.returncode})")
        found.append(json.loads(out.strip().splitlines()[-1]))
    return found


def sweep(url: str, now: datetime, workers: int) -> dict[str, Any]:
    """`workers` processes each running fire_due until nothing is due; wall time from the first
    firing to the last (process start-up excluded) and in all."""
    began = time.perf_counter()
    results = _results([_spawn(["sweep", now.isoformat()], url) for _ in range(workers)])
    wall = time.perf_counter() - began
    first = min(r["started"] for r in results)
    last = max(r["ended"] for r in results)
    return {
        "fired": sum(r["fired"] for r in results),
        "per_worker": [r["fired"] for r in results],
        "seconds": last - first,
        "wall_seconds": wall,
    }


def verify_all(url: str, ids: list[int], processes: int) -> dict[str, Any]:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"desa-scale-verify-{os.getpid()}.json"
    path.write_text(json.dumps(ids))
    try:
        began = time.perf_counter()
        results = _results(
            [_spawn(["verify", str(path), str(k), str(processes)], url) for k in range(processes)]
        )
        wall = time.perf_counter() - began
    finally:
        path.unlink(missing_ok=True)
    first = min(r["started"] for r in results)
    last = max(r["ended"] for r in results)
    return {
        "instances": sum(r["instances"] for r in results),
        "events": sum(r["events"] for r in results),
        "failed": [f for r in results for f in r["failed"]],
        "seconds": last - first,
        "wall_seconds": wall,
    }


def _sweep_main(now_text: str) -> None:
    from engine.worker import timers

    engine = Engine(Database())
    now = datetime.fromisoformat(now_text)
    started = time.time()
    fired = 0
    while True:
        n = timers.fire_due(engine, now, limit=1_000_000)
        fired += n
        if n == 0 and timers.count_due(engine, now) == 0:
            break
        if n == 0:
            time.sleep(0.05)  # the rest is locked by the other worker
    print(json.dumps({"fired": fired, "started": started, "ended": time.time()}))


def _verify_main(path: str, k: int, of: int) -> None:
    from engine.history import verify

    engine = Engine(Database(), cache_size=0)
    ids = [i for n, i in enumerate(json.loads(Path(path).read_text())) if n % of == k]
    started = time.time()
    failed, events = [], 0
    for instance_id in ids:
        with engine.db.sessions() as session:
            check = verify.verify_instance(engine, session, instance_id)
        events += check.events
        if not check.ok:
            failed.append(f"{instance_id}: {check.kind} {check.message}")
    print(
        json.dumps(
            {
                "instances": len(ids),
                "events": events,
                "failed": failed,
                "started": started,
                "ended": time.time(),
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "sweep":
        _sweep_main(sys.argv[2])
    elif sys.argv[1] == "verify":
        _verify_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
