"""Expressions that cannot run long, so the engine evaluates them itself instead of in a sandbox process.

Most of a process's expressions are conditions such as `skor >= 10` or `kategori == 'tangguh'`:
sending each one to another process would cost more than evaluating it. An expression is admitted
here only when its syntax alone shows that its cost is bounded by the size of the data it reads,
which the engine has already bounded (`engine.sandbox.shape`, `engine.sandbox.json_input`):

- names, constants, subscripts (`alamat['rt']`, `jadwal[hari_ke - 1]`);
- `+` and `-` (on numbers, or joining two texts or lists already in the data: linear in their
  size), at most MAX_ADDITIONS of them, and `len(x)` (constant time);
- comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`, `is`, `is not`), with `in`/`not in` only against
  a written list of constants (`kategori in ('a', 'b')`; a substring search in long text is not
  linear in every case);
- `and`, `or`, `not`, unary `-` and `+`.

At most MAX_NODES syntax nodes. No other calls, no attributes, no other arithmetic (`*`, `**`,
`<<` build values, `%` formats text), no comprehensions, no slices: everything else runs in a
sandbox process under the operating system's limits. An admitted expression is compiled and
guarded by `engine.sandbox.guard` like any other.
"""

from __future__ import annotations

import ast
from functools import lru_cache

_NODES = (
    ast.Expression,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.Name,
    ast.Constant,
    ast.Subscript,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
)
_DISPLAYS = (ast.Tuple, ast.List, ast.Set)


def _constants(node: ast.AST) -> bool:
    return isinstance(node, _DISPLAYS) and all(isinstance(e, ast.Constant) for e in node.elts)


def _admitted(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and not _constants(right):
                return False
    if isinstance(node, ast.Subscript):
        return not isinstance(node.slice, ast.Slice)  # the index itself is walked like the rest
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Add | ast.Sub)
    if isinstance(node, ast.Call):
        return (
            isinstance(node.func, ast.Name)
            and node.func.id == "len"
            and len(node.args) == 1
            and not isinstance(node.args[0], ast.Starred)
            and not node.keywords
        )
    if isinstance(node, _DISPLAYS):
        return _constants(node)
    return isinstance(node, _NODES)


MAX_NODES = 100  # an admitted expression is short: its cost is at most a few passes over its data
MAX_ADDITIONS = 8  # k additions copy at most k * (k + 1) times the largest value they add


@lru_cache(maxsize=4096)
def admits(source: str) -> bool:
    """True when `source` is an expression the engine may evaluate itself (see above)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    nodes = list(ast.walk(tree))
    additions = sum(isinstance(node, ast.BinOp) for node in nodes)
    if len(nodes) > MAX_NODES or additions > MAX_ADDITIONS:
        return False
    return all(_admitted(node) for node in nodes)
