"""Size limits for the few operators that build a huge value in one step, which the sandbox's time
budget cannot stop.

The budget (`engine.sandbox`) is checked between Python opcodes, so one operator that runs for
minutes inside C (`'x' * 10**9`, `2 ** 10**10`, `1 << 10**10`, `math.factorial(10**7)`) would run
to its end, holding the step and its memory. Scripts are compiled so that `*`, `**` and `<<` call
the guards here, which refuse a result larger than any program needs before computing it; `pow`
and the counting functions of `math` are offered in guarded versions too. Other ways of building
a large value in one C call remain (`'x'.ljust(10**9)`, a huge width in a format); see
docs/security-hostile-input.md.
"""

from __future__ import annotations

import ast
import math
from types import SimpleNamespace
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer

MAX_ITEMS = 1_000_000  # characters of a repeated text, items of a repeated list
MAX_INT_BITS = 1_000_000  # about 300,000 decimal digits
MAX_FACTORIAL = 20_000


class LimitError(Exception):
    """A value larger than scripts may build; raised before it is built."""


_SEQUENCES = (str, bytes, list, tuple)


def _too_big(what: str) -> LimitError:
    return LimitError(f"{what} would be too large for a script (limit: {MAX_ITEMS:,} items)")


def _bits(value: int) -> int:
    return value.bit_length()


def guarded_mul(left: Any, right: Any) -> Any:
    """`left * right`, refused when it repeats a text or list into more than MAX_ITEMS items, or
    multiplies whole numbers into one of more than MAX_INT_BITS bits."""
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, _SEQUENCES) and isinstance(times, int) and len(seq) * times > MAX_ITEMS:
            raise _too_big("repeating a text or list")
    if isinstance(left, int) and isinstance(right, int) and _bits(left) + _bits(right) > MAX_INT_BITS:
        raise LimitError(f"the product would have more than {MAX_INT_BITS:,} bits")
    return left * right


def guarded_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    """`base ** exponent` (and `pow`), refused when a whole-number result would exceed MAX_INT_BITS."""
    if modulus is not None:
        return pow(base, exponent, modulus)  # bounded by the modulus
    whole = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1
    if whole and exponent * _bits(abs(base) - 1) > MAX_INT_BITS:
        raise LimitError(f"the power would have more than {MAX_INT_BITS:,} bits")
    return base**exponent


def guarded_lshift(value: Any, shift: Any) -> Any:
    if isinstance(value, int) and isinstance(shift, int) and value and _bits(value) + shift > MAX_INT_BITS:
        raise LimitError(f"the shifted number would have more than {MAX_INT_BITS:,} bits")
    return value << shift


def _counting(function: Any) -> Any:
    def guarded(*args: Any) -> Any:
        if any(isinstance(a, int) and a > MAX_FACTORIAL for a in args):
            raise LimitError(f"math.{function.__name__} is limited to numbers up to {MAX_FACTORIAL:,}")
        return function(*args)

    guarded.__name__ = function.__name__
    return guarded


def guarded_math() -> SimpleNamespace:
    """The `math` module as scripts see it: its public names, with the counting functions guarded."""
    names = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}
    for name in ("factorial", "comb", "perm"):
        names[name] = _counting(getattr(math, name))
    return SimpleNamespace(**names)


# The names the compiled code calls; they start with "_", which no script may write.
GUARDS = {"_mul_": guarded_mul, "_pow_": guarded_pow, "_lshift_": guarded_lshift}
_OPERATORS = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_"}


class LimitingTransformer(RestrictingNodeTransformer):
    """RestrictedPython's checks, and `a * b`, `a ** b`, `a << b` compiled as calls of the guards."""

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        visited = super().visit_BinOp(node)
        guard = _OPERATORS.get(type(node.op))
        if guard is None or visited is not node:
            return visited
        name = ast.copy_location(ast.Name(id=guard, ctx=ast.Load()), node)
        return ast.copy_location(ast.Call(func=name, args=[node.left, node.right], keywords=[]), node)
