"""Where the engine runs a process's code: every script, and every expression but the simplest, in a
sandbox process under the operating system's limits (`engine.sandbox.pool`); expressions whose
syntax shows they finish quickly (`engine.sandbox.fastpath`) in the engine's own process.

Either way the code is compiled and guarded by `engine.sandbox.guard` (here first, so a refused
script fails the same way wherever it would run), and what comes back is checked by
`engine.sandbox.shape` before it reaches task data.
"""

from __future__ import annotations

from typing import Any

from engine.sandbox import fastpath, guard, pool


def evaluate(source: str, context: dict[str, Any], extra: dict[str, Any]) -> Any:
    guard.compile_expression(source)
    if fastpath.admits(source):
        return guard.evaluate(source, context, extra, budgeted=False)
    return pool.run("eval", source, context, extra)


def execute(source: str, context: dict[str, Any], extra: dict[str, Any]) -> None:
    """Run a script; the names it assigns go back into `context` (the task data), those it deleted
    go. Values it did not change stay the objects they were (shared with other tasks' data): the
    sandbox process sends back only what the script changed."""
    guard.compile_script(source)
    changed, deleted = pool.run("exec", source, context, extra)
    for key in deleted:
        context.pop(key, None)
    context.update(changed)
