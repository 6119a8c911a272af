"""What a script or an expression hands back must be data the engine can keep: checked before it is.

A value built in a fraction of a second can be enormous once written out: `[[0] * 10**6] * 10**6`
is one list of a million references to one other list, and serializing it means writing 10**12
numbers. So the walk here counts every element each time it is reached (a shared list counts once
per place it appears, as it will when written) and stops at the first one past the limits, after
at most MAX_NODES steps. It also refuses what cannot be written at all, with the name of the
variable that holds it: a generator, a function's closure kept in data, a value that contains
itself, nesting deeper than MAX_DEPTH, a whole number too long to write as text.

The sandbox process runs this before it sends a result back (under its memory limit), and the
engine runs it again on what it receives, before the value reaches task data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

MAX_NODES = 1_000_000  # values in one result, shared ones counted every time they appear
MAX_TEXT = 16_000_000  # characters of text in one result, counted the same way
MAX_DEPTH = 32  # as submitted data (engine.sandbox.json_input)
MAX_INT_BITS = 4000 * 10 // 3  # about 4,000 decimal digits: Python's limit for writing one is 4,300

SCALARS = (type(None), bool, int, float, str, date, datetime, time, timedelta)
CONTAINERS = (list, tuple, dict, set, frozenset)


class ShapeError(Exception):
    """A value the engine cannot keep; the message names it and says why."""


class _Walk:
    def __init__(self, what: str) -> None:
        self.what = what
        self.nodes = 0
        self.text = 0
        self.path: list[int] = []  # ids of the containers being walked, to find one inside itself

    def refuse(self, why: str) -> ShapeError:
        return ShapeError(f"{self.what} {why}")

    def visit(self, value: Any, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.refuse(f"is too large to keep (more than {MAX_NODES:,} values)")
        if isinstance(value, str):
            self.text += len(value)
            if self.text > MAX_TEXT:
                raise self.refuse(f"is too large to keep (more than {MAX_TEXT:,} characters of text)")
            return
        if isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > MAX_INT_BITS:
                raise self.refuse("holds a whole number too long to keep (more than 4,000 digits)")
            return
        if isinstance(value, SCALARS):
            return
        if not isinstance(value, CONTAINERS):
            raise self.refuse(f"holds a {type(value).__name__}, which task data cannot keep")
        if depth >= MAX_DEPTH:
            raise self.refuse(f"is nested deeper than {MAX_DEPTH} levels")
        if id(value) in self.path:
            raise self.refuse("contains itself, which task data cannot keep")
        self.path.append(id(value))
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str | int | float | bool | type(None)):
                    raise self.refuse(f"has a key of type {type(key).__name__}, which task data cannot keep")
                self.visit(key, depth + 1)
                self.visit(item, depth + 1)
        else:
            for item in value:
                self.visit(item, depth + 1)
        self.path.pop()


def check(value: Any, what: str) -> None:
    """Raise ShapeError when `value` is not data the engine can keep; `what` names it in the message."""
    _Walk(what).visit(value, 0)


def is_kept(value: Any) -> bool:
    """False for what a script defines but task data never holds: its functions, classes, modules."""
    return not (callable(value) or type(value).__name__ == "module")


def check_names(scope: dict[str, Any], what: str = "variable") -> None:
    """Check every value of a script's resulting data, naming the variable of the first one refused.

    One budget for all of them: a million values spread over many variables is still too much."""
    walk = _Walk("")
    for name, value in scope.items():
        walk.what = f"the {what} '{name}'"
        walk.visit(value, 0)
