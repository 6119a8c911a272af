"""The sandbox process: runs scripts and expressions under limits the operating system enforces.

Started by `engine.sandbox.pool` as `python -m engine.sandbox.worker MEMORY_MB`, it first limits
itself (address space, files it may write, processes it may start) and then answers requests read
from its standard input, one at a time: a frame is 4 bytes of length and a pickle. Each request
runs through `engine.sandbox.guard` (RestrictedPython and its time budget, as before) with a CPU
time limit set just above the budget, so code that switches the budget off, or spends its time in
one call into C, is ended by the kernel if the engine has not killed the process first. What comes
back is checked by `engine.sandbox.shape` here, under the memory limit, before it is sent.
"""

from __future__ import annotations

import math
import os
import pickle
import re
import resource
import struct
import sys
from typing import IO, Any

from engine.sandbox import guard, shape

HEADER = struct.Struct("!I")
CPU_GRACE_SECONDS = 1.0  # CPU time past the budget before the kernel ends the process


def read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    body = stream.read(size)
    return body if len(body) == size else None


def write_frame(stream: IO[bytes], body: bytes) -> None:
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def limit_process(memory_mb: int) -> None:
    """The limits that hold for the process's whole life."""
    if memory_mb > 0:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # writes no file
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))  # starts no process


def limit_cpu(seconds: float) -> None:
    """At most `seconds` more of CPU time (past it the kernel ends the process)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    now = used.ru_utime + used.ru_stime
    soft = math.ceil(now + seconds)
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _raised(err: Exception) -> tuple[Any, ...]:
    """An error of the code itself, as the engine rebuilds it: class name and plain arguments."""
    args = tuple(a if isinstance(a, str | int | float | bool | type(None)) else str(a) for a in err.args)
    return ("raised", type(err).__name__, args[:4], str(err)[:2000])


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What a script did to the data: the names it assigned or changed in place (with their values
    now) and the names it deleted. Only these go back: the rest of the data is what the engine
    sent, and it is neither sent again nor checked again."""
    changed = {k: v for k, v in after.items() if k not in before or not same(before[k], v)}
    return changed, [k for k in before if k not in after]


def same(before: Any, after: Any) -> bool:
    try:
        return type(before) is type(after) and bool(before == after)
    except Exception:  # values that cannot be compared are taken as changed
        return False


def run(
    kind: str, source: str, context: dict[str, Any], extra: dict[str, Any], sent: bytes = b""
) -> tuple[Any, ...]:
    """`sent`: the request as it came (for a script, the data before it ran is read from it again)."""
    try:
        if kind == "match":  # a form's pattern RE2 does not accept (engine.sandbox.patterns)
            return ("ok", re.search(source, context["text"]) is not None)
        if kind == "eval":
            value = guard.evaluate(source, context, extra)
            shape.check(value, "the expression's value")
            return ("ok", value)
        before: dict[str, Any] = pickle.loads(sent)[2] if sent else {}  # noqa: S301 - written by the engine
        guard.execute(source, context, extra, private=True)
        shape.check_names(context)  # all the data the task keeps, in one budget, as before
        return ("ok", changes(before, context))
    except (guard.SandboxError, shape.ShapeError) as err:
        return ("refused", str(err))
    except MemoryError:
        return ("refused", "stopped: it used more memory than scripts may use")
    except RecursionError:
        return ("refused", "stopped: it nested calls or values too deep")
    except Exception as err:
        return _raised(err)


def answer(body: bytes) -> bytes:
    """The reply to one request: (kind, source, context, extra, seconds of time budget)."""
    try:
        kind, source, context, extra, seconds = pickle.loads(body)  # noqa: S301 - written by the engine
        guard.TIME_BUDGET_SECONDS = seconds
        limit_cpu(seconds + CPU_GRACE_SECONDS)
        reply = run(kind, source, context, extra, body)
        return pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return pickle.dumps(("refused", "stopped: it used more memory than scripts may use"))
    except Exception as err:  # a value that passed the check and still cannot be sent
        return pickle.dumps(("refused", f"its result cannot be kept ({type(err).__name__})"))


def main(argv: list[str]) -> int:
    memory_mb = int(argv[0]) if argv else 0
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    limit_process(memory_mb)
    # Started: from here on, what the code makes Python say (a generator's "Exception ignored")
    # goes nowhere, not into the server's log or a person's terminal; the reply channel carries
    # nothing but replies.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    sys.stdout = sys.stderr = open(quiet, "w", closefd=False)  # noqa: SIM115 - for the process's life
    while (body := read_frame(requests)) is not None:
        write_frame(replies, answer(body))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
