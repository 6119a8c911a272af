"""Real processes for the reliability tests: `desa` commands, a server or a worker that can be
SIGKILLed and started again, and a small JSON client for the API (standard library only).

Every process talks to 127.0.0.1 only and runs in a folder of its own (the `instance/` files
`desa demo` and `desa serve` write land there, not in the working tree).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DESA = [sys.executable, "-m", "engine.cli.main"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(url: str, check_state: bool = True) -> dict[str, str]:
    """The environment of a `desa` process; without `check_state`, steps do not re-read what they
    stored (DESA_VERIFY_STATE, which the tests set), for set-up that is not under test."""
    env = dict(os.environ, DESA_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    if not check_state:
        env.pop("DESA_VERIFY_STATE", None)
    return env


def desa(url: str, cwd: Path, *args: str, timeout: float = 300, check_state: bool = True) -> str:
    """Run one `desa` command to its end; its output, or an AssertionError naming what it said."""
    env = env_for(url, check_state)
    done = subprocess.run([*DESA, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"desa {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


@dataclass
class Reply:
    status: int
    body: Any


def call(port: int, method: str, path: str, token: str, body: Any = None, timeout: float = 30) -> Reply:
    """One HTTP request to the API on 127.0.0.1; connection failures raise OSError."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    except http.client.HTTPException as err:  # a reply cut off by a killed server
        raise ConnectionError(f"{type(err).__name__}: {err}") from err
    finally:
        conn.close()
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = raw.decode("utf-8", "replace")
    return Reply(response.status, decoded)


class Service:
    """A long-running `desa` process (serve or worker) that can be killed and started again."""

    def __init__(self, name: str, args: list[str], url: str, cwd: Path, port: int | None = None) -> None:
        self.name, self.args, self.url, self.cwd, self.port = name, args, url, cwd, port
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.log = cwd / f"{name}.log"

    def start(self, ready_timeout: float = 60) -> None:
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts + 1}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [*DESA, *self.args], cwd=self.cwd, env=env_for(self.url), stdout=log, stderr=log
            )
        self.starts += 1
        if self.port is not None:
            self._wait_http(ready_timeout)

    def _wait_http(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited {self.process.returncode}; see {self.log}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not answer on port {self.port} within {timeout} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, wherever the process is: no handler runs, nothing is flushed or rolled back."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
