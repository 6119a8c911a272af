"""A few long-lived sandbox processes (`engine.sandbox.worker`) that run scripts and expressions,
each stopped by the engine at a wall-clock deadline and by the kernel at its CPU and memory limits.

`run(kind, source, context, extra)` takes an idle process (or starts one, up to DESA_SANDBOX_PROCESSES,
default 4; past that a caller waits for one to come free), sends it the request and waits at most
the time budget (plus GRACE_SECONDS) for the answer. A process that overruns, or ends (the kernel
stopped it), is killed and forgotten; the next request starts a fresh one. The answer is read
with an unpickler that builds nothing but plain data and dates, and checked again by `engine.sandbox.shape`: a
process that a script had somehow taken over could still send no more than data.

Settings: DESA_SANDBOX_MEMORY_MB (address space of one process, default 1024),
DESA_SANDBOX_PROCESSES (how many at most, default 4).
"""

from __future__ import annotations

import atexit
import builtins
import io
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from engine.sandbox import guard, shape
from engine.sandbox.worker import HEADER

ROOT = Path(__file__).resolve().parents[2]
GRACE_SECONDS = 0.5  # past the budget, for the process's own budget to answer before it is killed
MAX_REPLY_BYTES = 256 * 1024 * 1024
ENDED = "stopped: it used more time or memory than scripts may use"
STARTLESS = "the sandbox process could not run it; see the server's log"


def _setting(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


class _DataUnpickler(pickle.Unpickler):
    """Builds plain containers and scalars, and the date and time types; nothing else."""

    ALLOWED = {("datetime", n) for n in ("date", "datetime", "time", "timedelta", "timezone")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not data")


class _Overrun(Exception):
    pass


class _Ended(Exception):
    returncode: int | None = None  # how the process ended: -SIGXCPU, -SIGKILL, or a start that failed


class SandboxProcess:
    def __init__(self, memory_mb: int) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "engine.sandbox.worker", str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # a process that cannot start says why in the server's log (then it is quiet)
            env=env,
            cwd=ROOT,
            start_new_session=True,  # a signal to the server's group does not reach it mid-request
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.requests, self.replies = self.proc.stdin.fileno(), self.proc.stdout.fileno()

    def send(self, body: bytes) -> None:
        os.write(self.requests, HEADER.pack(len(body)))
        view = memoryview(body)
        while view:
            view = view[os.write(self.requests, view) :]

    def receive(self, deadline: float) -> bytes:
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline))
        if size > MAX_REPLY_BYTES:
            raise _Ended
        return self._read(size, deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        chunks, got = [], 0
        while got < size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                raise _Overrun
            chunk = os.read(self.replies, min(size - got, 1 << 20))
            if not chunk:
                raise _Ended
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


class Pool:
    def __init__(self, size: int, memory_mb: int) -> None:
        self.size, self.memory_mb = max(1, size), memory_mb
        self.idle: list[SandboxProcess] = []
        self.count = 0
        self.ready = threading.Condition()
        self.pid = os.getpid()

    def _take(self) -> SandboxProcess:
        with self.ready:
            if self.pid != os.getpid():  # a forked child: its parent's processes are not its own
                self.idle, self.count, self.pid = [], 0, os.getpid()
            while not self.idle and self.count >= self.size:
                self.ready.wait()
            if self.idle:
                return self.idle.pop()
            self.count += 1
        try:
            return SandboxProcess(self.memory_mb)
        except BaseException:
            self._forget()
            raise

    def _forget(self) -> None:
        with self.ready:
            self.count -= 1
            self.ready.notify()

    def _sent(self, body: bytes) -> SandboxProcess:
        """A process that took the request; one that had ended meanwhile (its pipe broken before
        the code could run) is replaced once."""
        tries = 2
        while True:
            process = self._take()
            try:
                process.send(body)
                return process
            except OSError:
                process.kill()
                self._forget()
                tries -= 1
                if not tries:
                    raise

    def call(self, body: bytes, seconds: float) -> bytes:
        process = self._sent(body)
        try:
            reply = process.receive(time.monotonic() + seconds)
        except BaseException as err:
            process.kill()
            self._forget()
            if isinstance(err, _Ended):
                err.returncode = process.proc.returncode
            raise
        with self.ready:
            self.idle.append(process)
            self.ready.notify()
        return reply

    def close(self) -> None:
        with self.ready:
            idle, self.idle = self.idle, []
            self.count -= len(idle)
        if self.pid == os.getpid():
            for process in idle:
                process.kill()


_POOL = Pool(_setting("DESA_SANDBOX_PROCESSES", 4), _setting("DESA_SANDBOX_MEMORY_MB", 1024))
atexit.register(_POOL.close)


def _rebuilt(name: str, args: tuple[Any, ...], text: str) -> Exception:
    """The code's own error, as the same builtin class where there is one (so messages and hints
    built from it read as before), else as a SandboxError naming it."""
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and not issubclass(cls, OSError):
        try:
            return cls(*args)
        except Exception:  # noqa: S110 - a class whose arguments do not rebuild it: named below
            pass
    return guard.SandboxError(f"{name}: {text}")


def run(kind: str, source: str, context: dict[str, Any], extra: dict[str, Any]) -> Any:
    """Run `source` in a sandbox process: "eval" (its value), "exec" (what the script changed in
    the data: the names it assigned or changed, with their values, and the names it deleted) or
    "match" (whether the regular expression `source` matches `context["text"]`)."""
    seconds = guard.TIME_BUDGET_SECONDS
    try:
        body = pickle.dumps((kind, source, context, extra, seconds), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:
        raise guard.SandboxError(f"the task's data cannot be given to the script ({err})") from None
    try:
        reply = _POOL.call(body, seconds + GRACE_SECONDS)
    except _Overrun:
        raise guard.SandboxError(f"stopped after running longer than {seconds:g} s") from None
    except _Ended as ended:
        if ended.returncode is not None and ended.returncode > 0:  # it never ran the code
            raise guard.SandboxError(f"{STARTLESS} (exit status {ended.returncode})") from None
        raise guard.SandboxError(ENDED) from None
    except OSError as err:
        raise guard.SandboxError(f"{STARTLESS} ({err})") from None
    try:
        answer = _DataUnpickler(io.BytesIO(reply)).load()
        if answer[0] == "ok":
            value = answer[1]
            if kind == "exec":  # what the script changed, and the names it deleted
                changed, deleted = value
                if not isinstance(changed, dict) or not all(isinstance(k, str) for k in deleted):
                    raise TypeError("a script's answer is its changed names and its deleted ones")
                shape.check(changed, "the script's data")  # the sandbox process checked all of it
                return changed, deleted
            shape.check(value, "the expression's value")
            return value
    except (pickle.UnpicklingError, shape.ShapeError, IndexError, TypeError, ValueError) as err:
        raise guard.SandboxError(f"the script's answer was refused: {err}") from None
    if answer[0] == "refused":
        raise guard.SandboxError(str(answer[1]))
    raise _rebuilt(str(answer[1]), tuple(answer[2]), str(answer[3]))
