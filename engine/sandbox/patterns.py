"""Regular expressions from forms (`pattern`, `patternProperties`), checked in time the engine bounds.

Python's `re` backtracks: `^(a+)+$` against 26 a's and a b took 4.4 s, and each added letter
doubles it, all inside one call into C that nothing in the process can interrupt. A pattern is
therefore run with RE2 (`google-re2`), whose matching time grows linearly with the text. The few
patterns RE2 does not accept (backreferences, lookaround) run with `re` in a sandbox process
(`engine.sandbox.pool`), stopped at the sandbox's time budget like a script.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2  # type: ignore[import-untyped]

from engine.sandbox import guard, pool

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a pattern RE2 refuses is not an error here: it runs elsewhere


@lru_cache(maxsize=1024)
def _linear(pattern: str) -> Any | None:
    """The pattern compiled by RE2, or None when RE2 does not accept it."""
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error:
        return None


def is_linear(pattern: str) -> bool:
    """True when the pattern is matched in linear time (RE2 accepts it)."""
    return _linear(pattern) is not None


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches somewhere in `text` (as `re.search`). Raises
    `engine.sandbox.guard.SandboxError` when a pattern RE2 refuses runs past the time budget."""
    compiled = _linear(pattern)
    if compiled is not None:
        return compiled.search(text) is not None
    matched = _elsewhere(pattern, text)
    if matched is None:
        raise guard.SandboxError(f"the pattern {pattern!r} took longer than {guard.TIME_BUDGET_SECONDS:g} s")
    return matched


@lru_cache(maxsize=256)  # a form is checked twice (is it valid? then: why not?): one run each
def _elsewhere(pattern: str, text: str) -> bool | None:
    """Whether `re` finds the pattern, in a sandbox process; None when it was stopped."""
    try:
        return bool(pool.run("match", pattern, {"text": text}, {}))
    except guard.SandboxError:
        return None
