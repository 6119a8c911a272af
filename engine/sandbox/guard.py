"""The restricted environment that runs the Python in BPMN scripts, conditions and timer expressions.

Process files are untrusted input: a designer's typo or a hostile upload must not reach the file
system, import modules or walk object internals. Code is compiled with RestrictedPython (no dunder
names, no `exec`/`eval`), then checked once more here: no `import`, and no call of a Python builtin
the sandbox does not offer (`open`, `globals`, `getattr`, ...), so `desa validate` refuses such code
instead of a step failing at run time. It runs against a small set of safe builtins and is stopped
once it runs longer than its time budget, or nests calls deeper than MAX_CALL_DEPTH. The stop is
an exception a script cannot catch: the sandbox offers no `BaseException`, nor a way to reach it
(`.mro()` is refused), and refuses bare `except:` and `finally:`, the only other ways to intercept
it (CPython also switches tracing off once the trace function has raised, so code that caught the
stop would run on unbudgeted; that is also why deep recursion is stopped by the budget well before
Python's own recursion limit, which a script could catch). Operators that build a huge value in one
C call (`'x' * 10**9`) are limited in `engine.sandbox.limits`.

The budget runs inside the interpreter, so it is not the last word: a script can still switch
tracing off (a generator closed in a deep frame), and one call into C gives it no chance to run.
The engine therefore runs this code in sandbox processes that the operating system limits and the
engine kills at a deadline (`engine.sandbox.isolation`); the budget here gives the usual endless
loop a clear message without losing the process.
"""

from __future__ import annotations

import ast
import builtins
import copy
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.Guards import safe_builtins as _safe_builtins
from RestrictedPython.Limits import limited_builtins
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.Utilities import utility_builtins as _utility_builtins

from engine.sandbox import limits as sandbox_limits

SCRIPT_FILENAME = "<desa-script>"
TIME_BUDGET_SECONDS = 2.0
MAX_CALL_DEPTH = 100  # nested calls of script functions


class SandboxError(Exception):
    """Code refused at compile time, or stopped while running."""


class _OverBudget(BaseException):  # noqa: N818 - internal; surfaces as SandboxError
    """Raised inside running sandbox code; `except Exception` in a script does not catch it."""


class _TooDeep(_OverBudget):
    """Script functions called each other deeper than MAX_CALL_DEPTH."""


# Builtins the sandbox withholds, so no script can name (and catch) what stops it.
WITHHELD_BUILTINS = ("BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit")
# Why some builtins are missing, for the message; any other absent builtin is "not available".
REFUSED_CALLS = {
    "open": "scripts cannot read or write files",
    "__import__": "scripts cannot import modules",
    "eval": "scripts cannot run code given as text",
    "exec": "scripts cannot run code given as text",
    "compile": "scripts cannot run code given as text",
    "globals": "scripts cannot inspect their environment",
    "locals": "scripts cannot inspect their environment",
    "vars": "scripts cannot inspect their environment",
    "dir": "scripts cannot inspect their environment",
    "getattr": "write obj.name instead",
    "hasattr": "scripts cannot inspect objects",
    "input": "scripts run unattended",
    "breakpoint": "scripts run unattended",
    "help": "scripts run unattended",
    "exit": "end the script instead",
    "quit": "end the script instead",
}
# Builtins refused wherever they are named, not only when called (`f = open`, `@eval`, a lambda's
# default, a base class): they are never what a task's data means.
REFUSED_NAMES = frozenset(REFUSED_CALLS) | {
    "type",
    "object",
    "super",
    "classmethod",
    "staticmethod",
    "property",
}
# Attributes RestrictedPython allows that walk to Python's internals.
REFUSED_ATTRIBUTES = {
    "format": "str.format() can read attributes named in its text; use an f-string",
    "format_map": "str.format_map() can read attributes named in its text; use an f-string",
    "Formatter": "string.Formatter can read attributes named in its text; use an f-string",
    "mro": "scripts cannot inspect classes",
}


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": sandbox_limits.guarded_mul,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
        "**=": sandbox_limits.guarded_pow,
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
    names.update({"dict": dict, "list": list, "tuple": tuple, "set": set, "frozenset": frozenset, "zip": zip})
    names.update({"pow": sandbox_limits.guarded_pow, "math": sandbox_limits.guarded_math()})
    names.pop("random", None)  # replay must be deterministic
    for name in WITHHELD_BUILTINS:
        names.pop(name, None)
    names.update(extra)
    return names


def guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    """RestrictedPython's `safer_getattr`, refusing REFUSED_ATTRIBUTES too."""
    if name in REFUSED_ATTRIBUTES:
        raise SandboxError(f"'.{name}' is not available in scripts ({REFUSED_ATTRIBUTES[name]})")
    return safer_getattr(obj, name, default)  # type: ignore[no-untyped-call]


def base_globals(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "__builtins__": _builtins(extra),
        **sandbox_limits.GUARDS,
        "_getattr_": guarded_getattr,
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
# Names a script may call without assigning them first (`print` is rewritten by RestrictedPython).
AVAILABLE_NAMES = frozenset(_builtins({})) | frozenset(base_globals({})) | {"print"}


def _refusals(source: str, mode: str) -> list[str]:
    """What RestrictedPython lets through but the sandbox cannot run, as "Line N: ..." texts."""
    tree = ast.parse(source, filename=SCRIPT_FILENAME, mode=mode)
    assigned = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
    }
    assigned |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    assigned |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append((node.lineno, "import statements are not allowed: scripts cannot import modules"))
        elif isinstance(node, ast.ExceptHandler) and node.type is None:
            found.append(
                (
                    node.lineno,
                    "a bare 'except:' is not allowed; name what to catch, e.g. 'except ValueError:'",
                )
            )
        elif isinstance(node, ast.Try) and node.finalbody:
            found.append((node.finalbody[0].lineno, "'finally:' is not allowed in scripts"))
        elif isinstance(node, ast.ClassDef):
            found.append((node.lineno, "class definitions are not allowed in scripts"))
        elif isinstance(node, ast.Attribute) and node.attr in REFUSED_ATTRIBUTES:
            reason = REFUSED_ATTRIBUTES[node.attr]
            found.append((node.lineno, f"'.{node.attr}' is not available in scripts ({reason})"))
        elif (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id in REFUSED_NAMES
            and node.id not in assigned
            and id(node) not in called  # a call is reported as one, below
        ):
            why = REFUSED_CALLS.get(node.id)
            found.append(
                (node.lineno, f"{node.id} is not available in scripts" + (f" ({why})" if why else ""))
            )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in assigned or name in AVAILABLE_NAMES or not hasattr(builtins, name):
                continue
            why = REFUSED_CALLS.get(name)
            found.append(
                (node.lineno, f"{name}() is not available in scripts" + (f" ({why})" if why else ""))
            )
    return [f"Line {line}: {text}" for line, text in sorted(set(found))]


def _compile(source: str, mode: str) -> CodeType:
    what = "expression" if mode == "eval" else "script"
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename=SCRIPT_FILENAME, policy=sandbox_limits.LimitingTransformer)
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or f"{what} does not compile")
    refused = _refusals(source, mode)
    if refused:
        raise SandboxError("; ".join(refused))
    code: CodeType = result.code
    return code


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    return _compile(source.strip(), "eval")


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    return _compile(source, "exec")


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
    """Stops code from the sandbox once it has run longer than its budget.

    Traces opcodes, not only lines: a loop on one line (`while True: pass`) makes no line events.
    """

    CHECK_EVERY = 256  # opcodes between clock readings

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.ticks = 0

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            return None
        depth, outer = 0, frame.f_back
        while outer is not None and depth <= MAX_CALL_DEPTH:
            depth += outer.f_code.co_filename == SCRIPT_FILENAME
            outer = outer.f_back
        if depth > MAX_CALL_DEPTH:
            raise _TooDeep
        frame.f_trace_opcodes = True
        return self.local(frame, event, arg)

    def local(self, frame: FrameType, event: str, arg: Any) -> Any:
        self.ticks += 1
        if self.ticks % self.CHECK_EVERY == 0 and time.monotonic() > self.deadline:
            raise _OverBudget
        return self.local


def _run(code: CodeType, scope: dict[str, Any], mode: str, budgeted: bool = True) -> Any:
    if not budgeted:  # only code proven to finish quickly (engine.sandbox.fastpath)
        try:
            return eval(code, scope)  # noqa: S307 - restricted code object, guarded globals
        except sandbox_limits.LimitError as err:
            raise SandboxError(str(err)) from None
    budget = _Budget(TIME_BUDGET_SECONDS)
    previous = sys.gettrace()
    sys.settrace(budget.trace)
    try:
        if mode == "eval":
            return eval(code, scope)  # noqa: S307 - restricted code object, guarded globals
        exec(code, scope)  # noqa: S102 - restricted code object, guarded globals
        return None
    except sandbox_limits.LimitError as err:
        raise SandboxError(str(err)) from None
    except _TooDeep:
        raise SandboxError(f"stopped: functions called each other more than {MAX_CALL_DEPTH} deep") from None
    except _OverBudget:
        raise SandboxError(f"stopped after running longer than {budget.seconds:g} s") from None
    finally:
        sys.settrace(previous)


def _scope(context: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The globals code runs with: the task's data, but never in place of the sandbox's own names
    (a field called `_getattr_` or `__builtins__` in submitted data is only data)."""
    guards = base_globals(extra)
    return {**guards, **context, **{k: v for k, v in guards.items() if k.startswith("_")}}


def evaluate(source: str, context: dict[str, Any], extra: dict[str, Any], budgeted: bool = True) -> Any:
    """The value of an expression; `budgeted=False` only for those `engine.sandbox.fastpath` admits."""
    scope = _scope(context, extra)
    return _run(compile_expression(source), scope, "eval", budgeted)


def execute(source: str, context: dict[str, Any], extra: dict[str, Any], private: bool = False) -> None:
    """Run a script; names it assigns go back into `context` (the task data).

    The script works on a deep copy of the data: values are shared with other tasks' data, and a
    script changing them in place would change what finished tasks hold. A `private` context (the
    sandbox process's own copy) is used as it is."""
    scope = _scope(context if private else copy.deepcopy(context), extra)
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
