"""The restricted environment that runs the Python in BPMN scripts, conditions and timer expressions.

Process files are untrusted input: a designer's typo or a hostile upload must not reach the file
system, import modules or walk object internals. Code is compiled with RestrictedPython (no dunder
names, no imports, no `open`/`exec`/`eval`), runs against a small set of safe builtins, and is
stopped once it runs longer than its time budget.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins
from RestrictedPython import safe_builtins as _safe_builtins
from RestrictedPython import utility_builtins as _utility_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector

SCRIPT_FILENAME = "<desa-script>"
TIME_BUDGET_SECONDS = 2.0


class SandboxError(Exception):
    """Code refused at compile time, or stopped while running."""


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
        "**=": lambda a, b: a**b,
        "|=": lambda a, b: a | b,
        "&=": lambda a, b: a & b,
    }
    if op not in ops:
        raise SandboxError(f"operator {op} is not allowed in scripts")
    return ops[op](x, y)


def _write_guard(obj: Any) -> Any:
    # Plain containers that scripts build may be changed; anything else goes through the guard.
    if isinstance(obj, dict | list | set):
        return obj
    return full_write_guard(obj)


def _builtins(extra: dict[str, Any]) -> dict[str, Any]:
    names: dict[str, Any] = dict(_safe_builtins)
    names.update(limited_builtins)
    names.update({k: v for k, v in _utility_builtins.items() if k in ("math", "random", "string", "set")})
    for name in ("sum", "min", "max", "any", "all", "enumerate", "sorted", "reversed", "map", "filter"):
        names[name] = __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    names.update({"dict": dict, "list": list, "tuple": tuple, "set": set, "frozenset": frozenset})
    names.pop("random", None)  # replay must be deterministic
    names.update(extra)
    return names


def base_globals(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "__builtins__": _builtins(extra),
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": _write_guard,
        "_inplacevar_": _inplacevar,
        "_print_": PrintCollector,
        "date": date,
        "timedelta": timedelta,
    }


GUARD_NAMES = frozenset(base_globals({})) | {"_print", "printed"}


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    result = compile_restricted_eval(source.strip(), filename=SCRIPT_FILENAME)
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or "expression does not compile")
    return result.code  # type: ignore[no-any-return]


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    result = compile_restricted_exec(source, filename=SCRIPT_FILENAME)
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or "script does not compile")
    return result.code  # type: ignore[no-any-return]


def check(source: str, expression: bool) -> str | None:
    """Why `source` would be refused, or None if it compiles under the restrictions."""
    try:
        (compile_expression if expression else compile_script)(source)
    except SandboxError as err:
        return str(err)
    except SyntaxError as err:
        return f"syntax error: {err.msg} (line {err.lineno})"
    return None


class _Budget:
    """Stops code from the sandbox once it has run longer than its budget."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            return None
        return self.local

    def local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > self.deadline:
            raise SandboxError(f"stopped after running longer than {self.seconds:g} s")
        return self.local


def _run(code: CodeType, scope: dict[str, Any], mode: str) -> Any:
    budget = _Budget(TIME_BUDGET_SECONDS)
    previous = sys.gettrace()
    sys.settrace(budget.trace)
    try:
        if mode == "eval":
            return eval(code, scope)  # noqa: S307 - restricted code object, guarded globals
        exec(code, scope)  # noqa: S102 - restricted code object, guarded globals
        return None
    finally:
        sys.settrace(previous)


def evaluate(source: str, context: dict[str, Any], extra: dict[str, Any]) -> Any:
    scope = base_globals(extra)
    scope.update(context)
    return _run(compile_expression(source), scope, "eval")


def execute(source: str, context: dict[str, Any], extra: dict[str, Any]) -> None:
    """Run a script; names it assigns go back into `context` (the task data)."""
    scope = base_globals(extra)
    scope.update(context)
    _run(compile_script(source), scope, "exec")
    for key in list(context):
        if key not in scope:
            del context[key]
    for key, value in scope.items():
        if key in GUARD_NAMES or key in extra or key.startswith("_") or callable(value):
            continue
        if isinstance(value, type) or hasattr(value, "__module__") and type(value).__name__ == "module":
            continue
        context[key] = value
